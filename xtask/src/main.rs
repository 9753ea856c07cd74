//! `cargo xtask build [--release] [--frontend-only]`: builds the site into `target/site` and the
//! server beside it, from the settings in the workspace's `[[workspace.metadata.leptos]]`.
//!
//! It does what `cargo leptos build --split` did for this project, with the same WASM modules,
//! but compiles in under a minute where cargo-leptos took ten on a fresh 2-core machine (its
//! own dependencies include a JS compiler, a CSS engine and libgit2); then it puts each lazy
//! island's modules in one file (`bundle.rs`). wasm-split and wasm-bindgen run in-process from
//! their own crates; binaryen (wasm-opt, through `optimize.mjs`), esbuild (JS) and lightningcss
//! (CSS) come prebuilt from npm, installed by `.ci/tools.sh`.

use std::{
    collections::BTreeMap,
    env,
    ffi::OsString,
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, ExitCode, Stdio},
    thread,
    time::Instant,
};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

mod bundle;

const USAGE: &str = "usage: cargo xtask build [--release] [--frontend-only]";

fn main() -> ExitCode {
    match run(env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Default, PartialEq)]
struct Options {
    release: bool,
    frontend_only: bool,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let Some((command, flags)) = args.split_first() else {
        bail!("{USAGE}");
    };
    if command != "build" {
        bail!("unknown command {command:?}\n{USAGE}");
    }
    let mut options = Options::default();
    for flag in flags {
        match flag.as_str() {
            "--release" => options.release = true,
            "--frontend-only" => options.frontend_only = true,
            // cargo-leptos' flag: the site is always split here.
            "--split" => {}
            other => bail!("unknown option {other:?}\n{USAGE}"),
        }
    }
    Ok(options)
}

/// The workspace's build settings, as `cargo metadata` gives them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Site {
    output_name: String,
    bin_package: String,
    lib_package: String,
    lib_profile_release: String,
    site_root: PathBuf,
    site_pkg_dir: PathBuf,
    style_file: PathBuf,
    assets_dir: PathBuf,
    browserquery: String,
    wasm_opt_features: Vec<String>,
}

struct Workspace {
    root: PathBuf,
    target: PathBuf,
    site: Site,
}

fn workspace() -> Result<Workspace> {
    #[derive(Deserialize)]
    struct Metadata {
        workspace_root: PathBuf,
        target_directory: PathBuf,
        metadata: WorkspaceMetadata,
    }
    #[derive(Deserialize)]
    struct WorkspaceMetadata {
        leptos: Vec<Site>,
    }
    let output = Command::new(cargo())
        .args(["metadata", "--no-deps", "--format-version=1"])
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)
        .context("reading [[workspace.metadata.leptos]] from cargo metadata")?;
    let site = metadata
        .metadata
        .leptos
        .into_iter()
        .next()
        .context("no [[workspace.metadata.leptos]] in the workspace's Cargo.toml")?;
    Ok(Workspace {
        root: metadata.workspace_root,
        target: metadata.target_directory,
        site,
    })
}

fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn run(args: Vec<String>) -> Result<()> {
    let options = parse_args(&args)?;
    let ws = workspace()?;
    let started = Instant::now();
    let site_root = ws.root.join(&ws.site.site_root);
    let pkg = site_root.join(&ws.site.site_pkg_dir);
    if site_root.exists() {
        fs::remove_dir_all(&site_root)
            .with_context(|| format!("emptying {}", site_root.display()))?;
    }
    fs::create_dir_all(&pkg).with_context(|| format!("creating {}", pkg.display()))?;

    // The server compiles beside the browser code: on two cores each leaves one idle for long
    // stretches (the WASM's single-unit LTO, wasm-opt's small chunks).
    let mut server = (!options.frontend_only)
        .then(|| build_server(&ws, &options))
        .transpose()?;
    let front = build_front(&ws, &options, &pkg)
        .and_then(|()| build_style(&ws, &options, &pkg))
        .and_then(|()| copy_dir(&ws.root.join(&ws.site.assets_dir), &site_root));
    if let Err(error) = front {
        if let Some(server) = server.as_mut() {
            let _ = server.kill();
            let _ = server.wait();
        }
        return Err(error);
    }
    if let Some(mut server) = server {
        let status = server.wait().context("waiting for the server's build")?;
        if !status.success() {
            bail!("the server's build failed ({status})");
        }
    }
    eprintln!("built {} in {:.0?}", site_root.display(), started.elapsed());
    Ok(())
}

fn build_server(ws: &Workspace, options: &Options) -> Result<Child> {
    let mut command = Command::new(cargo());
    command.current_dir(&ws.root).args([
        "build",
        &format!("--package={}", ws.site.bin_package),
        &format!("--bin={}", ws.site.bin_package),
        "--no-default-features",
    ]);
    if options.release {
        command.arg("--release");
    }
    command.spawn().context("starting the server's cargo build")
}

fn build_front(ws: &Workspace, options: &Options, pkg: &Path) -> Result<()> {
    let front_target = ws.target.join("front");
    let profile = if options.release {
        ws.site.lib_profile_release.as_str()
    } else {
        "dev"
    };
    // wasm-split reads the linker's relocations to know what each function refers to.
    let mut rustflags = env::var("RUSTFLAGS").unwrap_or_default();
    rustflags.push_str(" -Clink-args=--emit-relocs");
    let status = Command::new(cargo())
        .current_dir(&ws.root)
        .args([
            "build",
            &format!("--package={}", ws.site.lib_package),
            "--lib",
            "--target=wasm32-unknown-unknown",
            "--no-default-features",
            &format!("--profile={profile}"),
        ])
        .arg("--target-dir")
        .arg(&front_target)
        .env("RUSTFLAGS", rustflags.trim())
        .status()
        .context("starting the browser code's cargo build")?;
    if !status.success() {
        bail!("the browser code's build failed ({status})");
    }

    let profile_dir = if profile == "dev" { "debug" } else { profile };
    let wasm = front_target
        .join("wasm32-unknown-unknown")
        .join(profile_dir)
        .join(format!("{}.wasm", ws.site.lib_package.replace('-', "_")));
    let split_main = wasm.with_file_name(format!(
        "{}_split.wasm",
        ws.site.lib_package.replace('-', "_")
    ));
    let (chunks, manifest) = split(&wasm, &split_main, pkg, &ws.site.output_name)?;
    let bundles = bundle::Plan::new(&manifest, bundle::SHOWN_TOGETHER)?;
    bundle::prepare_loader(&pkg.join(LINK_MODULE), &bundles)?;
    bindgen(&split_main, pkg, &ws.site.output_name)?;

    if options.release {
        let main = pkg.join(format!("{}.wasm", ws.site.output_name));
        let files: Vec<PathBuf> = std::iter::once(main).chain(chunks).collect();
        optimize(&ws.target, &files, &ws.site.wasm_opt_features)?;
        for js in js_files(pkg)? {
            minify_js(&ws.target, &js)?;
        }
    }
    // The server preloads each island's files from the manifest: now its bundle.
    let manifest = bundle::bundle_islands(pkg, bundles)?;
    let path = pkg.join(MANIFEST);
    fs::write(&path, serde_json::to_string_pretty(&manifest)?)
        .with_context(|| format!("writing {}", path.display()))
}

/// Each island's loader (`login_form_loader_<hash>`) and the files it needs, without `.wasm`;
/// ordered, so that the file written is the same for the same build.
type Manifest = BTreeMap<String, Vec<String>>;

/// Where the server reads the manifest, beside the main module.
const MANIFEST: &str = "__wasm_split_manifest.json";

/// wasm-split's loader, as cargo-leptos names it: its underscores stand for a content hash when
/// file names are hashed, which this project does not do.
const LINK_MODULE: &str = "__wasm_split.______________________.js";

/// Splits the lazy islands' code into chunks of their own (`pkg/*.wasm`); returns their files
/// and which of them each island needs.
fn split(
    wasm: &Path,
    main_out: &Path,
    pkg: &Path,
    output_name: &str,
) -> Result<(Vec<PathBuf>, Manifest)> {
    let started = Instant::now();
    let input = fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let main_module = format!("./{output_name}.js");
    let mut split_options = wasm_split_cli_support::Options::new(&input);
    split_options.output_dir = pkg;
    split_options.main_out_path = main_out;
    split_options.main_module = &main_module;
    let link_name = format!("./{LINK_MODULE}");
    split_options.link_name = &link_name;
    let split = wasm_split_cli_support::transform(split_options)
        .map_err(|error| anyhow::anyhow!("{error:?}"))
        .context("splitting the WASM module")?;
    eprintln!(
        "split the WASM into {} chunks in {:.0?}",
        split.split_modules.len(),
        started.elapsed()
    );
    Ok((
        split.split_modules,
        split.prefetch_map.into_iter().collect(),
    ))
}

/// The main module's JS glue; the module itself is renamed from `<name>_bg.wasm` to
/// `<name>.wasm`, the name Leptos' hydration script loads.
fn bindgen(main: &Path, pkg: &Path, output_name: &str) -> Result<()> {
    let started = Instant::now();
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(main)
        .web(true)?
        .out_name(output_name)
        // wasm-split's chunks call the main module's functions by their linker names.
        .keep_lld_exports(true)
        .demangle(false)
        .typescript(false)
        .omit_default_module_path(false)
        .generate(pkg)
        .context("generating the JS bindings (wasm-bindgen)")?;
    fs::rename(
        pkg.join(format!("{output_name}_bg.wasm")),
        pkg.join(format!("{output_name}.wasm")),
    )?;
    eprintln!("generated the JS bindings in {:.0?}", started.elapsed());
    Ok(())
}

/// wasm-opt over every module (`optimize.mjs`), the files shared out between one Node process
/// per core, largest first.
fn optimize(target: &Path, files: &[PathBuf], flags: &[String]) -> Result<()> {
    let started = Instant::now();
    let binaryen = npm_tool(target, "binaryen/index.js")?;
    let mut by_size: Vec<(u64, &PathBuf)> = files
        .iter()
        .map(|file| Ok((fs::metadata(file)?.len(), file)))
        .collect::<Result<_>>()?;
    by_size.sort_by(|a, b| b.cmp(a));
    let workers = thread::available_parallelism().map_or(1, usize::from);
    let mut shares: Vec<(u64, Vec<&PathBuf>)> = vec![(0, Vec::new()); workers];
    for (size, file) in by_size {
        let lightest = shares
            .iter_mut()
            .min_by_key(|(total, _)| *total)
            .expect("at least one worker");
        lightest.0 += size;
        lightest.1.push(file);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("optimize.mjs");
    let processes = shares
        .into_iter()
        .filter(|(_, share)| !share.is_empty())
        .map(|(_, share)| {
            Command::new("node")
                .arg(&script)
                .arg(&binaryen)
                .args(flags)
                .arg("--")
                .args(share)
                .stdout(Stdio::null())
                // Its output only on failure: otherwise it is one warning per chunk about a
                // name subsection wasm-split writes and binaryen drops.
                .stderr(Stdio::piped())
                .spawn()
                .context("starting node for wasm-opt")
        })
        .collect::<Result<Vec<_>>>()?;
    for process in processes {
        let output = process.wait_with_output()?;
        if !output.status.success() {
            bail!(
                "wasm-opt failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    eprintln!(
        "optimized {} WASM files in {:.0?}",
        files.len(),
        started.elapsed()
    );
    Ok(())
}

fn js_files(pkg: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(pkg)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "js") {
            files.push(path);
        }
    }
    Ok(files)
}

fn minify_js(target: &Path, file: &Path) -> Result<()> {
    let status = Command::new(npm_tool(target, ".bin/esbuild")?)
        .arg(file)
        .args([
            "--minify",
            "--format=esm",
            "--log-level=warning",
            // wasm-bindgen's imports name the split loader twice, as two imports of the one
            // module: the same object either way.
            "--log-override:duplicate-object-key=silent",
            "--allow-overwrite",
        ])
        .arg(format!("--outfile={}", file.display()))
        .status()
        .context("starting esbuild")?;
    if !status.success() {
        bail!("esbuild failed on {} ({status})", file.display());
    }
    Ok(())
}

/// `pkg/<name>.css`: the style file with vendor prefixes and fallbacks for the browsers the
/// query names, minified for release.
fn build_style(ws: &Workspace, options: &Options, pkg: &Path) -> Result<()> {
    let out = pkg.join(format!("{}.css", ws.site.output_name));
    let mut command = Command::new(npm_tool(&ws.target, ".bin/lightningcss")?);
    command
        .arg(ws.root.join(&ws.site.style_file))
        .args(["--targets", &ws.site.browserquery])
        .arg("-o")
        .arg(&out);
    if options.release {
        command.arg("--minify");
    }
    let status = command.status().context("starting lightningcss")?;
    if !status.success() {
        bail!(
            "lightningcss failed on {} ({status})",
            ws.site.style_file.display()
        );
    }
    Ok(())
}

/// A file of the npm packages `.ci/tools.sh` installs under `target/tools/npm`: only those,
/// since their versions are pinned and the output depends on them.
fn npm_tool(target: &Path, file: &str) -> Result<PathBuf> {
    let path = target.join("tools/npm/node_modules").join(file);
    if !path.is_file() {
        bail!(
            "{} is missing: `.ci/serve` or `.ci/test` installs the build tools (npm)",
            path.display()
        );
    }
    Ok(path)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn reads_the_build_flags() {
        assert_eq!(
            parse_args(&args(&["build", "--release", "--split"])).unwrap(),
            Options {
                release: true,
                frontend_only: false
            }
        );
        assert_eq!(
            parse_args(&args(&["build", "--frontend-only"])).unwrap(),
            Options {
                release: false,
                frontend_only: true
            }
        );
    }

    /// The fixture is an unoptimised chunk of this site, on which leaving out the command's
    /// optimisation of the binary's stack form changes the output.
    #[test]
    fn optimizes_byte_for_byte_like_the_wasm_opt_command() {
        let ws = workspace().unwrap();
        let flags = ws.site.wasm_opt_features;
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/unoptimized-chunk.wasm");
        let dir = env::temp_dir().join(format!("xtask-optimize-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let (by_command, by_script) = (dir.join("command.wasm"), dir.join("script.wasm"));
        fs::copy(&fixture, &by_script).unwrap();

        let wasm_opt = npm_tool(&ws.target, ".bin/wasm-opt").unwrap();
        let status = Command::new(&wasm_opt)
            .args(&flags)
            .arg(&fixture)
            .arg("-o")
            .arg(&by_command)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        optimize(&ws.target, std::slice::from_ref(&by_script), &flags).unwrap();

        let (expected, written) = (
            fs::read(&by_command).unwrap(),
            fs::read(&by_script).unwrap(),
        );
        fs::remove_dir_all(&dir).unwrap();
        assert!(expected.len() < fs::metadata(&fixture).unwrap().len() as usize);
        assert!(
            expected == written,
            "optimize.mjs wrote other bytes than wasm-opt"
        );
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["serve"])).is_err());
        assert!(parse_args(&args(&["build", "--relase"])).is_err());
    }
}
