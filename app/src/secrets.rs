//! Leaf: what the server key protects. Two-factor device secrets are encrypted at rest with
//! AES-256-GCM under it, recovery codes are stored as HMAC-SHA256 under it. The key comes
//! from configuration or a file made on first run.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;

const NONCE_BYTES: usize = 12;
pub const KEY_BYTES: usize = 32;

#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
    /// Keys the recovery-code hashes, so a copy of the database alone cannot be searched
    /// for them.
    mac_key: [u8; KEY_BYTES],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    pub fn new(key: &[u8; KEY_BYTES]) -> Self {
        // A separate key for the MAC, derived from the server key.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(b"tessera recovery codes");
        Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
            mac_key: mac.finalize().into_bytes().into(),
        }
    }

    /// HMAC-SHA256 of `data`, hex.
    pub fn mac(&self, data: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key)
            .expect("HMAC takes any key length");
        mac.update(data.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `hex_mac` is [`Self::mac`] of `data`, compared in constant time.
    pub fn verify_mac(&self, data: &str, hex_mac: &str) -> bool {
        let Ok(expected) = hex::decode(hex_mac) else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key)
            .expect("HMAC takes any key length");
        mac.update(data.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }

    /// A value that identifies the key without revealing it, stored in the database to
    /// notice a server started with another key.
    pub fn check_value(&self) -> String {
        self.mac("tessera server key check value")
    }

    /// The context device secrets are sealed with: their owner.
    pub fn device_context(user_id: i64) -> String {
        format!("user:{user_id}")
    }

    /// A fresh random key.
    pub fn generate_key() -> [u8; KEY_BYTES] {
        Aes256Gcm::generate_key(&mut OsRng).into()
    }

    /// Encrypts `plain`, bound to `context` (the owner's id): a ciphertext copied to another
    /// user's row does not decrypt.
    pub fn seal(&self, plain: &[u8], context: &str) -> Result<String, AppError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                tracing::error!("encrypting a device secret failed");
                AppError::Internal
            })?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(hex::encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, AppError> {
        self.unseal(sealed, context).ok_or_else(|| {
            tracing::error!("a device secret does not decrypt: wrong server key?");
            AppError::Internal
        })
    }

    /// [`Self::open`] for a value a browser brought back, which may have been altered or
    /// made for another context: `None`, and nothing logged.
    pub fn unseal(&self, sealed: &str, context: &str) -> Option<Vec<u8>> {
        let bytes = hex::decode(sealed).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_owner() {
        let a = SecretBox::new(&SecretBox::generate_key());
        let b = SecretBox::new(&SecretBox::generate_key());
        let sealed = a.seal(b"0123456789abcdefghij", "user:1").unwrap();
        assert!(
            !sealed.contains("3031323334"),
            "no plaintext in the stored text"
        );
        assert_eq!(a.open(&sealed, "user:1").unwrap(), b"0123456789abcdefghij");
        assert!(a.open(&sealed, "user:2").is_err());
        assert!(b.open(&sealed, "user:1").is_err());
        assert_ne!(
            sealed,
            a.seal(b"0123456789abcdefghij", "user:1").unwrap(),
            "fresh nonce"
        );
        assert_eq!(a.mac("abc"), a.mac("abc"));
        assert_ne!(a.mac("abc"), b.mac("abc"));
    }
}
