//! One file per lazy island, or per group of islands that pages always show together: the
//! island's own module and every chunk it needs, so that a page downloads one file per island
//! instead of one per chunk.
//!
//! wasm-split gives each set of islands that share some code a chunk of its own: 154 modules
//! for 21 islands, up to 70 of them for one island, most under 1 kB. On a phone network each
//! file costs a round trip (the browser opens six connections per host), so a page's requests
//! counted for more than its bytes. One file per island also compresses better (the chunks'
//! import sections repeat each other), at the price of code two islands of one page share
//! coming twice, unless they are a group of [`SHOWN_TOGETHER`].
//!
//! A bundle is a WebAssembly module of custom sections only, one per file it holds, named by
//! the file (`chunk_12`), so the browser reads it with `WebAssembly.Module.customSections`.
//! `island-bundles.js`, prepended to wasm-split's loader, serves the loader's fetches from it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::Manifest;

/// Lazy islands that every page showing one of them shows together, by their names in the
/// manifest (`end_one` for `EndOne`): each group is one bundle, so the code its islands share
/// downloads once. A page showing only some of a group would download the others' code too,
/// hence only islands that are never apart.
pub const SHOWN_TOGETHER: &[&[&str]] = &[
    // The Sessions list, once another session exists: "Sign out" on each other session and
    // "Sign out all other sessions" (26.7 kB apart, 15.4 kB together, brotli).
    &["end_one", "end_others"],
    // Two-factor on: each second factor's "Rename" and "Remove", and the recovery codes
    // (43.3 kB apart, 32.1 kB together).
    &["factor_actions", "recovery_codes"],
];

/// The script that serves wasm-split's fetches from the bundles.
const LOADER_PRELUDE: &str = include_str!("../island-bundles.js");

/// How wasm-split's loader fetches a file: the global `fetch`, which the prelude shadows.
const LOADER_FETCH: &str = "fetch(new URL(";

/// Which bundle holds each lazy island's code.
pub struct Plan {
    /// Each bundle's name (without `.wasm`) and the files it holds, in the manifest's order.
    bundles: BTreeMap<String, Vec<String>>,
    /// The manifest the server preloads from: each island's bundle, or the chunks of an island
    /// left unbundled.
    manifest: Manifest,
}

impl Plan {
    /// Bundles the islands of wasm-split's `manifest` (island loader -> the files it needs,
    /// without `.wasm`): one per group of `together`, named by its islands
    /// (`bundle_end_one+end_others`), and one per other island (`bundle_<loader>`). An island
    /// without a module of its own (which wasm-split leaves out when it is empty) keeps its
    /// chunks: the loader learns which island it loads from that module.
    pub fn new(manifest: &Manifest, together: &[&[&str]]) -> Result<Self> {
        fn island_of(loader: &str) -> &str {
            loader
                .rsplit_once("_loader_")
                .map_or("", |(island, _)| island)
        }
        let mut plan = Self {
            bundles: BTreeMap::new(),
            manifest: Manifest::new(),
        };
        for group in together {
            if group.len() < 2 {
                bail!("a group of islands shown together needs two or more: {group:?}");
            }
            let name = format!("bundle_{}", group.join("+"));
            let mut files = Vec::new();
            for island in *group {
                let loaders: Vec<_> = manifest
                    .iter()
                    .filter(|(loader, files)| {
                        island_of(loader) == *island && files.contains(&format!("split_{loader}"))
                    })
                    .collect();
                // A renamed or removed island must not leave its group silently unbundled.
                let [(loader, needs)] = loaders[..] else {
                    bail!(
                        "{island} (shown together with {group:?}): {} lazy islands of this build \
                         have that name and a module of their own, not one",
                        loaders.len()
                    );
                };
                if plan.manifest.contains_key(loader) {
                    bail!("{island} is in two groups of islands shown together, or twice in {group:?}");
                }
                for file in needs {
                    if !files.contains(file) {
                        files.push(file.clone());
                    }
                }
                plan.manifest.insert(loader.clone(), vec![name.clone()]);
            }
            plan.bundles.insert(name, files);
        }
        for (loader, files) in manifest {
            if plan.manifest.contains_key(loader) {
                continue;
            }
            if !files.contains(&format!("split_{loader}")) {
                eprintln!("{loader} has no module of its own: its chunks are not bundled");
                plan.manifest.insert(loader.clone(), files.clone());
                continue;
            }
            let name = format!("bundle_{loader}");
            plan.bundles.insert(name.clone(), files.clone());
            plan.manifest.insert(loader.clone(), vec![name]);
        }
        Ok(plan)
    }

    /// The islands whose bundle is not `bundle_<loader>`, the prelude's default: loader ->
    /// bundle.
    fn grouped(&self) -> BTreeMap<&str, &str> {
        self.manifest
            .iter()
            .filter_map(|(loader, files)| match &files[..] {
                [bundle]
                    if self.bundles.contains_key(bundle)
                        && *bundle != format!("bundle_{loader}") =>
                {
                    Some((loader.as_str(), bundle.as_str()))
                }
                _ => None,
            })
            .collect()
    }
}

/// Prepends the bundles' `fetch` to wasm-split's loader (`link_module`), with the bundle of
/// each island of a group.
pub fn prepare_loader(link_module: &Path, plan: &Plan) -> Result<()> {
    let loader = fs::read_to_string(link_module)
        .with_context(|| format!("reading {}", link_module.display()))?;
    // Another wasm-split might fetch otherwise, and the bundles would silently go unused.
    if !loader.contains(LOADER_FETCH) {
        bail!(
            "{} does not fetch with `{LOADER_FETCH}`: the island bundles need another prelude",
            link_module.display()
        );
    }
    let grouped = serde_json::to_string(&plan.grouped())?;
    fs::write(
        link_module,
        format!("const groupedIslandBundles = {grouped};\n{LOADER_PRELUDE}\n{loader}"),
    )
    .with_context(|| format!("writing {}", link_module.display()))
}

/// Writes `pkg/<bundle>.wasm` for each bundle of `plan`, and returns the manifest the server
/// preloads from: each island's bundle.
pub fn bundle_islands(pkg: &Path, plan: Plan) -> Result<Manifest> {
    for (name, files) in &plan.bundles {
        let mut bundle = wasm_encoder::Module::new();
        for file in files {
            let path = pkg.join(format!("{file}.wasm"));
            let code = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            bundle.section(&wasm_encoder::CustomSection {
                name: file.into(),
                data: code.into(),
            });
        }
        let path = pkg.join(format!("{name}.wasm"));
        fs::write(&path, bundle.finish()).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(plan.manifest)
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

        let manifest = Manifest::from([
            ("a_loader_1".to_string(), vec!["split_a_loader_1".into()]),
            ("b_loader_2".to_string(), vec!["split_b_loader_2".into()]),
            ("c_loader_3".to_string(), vec!["split_c_loader_3".into()]),
        ]);
        let plan = Plan::new(&manifest, &[&["a", "b"]]).unwrap();

        let (prepared, refused) = (
            prepare_loader(&expected, &plan),
            prepare_loader(&other, &plan),
        );
        let written = fs::read_to_string(&expected).unwrap();
        fs::remove_dir_all(&dir).unwrap();

        prepared.unwrap();
        // `c` is in the bundle the prelude names by default, `bundle_c_loader_3`.
        let grouped = r#"{"a_loader_1":"bundle_a+b","b_loader_2":"bundle_a+b"}"#;
        assert_eq!(
            written,
            format!("const groupedIslandBundles = {grouped};\n{LOADER_PRELUDE}\n{loader}")
        );
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

        let bundled = bundle_islands(&pkg, Plan::new(&manifest, &[]).unwrap()).unwrap();
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

    /// The custom sections of a bundle: each file's name and bytes.
    fn sections_of(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
        wasmparser::Parser::new(0)
            .parse_all(bundle)
            .filter_map(|payload| match payload.unwrap() {
                wasmparser::Payload::CustomSection(section) => {
                    Some((section.name().to_string(), section.data().to_vec()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn islands_shown_together_share_one_bundle_with_each_file_once() {
        let pkg = std::env::temp_dir().join(format!("xtask-group-{}", std::process::id()));
        fs::create_dir_all(&pkg).unwrap();
        for name in [
            "chunk_1",
            "chunk_2",
            "chunk_3",
            "split_end_one_loader_4",
            "split_end_others_loader_5",
            "split_other_loader_6",
        ] {
            fs::write(pkg.join(format!("{name}.wasm")), format!("\0asm{name}")).unwrap();
        }
        let manifest = Manifest::from([
            (
                "end_one_loader_4".to_string(),
                vec![
                    "chunk_1".into(),
                    "chunk_2".into(),
                    "split_end_one_loader_4".into(),
                ],
            ),
            (
                "end_others_loader_5".to_string(),
                vec![
                    "chunk_2".into(),
                    "chunk_3".into(),
                    "split_end_others_loader_5".into(),
                ],
            ),
            (
                "other_loader_6".to_string(),
                vec!["chunk_1".into(), "split_other_loader_6".into()],
            ),
        ]);

        let bundled = bundle_islands(
            &pkg,
            Plan::new(&manifest, &[&["end_one", "end_others"]]).unwrap(),
        )
        .unwrap();
        let group = fs::read(pkg.join("bundle_end_one+end_others.wasm")).unwrap();
        let other = fs::read(pkg.join("bundle_other_loader_6.wasm")).unwrap();
        let alone = pkg.join("bundle_end_one_loader_4.wasm").exists();
        fs::remove_dir_all(&pkg).unwrap();

        assert_eq!(bundled["end_one_loader_4"], ["bundle_end_one+end_others"]);
        assert_eq!(
            bundled["end_others_loader_5"],
            ["bundle_end_one+end_others"]
        );
        assert_eq!(bundled["other_loader_6"], ["bundle_other_loader_6"]);
        assert!(!alone, "an island of a group has no bundle of its own");
        let names = |bundle: &[u8]| {
            sections_of(bundle)
                .into_iter()
                .map(|(name, _)| name)
                .collect::<Vec<_>>()
        };
        // The shared chunk once; another island keeps its own copy of what it shares.
        assert_eq!(
            names(&group),
            [
                "chunk_1",
                "chunk_2",
                "split_end_one_loader_4",
                "chunk_3",
                "split_end_others_loader_5"
            ]
        );
        assert_eq!(names(&other), ["chunk_1", "split_other_loader_6"]);
        assert!(sections_of(&group)
            .iter()
            .all(|(name, code)| *code == format!("\0asm{name}").into_bytes()));
    }

    #[test]
    fn a_group_naming_an_island_the_build_lacks_is_refused() {
        let manifest = Manifest::from([
            (
                "end_one_loader_4".to_string(),
                vec!["split_end_one_loader_4".into()],
            ),
            // No module of its own: nothing to bundle it with.
            ("empty_loader_5".to_string(), vec!["chunk_1".into()]),
        ]);
        assert!(Plan::new(&manifest, &[&["end_one", "end_all"]]).is_err());
        assert!(Plan::new(&manifest, &[&["end_one", "empty"]]).is_err());
    }

    #[test]
    fn an_island_belongs_to_one_group_of_two_or_more() {
        let manifest = Manifest::from([
            ("a_loader_1".to_string(), vec!["split_a_loader_1".into()]),
            ("b_loader_2".to_string(), vec!["split_b_loader_2".into()]),
            ("c_loader_3".to_string(), vec!["split_c_loader_3".into()]),
        ]);
        assert!(Plan::new(&manifest, &[&["a", "b"], &["b", "c"]]).is_err());
        assert!(Plan::new(&manifest, &[&["a", "a"]]).is_err());
        assert!(Plan::new(&manifest, &[&["a"]]).is_err());
        assert!(Plan::new(&manifest, &[&[]]).is_err());
        assert!(Plan::new(&manifest, &[&["a", "b"], &[]]).is_err());
        assert!(Plan::new(&manifest, &[&["a", "b"]]).is_ok());
    }
}
