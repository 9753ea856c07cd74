//! What a browser's request says about itself, read the same way by the error type, the form
//! helpers and the server's middleware. A leaf: headers in, facts out.

use http::header::{ACCEPT, REFERER};
use http::HeaderMap;

/// A form posted by the browser itself (no JavaScript, or before its island loaded): it
/// accepts HTML, and Leptos answers it with a redirect instead of data.
pub fn is_plain_post(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// The value of the request's cookie `name`, if it brought one.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(tower_sessions::cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The path and query of the page the request came from (its Referer), never its origin: an
/// answer built from it stays on this site.
pub fn referring_page(headers: &HeaderMap) -> Option<&str> {
    let referer = headers.get(REFERER)?.to_str().ok()?;
    let (_, rest) = referer.split_once("://")?;
    rest.find('/').map(|i| &rest[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_referring_page_is_its_path_and_query_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(referring_page(&headers), None);
        headers.insert(REFERER, "https://evil.example".parse().unwrap());
        assert_eq!(referring_page(&headers), None);
        headers.insert(
            REFERER,
            "http://127.0.0.1:3000/settings?x=1".parse().unwrap(),
        );
        assert_eq!(referring_page(&headers), Some("/settings?x=1"));
        assert!(!is_plain_post(&headers));
        headers.insert(ACCEPT, "text/html,application/xhtml+xml".parse().unwrap());
        assert!(is_plain_post(&headers));
    }
}
