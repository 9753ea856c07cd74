//! The server key that encrypts device secrets (security.md 21): from configuration, or
//! from a file that the first run creates with mode 0600.

use std::io::Write;
use std::path::{Path, PathBuf};

use app::two_factor::secret_box::{SecretBox, KEY_BYTES};

use crate::config::Config;
use crate::error::StartupError;

pub fn load(config: &Config) -> Result<SecretBox, StartupError> {
    let security = &config.security;
    if !security.secret_key.is_empty() {
        return Ok(SecretBox::new(&parse(
            &security.secret_key,
            "security.secret_key",
        )?));
    }
    let path = key_file(config);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(SecretBox::new(&parse(
            text.trim(),
            &path.display().to_string(),
        )?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretBox::generate_key();
            write_new(&path, &hex::encode(key))?;
            tracing::info!(path = %path.display(), "generated a new server key");
            Ok(SecretBox::new(&key))
        }
        Err(e) => Err(StartupError::Config(format!(
            "cannot read the server key {}: {e}",
            path.display()
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
