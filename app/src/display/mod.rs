//! How the product shows times to a person: their display preferences (time zone, date and
//! time format), the zone offsets and the one formatter. A leaf module: every layer (pages,
//! services, `db/`) may use it, and it uses none of them.

pub mod format;
pub mod zone;

use serde::{Deserialize, Serialize};

use format::{DateFormat, TimeFormat};

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
