//! The clock every layer reads: one place, so the browser side never reaches `SystemTime`.

/// Seconds since the Unix epoch, now. `SystemTime` panics in wasm32, hence the split.
pub fn now_unix() -> i64 {
    #[cfg(feature = "ssr")]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }
    #[cfg(all(not(feature = "ssr"), feature = "hydrate"))]
    {
        (js_sys::Date::now() / 1000.0).floor() as i64
    }
    #[cfg(all(not(feature = "ssr"), not(feature = "hydrate")))]
    {
        0
    }
}
