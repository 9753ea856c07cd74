//! What a form posted without JavaScript had typed, shown again after a refusal. Leptos
//! answers such a post by sending the browser back to its page with only the error in the
//! address (`__err`), so the page would show the message next to an empty field. The server
//! keeps the fields in a cookie that lives a minute and that the next page load removes: the
//! person's own browser carries them back, nothing personal goes into an address (history,
//! logs), and the server stores nothing. The cookie is sealed with the server key and bound to
//! the session cookie it came with, so no one else (a sibling subdomain over http, say) can
//! plant fields in someone's form. Only fields a person types and may see again are kept,
//! never secrets (passwords, codes, tokens): those are typed again, as on any site.

/// The cookie's name. `__Host-` over https, like the session's: no other host can set it.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-typed"
    } else {
        "typed"
    }
}

/// How long the cookie lives: the redirect back is immediate, so a minute is plenty.
pub const COOKIE_SECS: i64 = 60;

/// Browsers keep a cookie of up to 4,096 bytes, name and attributes included; sealing writes
/// twice the bytes as hex, plus 56.
const MAX_KEPT_BYTES: usize = 1_900;

/// The key under which the form's path travels with its fields.
const PATH_KEY: &str = "__path";

/// The fields kept: what people type or choose in a form, and the hidden ids that tell the
/// rows of a list apart ([`super::FormAction::in_row`]). A field not named here is never
/// kept, so a new secret field cannot slip in; a new field to refill is added here.
const KEPT: &[&str] = &[
    // Sign-up, login, the profile, a password reset request, invitations.
    "first_name",
    "last_name",
    "email",
    "mobile",
    // Preferences.
    "timezone",
    "date_format",
    "time_format",
    // SSH keys.
    "key",
    "title",
    "expires_on",
    // Names of devices, passkeys, accounts and workspaces; roles; account information.
    "name",
    "new_name",
    "workspace_name",
    "role",
    "company_name",
    "address",
    "country",
    "phone",
    "tax_id",
    "contact_email",
    // Rows.
    "id",
    "kind",
    "user_id",
    "workspace_id",
    "invitation_id",
    "account_id",
];

/// What the sealed cookie is bound to: the session cookie the refused post came with (none
/// for a visitor), so that it opens only for the browser that posted.
pub fn seal_context(session: Option<&str>) -> String {
    format!("typed fields\0{}", session.unwrap_or_default())
}

/// The fields to keep from a refused post of the url-encoded `body` to `path`: the path,
/// then every kept field, as long as they fit (a field that does not fit is left out).
pub fn encode(path: &str, body: &[u8]) -> String {
    let pair = |name: &str, value: &str| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair(name, value)
            .finish()
    };
    let mut out = pair(PATH_KEY, path);
    for (name, value) in form_urlencoded::parse(body) {
        if !KEPT.contains(&&*name) || value.is_empty() {
            continue;
        }
        let field = pair(&name, &value);
        if out.len() + 1 + field.len() <= MAX_KEPT_BYTES {
            out.push('&');
            out.push_str(&field);
        }
    }
    out
}

/// The fields [`encode`] kept for the form that posts to `path`, if they are that form's.
pub fn decode(path: &str, kept: &str) -> Option<Typed> {
    let mut pairs = form_urlencoded::parse(kept.as_bytes());
    let (key, kept_path) = pairs.next()?;
    (key == PATH_KEY && kept_path == path).then(|| {
        Typed(
            pairs
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    })
}

/// Whether a redirect to `location` answers a refused form: Leptos puts the error into its
/// query as `__err`.
pub fn is_refusal(location: &str) -> bool {
    location
        .split_once('?')
        .is_some_and(|(_, query)| super::address::has_refusal(query))
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

/// The fields the request brought back, opened: put into the request by the server's
/// middleware, which holds the cookie's name and the server key.
#[derive(Clone, Debug)]
pub struct KeptFields(pub String);

/// What the form posting to `path` had typed, if the page shows that form's refusal and the
/// request brought its fields.
#[cfg(feature = "ssr")]
pub(super) fn for_form(path: &str) -> Option<Typed> {
    use leptos::prelude::with_context;
    with_context::<leptos::server::ServerActionError, _>(|refused| refused.path() == path)
        .filter(|shown| *shown)?;
    with_context::<http::request::Parts, _>(|parts| {
        decode(path, &parts.extensions.get::<KeptFields>()?.0)
    })
    .flatten()
}

/// The value `name` had in the refused form around the caller (a [`super::ServerForm`]'s
/// children), if it kept one. Only the server renders it; the browser keeps what it shows.
pub fn typed(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<FormTyped>()
            .and_then(|typed| typed.0.get(name).map(str::to_owned))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = name;
        None
    }
}

/// [`typed`] for a choice: the value chosen, if it is still one of `choices` (a role no
/// longer offered is not chosen in its place).
pub fn typed_choice<'a>(name: &str, mut choices: impl Iterator<Item = &'a str>) -> Option<String> {
    typed(name).filter(|typed| choices.any(|choice| choice == typed))
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

/// What a refused [`super::ServerForm`] gives its children: the fields kept for it.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub(super) struct FormTyped(pub Typed);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kept_fields_come_back_and_for_their_form_only() {
        let body = b"email=ada%40example.com&password=nope+nope&new_password_confirmation=x\
                     &code=123456&token=abc&response=%7B%7D&invitation=t&next=%2Fsettings\
                     &first_name=Ada+%C3%A9&mobile=&id=7";
        let kept = encode("/api/login", body);
        for secret in [
            "nope",
            "123456",
            "abc",
            "%7B%7D",
            "invitation",
            "confirmation",
            "next",
        ] {
            assert!(!kept.contains(secret), "{kept}");
        }
        let typed = decode("/api/login", &kept).unwrap();
        assert_eq!(typed.get("email"), Some("ada@example.com"));
        assert_eq!(typed.get("first_name"), Some("Ada é"));
        assert_eq!(typed.get("id"), Some("7"));
        assert_eq!(typed.get("password"), None);
        assert_eq!(typed.get("mobile"), None, "an empty field is not kept");
        assert_eq!(decode("/api/signup", &kept), None);
        assert_eq!(decode("/api/login", "email=x"), None);
    }

    #[test]
    fn no_secret_field_of_any_form_is_kept() {
        // Every secret a form here sends: passwords, one-time and recovery codes, the tokens
        // of mailed links and invitations, a passkey's signed answer.
        for secret in [
            "password",
            "password_confirmation",
            "current_password",
            "new_password",
            "new_password_confirmation",
            "code",
            "token",
            "invitation",
            "response",
        ] {
            assert!(!KEPT.contains(&secret), "{secret}");
        }
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
        let kept = encode("/api/ssh-keys/add", body.as_bytes());
        assert!(kept.len() <= MAX_KEPT_BYTES, "{}", kept.len());
        let typed = decode("/api/ssh-keys/add", &kept).unwrap();
        assert_eq!(typed.get("key"), None);
        assert_eq!(typed.get("title"), Some("laptop"));
    }
}
