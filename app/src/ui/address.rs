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

/// Where to go after logging in: only a path on this site, never another origin, and never
/// with a result for the page to announce (see [`without_result_params`]): a link to
/// `/login?next=/settings?done=...` must not make the page say anything after the login.
pub fn safe_next(next: &str) -> std::borrow::Cow<'_, str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if !local || next == "/" {
        return "/settings".into();
    }
    match next.split_once('?') {
        Some((path, query)) => match without_result_params(query) {
            Some(kept) if kept.is_empty() => path.to_owned().into(),
            Some(kept) => format!("{path}?{kept}").into(),
            None => next.into(),
        },
        None => next.into(),
    }
}

/// Query keys that make a page announce a result: Leptos' `__err` and `__path` (a form
/// posted without JavaScript that failed) and this product's `done` (one that succeeded).
/// Only the server's own redirects may put them in an address.
fn is_result_key(key: &str) -> bool {
    ["__err", "__path", "done"]
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
}

/// Whether `query` carries a refused form's error (`__err`), its key read as Leptos reads it.
pub fn has_refusal(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key.eq_ignore_ascii_case("__err"))
}

/// `query` without its result keys, or `None` when it has none. Keys are compared decoded,
/// the way Leptos and the browser read them (`%5F%5Ferr` is `__err`), and in any case; the
/// kept pairs stay exactly as they were written.
pub fn without_result_params(query: &str) -> Option<String> {
    without_keys(query, is_result_key)
}

/// `query` without the pairs whose decoded key `drop` picks, or `None` when it has none.
fn without_keys(query: &str, drop: impl Fn(&str) -> bool) -> Option<String> {
    let mut found = false;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let dropped = form_urlencoded::parse(pair.as_bytes())
                .next()
                .is_some_and(|(key, _)| drop(&key));
            found |= dropped;
            !dropped
        })
        .collect();
    found.then(|| kept.join("&"))
}

/// A refused form's address without the `done` of an earlier success: Leptos sends the
/// browser back to the address it came from, query and all, so a page that had just said
/// "Workspace created." would say it again beside the refusal. `None` if it has none.
pub fn without_done(location: &str) -> Option<String> {
    let (path, query) = location.split_once('?')?;
    without_keys(query, |key| key.eq_ignore_ascii_case("done")).map(|kept| format!("{path}?{kept}"))
}

/// Percent-encodes `value` for a query string (paths keep their slashes, for readability).
pub fn encode_query_value(value: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(value, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_drops_an_earlier_success_only() {
        assert_eq!(
            without_done("/accounts/1?done=workspace-created&__path=%2Fapi&__err=x").as_deref(),
            Some("/accounts/1?__path=%2Fapi&__err=x")
        );
        assert_eq!(
            without_done("http://h/s?a=1&%64one=x&__err=y").as_deref(),
            Some("http://h/s?a=1&__err=y")
        );
        assert_eq!(without_done("/settings?__err=x"), None);
        assert_eq!(without_done("/settings"), None);
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next("/settings/ssh-keys"), "/settings/ssh-keys");
        assert_eq!(safe_next("/accounts?tab=users"), "/accounts?tab=users");
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "/",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(evil), "/settings", "{evil}");
        }
        // A result for the next page to announce is dropped, however it is spelled.
        assert_eq!(safe_next("/settings?done=profile"), "/settings");
        assert_eq!(
            safe_next("/accounts?tab=users&%5F%5Ferr=eyJ9&__PATH=/api/x&Done=1"),
            "/accounts?tab=users"
        );
    }

    #[test]
    fn result_params_are_found_decoded_in_any_case_and_every_time() {
        assert_eq!(without_result_params("tab=users"), None);
        assert_eq!(
            without_result_params("%5F%5Fpath=%2Fapi%2Flogin&%5F%5Ferr=eyJGb3JiaWRkZW4iOiJ4In0"),
            Some(String::new())
        );
        assert_eq!(
            without_result_params("a=1&__ERR=x&__err=y&b=%20&_%5ferr=z&done=email-confirmed"),
            Some("a=1&b=%20".into())
        );
        // Not a result key: a longer name, or one only containing it.
        assert_eq!(without_result_params("x__err=1&__errx=2"), None);
    }
}
