//! UTC offsets of IANA time zones. The server asks chrono-tz; the browser asks its own Intl
//! API, which already knows every zone, so the WASM bundle carries no zone data. Both feed the
//! same formatter in [`super::format`]; end-to-end tests hold the two against each other.

/// Offset east of UTC, in seconds, of `zone` at `unix_secs`; `None` for an unknown zone.
#[cfg(feature = "ssr")]
pub fn offset_at(zone: &str, unix_secs: i64) -> Option<i32> {
    use chrono::{Offset, TimeZone};
    let tz: chrono_tz::Tz = zone.parse().ok()?;
    let utc = chrono::DateTime::from_timestamp(unix_secs, 0)?.naive_utc();
    Some(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
}

/// Every zone name the server accepts, sorted.
#[cfg(feature = "ssr")]
pub fn all_zones() -> &'static [String] {
    static ZONES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ZONES.get_or_init(|| {
        let mut zones: Vec<String> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name().to_owned())
            .collect();
        zones.sort_unstable();
        zones
    })
}

#[cfg(feature = "ssr")]
pub fn is_known_zone(zone: &str) -> bool {
    zone.parse::<chrono_tz::Tz>().is_ok()
}

/// Offset computed from `Intl.DateTimeFormat(...).formatToParts()`: the wall-clock fields the
/// browser shows for that zone, read back as if they were UTC, minus the instant itself.
#[cfg(all(not(feature = "ssr"), feature = "hydrate"))]
pub fn offset_at(zone: &str, unix_secs: i64) -> Option<i32> {
    use js_sys::{Array, Date, Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    let options = Object::new();
    let set =
        |k: &str, v: &str| Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    set("timeZone", zone).ok()?;
    set("hourCycle", "h23").ok()?;
    for field in ["year", "month", "day", "hour", "minute", "second"] {
        set(field, "numeric").ok()?;
    }
    let intl = Reflect::get(&js_sys::global(), &JsValue::from_str("Intl")).ok()?;
    let constructor: Function = Reflect::get(&intl, &JsValue::from_str("DateTimeFormat"))
        .ok()?
        .dyn_into()
        .ok()?;
    // `construct` reports the RangeError of an unknown zone instead of trapping.
    let args = Array::of2(&JsValue::from_str("en-US"), &options);
    let formatter: js_sys::Intl::DateTimeFormat = Reflect::construct(&constructor, &args)
        .ok()?
        .dyn_into()
        .ok()?;
    let instant = Date::new(&JsValue::from_f64(unix_secs as f64 * 1000.0));
    let parts = formatter.format_to_parts(&instant);

    let mut fields = [0i64; 6]; // year, month, day, hour, minute, second
    for part in parts.iter() {
        let kind = Reflect::get(&part, &JsValue::from_str("type"))
            .ok()?
            .as_string()?;
        let value = Reflect::get(&part, &JsValue::from_str("value"))
            .ok()?
            .as_string()?;
        let slot = match kind.as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            "minute" => 4,
            "second" => 5,
            _ => continue,
        };
        fields[slot] = value.parse().ok()?;
    }
    let wall_as_utc =
        chrono::NaiveDate::from_ymd_opt(fields[0] as i32, fields[1] as u32, fields[2] as u32)?
            .and_hms_opt(fields[3] as u32, fields[4] as u32, fields[5] as u32)?
            .and_utc()
            .timestamp();
    i32::try_from(wall_as_utc - unix_secs).ok()
}

#[cfg(all(not(feature = "ssr"), not(feature = "hydrate")))]
pub fn offset_at(_zone: &str, _unix_secs: i64) -> Option<i32> {
    None
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::display::format::{format_timestamp, DateFormat, TimeFormat};

    fn show(zone: &str, unix: i64) -> String {
        let offset = offset_at(zone, unix).expect("known zone");
        format_timestamp(unix, offset, DateFormat::Iso, TimeFormat::H24Seconds)
    }

    /// The cases the browser tests check too, rendered independently by Python's zoneinfo
    /// (end2end/fixtures/generate_time_cases.py): the server's path must produce them exactly.
    #[test]
    fn server_rendering_matches_the_shared_dst_cases() {
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../../end2end/fixtures/time-cases.json"))
                .unwrap();
        assert!(cases.len() >= 20);
        for case in cases {
            let zone = case["zone"].as_str().unwrap();
            let unix = case["unix"].as_i64().unwrap();
            let date = DateFormat::from_id(case["date_format"].as_str().unwrap()).unwrap();
            let time = TimeFormat::from_id(case["time_format"].as_str().unwrap()).unwrap();
            let offset = offset_at(zone, unix).unwrap();
            assert_eq!(
                format_timestamp(unix, offset, date, time),
                case["expected"].as_str().unwrap(),
                "{zone} at {unix}"
            );
        }
    }

    #[test]
    fn unknown_zones_have_no_offset() {
        assert_eq!(offset_at("Mars/Phobos", 0), None);
        assert_eq!(offset_at("", 0), None);
        assert!(is_known_zone("Europe/Berlin"));
        assert!(!is_known_zone("Mars/Phobos"));
        assert!(all_zones()
            .iter()
            .any(|z| z == "America/Argentina/Buenos_Aires"));
    }

    #[test]
    fn berlin_springs_forward_at_one_utc() {
        // 2026-03-29 00:59:59Z is 01:59:59 CET; one second later it is 03:00:00 CEST.
        assert_eq!(
            show("Europe/Berlin", 1_774_745_999),
            "2026-03-29 01:59:59 (UTC+01:00)"
        );
        assert_eq!(
            show("Europe/Berlin", 1_774_746_000),
            "2026-03-29 03:00:00 (UTC+02:00)"
        );
    }

    #[test]
    fn new_york_falls_back_and_repeats_an_hour() {
        // 2026-11-01 05:59:59Z is 01:59:59 EDT; then 01:00:00 EST again.
        assert_eq!(
            show("America/New_York", 1_793_512_799),
            "2026-11-01 01:59:59 (UTC-04:00)"
        );
        assert_eq!(
            show("America/New_York", 1_793_512_800),
            "2026-11-01 01:00:00 (UTC-05:00)"
        );
    }

    #[test]
    fn half_and_quarter_hour_zones() {
        assert_eq!(show("Asia/Kathmandu", 0), "1970-01-01 05:30:00 (UTC+05:30)");
        assert_eq!(
            show("Asia/Kathmandu", 1_795_871_109),
            "2026-11-28 18:50:09 (UTC+05:45)"
        );
        // Lord Howe moves by half an hour for summer time.
        assert_eq!(
            show("Australia/Lord_Howe", 1_795_871_109),
            "2026-11-29 00:05:09 (UTC+11:00)"
        );
        assert_eq!(
            show("Australia/Lord_Howe", 1_783_857_600),
            "2026-07-12 22:30:00 (UTC+10:30)"
        );
    }
}
