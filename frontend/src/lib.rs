//! The WASM entry point. The page is server-rendered; `hydrate` prepares the reactive system,
//! then the islands script hydrates each `<leptos-island>` through its exported function.

// The app's view types nest deeply; the release (LTO) build of the WASM needs more room
// than the default query depth.
#![recursion_limit = "512"]

// The islands' hydration functions are exported by the app crate; nothing here names them,
// so the crate is linked explicitly.
extern crate app;

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // No client-side router: a server function's redirect (after logging in, say) is a page
    // load.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = leptos::prelude::window().location().set_href(to);
    });
    leptos::mount::hydrate_islands();
}

/// The preview's formatting path, exposed so browser tests can hold it against the server's
/// rendering for many zones and instants: the offset from the browser's Intl API, the text
/// from the shared formatter. `None` for an unknown zone or format. Only in the debug build
/// the browser tests run: an export keeps the formatter in the main module of every page,
/// where the release build needs it in the preferences island only.
#[cfg(debug_assertions)]
#[wasm_bindgen]
pub fn format_in_zone(
    zone: &str,
    unix_secs: f64,
    date_format: &str,
    time_format: &str,
) -> Option<String> {
    use app::display::format::{format_timestamp, DateFormat, TimeFormat};
    let unix = unix_secs as i64;
    let offset = app::display::zone::offset_at(zone, unix)?;
    Some(format_timestamp(
        unix,
        offset,
        DateFormat::from_id(date_format)?,
        TimeFormat::from_id(time_format)?,
    ))
}
