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
