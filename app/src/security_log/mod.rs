//! The person's security log: what happened to the way they sign in, and their sign-in
//! history. Every feature that changes it (sign-in, sessions, two-factor devices, recovery
//! codes, SSH keys, the password, the email address) records here, in its own transaction;
//! this module depends on none of them.

mod page;
#[cfg(feature = "ssr")]
mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
pub use page::{SecurityLogSection, LOG_ID};
#[cfg(feature = "ssr")]
pub use service::{page, prune, record, record_in, Event, PAGE_SIZE};

/// The address parameter of a page of older events: the newest event it must not show.
pub const BEFORE_PARAM: &str = "log_before";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub when: String,
    pub what: String,
    pub address: Option<String>,
    /// "Firefox 128 on Linux", when the event came from a browser.
    pub browser: Option<String>,
}

/// One page of the log; `older` is where the next page starts ("Older events").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub events: Vec<EventView>,
    pub older: Option<i64>,
}

#[server(endpoint = "security-log", output = crate::codec::Json)]
pub async fn security_log(before: Option<i64>) -> Result<LogPage, AppError> {
    let caller = crate::caller::Caller::signed_in().await?;
    service::page(&caller.state, &caller.user, before).await
}
