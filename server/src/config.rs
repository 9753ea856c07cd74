//! Runtime settings: `Leptos.toml` (or the file named by `APP_CONFIG`), then environment
//! variables `APP_<SECTION>_<KEY>` (e.g. `APP_DATABASE_URL`, `APP_SESSION_IDLE_TIMEOUT_MINUTES`),
//! then built-in defaults. A deployed binary needs neither cargo-leptos nor the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::StartupError;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub session: SessionConfig,
    pub security: SecurityConfig,
    pub product: ProductConfig,
    pub accounts: AccountsConfig,
    pub mail: MailConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsConfig {
    /// Days an invitation link works.
    pub invitation_days: u32,
    /// Invitations (new or re-sent) one account may send per hour.
    pub invitations_per_hour: u32,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            invitation_days: 7,
            invitations_per_hour: 20,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The relay, in a form lettre understands: `smtp://host:port` (plain, a local relay),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://user:password@host:465`
    /// (implicit TLS). Empty: every mail is written as an `.eml` file into `folder`.
    pub smtp_url: String,
    pub from: String,
    /// Where mail goes without a relay. Empty: `mail/` beside the SQLite database, or
    /// `data/mail`.
    pub folder: PathBuf,
    /// Seconds before a mail that could not be sent is tried again; doubled after each
    /// attempt, up to an hour.
    pub retry_seconds: u32,
    /// Attempts before a mail is marked failed (and logged as such).
    pub max_attempts: u32,
    /// Seconds one mail may take at the relay before the attempt counts as failed.
    pub send_timeout_seconds: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: String::new(),
            from: "Tessera <no-reply@localhost>".into(),
            folder: PathBuf::new(),
            retry_seconds: 30,
            // 30 s doubling to an hour apart: about a day of retries before giving up.
            max_attempts: 30,
            send_timeout_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub site_addr: SocketAddr,
    /// Where people reach the product; decides the Secure cookie and allowed Origin.
    pub public_url: String,
    /// Folder with the compiled `pkg/` (WASM, JS, CSS) and the public assets.
    pub site_root: PathBuf,
    /// Trust the last `X-Forwarded-For` address (only behind a proxy you run).
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://data/tessera.db` (created with its folder) or `postgres://user:pw@host/db`.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    pub idle_timeout_minutes: u32,
    pub absolute_timeout_hours: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Login attempts per account in one window before it is refused for the rest of it.
    pub login_attempts_per_account: u32,
    /// Failed logins per client address in one window.
    pub login_failures_per_address: u32,
    pub login_window_minutes: u32,
    /// Wrong passwords in a row from untrusted browsers after which only browsers that signed
    /// in to the account before (or a password reset) get in; at most 100 (NIST SP 800-63B).
    pub login_lockout_failures: u32,
    /// Password hashes computed at once; 0 means one per CPU core but one (at least one).
    pub password_hash_concurrency: usize,
    /// Niceness of the password-hashing threads, 0 to 19: higher gives other pages the CPU
    /// first during a burst of logins (Linux).
    pub password_hash_nice: i32,
    /// Wrong two-factor codes per account (across all its devices) in one login window.
    pub code_failures_per_account: u32,
    /// Seconds a password or code check allows sensitive actions without asking again.
    pub reauth_seconds: u32,
    /// The key that encrypts device secrets: 64 hex characters. Empty means the key file.
    pub secret_key: String,
    /// Where the key is kept when not given above; made (mode 0600) on first run. Empty
    /// means `secret.key` beside the SQLite database, or `data/secret.key`.
    pub secret_key_file: PathBuf,
    /// Hours an email verification link works.
    pub email_verification_hours: u32,
    /// Minutes a password reset link works.
    pub password_reset_minutes: u32,
    /// Reset or verification mails one address (or person) may ask for in an hour.
    pub mail_requests_per_hour: u32,
    /// Password reset requests one client address may make in an hour.
    pub mail_requests_per_client_per_hour: u32,
    /// Days the security log (the sign-in history among it) is kept.
    pub log_retention_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductConfig {
    /// Shown in the interface and used as the issuer in authenticator apps.
    pub name: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            public_url: "http://localhost:3000".into(),
            site_root: "target/site".into(),
            trust_forwarded_for: false,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/tessera.db".into(),
            max_connections: 4,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            login_attempts_per_account: 10,
            login_failures_per_address: 50,
            login_window_minutes: 15,
            login_lockout_failures: 100,
            password_hash_concurrency: 0,
            password_hash_nice: 19,
            code_failures_per_account: 5,
            reauth_seconds: 300,
            secret_key: String::new(),
            secret_key_file: PathBuf::new(),
            email_verification_hours: 24,
            password_reset_minutes: 60,
            mail_requests_per_hour: 5,
            mail_requests_per_client_per_hour: 20,
            log_retention_days: 90,
        }
    }
}

impl Default for ProductConfig {
    fn default() -> Self {
        Self {
            name: "Tessera".into(),
        }
    }
}

const SECTIONS: [&str; 7] = [
    "server", "database", "session", "security", "product", "accounts", "mail",
];

impl Config {
    /// Reads the file named by `APP_CONFIG` (default `Leptos.toml`; a missing default file
    /// is fine) and applies `APP_*` variables on top.
    pub fn load() -> Result<Self, StartupError> {
        let explicit = std::env::var("APP_CONFIG").ok();
        let path = PathBuf::from(explicit.clone().unwrap_or_else(|| "Leptos.toml".into()));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                String::new()
            }
            Err(e) => {
                return Err(StartupError::Config(format!(
                    "cannot read {}: {e}",
                    path.display()
                )))
            }
        };
        Self::from_parts(&text, &path, std::env::vars())
    }

    /// The pure part of [`Config::load`], for tests.
    pub fn from_parts(
        text: &str,
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, StartupError> {
        let mut table: toml::Table = text
            .parse()
            .map_err(|e| StartupError::Config(format!("{}: {e}", path.display())))?;
        for (name, raw) in env {
            let Some(rest) = name.strip_prefix("APP_") else {
                continue;
            };
            let rest = rest.to_lowercase();
            let Some((section, key)) = rest.split_once('_') else {
                continue;
            };
            if !SECTIONS.contains(&section) {
                continue;
            }
            // `30` and `true` become numbers and booleans; anything else stays a string.
            let value = format!("v = {raw}")
                .parse::<toml::Table>()
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or(toml::Value::String(raw));
            let entry = table
                .entry(section)
                .or_insert_with(|| toml::Value::Table(Default::default()));
            if let toml::Value::Table(section_table) = entry {
                section_table.insert(key.to_owned(), value);
            }
        }
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e| StartupError::Config(format!("{}: {e}", path.display())))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), StartupError> {
        let url = &self.server.public_url;
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
            return Err(StartupError::Config(format!(
                "server.public_url must be an origin like https://settings.example.com, got {url:?}"
            )));
        }
        if self.session.idle_timeout_minutes == 0 || self.session.absolute_timeout_hours == 0 {
            return Err(StartupError::Config(
                "session timeouts must be positive".into(),
            ));
        }
        if self.security.email_verification_hours == 0 || self.security.password_reset_minutes == 0
        {
            return Err(StartupError::Config(
                "security.email_verification_hours and password_reset_minutes must be positive"
                    .into(),
            ));
        }
        if self.mail.max_attempts == 0 {
            return Err(StartupError::Config(
                "mail.max_attempts must be positive".into(),
            ));
        }
        // A claim on a batch of five lasts ten minutes; the batch must be done by then.
        if !(1..=110).contains(&self.mail.send_timeout_seconds) {
            return Err(StartupError::Config(format!(
                "mail.send_timeout_seconds must be 1 to 110, got {}",
                self.mail.send_timeout_seconds
            )));
        }
        if !(1..=100).contains(&self.security.login_lockout_failures) {
            return Err(StartupError::Config(format!(
                "security.login_lockout_failures must be 1 to 100 (NIST SP 800-63B), got {}",
                self.security.login_lockout_failures
            )));
        }
        if !(0..=19).contains(&self.security.password_hash_nice) {
            return Err(StartupError::Config(format!(
                "security.password_hash_nice must be 0 to 19, got {}",
                self.security.password_hash_nice
            )));
        }
        Ok(())
    }

    /// The folder beside the SQLite database (`data/` by default), or `data/` for
    /// PostgreSQL: where the key file and unsent-relay mail live unless configured.
    pub fn data_folder(&self) -> PathBuf {
        let url = &self.database.url;
        if url.starts_with("sqlite:") {
            let file = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default();
            if let Some(dir) = Path::new(file).parent() {
                if !file.is_empty() && !file.contains(":memory:") {
                    return dir.to_path_buf();
                }
            }
        }
        PathBuf::from("data")
    }

    /// Where mail is written when no relay is configured.
    pub fn mail_folder(&self) -> PathBuf {
        if self.mail.folder.as_os_str().is_empty() {
            self.data_folder().join("mail")
        } else {
            self.mail.folder.clone()
        }
    }

    pub fn is_https(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    /// What the domain code needs.
    pub fn app_settings(&self) -> app::state::Settings {
        app::state::Settings {
            product_name: self.product.name.clone(),
            public_url: self.server.public_url.clone(),
            session_idle_secs: i64::from(self.session.idle_timeout_minutes) * 60,
            session_absolute_secs: i64::from(self.session.absolute_timeout_hours) * 3600,
            login_attempts_per_account: i64::from(self.security.login_attempts_per_account),
            login_failures_per_address: i64::from(self.security.login_failures_per_address),
            login_window_secs: i64::from(self.security.login_window_minutes) * 60,
            login_lockout_failures: i64::from(self.security.login_lockout_failures),
            code_failures_per_account: i64::from(self.security.code_failures_per_account),
            reauth_secs: i64::from(self.security.reauth_seconds),
            invitation_ttl_secs: i64::from(self.accounts.invitation_days) * 24 * 3600,
            invitations_per_hour: i64::from(self.accounts.invitations_per_hour),
            verification_ttl_secs: i64::from(self.security.email_verification_hours) * 3600,
            reset_ttl_secs: i64::from(self.security.password_reset_minutes) * 60,
            mail_requests_per_hour: i64::from(self.security.mail_requests_per_hour),
            mail_requests_per_client_per_hour: i64::from(
                self.security.mail_requests_per_client_per_hour,
            ),
            security_log_retention_secs: i64::from(self.security.log_retention_days) * 86_400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_without_a_file() {
        let c = Config::from_parts("", Path::new("none"), env(&[])).unwrap();
        assert_eq!(c.server.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database.url, "sqlite://data/tessera.db");
        assert_eq!(c.session.idle_timeout_minutes, 30);
        assert!(!c.is_https());
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = "[database]\nurl = \"sqlite://file.db\"\n[session]\nidle_timeout_minutes = 10\n";
        let c = Config::from_parts(
            file,
            Path::new("Leptos.toml"),
            env(&[
                ("APP_DATABASE_URL", "postgres://u@h/db"),
                ("APP_SESSION_ABSOLUTE_TIMEOUT_HOURS", "2"),
                ("APP_PRODUCT_NAME", "Acme Cloud"),
                ("APP_SERVER_PUBLIC_URL", "https://acme.example"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(c.database.url, "postgres://u@h/db");
        assert_eq!(c.session.idle_timeout_minutes, 10);
        assert_eq!(c.session.absolute_timeout_hours, 2);
        assert_eq!(c.product.name, "Acme Cloud");
        assert!(c.is_https());
    }

    #[test]
    fn typos_and_bad_values_are_reported() {
        assert!(
            Config::from_parts("[session]\nidle_timeout = 5\n", Path::new("f"), env(&[])).is_err()
        );
        assert!(Config::from_parts(
            "",
            Path::new("f"),
            env(&[("APP_SERVER_PUBLIC_URL", "example.com")])
        )
        .is_err());
        assert!(Config::from_parts(
            "",
            Path::new("f"),
            env(&[("APP_SESSION_IDLE_TIMEOUT_MINUTES", "soon")])
        )
        .is_err());
        let nice = Config::from_parts(
            "",
            Path::new("f"),
            env(&[("APP_SECURITY_PASSWORD_HASH_NICE", "-5")]),
        );
        assert!(nice.is_err_and(|e| e.to_string().contains("password_hash_nice must be 0 to 19")));
        let timeout = Config::from_parts(
            "",
            Path::new("f"),
            env(&[("APP_MAIL_SEND_TIMEOUT_SECONDS", "600")]),
        );
        assert!(timeout.is_err_and(|e| e
            .to_string()
            .contains("send_timeout_seconds must be 1 to 110")));
    }

    #[test]
    fn the_shipped_leptos_toml_parses() {
        let text = include_str!("../../Leptos.toml");
        Config::from_parts(text, Path::new("Leptos.toml"), env(&[])).unwrap();
    }
}
