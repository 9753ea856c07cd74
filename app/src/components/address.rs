//! The page's address for islands, which have no client-side router: the query is read from
//! the router while the server renders and from `location` in the browser. An island can
//! move between steps of the same page in place (history `pushState`), keeping what it holds
//! in memory, as a router would; any other address is a full page load ([`load`]).

use leptos::prelude::*;

/// One query parameter, reactive to [`navigate`] within the page.
pub fn query_param(name: &'static str) -> Signal<Option<String>> {
    #[cfg(not(feature = "hydrate"))]
    {
        let query = leptos_router::hooks::use_query_map();
        Signal::derive(move || query.read().get(name))
    }
    #[cfg(feature = "hydrate")]
    {
        let search = browser::search();
        Signal::derive(move || {
            search.with(|s| {
                web_sys::UrlSearchParams::new_with_str(s)
                    .ok()
                    .and_then(|params| params.get(name))
            })
        })
    }
}

/// Goes to `to` (a path with an optional query). The same path only changes the query, in
/// place; another path loads that page.
pub fn navigate(to: &str) {
    #[cfg(feature = "hydrate")]
    browser::navigate(to);
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

/// Loads `to` as a new page, also on the same path: for a change that alters what the
/// server rendered around the island.
pub fn load(to: &str) {
    #[cfg(feature = "hydrate")]
    let _ = window().location().assign(to);
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::sync::OnceLock;

    use leptos::prelude::*;
    use wasm_bindgen::JsValue;

    /// The address's query (with its `?`), shared by every island on the page.
    pub fn search() -> ArcRwSignal<String> {
        static SEARCH: OnceLock<ArcRwSignal<String>> = OnceLock::new();
        SEARCH
            .get_or_init(|| {
                let search = ArcRwSignal::new(current_search());
                // Back and forward between in-place steps.
                let on_pop = search.clone();
                let handle = window_event_listener(leptos::ev::popstate, move |_| {
                    on_pop.set(current_search())
                });
                // Lives as long as the page.
                std::mem::forget(handle);
                search
            })
            .clone()
    }

    fn current_search() -> String {
        window().location().search().unwrap_or_default()
    }

    pub fn navigate(to: &str) {
        let location = window().location();
        let (path, query) = to.split_once('?').unwrap_or((to, ""));
        if location.pathname().ok().as_deref() != Some(path) {
            let _ = location.set_href(to);
            return;
        }
        if window()
            .history()
            .and_then(|h| h.push_state_with_url(&JsValue::NULL, "", Some(to)))
            .is_ok()
        {
            let search = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            self::search().set(search);
        } else {
            let _ = location.set_href(to);
        }
    }
}
