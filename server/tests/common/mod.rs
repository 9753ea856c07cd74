//! An in-process server on a throwaway database, and a small browser-like client: it keeps
//! the cookies it is given and sends the headers a same-origin page would.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use app::state::AppState;
use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use axum::Router;
use http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use server::{build, Config};
use sqlx::Row;
use tower::ServiceExt;

pub const ORIGIN: &str = "http://127.0.0.1:3000";
pub const STRONG_PASSWORD: &str = "violet tractor wanders quietly";
/// How long one request may take, body included, before the test fails as stalled: far above
/// the slowest real request (a few argon2 hashes on a loaded CI machine).
const STALL_LIMIT: Duration = Duration::from_secs(60);

/// Runs each listed test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test($crate::common::TestApp::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let app = $crate::common::TestApp::postgres().await;
                    let database = app.postgres_database.clone();
                    super::$test(app).await;
                    // A failed test keeps its database for a look; the README's test
                    // command drops whatever is left when it ends.
                    if let Some(database) = database {
                        database.drop().await;
                    }
                }
            )*
        }
    };
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "tessera_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub config: Config,
    /// SQLite scratch directory, removed when the test ends so that later runs (whose
    /// process ids may repeat in a fresh container) never see an old database.
    pub scratch: Option<PathBuf>,
    /// The PostgreSQL database this test created, dropped when the test passes so that
    /// thousands of runs do not pile up in the cluster.
    pub postgres_database: Option<ScratchDatabase>,
}

#[derive(Clone)]
pub struct ScratchDatabase {
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    /// Drops the database, retrying briefly: PostgreSQL can refuse while a background worker
    /// (autovacuum) is still inside it. A drop that keeps failing fails the test, so that a
    /// cluster filling up with leftovers is noticed.
    pub async fn drop(self) {
        let admin = sqlx::PgPool::connect(&self.admin_url)
            .await
            .expect("connect to TEST_POSTGRES_URL");
        let statement = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let mut attempt = 1;
        loop {
            match sqlx::query(&statement).execute(&admin).await {
                Ok(_) => break,
                Err(error) if attempt < 5 => {
                    eprintln!("drop {} (attempt {attempt}): {error}", self.name);
                    tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
                    attempt += 1;
                }
                Err(error) => panic!("drop test database {}: {error}", self.name),
            }
        }
        admin.close().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A database URL in a temporary directory no other test (or earlier run) has used; the
/// `TestApp` built on it removes the directory when dropped.
pub fn scratch_sqlite() -> String {
    let dir = std::env::temp_dir().join(unique_name());
    format!("sqlite://{}/tessera.db", dir.display())
}

impl TestApp {
    pub async fn sqlite() -> Self {
        Self::start(scratch_sqlite()).await
    }

    /// Needs `TEST_POSTGRES_URL` (a database the tests may create databases from); the
    /// README's test command starts a server and sets it.
    pub async fn postgres() -> Self {
        let admin_url = std::env::var("TEST_POSTGRES_URL").expect(
            "TEST_POSTGRES_URL is not set: run the README's test command (.ci/test), which starts PostgreSQL",
        );
        let name = unique_name();
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .expect("connect to TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&admin)
            .await
            .expect("create test database");
        admin.close().await;
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b.to_owned(), format!("?{q}")),
            None => (admin_url.clone(), String::new()),
        };
        let base = base
            .rsplit_once('/')
            .map(|(b, _)| b.to_owned())
            .unwrap_or(base);
        let mut app = Self::start(format!("{base}/{name}{query}")).await;
        app.postgres_database = Some(ScratchDatabase { admin_url, name });
        app
    }

    pub async fn start(database_url: String) -> Self {
        let mut config = Config::default();
        if database_url.starts_with("postgres") {
            // SQLite tests keep a generated key file in their scratch folder; PostgreSQL has
            // no folder of its own, so the key comes from configuration.
            config.security.secret_key = "5e".repeat(32);
        }
        config.database.url = database_url;
        Self::with_config(config).await
    }

    pub async fn with_config(config: Config) -> Self {
        let server = build(&config).await.expect("server builds");
        let scratch = config
            .database
            .url
            .strip_prefix("sqlite://")
            .and_then(|path| std::path::Path::new(path).parent())
            .filter(|dir| dir.starts_with(std::env::temp_dir()))
            .map(PathBuf::from);
        Self {
            router: server.router,
            state: server.state,
            config,
            scratch,
            postgres_database: None,
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            addr: "192.0.2.10:50000".parse().unwrap(),
            origin: self.config.server.public_url.clone(),
        }
    }

    pub async fn count_users(&self) -> i64 {
        sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.state.db)
            .await
            .unwrap()
            .get("n")
    }

    pub async fn user_column(&self, email: &str, column: &str) -> String {
        sqlx::query(&format!("SELECT {column} AS v FROM users WHERE email = $1"))
            .bind(email)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
            .get("v")
    }

    /// A signed-in client for a new user with the given email.
    pub async fn signed_up(&self, email: &str, mobile: &str) -> Client {
        let mut client = self.client();
        let res = client.signup(&[("email", email), ("mobile", mobile)]).await;
        assert_eq!(res.status, StatusCode::OK, "sign-up failed: {}", res.body);
        client
    }
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookies: BTreeMap<String, String>,
    pub addr: SocketAddr,
    /// The site's own origin, sent as `Origin` like a browser on our pages does.
    pub origin: String,
}

#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The message for `field` in an `Invalid` error body.
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.json()["Invalid"][field].as_str().map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Client {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Response {
        if !self.cookies.is_empty() {
            req.headers_mut()
                .insert("cookie", self.cookie_header().parse().unwrap());
        }
        req.extensions_mut().insert(ConnectInfo(self.addr));
        let what = format!("{} {}", req.method(), req.uri());
        let deadline = tokio::time::Instant::now() + STALL_LIMIT;
        let res = tokio::time::timeout_at(deadline, self.router.clone().oneshot(req))
            .await
            .unwrap_or_else(|_| panic!("{what}: no response within {STALL_LIMIT:?}"))
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        for cookie in headers.get_all("set-cookie") {
            let cookie = cookie.to_str().unwrap();
            let (pair, attrs) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let removed = attrs.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if removed {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.to_owned());
            }
        }
        // Read frame by frame so that a body that stops half-way fails the test at once with
        // what did arrive, instead of hanging the whole run.
        let mut body = res.into_body();
        let mut bytes = Vec::new();
        loop {
            let frame = tokio::time::timeout_at(
                deadline,
                std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)),
            )
            .await
            .unwrap_or_else(|_| {
                let received = String::from_utf8_lossy(&bytes);
                let start = received.char_indices().rev().nth(599).map_or(0, |(i, _)| i);
                let tail = &received[start..];
                panic!(
                    "{what}: the response body stalled ({} bytes in {STALL_LIMIT:?}); it ends with:\n{tail}",
                    bytes.len()
                )
            });
            match frame {
                None => break,
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        bytes.extend_from_slice(&data);
                    }
                }
                Some(Err(error)) => panic!("{what}: the response body failed: {error}"),
            }
        }
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let req = Request::get(path)
            .header("sec-fetch-site", "same-origin")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// A server function call as the hydrated app makes it (fetch, JSON answer).
    pub async fn call(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(form(fields)))
            .unwrap();
        self.send(req).await
    }

    /// The same form posted by a browser without JavaScript, from the page at `referer`.
    pub async fn post_html_form(
        &mut self,
        path: &str,
        referer: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("origin", ORIGIN)
            .header("referer", format!("{ORIGIN}{referer}"))
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(form(fields)))
            .unwrap();
        self.send(req).await
    }

    /// Signs up Ada Lovelace, overriding any of the default fields.
    pub async fn signup(&mut self, overrides: &[(&str, &str)]) -> Response {
        let mut fields: BTreeMap<&str, &str> = [
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("email", "ada@example.com"),
            ("mobile", "+49 151 23456789"),
            ("password", STRONG_PASSWORD),
            ("password_confirmation", STRONG_PASSWORD),
        ]
        .into_iter()
        .collect();
        for (k, v) in overrides {
            fields.insert(k, v);
        }
        let fields: Vec<(&str, &str)> = fields.into_iter().collect();
        self.call("/api/signup", &fields).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        self.call(
            "/api/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }
}
