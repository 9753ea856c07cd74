//! An in-process server on a throwaway database, and a small browser-like client: it keeps
//! the cookies it is given and sends the headers a same-origin page would.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use app::state::AppState;
use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use axum::Router;
use http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use server::Config;
use sqlx::Row;
use tower::ServiceExt;

pub const ORIGIN: &str = "http://localhost:3000";
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
    /// Where the server writes its mail (no SMTP relay configured): one `.eml` per mail.
    pub mail_dir: PathBuf,
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
        if self.mail_dir.starts_with(std::env::temp_dir()) {
            let _ = std::fs::remove_dir_all(&self.mail_dir);
        }
    }
}

/// One mail as the server wrote it, its transfer encoding undone.
#[derive(Debug, Clone)]
pub struct Mail {
    pub file: PathBuf,
    pub text: String,
}

impl Mail {
    pub fn subject(&self) -> &str {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
    }

    /// The token at the end of the first link that starts with `prefix` (a full URL).
    pub fn token_after(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix}... in {}", self.text));
        self.text[start + prefix.len()..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect()
    }
}

/// Undoes quoted-printable (soft line breaks and `=XX`), which a relay-bound mail may use.
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A new, empty PostgreSQL database (from `TEST_POSTGRES_URL`) and its URL.
pub async fn scratch_postgres() -> (String, ScratchDatabase) {
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
    (
        format!("{base}/{name}{query}"),
        ScratchDatabase { admin_url, name },
    )
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
        let (url, database) = scratch_postgres().await;
        let mut app = Self::start(url).await;
        app.postgres_database = Some(database);
        app
    }

    /// Another server like this one (same engine and settings, changed by `tweak`) on a
    /// database of its own, so that no other server's mail worker shares its outbox.
    pub async fn like(&self, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = self.config.clone();
        let database = self.fresh_database(&mut config).await;
        tweak(&mut config);
        let mut app = Self::with_config(config).await;
        // Dropped by the README's test command with the other leftovers.
        app.postgres_database = database;
        app
    }

    /// Points `config` at a new database of this server's engine.
    async fn fresh_database(&self, config: &mut Config) -> Option<ScratchDatabase> {
        if self.postgres_database.is_some() {
            let (url, database) = scratch_postgres().await;
            config.database.url = url;
            Some(database)
        } else {
            config.database.url = scratch_sqlite();
            config.mail.folder = PathBuf::new();
            None
        }
    }

    pub async fn start(database_url: String) -> Self {
        let mut config = Config::default();
        if database_url.starts_with("postgres") {
            // SQLite tests keep a generated key file and their mail in their scratch folder;
            // PostgreSQL has no folder of its own, so both come from configuration.
            config.security.secret_key = "5e".repeat(32);
            config.mail.folder = std::env::temp_dir().join(unique_name()).join("mail");
        }
        config.database.url = database_url;
        Self::with_config(config).await
    }

    pub async fn with_config(config: Config) -> Self {
        let settings = config.app_settings();
        Self::with_settings(config, settings).await
    }

    /// Another server like this one (see [`Self::like`]) whose domain settings are changed
    /// by `tweak`, for windows of seconds.
    pub async fn with_tweaked_settings(
        &self,
        tweak: impl FnOnce(&mut app::state::Settings),
    ) -> Self {
        let mut config = self.config.clone();
        let database = self.fresh_database(&mut config).await;
        let mut settings = config.app_settings();
        tweak(&mut settings);
        let mut app = Self::with_settings(config, settings).await;
        app.postgres_database = database;
        app
    }

    pub async fn with_settings(config: Config, settings: app::state::Settings) -> Self {
        let server = server::build_with_settings(&config, settings)
            .await
            .expect("server builds");
        let scratch = config
            .database
            .url
            .strip_prefix("sqlite://")
            .and_then(|path| std::path::Path::new(path).parent())
            .filter(|dir| dir.starts_with(std::env::temp_dir()))
            .map(PathBuf::from);
        let mail_dir = config.mail_folder();
        Self {
            router: server.router,
            state: server.state,
            config,
            scratch,
            postgres_database: None,
            mail_dir,
        }
    }

    /// Every mail written so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let mut files: Vec<(i64, PathBuf)> = std::fs::read_dir(&self.mail_dir)
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .filter_map(|p| {
                        let name = p.file_name()?.to_str()?;
                        let id = name.split('-').next()?.parse().ok()?;
                        Some((id, p))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|(_, file)| {
                let raw = std::fs::read_to_string(&file).expect("read mail");
                let text = if raw.contains("Content-Transfer-Encoding: quoted-printable") {
                    decode_quoted_printable(&raw)
                } else {
                    raw
                };
                Mail { text, file }
            })
            .collect()
    }

    /// Mails written so far to `to` whose subject contains `subject`, oldest first.
    pub fn mails_to(&self, to: &str, subject: &str) -> Vec<Mail> {
        let header = format!("To: {to}\r\n");
        self.mails()
            .into_iter()
            .filter(|m| m.text.contains(&header) && m.subject().contains(subject))
            .collect()
    }

    /// The newest mail to `to` with `subject` in its subject, waiting for the mail worker
    /// (which sends right after the change commits) for up to 20 seconds.
    pub async fn mail_to(&self, to: &str, subject: &str) -> Mail {
        self.mail_containing(to, subject, "").await
    }

    /// The newest mail to `to` about `subject` whose text contains `text`, waiting as
    /// [`Self::mail_to`] does: an older mail to the same address (from another server of the
    /// same database) is not taken for one still on its way.
    pub async fn mail_containing(&self, to: &str, subject: &str, text: &str) -> Mail {
        for _ in 0..200 {
            if let Some(mail) = self
                .mails_to(to, subject)
                .into_iter()
                .rfind(|m| m.text.contains(text))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no mail to {to} about {subject:?}; mails: {:#?}",
            self.mails()
                .iter()
                .map(|m| m.subject().to_owned())
                .collect::<Vec<_>>()
        )
    }

    /// The token of the newest invitation mailed to `to`.
    pub async fn invitation_token(&self, to: &str) -> String {
        let prefix = format!("{}/invitations/", self.config.server.public_url);
        self.mail_containing(to, "invited you", &prefix)
            .await
            .token_after(&prefix)
    }

    /// Opens the verification link mailed to `email`, as its owner would, signed in as
    /// `client`.
    pub async fn verify_email(&self, client: &mut Client, email: &str) {
        let prefix = format!("{}/verify-email/", self.config.server.public_url);
        let token = self
            .mail_containing(email, "Confirm your email address", &prefix)
            .await
            .token_after(&prefix);
        let res = client.call("/api/email/verify", &[("token", &token)]).await;
        assert_eq!(res.status, StatusCode::OK, "verify {email}: {}", res.body);
    }

    /// A signed-in client whose email is verified.
    pub async fn verified(&self, email: &str, mobile: &str) -> Client {
        let mut client = self.signed_up(email, mobile).await;
        self.verify_email(&mut client, email).await;
        client
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            user_agent: None,
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
    /// Sent as `User-Agent` when set.
    pub user_agent: Option<String>,
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

    /// Takes the `Set-Cookie` headers of an answer into this client's jar, as a browser
    /// does with every answer in the order they arrive.
    pub fn store_cookies(&mut self, headers: &HeaderMap) {
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
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Response {
        if !self.cookies.is_empty() {
            req.headers_mut()
                .insert("cookie", self.cookie_header().parse().unwrap());
        }
        if let Some(ua) = &self.user_agent {
            req.headers_mut().insert("user-agent", ua.parse().unwrap());
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
        self.store_cookies(&headers);
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

    /// "Change password" on the Authentication page.
    pub async fn change_password(&mut self, current: &str, new: &str) -> Response {
        self.call(
            "/api/password/change",
            &[
                ("current_password", current),
                ("new_password", new),
                ("new_password_confirmation", new),
            ],
        )
        .await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Response {
        self.call(
            "/api/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }
}

/// The first column of the first row of `sql`: a count.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get::<i64, _>(0)
}

// Two-factor helpers shared by the test files. Codes come from `oathtool`, an
// implementation independent of the product's.

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The code an authenticator app shows at Unix time `at` for `key` (base32, spaces allowed).
pub fn oathtool(key: &str, at: i64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", "-N", &format!("@{at}")])
        .arg(key.replace(' ', ""))
        .output()
        .expect("oathtool is installed by the README's test command (.ci/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Waits until at least 6 s remain in the current 30-second step, so a test's codes do not
/// change step between computing and checking them.
pub async fn early_in_step() {
    let into = now() % 30;
    if into > 24 {
        tokio::time::sleep(std::time::Duration::from_secs((31 - into) as u64)).await;
    }
}

pub struct Device {
    pub id: i64,
    pub key: String,
}

/// Starts the wizard for `name`; returns the pending device.
pub async fn begin(client: &mut Client, name: &str) -> Value {
    let res = client
        .call("/api/two-factor/begin", &[("name", name)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

/// Links a device confirmed with the previous step's code, so the current step is still
/// free for a login in the same test. Returns the device and the recovery codes (first
/// device only).
pub async fn link(client: &mut Client, name: &str) -> (Device, Vec<String>) {
    early_in_step().await;
    let pending = begin(client, name).await;
    let device = Device {
        id: pending["id"].as_i64().unwrap(),
        key: pending["setup_key"].as_str().unwrap().to_owned(),
    };
    let code = oathtool(&device.key, now() - 30);
    let res = client
        .call(
            "/api/two-factor/finish",
            &[("device_id", &device.id.to_string()), ("code", &code)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let linked = res.json();
    assert_eq!(linked["name"], name);
    let codes = linked["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    (device, codes)
}

/// A free TCP port on loopback (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real SMTP server on loopback (aiosmtpd, `fixtures/smtp_sink.py`): keeps every message
/// it accepts; refuses recipients at `refused.example` with a permanent error.
pub struct SmtpSink {
    pub port: u16,
    child: std::process::Child,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl SmtpSink {
    pub async fn start(port: u16) -> Self {
        Self::start_slow(port, 0.0).await
    }

    /// A relay that takes `delay_secs` to accept each message.
    pub async fn start_slow(port: u16, delay_secs: f64) -> Self {
        Self::spawn(&[port.to_string(), delay_secs.to_string()]).await
    }

    /// A relay that wants TLS (`mode`: "starttls" or "smtps") with the certificate and key
    /// files given, and a login.
    pub async fn start_tls(
        port: u16,
        mode: &str,
        cert: &std::path::Path,
        key: &std::path::Path,
        user: &str,
        password: &str,
    ) -> Self {
        Self::spawn(&[
            port.to_string(),
            "0".into(),
            mode.into(),
            cert.display().to_string(),
            key.display().to_string(),
            user.into(),
            password.into(),
        ])
        .await
    }

    async fn spawn(args: &[String]) -> Self {
        use std::io::BufRead;
        let port: u16 = args[0].parse().unwrap();
        // Debian's interpreter, where the python3-aiosmtpd package lives (not a pyenv one).
        let mut child = Command::new("/usr/bin/python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/smtp_sink.py"
            ))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed by the README's test command");
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        for _ in 0..200 {
            if output.lock().unwrap().contains("ready") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            port,
            child,
            output,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, quoted-printable undone.
    pub fn messages(&self) -> Vec<String> {
        let all = self.output.lock().unwrap().clone();
        all.split("---------- MESSAGE FOLLOWS ----------\n")
            .skip(1)
            .map(|m| {
                let m = m
                    .split("------------ END MESSAGE ------------")
                    .next()
                    .unwrap_or(m);
                decode_quoted_printable(m)
            })
            .collect()
    }

    /// Messages to `to`.
    pub fn messages_to(&self, to: &str) -> Vec<String> {
        let header = format!("To: {to}\n");
        self.messages()
            .into_iter()
            .filter(|m| m.contains(&header))
            .collect()
    }

    /// Waits up to 30 s until `count` messages to `to` arrived; returns them.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<String> {
        for _ in 0..300 {
            let got = self.messages_to(to);
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{count} mail(s) to {to} expected; the relay received: {:#?}",
            self.messages()
        )
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database of its own: a scratch SQLite file, or a new PostgreSQL database.
pub async fn scratch_database(postgres: bool) -> (String, Option<ScratchDatabase>) {
    if postgres {
        let (url, database) = scratch_postgres().await;
        (url, Some(database))
    } else {
        (scratch_sqlite(), None)
    }
}

/// The real server binary on `database_url`, on a port of its own, killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub base: String,
}

impl ServerProcess {
    pub async fn start(database_url: &str, smtp_url: &str) -> Self {
        Self::start_with(database_url, smtp_url, &[]).await
    }

    pub async fn start_with(database_url: &str, smtp_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .envs(env.iter().copied())
            .env("APP_DATABASE_URL", database_url)
            .env("APP_SERVER_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("APP_SERVER_PUBLIC_URL", &base)
            .env("APP_SECURITY_SECRET_KEY", "5e".repeat(32))
            .env("APP_MAIL_SMTP_URL", smtp_url)
            .env("APP_MAIL_RETRY_SECONDS", "1")
            // TEST_SERVER_LOG=info shows the processes' log (on stdout) while debugging.
            .env(
                "RUST_LOG",
                std::env::var("TEST_SERVER_LOG").unwrap_or("warn".into()),
            )
            .stdout(if std::env::var("TEST_SERVER_LOG").is_ok() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::null())
            .spawn()
            .expect("the server binary");
        for _ in 0..300 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, base }
    }

    /// Signs up `email` through the real HTTP interface (curl), as a browser's fetch does.
    pub fn sign_up(&self, email: &str) -> String {
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .args(["-H", &format!("Origin: {}", self.base)])
            .args(["-H", "Accept: application/json"])
            .args(["--data-urlencode", "first_name=Ada"])
            .args(["--data-urlencode", "last_name=Lovelace"])
            .args(["--data-urlencode", &format!("email={email}")])
            .args(["--data-urlencode", "mobile=+49 151 23456789"])
            .args(["--data-urlencode", &format!("password={STRONG_PASSWORD}")])
            .args([
                "--data-urlencode",
                &format!("password_confirmation={STRONG_PASSWORD}"),
            ])
            .arg(format!("{}/api/signup", self.base))
            .output()
            .expect("curl is installed by the README's test command");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn kill_9(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}
