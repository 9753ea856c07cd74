//! The person's security log: what happened to the way they sign in. Every feature that
//! changes it (two-factor devices, recovery codes, SSH keys, the password, the email address)
//! records here, in its own transaction; this module depends on none of them.

mod page;
#[cfg(feature = "ssr")]
mod service;

use serde::{Deserialize, Serialize};

pub use page::SecurityLog;
#[cfg(feature = "ssr")]
pub use service::{recent, record, record_in, Event};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub when: String,
    pub what: String,
    pub address: Option<String>,
}
