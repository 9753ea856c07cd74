//! Display formats for dates and times, shared by the server (which renders every timestamp)
//! and the browser (which previews a choice before it is saved). Both sides call
//! [`format_timestamp`] with an offset they computed for the zone (chrono-tz on the server,
//! the browser's Intl API in the preview), so the preview is exactly what is shown later.
//!
//! Formats are a closed set of enums: no user-supplied pattern ever reaches a formatter.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum DateFormat {
    /// 2026-11-28
    #[default]
    Iso,
    /// 28/11/2026
    DayMonthYearSlash,
    /// 11/28/2026
    MonthDayYearSlash,
    /// 28.11.2026
    DayMonthYearDot,
    /// 28 Nov 2026
    DayMonthNameYear,
    /// Nov 28, 2026
    MonthNameDayYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum TimeFormat {
    /// 14:05
    #[default]
    H24,
    /// 14:05:09
    H24Seconds,
    /// 2:05 PM
    H12,
    /// 2:05:09 PM
    H12Seconds,
}

impl DateFormat {
    pub const ALL: [DateFormat; 6] = [
        DateFormat::Iso,
        DateFormat::DayMonthYearSlash,
        DateFormat::MonthDayYearSlash,
        DateFormat::DayMonthYearDot,
        DateFormat::DayMonthNameYear,
        DateFormat::MonthNameDayYear,
    ];

    /// The stable identifier stored in the database and sent by forms.
    pub fn id(self) -> &'static str {
        match self {
            DateFormat::Iso => "iso",
            DateFormat::DayMonthYearSlash => "dd/mm/yyyy",
            DateFormat::MonthDayYearSlash => "mm/dd/yyyy",
            DateFormat::DayMonthYearDot => "dd.mm.yyyy",
            DateFormat::DayMonthNameYear => "d mon yyyy",
            DateFormat::MonthNameDayYear => "mon d, yyyy",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }

    /// What the choice looks like, for the select's option text.
    pub fn label(self) -> &'static str {
        match self {
            DateFormat::Iso => "2026-11-28 (ISO 8601)",
            DateFormat::DayMonthYearSlash => "28/11/2026",
            DateFormat::MonthDayYearSlash => "11/28/2026",
            DateFormat::DayMonthYearDot => "28.11.2026",
            DateFormat::DayMonthNameYear => "28 Nov 2026",
            DateFormat::MonthNameDayYear => "Nov 28, 2026",
        }
    }
}

impl TimeFormat {
    pub const ALL: [TimeFormat; 4] = [
        TimeFormat::H24,
        TimeFormat::H24Seconds,
        TimeFormat::H12,
        TimeFormat::H12Seconds,
    ];

    pub fn id(self) -> &'static str {
        match self {
            TimeFormat::H24 => "24h",
            TimeFormat::H24Seconds => "24h-seconds",
            TimeFormat::H12 => "12h",
            TimeFormat::H12Seconds => "12h-seconds",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            TimeFormat::H24 => "24-hour (14:05)",
            TimeFormat::H24Seconds => "24-hour with seconds (14:05:09)",
            TimeFormat::H12 => "12-hour (2:05 PM)",
            TimeFormat::H12Seconds => "12-hour with seconds (2:05:09 PM)",
        }
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `UTC+05:45`, `UTC-03:00`, `UTC+00:00`.
pub fn format_offset(offset_secs: i32) -> String {
    let sign = if offset_secs < 0 { '-' } else { '+' };
    let abs = offset_secs.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// Date and time of `unix_secs` at `offset_secs` east of UTC, e.g. `28 Nov 2026 14:05`.
/// `None` only for instants chrono cannot represent or offsets beyond a day.
pub fn format_local(
    unix_secs: i64,
    offset_secs: i32,
    date: DateFormat,
    time: TimeFormat,
) -> Option<String> {
    let offset = FixedOffset::east_opt(offset_secs)?;
    let local = DateTime::from_timestamp(unix_secs, 0)?.with_timezone(&offset);
    let (y, m, d) = (local.year(), local.month(), local.day());
    let date_text = date_text(y, m, d, date);
    let (h, min, s) = (local.hour(), local.minute(), local.second());
    let (h12, meridiem) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let time_text = match time {
        TimeFormat::H24 => format!("{h:02}:{min:02}"),
        TimeFormat::H24Seconds => format!("{h:02}:{min:02}:{s:02}"),
        TimeFormat::H12 => format!("{h12}:{min:02} {meridiem}"),
        TimeFormat::H12Seconds => format!("{h12}:{min:02}:{s:02} {meridiem}"),
    };
    Some(format!("{date_text} {time_text}"))
}

fn date_text(y: i32, m: u32, d: u32, date: DateFormat) -> String {
    let month_name = MONTHS[(m.clamp(1, 12) - 1) as usize];
    match date {
        DateFormat::Iso => format!("{y:04}-{m:02}-{d:02}"),
        DateFormat::DayMonthYearSlash => format!("{d:02}/{m:02}/{y:04}"),
        DateFormat::MonthDayYearSlash => format!("{m:02}/{d:02}/{y:04}"),
        DateFormat::DayMonthYearDot => format!("{d:02}.{m:02}.{y:04}"),
        DateFormat::DayMonthNameYear => format!("{d} {month_name} {y:04}"),
        DateFormat::MonthNameDayYear => format!("{month_name} {d}, {y:04}"),
    }
}

/// A calendar day (no time, no zone) in the chosen date format, e.g. an expiry date.
pub fn format_date(day: chrono::NaiveDate, date: DateFormat) -> String {
    date_text(day.year(), day.month(), day.day(), date)
}

/// The product's one way of showing a moment: local date and time plus the UTC offset,
/// e.g. `28 Nov 2026 14:05 (UTC+01:00)`.
pub fn format_timestamp(
    unix_secs: i64,
    offset_secs: i32,
    date: DateFormat,
    time: TimeFormat,
) -> String {
    match format_local(unix_secs, offset_secs, date, time) {
        Some(local) => format!("{local} ({})", format_offset(offset_secs)),
        None => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-28T13:05:09Z
    const T: i64 = 1_795_871_109;

    #[test]
    fn every_date_format_renders_as_its_label_promises() {
        let rendered: Vec<String> = DateFormat::ALL
            .iter()
            .map(|f| format_local(T, 0, *f, TimeFormat::H24).unwrap())
            .collect();
        assert_eq!(
            rendered,
            [
                "2026-11-28 13:05",
                "28/11/2026 13:05",
                "11/28/2026 13:05",
                "28.11.2026 13:05",
                "28 Nov 2026 13:05",
                "Nov 28, 2026 13:05",
            ]
        );
    }

    #[test]
    fn time_formats_cover_midnight_noon_and_seconds() {
        let at = |secs_of_day: i64, f| {
            let midnight = T - 13 * 3600 - 5 * 60 - 9;
            format_local(midnight + secs_of_day, 0, DateFormat::Iso, f).unwrap()
        };
        assert_eq!(at(0, TimeFormat::H12), "2026-11-28 12:00 AM");
        assert_eq!(at(12 * 3600, TimeFormat::H12), "2026-11-28 12:00 PM");
        assert_eq!(
            at(13 * 3600 + 5 * 60 + 9, TimeFormat::H12Seconds),
            "2026-11-28 1:05:09 PM"
        );
        assert_eq!(
            at(13 * 3600 + 5 * 60 + 9, TimeFormat::H24Seconds),
            "2026-11-28 13:05:09"
        );
        assert_eq!(at(9 * 3600 + 60, TimeFormat::H24), "2026-11-28 09:01");
    }

    #[test]
    fn offsets_move_the_local_date_across_midnight() {
        // 13:05 UTC is already the next day in Kiribati (UTC+14) ...
        assert_eq!(
            format_timestamp(T + 11 * 3600, 14 * 3600, DateFormat::Iso, TimeFormat::H24),
            "2026-11-29 14:05 (UTC+14:00)"
        );
        // ... and the day before in Baker Island (UTC-12) early in the UTC day.
        assert_eq!(
            format_timestamp(T - 13 * 3600, -12 * 3600, DateFormat::Iso, TimeFormat::H24),
            "2026-11-27 12:05 (UTC-12:00)"
        );
        assert_eq!(format_offset(5 * 3600 + 45 * 60), "UTC+05:45");
        assert_eq!(format_offset(-(3 * 3600 + 30 * 60)), "UTC-03:30");
        assert_eq!(format_offset(0), "UTC+00:00");
    }

    #[test]
    fn ids_round_trip_and_unknown_ids_are_refused() {
        for f in DateFormat::ALL {
            assert_eq!(DateFormat::from_id(f.id()), Some(f));
        }
        for f in TimeFormat::ALL {
            assert_eq!(TimeFormat::from_id(f.id()), Some(f));
        }
        assert_eq!(DateFormat::from_id("%Y-%Q"), None);
        assert_eq!(TimeFormat::from_id(""), None);
    }
}
