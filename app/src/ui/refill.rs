//! What a form posted without JavaScript had typed, shown again after a refusal. Leptos
//! answers such a post by sending the browser back to its page with only the error in the
//! address (`__err`), so the page would show the message next to an empty field. The server
//! keeps the fields in a cookie that lives a minute and that the next page load removes: the
//! person's own browser carries them back, nothing personal goes into an address (history,
//! logs), and the server stores nothing. Secrets (passwords, codes, links' tokens) are never
//! kept: they are typed again, as on any site.

/// The cookie's name. `__Host-` over https, like the session's: no other host (a sibling
/// subdomain) can set it.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-typed"
    } else {
        "typed"
    }
}

/// How long the cookie lives: the redirect back is immediate, so a minute is plenty.
pub const COOKIE_SECS: i64 = 60;

/// A cookie's whole `name=value; attributes` must stay under the 4,096 bytes browsers keep.
const MAX_VALUE_BYTES: usize = 3_500;

/// The key under which the form's path travels with its fields.
const PATH_KEY: &str = "__path";

/// Fields never kept, whatever the form.
pub fn is_secret(name: &str) -> bool {
    name.contains("password")
        || name.contains("code")
        || name.contains("token")
        || name.contains("secret")
        // A passkey's signed answer, and an invitation's token.
        || matches!(name, "response" | "invitation")
}

/// The cookie's value for a refused post of the url-encoded `body` to `path`: the path, then
/// every field but secrets, as long as they fit (a field that does not fit is left out).
pub fn encode(path: &str, body: &[u8]) -> String {
    let pair = |name: &str, value: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair(name, value)
            .finish()
    };
    let mut out = pair(PATH_KEY, path);
    for (name, value) in form_urlencoded::parse(body) {
        if is_secret(&name) || name == PATH_KEY || value.is_empty() {
            continue;
        }
        let field = pair(&name, &value);
        if out.len() + 1 + field.len() <= MAX_VALUE_BYTES {
            out.push('&');
            out.push_str(&field);
        }
    }
    out
}

/// The fields a cookie value kept for the form that posts to `path`, if it is that form's.
pub fn decode(path: &str, value: &str) -> Option<Typed> {
    let mut pairs = form_urlencoded::parse(value.as_bytes());
    let (key, kept_path) = pairs.next()?;
    (key == PATH_KEY && kept_path == path).then(|| {
        Typed(
            pairs
                .filter(|(name, _)| !is_secret(name))
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    })
}

/// Whether a redirect to `location` answers a refused form: Leptos puts the error into its
/// query as `__err`.
pub fn is_refusal(location: &str) -> bool {
    location.split_once('?').is_some_and(|(_, query)| {
        form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "__err")
    })
}

/// The fields of one refused form, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Typed(Vec<(String, String)>);

impl Typed {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The cookie's value as the request brought it, put into the request by the server's
/// middleware, which knows the cookie's name.
#[derive(Clone, Debug)]
pub struct KeptFields(pub String);

/// What the form posting to `path` had typed, if the page shows that form's refusal and the
/// request brought its fields.
#[cfg(feature = "ssr")]
pub(super) fn for_form(path: &str) -> Option<Typed> {
    use leptos::prelude::use_context;
    let refused = use_context::<leptos::server::ServerActionError>()?;
    if refused.path() != path {
        return None;
    }
    let parts = use_context::<http::request::Parts>()?;
    decode(path, &parts.extensions.get::<KeptFields>()?.0)
}

/// The value `name` had in the refused form around the caller (a [`super::ServerForm`]'s
/// children), if it kept one. Only the server renders it; the browser keeps what it shows.
pub fn typed(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<FormTyped>()
            .and_then(|typed| typed.0.and_then(|t| t.get(name).map(str::to_owned)))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        None
    }
}

/// [`typed`] as the contents of a `<textarea>`, through its `inner_html`: an attribute, so the
/// browser's hydration leaves it alone, where a text child the browser does not have would
/// not match.
pub fn typed_text(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        typed(name).map(|text| html_escape::encode_text(&text).into_owned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        None
    }
}

/// What a [`super::ServerForm`] gives its children: its own refused fields, or none (which
/// also hides those of a form around it).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub(super) struct FormTyped(pub Option<Typed>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_kept_and_the_rest_comes_back_for_its_form_only() {
        let body = b"email=ada%40example.com&password=nope+nope&new_password_confirmation=x\
                     &code=123456&token=abc&response=%7B%7D&invitation=t&next=%2Fsettings\
                     &first_name=Ada+%C3%A9&empty=";
        let value = encode("/api/login", body);
        for secret in [
            "nope",
            "123456",
            "abc",
            "%7B%7D",
            "invitation",
            "confirmation",
        ] {
            assert!(!value.contains(secret), "{value}");
        }
        // Only characters a cookie value may hold.
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"%+*-._=&".contains(&b)),
            "{value}"
        );
        let typed = decode("/api/login", &value).unwrap();
        assert_eq!(typed.get("email"), Some("ada@example.com"));
        assert_eq!(typed.get("first_name"), Some("Ada é"));
        assert_eq!(typed.get("next"), Some("/settings"));
        assert_eq!(typed.get("password"), None);
        assert_eq!(typed.get("empty"), None);
        assert_eq!(decode("/api/signup", &value), None);
        assert_eq!(decode("/api/login", "email=x"), None);
        // A secret planted in a cookie by hand is not read either.
        let planted = decode("/api/login", "__path=%2Fapi%2Flogin&password=x").unwrap();
        assert_eq!(planted.get("password"), None);
    }

    #[test]
    fn a_refusal_is_a_redirect_that_carries_an_error() {
        assert!(is_refusal("/login?__path=%2Fapi%2Flogin&__err=x"));
        assert!(is_refusal("http://localhost:3000/settings?a=1&__err="));
        assert!(!is_refusal("/settings?done=profile"));
        assert!(!is_refusal("/settings#__err=x"));
        assert!(!is_refusal("/settings"));
    }

    #[test]
    fn a_field_too_long_for_a_cookie_is_left_out_and_the_others_kept() {
        let key = "A".repeat(4_000);
        let body = format!("key={key}&title=laptop");
        let value = encode("/api/ssh-keys/add", body.as_bytes());
        assert!(value.len() <= MAX_VALUE_BYTES, "{}", value.len());
        let typed = decode("/api/ssh-keys/add", &value).unwrap();
        assert_eq!(typed.get("key"), None);
        assert_eq!(typed.get("title"), Some("laptop"));
    }
}
