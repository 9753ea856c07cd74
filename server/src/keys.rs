//! The server key that encrypts device secrets: from configuration, or
//! from a file that the first run creates with mode 0600.

use std::io::Write;
use std::path::{Path, PathBuf};

use app::db::server_key;
use app::secrets::{SecretBox, KEY_BYTES};

use crate::config::Config;
use crate::error::StartupError;

/// The server key, checked against the database: the key whose check value it stores, or,
/// for a database without one, a key that opens its device secrets. A key is made (and its
/// file written) only for a database that holds nothing encrypted.
pub async fn load(config: &Config, db: &app::db::Db) -> Result<SecretBox, StartupError> {
    let path = key_file(config);
    let (given, source) = given_key(config, &path)?;
    let stored = server_key::check_value(db).await?;
    let sample = server_key::sample_secret(db).await?;
    let has_codes = server_key::has_recovery_codes(db).await?;
    let now = app::clock::now_unix();
    let Some(key) = given else {
        if stored.is_some() || sample.is_some() || has_codes {
            return Err(StartupError::Config(format!(
                "no server key: {} does not exist and security.secret_key \
                 (APP_SECURITY_SECRET_KEY) is not set, but this database holds two-factor \
                 secrets encrypted with a key. Restore the original key file, or set \
                 security.secret_key to the original key; a new key would lock every \
                 two-factor user out.",
                path.display()
            )));
        }
        let key = SecretBox::generate_key();
        write_new(&path, &hex::encode(key))?;
        let secrets = SecretBox::new(&key);
        server_key::store_check_value(db, &secrets.check_value(), now).await?;
        // Another process starting on this new database may have stored its own key first.
        if server_key::check_value(db).await?.as_deref() != Some(&secrets.check_value()) {
            // Nothing was encrypted with the key just made: it goes, so a restart reports
            // the missing key instead of starting with a wrong one.
            let _ = std::fs::remove_file(&path);
            return Err(StartupError::Config(format!(
                "another server process made its own key for this new database at the same \
                 time; give every process the same key (security.secret_key, \
                 APP_SECURITY_SECRET_KEY) and start again. {} was not kept.",
                path.display()
            )));
        }
        tracing::info!(path = %path.display(), "generated a new server key");
        return Ok(secrets);
    };
    let secrets = SecretBox::new(&key);
    let mismatch = || {
        StartupError::Config(format!(
            "the server key from {source} is not the key this database was encrypted with. \
             Set security.secret_key (APP_SECURITY_SECRET_KEY) or security.secret_key_file to \
             the original key; starting with this one would lock every two-factor user out."
        ))
    };
    match stored {
        Some(value) if value == secrets.check_value() => {}
        Some(_) => return Err(mismatch()),
        None => {
            // A database from before check values: the key must open what it holds.
            if let Some((user_id, secret)) = sample {
                if secrets
                    .open(&secret, &SecretBox::device_context(user_id))
                    .is_err()
                {
                    return Err(mismatch());
                }
            }
            server_key::store_check_value(db, &secrets.check_value(), now).await?;
            // Another process may have stored its own key's value first.
            if server_key::check_value(db).await?.as_deref() != Some(&secrets.check_value()) {
                return Err(mismatch());
            }
        }
    }
    Ok(secrets)
}

/// The key from configuration or from the key file, and where it came from.
fn given_key(
    config: &Config,
    path: &Path,
) -> Result<(Option<[u8; KEY_BYTES]>, String), StartupError> {
    let security = &config.security;
    if !security.secret_key.is_empty() {
        let key = parse(&security.secret_key, "security.secret_key")?;
        return Ok((Some(key), "security.secret_key".into()));
    }
    let source = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((Some(parse(text.trim(), &source)?), source)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((None, source)),
        Err(e) => Err(StartupError::Config(format!(
            "cannot read the server key {source}: {e}"
        ))),
    }
}

fn key_file(config: &Config) -> PathBuf {
    if !config.security.secret_key_file.as_os_str().is_empty() {
        return config.security.secret_key_file.clone();
    }
    config.data_folder().join("secret.key")
}

fn parse(text: &str, source: &str) -> Result<[u8; KEY_BYTES], StartupError> {
    hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; KEY_BYTES]>::try_from(bytes).ok())
        .ok_or_else(|| {
            StartupError::Config(format!(
                "{source}: the server key must be {} hex characters",
                KEY_BYTES * 2
            ))
        })
}

/// Creates the file readable by its owner only; never overwrites one (`create_new`).
fn write_new(path: &Path, contents: &str) -> Result<(), StartupError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}
