//! Pages always finish rendering: the route list is generated once per process, so building
//! another server can never switch resource loading off under a page that is rendering
//! (leptos-rs/leptos#4773; see `route_list` in the server crate).

use crate::common;

use std::time::Duration;

use common::TestApp;
use http::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_renders_never_stall_while_other_servers_are_built() {
    let app = TestApp::sqlite().await;
    let ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let pages = [
        "/settings",
        "/settings/authentication",
        "/settings/ssh-keys",
        "/accounts",
    ];
    let mut renders = tokio::task::JoinSet::new();
    for worker in 0..4 {
        let mut ada = ada.clone();
        renders.spawn(async move {
            for i in 0..500 {
                let page = pages[(worker + i) % pages.len()];
                let res = tokio::time::timeout(Duration::from_secs(15), ada.get(page))
                    .await
                    .unwrap_or_else(|_| panic!("{page} (render {i} of worker {worker}) stalled"));
                assert_eq!(res.status, StatusCode::OK, "{page}");
            }
        });
    }
    // Meanwhile new servers start in the same process, as in the rest of the tests.
    let builds = tokio::spawn(async {
        for _ in 0..40 {
            drop(TestApp::sqlite().await);
        }
    });
    renders.join_all().await;
    builds.await.unwrap();
}

/// A page names, in its head, the WASM files of the lazy islands it has (from wasm-split's
/// manifest beside the main module), so that the browser fetches them with the main module
/// instead of after it.
#[tokio::test]
async fn a_page_preloads_the_code_of_its_lazy_islands() {
    let database = common::scratch_sqlite();
    let folder = std::path::Path::new(database.trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_owned();
    let site = folder.join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(
        site.join("pkg/__wasm_split_manifest.json"),
        r#"{"login_form_loader_1": ["chunk_7", "split_login_form_loader_1"],
            "ssh_keys_loader_2": ["chunk_7", "chunk_8", "split_ssh_keys_loader_2"]}"#,
    )
    .unwrap();
    let mut config = server::Config::default();
    config.database.url = database;
    config.server.site_root = site;
    let app = TestApp::with_config(config).await;
    let preload = |file: &str| {
        format!(r#"<link rel="preload" href="/pkg/{file}.wasm" as="fetch" crossorigin>"#)
    };

    let login = app.client().get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let (head, body) = login.body.split_once("</head>").unwrap();
    assert!(head.contains(&preload("chunk_7")), "{head}");
    assert!(
        head.contains(&preload("split_login_form_loader_1")),
        "{head}"
    );
    assert!(
        !login.body.contains("chunk_8"),
        "no SSH key list on the login page"
    );
    assert!(body.contains(r#"data-component="LoginForm_"#));

    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let keys = ada.get("/settings/ssh-keys").await.body;
    let head = keys.split("</head>").next().unwrap();
    for file in ["chunk_7", "chunk_8", "split_ssh_keys_loader_2"] {
        assert_eq!(
            head.matches(&preload(file)).count(),
            1,
            "{file} once: {head}"
        );
    }
    assert!(!head.contains("split_login_form_loader_1"));
}

/// A page loads the main module under the names the build writes (`pkg/tessera.js` and
/// `pkg/tessera.wasm`), however the server binary was compiled. Leptos picks the WASM file's
/// name when it is compiled: `tessera_bg.wasm` unless `LEPTOS_OUTPUT_NAME` is set, which
/// only cargo-leptos did, so a server built by `cargo build` or `cargo test` served pages
/// that never became interactive.
#[tokio::test]
async fn a_page_loads_the_main_module_the_build_writes() {
    let app = TestApp::sqlite().await;
    let login = app.client().get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let head = login.body.split("</head>").next().unwrap();
    assert!(
        head.contains(r#"<link rel="preload" href="/pkg/tessera.wasm""#),
        "{head}"
    );
    assert!(
        head.contains(r#"("", "pkg", "tessera", "tessera", false)"#),
        "{head}"
    );
    assert!(!login.body.contains("tessera_bg"), "{head}");
}

/// The side navigation marks the section of the page shown (`aria-current="page"`), and
/// only that one; a page outside the sections marks none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_navigation_marks_the_section_of_the_page_shown() {
    let app = TestApp::sqlite().await;
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let cases = [
        ("/settings", Some("User Settings")),
        ("/settings/authentication", Some("Authentication")),
        ("/settings/ssh-keys", Some("SSH Keys")),
        ("/accounts", Some("Accounts")),
        ("/accounts/999999", Some("Accounts")),
        ("/workspaces", None),
    ];
    for (page, section) in cases {
        let res = ada.get(page).await;
        let nav = res
            .body
            .split_once(r#"aria-label="Settings""#)
            .and_then(|(_, rest)| rest.split_once("</nav>"))
            .unwrap_or_else(|| panic!("{page} has no section navigation"))
            .0;
        let current: Vec<&str> = nav
            .split("<a ")
            .filter(|link| link.contains(r#"aria-current="page""#))
            .filter_map(|link| link.split_once('>')?.1.split_once("</a>"))
            .map(|(label, _)| label)
            .collect();
        assert_eq!(current, section.into_iter().collect::<Vec<_>>(), "{page}");
    }
}
