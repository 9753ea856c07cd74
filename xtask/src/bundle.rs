//! One file per lazy island: its own module and every chunk it needs, so that a page downloads
//! one file per island instead of one per chunk.
//!
//! wasm-split gives each set of islands that share some code a chunk of its own: 154 modules
//! for 21 islands, up to 70 of them for one island, most under 1 kB. On a phone network each
//! file costs a round trip (the browser opens six connections per host), so a page's requests
//! counted for more than its bytes. One file per island also compresses better (the chunks'
//! import sections repeat each other), at the price of code two islands of one page share
//! coming twice.
//!
//! A bundle is a WebAssembly module of custom sections only, one per file it holds, named by
//! the file (`chunk_12`), so the browser reads it with `WebAssembly.Module.customSections`.
//! `island-bundles.js`, prepended to wasm-split's loader, serves the loader's fetches from it.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::Manifest;

/// The script that serves wasm-split's fetches from the bundles.
const LOADER_PRELUDE: &str = include_str!("../island-bundles.js");

/// How wasm-split's loader fetches a file: the global `fetch`, which the prelude shadows.
const LOADER_FETCH: &str = "fetch(new URL(";

/// Prepends the bundles' `fetch` to wasm-split's loader (`link_module`).
pub fn prepare_loader(link_module: &Path) -> Result<()> {
    let loader = fs::read_to_string(link_module)
        .with_context(|| format!("reading {}", link_module.display()))?;
    // Another wasm-split might fetch otherwise, and the bundles would silently go unused.
    if !loader.contains(LOADER_FETCH) {
        bail!(
            "{} does not fetch with `{LOADER_FETCH}`: the island bundles need another prelude",
            link_module.display()
        );
    }
    fs::write(link_module, format!("{LOADER_PRELUDE}\n{loader}"))
        .with_context(|| format!("writing {}", link_module.display()))
}

/// Writes `pkg/bundle_<island>.wasm` for each island of wasm-split's manifest (island loader
/// -> the files it needs, without `.wasm`), and returns the manifest the server preloads from:
/// each island's bundle. An island without a module of its own (which wasm-split leaves out when
/// it is empty) keeps its chunks: the loader learns which island it loads from that module.
pub fn bundle_islands(pkg: &Path, manifest: &Manifest) -> Result<Manifest> {
    let mut bundled = Manifest::new();
    for (island, files) in manifest {
        let own_module = format!("split_{island}");
        if !files.contains(&own_module) {
            eprintln!("{island} has no module of its own: its chunks are not bundled");
            bundled.insert(island.clone(), files.clone());
            continue;
        }
        let mut bundle = wasm_encoder::Module::new();
        for file in files {
            let path = pkg.join(format!("{file}.wasm"));
            let code = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            bundle.section(&wasm_encoder::CustomSection {
                name: file.into(),
                data: code.into(),
            });
        }
        let name = format!("bundle_{island}");
        let path = pkg.join(format!("{name}.wasm"));
        fs::write(&path, bundle.finish()).with_context(|| format!("writing {}", path.display()))?;
        bundled.insert(island.clone(), vec![name]);
    }
    Ok(bundled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prelude_goes_before_a_loader_that_fetches_as_it_expects() {
        let dir = std::env::temp_dir().join(format!("xtask-prelude-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let (expected, other) = (dir.join("expected.js"), dir.join("other.js"));
        let loader = r#"const src = fetch(new URL("./chunk_1.wasm", import.meta.url));"#;
        fs::write(&expected, loader).unwrap();
        fs::write(&other, r#"const src = import.source("./chunk_1.wasm");"#).unwrap();

        let (prepared, refused) = (prepare_loader(&expected), prepare_loader(&other));
        let written = fs::read_to_string(&expected).unwrap();
        fs::remove_dir_all(&dir).unwrap();

        prepared.unwrap();
        assert_eq!(written, format!("{LOADER_PRELUDE}\n{loader}"));
        assert!(
            refused.is_err(),
            "a loader that fetches otherwise is refused"
        );
    }

    #[test]
    fn a_bundle_holds_each_file_of_its_island_under_its_name() {
        let pkg = std::env::temp_dir().join(format!("xtask-bundle-{}", std::process::id()));
        fs::create_dir_all(&pkg).unwrap();
        let files = [
            ("chunk_1", b"\0asm\x01\0\0\0one".as_slice()),
            ("chunk_2", b"\0asm\x01\0\0\0two"),
            ("split_form_loader_7", b"\0asm\x01\0\0\0form"),
            ("chunk_3", b"\0asm\x01\0\0\0empty island's"),
        ];
        for (name, code) in files {
            fs::write(pkg.join(format!("{name}.wasm")), code).unwrap();
        }
        let manifest = Manifest::from([
            (
                "form_loader_7".to_string(),
                vec![
                    "chunk_1".into(),
                    "chunk_2".into(),
                    "split_form_loader_7".into(),
                ],
            ),
            ("empty_loader_8".to_string(), vec!["chunk_3".into()]),
        ]);

        let bundled = bundle_islands(&pkg, &manifest).unwrap();
        let bundle = fs::read(pkg.join("bundle_form_loader_7.wasm")).unwrap();
        let exists = pkg.join("bundle_empty_loader_8.wasm").exists();
        fs::remove_dir_all(&pkg).unwrap();

        assert_eq!(bundled["form_loader_7"], ["bundle_form_loader_7"]);
        assert_eq!(bundled["empty_loader_8"], ["chunk_3"]);
        assert!(!exists, "an island without its own module has no bundle");
        let mut sections = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(&bundle) {
            match payload.unwrap() {
                wasmparser::Payload::CustomSection(section) => {
                    sections.push((section.name().to_string(), section.data().to_vec()))
                }
                wasmparser::Payload::Version { .. } | wasmparser::Payload::End(_) => {}
                other => panic!("a bundle holds custom sections only, not {other:?}"),
            }
        }
        let expected: Vec<_> = files[..3]
            .iter()
            .map(|(name, code)| (name.to_string(), code.to_vec()))
            .collect();
        assert_eq!(sections, expected);
    }
}
