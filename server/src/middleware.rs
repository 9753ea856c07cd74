//! What every request passes through before the app: security headers, the cross-site
//! request check, and resolving the session to a signed-in user.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::error::AppError;
use app::session::{self, ClientAddr, CurrentUser};
use app::state::AppState;
use app::ui::refill;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::header::{self, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use leptos::server_fn::error::ServerFnUrlError;
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::Session;

/// Headers for every response. Pages set their own CSP (with the per-response script
/// nonce) in `app::shell`; everything else gets a strict default.
pub async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    let static_asset = is_static_asset(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // `same-origin` keeps the Referer that forms without JavaScript need to come back to the
    // page they were on, and sends nothing to other sites.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ));
    // Pages and API answers carry personal data: never store them. Built assets revalidate.
    // A response that chose its own caching (the public time-zone list) keeps it.
    let cache = if static_asset { "no-cache" } else { "no-store" };
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(cache));
    // The same address answers brotli, gzip or plain bytes: a cache in front must keep them
    // apart (CompressionLayer says so itself for what it compresses; precompressed files
    // come from ServeDir, which does not).
    if static_asset && !h.contains_key(header::VARY) {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
        secure_host_cookies(h);
    }
    res
}

/// Browsers ignore a `__Host-` cookie set without `Secure`, removals included; the session
/// layer removes its cookie (at logout) with only a name and path, which would leave a dead
/// session cookie in the browser.
fn secure_host_cookies(headers: &mut http::HeaderMap) {
    let fixed: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| match value.to_str() {
            Ok(text)
                if text.starts_with("__Host-")
                    && !text
                        .split(';')
                        .any(|attr| attr.trim().eq_ignore_ascii_case("secure")) =>
            {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| value.clone())
            }
            _ => value.clone(),
        })
        .collect();
    if fixed.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for value in fixed {
        headers.append(header::SET_COOKIE, value);
    }
}

/// The largest request body any form here needs (the SSH key field is 16 KB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Refuses a request body over [`MAX_BODY_BYTES`] with 413: at once when its Content-Length
/// says so, or as soon as that much has arrived, so nothing larger is ever held in memory.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large(req.headers(), req.uri().path());
    }
    if req.method().is_safe() || declared.is_some() {
        // Declared small: a body longer than declared is cut off by hyper.
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(&parts.headers, parts.uri.path()),
    }
}

/// A form posted without JavaScript goes back to its page, which shows the refusal next to
/// the form the way Leptos shows any refused form (`__path`, `__err`); anything else gets the
/// error and its status. Only the Referer's path is used: the answer never leaves this site.
fn too_large(headers: &HeaderMap, path: &str) -> Response {
    let page = app::request::referring_page(headers);
    let back = page
        .filter(|_| app::request::is_plain_post(headers))
        .and_then(|page| {
            let page = app::ui::address::safe_next(page).into_owned();
            ServerFnUrlError::new(path, AppError::TooLarge)
                .to_url(&format!("http://localhost{page}"))
                .ok()
        });
    match back {
        Some(url) => Redirect::to(&format!(
            "{}?{}",
            url.path(),
            url.query().unwrap_or_default()
        ))
        .into_response(),
        None => app_error_response(AppError::TooLarge),
    }
}

/// A form posted without JavaScript and refused goes back to its page with only the error in
/// the address; what it had typed goes back in a sealed cookie of a minute
/// (`app::ui::refill`). The next page load gets it, opened, as a request extension and removes
/// it, so it fills one page only.
pub async fn keep_typed_fields(
    State(keeper): State<TypedFieldsKeeper>,
    req: Request,
    next: Next,
) -> Response {
    let https = keeper.https;
    let cookie = refill::cookie_name(https);
    // Sealed for the browser that posted: its session cookie, if it has one.
    let context = |headers: &HeaderMap| {
        refill::seal_context(app::request::cookie(headers, session_cookie_name(https)).as_deref())
    };
    let path = req.uri().path();
    if req.method() == Method::POST
        && path.starts_with("/api/")
        && app::request::is_plain_post(req.headers())
        && is_url_encoded(req.headers())
    {
        let path = path.to_owned();
        let context = context(req.headers());
        let (parts, body) = req.into_parts();
        // `limit_body`, around this, has capped the body already.
        let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
            return too_large(&parts.headers, &path);
        };
        let mut res = next
            .run(Request::from_parts(parts, Body::from(body.clone())))
            .await;
        let back = res
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .filter(|back| res.status().is_redirection() && refill::is_refusal(back))
            .map(str::to_owned);
        if let Some(back) = back {
            let fresh = app::ui::address::without_done(&back)
                .and_then(|to| HeaderValue::from_str(&to).ok());
            if let Some(to) = fresh {
                res.headers_mut().insert(header::LOCATION, to);
            }
            let kept = refill::encode(&path, &body);
            let sealed = keeper.app.secrets.seal(kept.as_bytes(), &context);
            if let Some(cookie) = sealed
                .ok()
                .and_then(|sealed| typed_cookie(cookie, sealed, https, refill::COOKIE_SECS))
            {
                res.headers_mut().append(header::SET_COOKIE, cookie);
            }
        }
        return res;
    }
    let brought = (req.method() == Method::GET)
        .then(|| app::request::cookie(req.headers(), cookie))
        .flatten();
    let Some(brought) = brought else {
        return next.run(req).await;
    };
    // One that does not open (altered, or another session's) is removed all the same.
    let opened = keeper
        .app
        .secrets
        .unseal(&brought, &context(req.headers()))
        .and_then(|kept| String::from_utf8(kept).ok());
    let mut req = req;
    if let Some(kept) = opened {
        req.extensions_mut().insert(refill::KeptFields(kept));
    }
    let mut res = next.run(req).await;
    if let Some(removal) = typed_cookie(cookie, String::new(), https, 0) {
        res.headers_mut().append(header::SET_COOKIE, removal);
    }
    res
}

#[derive(Clone)]
pub struct TypedFieldsKeeper {
    pub app: AppState,
    pub https: bool,
}

/// The session cookie's name: `__Host-` pins it to this host and path over https.
pub fn session_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-session"
    } else {
        "session"
    }
}

fn is_url_encoded(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The refused form's cookie (`max_age` 0 removes it). Strict: only this site's own pages
/// send it, and the redirect back from a post of this site is one of them.
fn typed_cookie(
    name: &'static str,
    value: String,
    https: bool,
    max_age: i64,
) -> Option<HeaderValue> {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// Browsers send form posts across sites without a preflight, and Leptos server functions
/// accept form posts; so any state-changing request that a browser marks as coming from
/// another site, or whose Origin is not ours, is refused.
pub async fn refuse_cross_site(
    State(public_origin): State<Arc<str>>,
    req: Request,
    next: Next,
) -> Response {
    if !req.method().is_safe() && is_cross_site(&req, &public_origin) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return app_error_response(AppError::CrossSite);
    }
    next.run(req).await
}

fn is_cross_site(req: &Request, public_origin: &str) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin") | Ok("none")) {
            return true;
        }
    }
    match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        // Non-browser clients send no Origin, and carry no one else's cookies.
        None => false,
        Some(Ok(origin)) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let same_host = host.is_some_and(|host| {
                origin
                    .strip_prefix("http://")
                    .or_else(|| origin.strip_prefix("https://"))
                    == Some(host)
            });
            origin != public_origin && !same_host
        }
        Some(Err(_)) => true,
    }
}

/// An error in the body shape server functions use, so the app shows it like any other.
pub fn app_error_response(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(&error).unwrap_or_else(|_| "\"Internal\"".into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Paths only a signed-in person may see; others are sent to log in first.
fn is_protected_page(path: &str) -> bool {
    path == "/settings"
        || path.starts_with("/settings/")
        || path == "/accounts"
        || path.starts_with("/accounts/")
        || path == "/workspaces"
}

/// Resolves the session to a user (for server functions and pages) and does the redirects
/// that must happen before any page renders.
pub async fn resolve_user(
    State(ctx): State<UserResolver>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let now = app::clock::now_unix();
    let state = &ctx.app;
    let addr = client_addr(&req, ctx.trust_forwarded_for);
    if let Some(addr) = addr {
        req.extensions_mut().insert(ClientAddr(addr));
    }
    let client = session::ClientInfo {
        addr,
        user_agent: session::user_agent(req.headers()),
    };
    let activity = req.uri().path() != session::STATUS_PATH;
    let resolved = match session::resolve(
        &session,
        &state.db,
        &state.settings,
        &client,
        now,
        activity,
    )
    .await
    {
        Ok(resolved) => resolved,
        Err(error) => return app_error_response(error),
    };
    let user = resolved.map(|resolved| {
        req.extensions_mut()
            .insert(session::SessionExpiry(resolved.expires_at));
        resolved.user
    });

    if req.method() == Method::GET {
        let path = req.uri().path();
        let signed_in = user.is_some();
        match path {
            "/" => {
                return Redirect::to(if signed_in { "/settings" } else { "/login" }).into_response()
            }
            "/login" | "/signup" | "/login/two-factor" if signed_in => {
                return Redirect::to("/settings").into_response()
            }
            _ if !signed_in && is_protected_page(path) => {
                let back = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or(path);
                return Redirect::to(&format!(
                    "/login?next={}",
                    app::ui::address::encode_query_value(back)
                ))
                .into_response();
            }
            _ => {}
        }
        if let Some(clean) = strip_forged_error(&req) {
            return Redirect::to(&clean).into_response();
        }
    }
    if let Some(user) = user {
        req.extensions_mut().insert(CurrentUser(user));
    }
    next.run(req).await
}

#[derive(Clone)]
pub struct UserResolver {
    pub app: AppState,
    pub trust_forwarded_for: bool,
}

fn client_addr(req: &Request<Body>, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Leptos puts the error of a form posted without JavaScript into the query of the page it
/// redirects back to (`__err`, `__path`), and this product its successes (`done`). Only our
/// own redirects, which the browser follows as same-origin navigations, may do that: a link
/// from a mail or another site carrying them could make the genuine page say anything.
/// Returns the address without them.
fn strip_forged_error(req: &Request) -> Option<String> {
    let query = req.uri().query()?;
    let kept = app::ui::address::without_result_params(query)?;
    let same_origin = req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v == "same-origin");
    if same_origin {
        return None;
    }
    let path = req.uri().path();
    Some(if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{kept}")
    })
}

/// tower-sessions answers a request whose cookie names a session the store no longer has
/// with a removal of that cookie. Sign-up and login give the session a new id, so a request
/// still in flight with the old cookie (a strength check, the passkey options) could be
/// answered after them and delete the new cookie, signing the person out. A stale cookie is
/// harmless (it names nothing), so only logging out removes it.
pub async fn keep_session_cookie(req: Request, next: Next) -> Response {
    let logout = req.uri().path() == "/api/logout";
    let mut res = next.run(req).await;
    // Almost every answer has no removal: leave its headers untouched then.
    let removes = || {
        res.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| is_session_removal(c.as_bytes()))
    };
    if !logout && removes() {
        let kept: Vec<HeaderValue> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter(|c| !is_session_removal(c.as_bytes()))
            .cloned()
            .collect();
        let headers = res.headers_mut();
        headers.remove(header::SET_COOKIE);
        for cookie in kept {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    res
}

/// `session=; …Max-Age=0…` (or `__Host-session=`): what tower-sessions sends to remove it.
fn is_session_removal(cookie: &[u8]) -> bool {
    let cookie = String::from_utf8_lossy(cookie);
    (cookie.starts_with("session=;") || cookie.starts_with("__Host-session=;"))
        && cookie.contains("Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method("POST").uri("/api/login");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_detection() {
        let ours = "http://127.0.0.1:3000";
        assert!(!is_cross_site(&post(&[]), ours));
        assert!(!is_cross_site(
            &post(&[("origin", ours), ("sec-fetch-site", "same-origin")]),
            ours
        ));
        assert!(!is_cross_site(
            &post(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ]),
            ours
        ));
        assert!(is_cross_site(
            &post(&[("origin", "https://evil.example")]),
            ours
        ));
        assert!(is_cross_site(
            &post(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            ours
        ));
        assert!(is_cross_site(
            &post(&[("sec-fetch-site", "cross-site")]),
            ours
        ));
        assert!(is_cross_site(
            &post(&[("sec-fetch-site", "same-site")]),
            ours
        ));
        assert!(is_cross_site(&post(&[("origin", "null")]), ours));
    }

    #[test]
    fn next_parameter_is_encoded() {
        assert_eq!(
            app::ui::address::encode_query_value("/settings/ssh-keys?x=1&y=2"),
            "/settings/ssh-keys%3Fx%3D1%26y%3D2"
        );
    }
}
