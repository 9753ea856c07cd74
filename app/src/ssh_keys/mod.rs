//! SSH keys: the public keys that identify a person, validated by the RustCrypto `ssh-key`
//! parser, listed with their `ssh-keygen` fingerprints and exported as `authorized_keys`.

mod page;
#[cfg(feature = "ssr")]
pub mod parse;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::error::AppError;
pub use page::SshKeysPage;

pub const TITLE_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKeyView {
    pub id: i64,
    pub title: String,
    /// The type word, e.g. `ssh-ed25519`.
    pub algorithm: String,
    pub bits: i64,
    /// `SHA256:...`, as `ssh-keygen -lf` prints it.
    pub fingerprint: String,
    /// In the owner's time zone and formats.
    pub added_on: String,
    pub expires_on: Option<String>,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKeysData {
    pub keys: Vec<SshKeyView>,
    /// The plain-text export of the owner's keys, like GitHub's `/{user}.keys`.
    pub keys_url: String,
}

#[server(endpoint = "ssh-keys", output = crate::codec::Json)]
pub async fn list_ssh_keys() -> Result<SshKeysData, AppError> {
    let caller = Caller::signed_in().await?;
    let keys = service::list(&caller.state, &caller.user).await?;
    Ok(SshKeysData {
        keys,
        keys_url: format!("/users/{}.keys", caller.user.id),
    })
}

#[server(endpoint = "ssh-keys/add", output = crate::codec::Json)]
pub async fn add_ssh_key(
    title: String,
    key: String,
    expires_on: String,
) -> Result<SshKeyView, AppError> {
    let caller = Caller::signed_in().await?;
    let input = service::AddKey {
        title,
        key,
        expires_on,
    };
    let added = service::add(&caller.state, &caller.user, input, &caller.client).await?;
    crate::ui::confirm_plain_post("ssh-key-added");
    Ok(added)
}

#[server(endpoint = "ssh-keys/delete", output = crate::codec::Json)]
pub async fn delete_ssh_key(id: i64) -> Result<(), AppError> {
    let caller = Caller::signed_in().await?;
    service::delete(&caller.state, &caller.user, id, &caller.client).await?;
    crate::ui::confirm_plain_post("ssh-key-deleted");
    Ok(())
}
