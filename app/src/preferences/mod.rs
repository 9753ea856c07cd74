//! Display preferences: time zone, date format and time format, with a live preview.

pub mod format;
mod page;
#[cfg(feature = "ssr")]
pub mod service;
pub mod zone;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use format::{DateFormat, TimeFormat};
pub use page::PreferencesForm;

/// A fixed moment shown in every preview next to "now", in summer in the northern
/// hemisphere so it usually shows the other side of a DST change: 2026-07-14 16:45:30 UTC.
pub const SAMPLE_INSTANT: i64 = 1_784_047_530;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub timezone: String,
    pub date_format: DateFormat,
    pub time_format: TimeFormat,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            timezone: "UTC".to_owned(),
            date_format: DateFormat::default(),
            time_format: TimeFormat::default(),
        }
    }
}

impl Preferences {
    /// How the product shows `unix_secs` to this person. On the server the offset comes from
    /// chrono-tz; in the browser from Intl. An unknown zone (which validation prevents from
    /// being saved) falls back to UTC rather than failing a page.
    pub fn show(&self, unix_secs: i64) -> String {
        let offset = zone::offset_at(&self.timezone, unix_secs).unwrap_or(0);
        format::format_timestamp(unix_secs, offset, self.date_format, self.time_format)
    }
}

/// What the preferences form needs: the saved choice and the server's clock, so the first
/// render of "now" is identical on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreferencesData {
    pub saved: Preferences,
    pub now: i64,
}

#[server(endpoint = "preferences")]
pub async fn get_preferences() -> Result<PreferencesData, AppError> {
    let user = crate::auth::session::require_user()?;
    Ok(PreferencesData {
        saved: user.preferences,
        now: zone::now_unix(),
    })
}

/// Every zone the server accepts. A cacheable GET: the list changes only with a new build,
/// and the browser fetches it once, after the page is interactive.
#[server(endpoint = "timezones", input = leptos::server_fn::codec::GetUrl)]
pub async fn list_timezones() -> Result<Vec<String>, AppError> {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("public, max-age=86400"),
        );
    }
    Ok(zone::all_zones().to_vec())
}

#[server(endpoint = "preferences/save")]
pub async fn save_preferences(
    timezone: String,
    date_format: String,
    time_format: String,
) -> Result<Preferences, AppError> {
    let user = crate::auth::session::require_user()?;
    let state = crate::state::AppState::get()?;
    let saved = service::save(&state.db, user.id, &timezone, &date_format, &time_format).await?;
    crate::components::confirm_plain_post("preferences");
    Ok(saved)
}
