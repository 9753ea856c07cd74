//! Names, in each page's head, the WASM its lazy islands are going to fetch, so that the
//! browser downloads it alongside the main module. Otherwise it learns of it only once the
//! main module has run and each island asks for its code: a second wave of requests after
//! the first, which on a slow phone network costs about 0.8 s before the page answers.
//!
//! The site's manifest says which files each island needs (`cargo xtask build` writes one
//! bundle per island, `bundle_<island>.wasm`, or per group of islands shown together, which
//! each of them names; a cargo-leptos build lists wasm-split's chunks);
//! the rendered page says which islands it has. Pages are rendered whole before they are sent
//! (`SsrMode::Async`), so reading the page here costs no streaming. Leptos has no hook where an
//! island is rendered, hence the page is read after the fact.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};

/// Written next to the main module by a split build: each island's files.
const MANIFEST: &str = "__wasm_split_manifest.json";

/// For each lazy island, as a page names it (`data-component="LoginForm_…"`), the `<link>`
/// tags of the files its code is in.
#[derive(Debug, Default)]
pub struct IslandChunks {
    links: HashMap<String, Vec<Arc<str>>>,
}

impl IslandChunks {
    /// From the site's manifest. `None` for a build without wasm-split, whose one WASM file
    /// Leptos already preloads, and for a manifest that does not read (the pages then load as
    /// they would without this; the reason is logged).
    pub fn load(site_root: &Path, pkg_dir: &str) -> Option<Arc<Self>> {
        let path = site_root.join(pkg_dir).join(MANIFEST);
        let Ok(text) = std::fs::read_to_string(&path) else {
            tracing::info!(path = %path.display(), "no split manifest: the islands' code is not preloaded");
            return None;
        };
        match Self::from_manifest(&text, pkg_dir) {
            Ok(chunks) => Some(Arc::new(chunks)),
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "the islands' code is not preloaded");
                None
            }
        }
    }

    /// `manifest` maps each island's loader (`login_form_loader_<hash>`) to its files, without
    /// their `.wasm`.
    fn from_manifest(manifest: &str, pkg_dir: &str) -> Result<Self, serde_json::Error> {
        let loaders: HashMap<String, Vec<String>> = serde_json::from_str(manifest)?;
        let mut links: HashMap<String, Vec<Arc<str>>> = HashMap::new();
        // Files shared by islands share one tag, so a page's list is built by pointer.
        let mut tags: HashMap<String, Arc<str>> = HashMap::new();
        for (loader, files) in loaders {
            let Some((island, _hash)) = loader.rsplit_once("_loader_") else {
                continue;
            };
            // Two islands of one name in different modules share a key: both get their
            // files preloaded, rather than one the other's.
            let island_tags = links.entry(key(island)).or_default();
            for file in files {
                let tag = tags.entry(file).or_insert_with_key(|file| {
                    format!(r#"<link rel="preload" href="/{pkg_dir}/{file}.wasm" as="fetch" crossorigin>"#)
                        .into()
                });
                push_once(island_tags, tag.clone());
            }
        }
        Ok(Self { links })
    }

    /// The tags for every lazy island in `html`, each file once.
    fn links_for(&self, html: &str) -> String {
        // With its tag: text a person wrote cannot contain `<` unescaped.
        const ATTRIBUTE: &str = r#"<leptos-island data-component=""#;
        let mut seen = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find(ATTRIBUTE) {
            rest = &rest[at + ATTRIBUTE.len()..];
            let name = rest.split('"').next().unwrap_or_default();
            // `LoginForm_11950343200528073744`: the component and a hash of where it is.
            let island = name.rsplit_once('_').map_or(name, |(island, _)| island);
            for tag in self.links.get(&key(island)).into_iter().flatten() {
                push_once(&mut seen, tag.clone());
            }
        }
        seen.concat()
    }
}

/// Adds `tag` unless `tags` has it already: a file's tag is one `Arc` for every island.
fn push_once(tags: &mut Vec<Arc<str>>, tag: Arc<str>) {
    if !tags.iter().any(|t| Arc::ptr_eq(t, &tag)) {
        tags.push(tag);
    }
}

/// An island's name in a form both sides reduce to: the page writes the component's name
/// (`LoginForm`, `HTMLView`), the manifest its snake case (`login_form`, `html_view`).
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What Leptos' hydration script calls, present only in a page that loads its islands.
const HYDRATION_SCRIPT: &str = "hydrateIslands(";

/// Adds the preload tags to an HTML page's head.
pub async fn preload_island_chunks(
    State(chunks): State<Option<Arc<IslandChunks>>>,
    req: Request,
    next: Next,
) -> Response {
    let response = next.run(req).await;
    let Some(chunks) = chunks else {
        return response;
    };
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "a page failed while it was rendered");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let html = std::str::from_utf8(&bytes).unwrap_or_default();
    // A page served without its scripts (one showing a refused form) loads no island.
    if !html.contains(HYDRATION_SCRIPT) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let links = chunks.links_for(html);
    let Some(head_end) = html.find("</head>").filter(|_| !links.is_empty()) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let mut page = String::with_capacity(html.len() + links.len());
    page.push_str(&html[..head_end]);
    page.push_str(&links);
    page.push_str(&html[head_end..]);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
        "login_form_loader_105": ["chunk_1", "chunk_2", "split_login_form_loader_105"],
        "passkey_sign_in_loader_140": ["chunk_2", "chunk_3", "split_passkey_sign_in_loader_140"],
        "ssh_keys_loader_146": ["chunk_4", "split_ssh_keys_loader_146"]
    }"#;

    fn hrefs(links: &str) -> Vec<&str> {
        links
            .split(r#"href=""#)
            .skip(1)
            .filter_map(|l| l.split('"').next())
            .collect()
    }

    #[test]
    fn a_page_preloads_the_files_of_its_lazy_islands_each_once() {
        let chunks = IslandChunks::from_manifest(MANIFEST, "pkg").unwrap();
        let page = r#"<leptos-island data-component="ThemeToggle_846"></leptos-island>
            <leptos-island data-component="LoginForm_1195" data-props="{}"></leptos-island>
            <leptos-island data-component="PasskeySignIn_129"></leptos-island>"#;
        assert_eq!(
            hrefs(&chunks.links_for(page)),
            [
                "/pkg/chunk_1.wasm",
                "/pkg/chunk_2.wasm",
                "/pkg/split_login_form_loader_105.wasm",
                "/pkg/chunk_3.wasm",
                "/pkg/split_passkey_sign_in_loader_140.wasm",
            ]
        );
        assert!(chunks.links_for(page).starts_with(
            r#"<link rel="preload" href="/pkg/chunk_1.wasm" as="fetch" crossorigin>"#
        ));
        assert_eq!(chunks.links_for("<p>No islands</p>"), "");
    }

    #[test]
    fn islands_sharing_a_bundle_preload_it_once() {
        let chunks = IslandChunks::from_manifest(
            r#"{
                "end_one_loader_1": ["bundle_end_one+end_others"],
                "end_others_loader_2": ["bundle_end_one+end_others"],
                "login_form_loader_3": ["bundle_login_form_loader_3"]
            }"#,
            "pkg",
        )
        .unwrap();
        let page = r#"<leptos-island data-component="EndOne_1"></leptos-island>
            <leptos-island data-component="EndOne_1"></leptos-island>
            <leptos-island data-component="LoginForm_3"></leptos-island>
            <leptos-island data-component="EndOthers_2"></leptos-island>"#;
        assert_eq!(
            hrefs(&chunks.links_for(page)),
            [
                "/pkg/bundle_end_one+end_others.wasm",
                "/pkg/bundle_login_form_loader_3.wasm"
            ]
        );
    }

    #[test]
    fn island_names_match_however_their_words_are_cased() {
        let chunks = IslandChunks::from_manifest(
            r#"{"html_view_loader_1": ["chunk_1"], "ssh_keys_loader_2": ["chunk_2"]}"#,
            "pkg",
        )
        .unwrap();
        let page = r#"<leptos-island data-component="HTMLView_1"></leptos-island>
            <leptos-island data-component="SshKeys_2"></leptos-island>"#;
        assert_eq!(
            hrefs(&chunks.links_for(page)),
            ["/pkg/chunk_1.wasm", "/pkg/chunk_2.wasm"]
        );
    }
}
