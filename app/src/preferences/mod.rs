//! Display preferences: time zone, date format and time format, with a live preview.

mod page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::caller::Caller;
use crate::display::Preferences;
use crate::error::AppError;
pub use page::PreferencesForm;

/// A fixed moment shown in every preview next to "now", in summer in the northern
/// hemisphere so it usually shows the other side of a DST change: 2026-07-14 16:45:30 UTC.
pub const SAMPLE_INSTANT: i64 = 1_784_047_530;

/// What the preferences form needs: the saved choice and the server's clock, so the first
/// render of "now" is identical on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreferencesData {
    pub saved: Preferences,
    pub now: i64,
}

#[server(endpoint = "preferences", output = crate::codec::Json)]
pub async fn get_preferences() -> Result<PreferencesData, AppError> {
    let caller = Caller::signed_in().await?;
    Ok(PreferencesData {
        saved: caller.user.preferences,
        now: crate::clock::now_unix(),
    })
}

/// Every zone the server accepts. A cacheable GET: the list changes only with a new build,
/// and the browser fetches it once, after the page is interactive.
#[server(endpoint = "timezones", input = leptos::server_fn::codec::GetUrl, output = crate::codec::Json)]
pub async fn list_timezones() -> Result<Vec<String>, AppError> {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("public, max-age=86400"),
        );
    }
    Ok(crate::display::zone::all_zones().to_vec())
}

#[server(endpoint = "preferences/save", output = crate::codec::Json)]
pub async fn save_preferences(
    timezone: String,
    date_format: String,
    time_format: String,
) -> Result<Preferences, AppError> {
    let caller = Caller::signed_in().await?;
    let db = &caller.state.db;
    let saved = service::save(db, caller.user.id, &timezone, &date_format, &time_format).await?;
    crate::ui::confirm_plain_post("preferences");
    Ok(saved)
}
