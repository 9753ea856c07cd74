//! Sign-up, login, sessions, profile, preferences and password change, end to end through
//! the real router, on SQLite and on PostgreSQL.

use crate::common;

use axum::body::Body;
use common::{Client, TestApp, ORIGIN, STRONG_PASSWORD};
use http::{Request, StatusCode};
use tower::ServiceExt;

on_every_backend!(
    signup_stores_a_normalised_user_and_signs_in,
    signup_reports_every_bad_field_and_stores_nothing,
    duplicate_email_or_mobile_is_refused,
    login_rotates_the_session_id,
    wrong_password_and_unknown_email_get_the_same_answer,
    long_password_is_not_truncated,
    failed_logins_are_throttled_per_account,
    failed_logins_are_throttled_per_address,
    logout_ends_the_session_on_the_server,
    signed_out_visitors_are_sent_to_login_and_back,
    profile_update_cannot_touch_email_or_mobile,
    profile_names_are_validated,
    preferences_are_validated_and_change_how_times_are_shown,
    password_change_ends_other_sessions_only,
    wrong_current_password_changes_nothing,
    cross_site_posts_are_refused,
    pages_carry_security_headers_and_a_safe_cookie,
    forms_work_without_javascript,
    a_refused_form_without_javascript_keeps_what_was_typed,
    concurrent_profile_writes_do_not_fail,
);

async fn signup_stores_a_normalised_user_and_signs_in(app: TestApp) {
    let mut ada = app.client();
    let res = ada
        .signup(&[
            ("email", "  Ada@Example.COM "),
            ("mobile", "+49 (151) 234-56789"),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/settings"));
    assert_eq!(
        app.user_column("ada@example.com", "mobile").await,
        "+4915123456789"
    );
    let hash = app.user_column("ada@example.com", "password_hash").await;
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );

    let page = ada.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("User Settings"));
    assert!(
        page.body.contains("value=\"Ada\""),
        "first name is filled in"
    );
    assert!(page.body.contains("+4915123456789"));
}

async fn signup_reports_every_bad_field_and_stores_nothing(app: TestApp) {
    let mut client = app.client();
    let res = client
        .signup(&[
            ("first_name", "  "),
            ("last_name", &"x".repeat(101)),
            ("email", "ada@"),
            ("mobile", "0151 23456789"),
            ("password", "password1234"),
            ("password_confirmation", "password1234"),
        ])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(
        res.field_error("first_name").unwrap(),
        "Enter your first name."
    );
    assert!(res
        .field_error("last_name")
        .unwrap()
        .contains("at most 100 characters"));
    assert_eq!(
        res.field_error("email").unwrap(),
        "Enter an email address like name@example.com."
    );
    assert!(res
        .field_error("mobile")
        .unwrap()
        .starts_with("Start with + and the country code"));
    assert!(res.field_error("password").unwrap().contains("too common"));
    assert_eq!(app.count_users().await, 0);
    assert!(client.cookies.is_empty(), "no session for a failed sign-up");

    let res = client
        .signup(&[("password", "short"), ("password_confirmation", "short")])
        .await;
    assert_eq!(
        res.field_error("password").unwrap(),
        "Use at least 12 characters (5 so far)."
    );
    let res = client
        .signup(&[("password_confirmation", "violet tractor")])
        .await;
    assert_eq!(
        res.field_error("password_confirmation").unwrap(),
        "The passwords do not match."
    );
    assert_eq!(app.count_users().await, 0);
}

async fn duplicate_email_or_mobile_is_refused(app: TestApp) {
    app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut other = app.client();
    let res = other
        .signup(&[("email", "ADA@example.com"), ("mobile", "+44 7911 123456")])
        .await;
    assert_eq!(
        res.field_error("email").unwrap(),
        "An account with this email already exists. Log in instead."
    );
    let res = other
        .signup(&[("email", "grace@example.com"), ("mobile", "+4915123456789")])
        .await;
    assert_eq!(
        res.field_error("mobile").unwrap(),
        "This mobile number is already used by another account."
    );
    assert_eq!(app.count_users().await, 1);
}

async fn login_rotates_the_session_id(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let before = ada.cookie_header();
    let mut stale = ada.clone();
    let res = ada.login("ada@example.com", STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_ne!(ada.cookie_header(), before, "a new session id after login");
    assert_eq!(ada.get("/settings").await.status, StatusCode::OK);
    // The id from before the login is worthless now.
    assert_eq!(
        stale.get("/settings").await.location(),
        Some("/login?next=/settings")
    );
}

async fn wrong_password_and_unknown_email_get_the_same_answer(app: TestApp) {
    app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut client = app.client();
    let wrong = client
        .login("ada@example.com", "not the password at all")
        .await;
    let unknown = client
        .login("nobody@example.com", "not the password at all")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.json(), serde_json::json!("BadCredentials"));
    assert!(client.cookies.is_empty());
}

async fn long_password_is_not_truncated(app: TestApp) {
    let long: String = "correct horse battery staple ".repeat(4)[..100].to_owned();
    let mut ada = app.client();
    let res = ada
        .signup(&[("password", &long), ("password_confirmation", &long)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut other = app.client();
    assert_eq!(
        other.login("ada@example.com", &long[..99]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        other.login("ada@example.com", &long).await.status,
        StatusCode::OK
    );
}

async fn failed_logins_are_throttled_per_account(app: TestApp) {
    app.signed_up("ada@example.com", "+49 151 23456789").await;
    let limit = app.config.security.login_attempts_per_account;
    for i in 0..limit {
        // Attackers rotate addresses; the account limit holds anyway.
        let mut attacker = app.client();
        attacker.addr = format!("198.51.100.{}:4000", i + 1).parse().unwrap();
        assert_eq!(
            attacker
                .login("ada@example.com", "guess guess guess")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let mut ada = app.client();
    let res = ada.login("ada@example.com", STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    assert!(res.body.contains("Throttled"));
    // Unknown emails behave the same, so throttling does not reveal who is registered.
    let mut probe = app.client();
    for _ in 0..limit {
        probe.login("nobody@example.com", "guess guess guess").await;
    }
    assert_eq!(
        probe
            .login("nobody@example.com", "guess guess guess")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn failed_logins_are_throttled_per_address(app: TestApp) {
    app.signed_up("ada@example.com", "+49 151 23456789").await;
    let limit = app.config.security.login_failures_per_address;
    let mut attacker = app.client();
    for i in 0..limit {
        // A different account each time stays under every account's limit.
        let res = attacker
            .login(&format!("user{i}@example.com"), "guess guess guess")
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = attacker.login("ada@example.com", STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    // Someone else, elsewhere, is not affected.
    let mut ada = app.client();
    ada.addr = "203.0.113.7:5000".parse().unwrap();
    assert_eq!(
        ada.login("ada@example.com", STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
}

async fn logout_ends_the_session_on_the_server(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let replay = ada.clone();
    let res = ada.call("/api/logout", &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.location(), Some("/login"));
    assert!(
        !ada.cookies.contains_key("session"),
        "the session cookie is removed: {:?}",
        ada.cookies
    );
    assert!(
        ada.cookies.contains_key("device"),
        "the browser stays known for the login throttle"
    );
    // Replaying the old cookie gives the login page, not data.
    let mut replay = replay;
    assert_eq!(
        replay.get("/settings").await.location(),
        Some("/login?next=/settings")
    );
    let api = replay.call("/api/profile", &[]).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert!(!api.body.contains("ada@example.com"));
}

async fn signed_out_visitors_are_sent_to_login_and_back(app: TestApp) {
    let mut visitor = app.client();
    for (path, target) in [
        ("/", "/login"),
        ("/settings", "/login?next=/settings"),
        (
            "/settings/authentication",
            "/login?next=/settings/authentication",
        ),
        ("/settings/ssh-keys", "/login?next=/settings/ssh-keys"),
        ("/accounts", "/login?next=/accounts"),
    ] {
        let res = visitor.get(path).await;
        assert!(res.status.is_redirection(), "{path}: {}", res.status);
        assert_eq!(res.location(), Some(target), "{path}");
    }
    app.signed_up("ada@example.com", "+49 151 23456789").await;
    let res = visitor
        .call(
            "/api/login",
            &[
                ("email", "ada@example.com"),
                ("password", STRONG_PASSWORD),
                ("next", "/settings/ssh-keys"),
            ],
        )
        .await;
    assert_eq!(res.location(), Some("/settings/ssh-keys"));
    // Never to another site.
    let mut other = app.client();
    let res = other
        .call(
            "/api/login",
            &[
                ("email", "ada@example.com"),
                ("password", STRONG_PASSWORD),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(res.location(), Some("/settings"));
    // Signed in, the root and the login page lead to the settings.
    assert_eq!(other.get("/").await.location(), Some("/settings"));
    assert_eq!(other.get("/login").await.location(), Some("/settings"));
}

async fn profile_update_cannot_touch_email_or_mobile(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let res = ada
        .call(
            "/api/profile/save",
            &[
                ("first_name", " Augusta Ada "),
                ("last_name", "King"),
                ("email", "mallory@example.com"),
                ("mobile", "+447911123456"),
                ("id", "2"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        app.user_column("ada@example.com", "first_name").await,
        "Augusta Ada"
    );
    assert_eq!(
        app.user_column("ada@example.com", "last_name").await,
        "King"
    );
    assert_eq!(
        app.user_column("ada@example.com", "mobile").await,
        "+4915123456789"
    );
    let profile = ada.call("/api/profile", &[]).await.json();
    assert_eq!(profile["email"], "ada@example.com");
    assert_eq!(profile["first_name"], "Augusta Ada");
}

async fn profile_names_are_validated(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let res = ada
        .call(
            "/api/profile/save",
            &[("first_name", ""), ("last_name", &"y".repeat(101))],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.field_error("first_name").unwrap(),
        "Enter your first name."
    );
    assert!(res
        .field_error("last_name")
        .unwrap()
        .contains("at most 100"));
    assert_eq!(
        app.user_column("ada@example.com", "first_name").await,
        "Ada",
        "nothing half-written"
    );
    assert_eq!(
        app.user_column("ada@example.com", "last_name").await,
        "Lovelace"
    );
}

async fn preferences_are_validated_and_change_how_times_are_shown(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let res = ada
        .call(
            "/api/preferences/save",
            &[
                ("timezone", "Mars/Phobos"),
                ("date_format", "%Y-%Q"),
                ("time_format", "24h"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field_error("timezone").unwrap().contains("Mars/Phobos"));
    assert_eq!(
        res.field_error("date_format").unwrap(),
        "Choose one of the listed date formats."
    );
    assert_eq!(app.user_column("ada@example.com", "timezone").await, "UTC");

    let res = ada
        .call(
            "/api/preferences/save",
            &[
                ("timezone", "Asia/Kathmandu"),
                ("date_format", "d mon yyyy"),
                ("time_format", "12h"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let created: i64 = app
        .user_column("ada@example.com", "CAST(created_at AS TEXT)")
        .await
        .parse()
        .unwrap();
    let expected = app::display::format::format_timestamp(
        created,
        app::display::zone::offset_at("Asia/Kathmandu", created).unwrap(),
        app::display::format::DateFormat::DayMonthNameYear,
        app::display::format::TimeFormat::H12,
    );
    assert!(expected.ends_with("(UTC+05:45)"));
    let profile = ada.call("/api/profile", &[]).await.json();
    assert_eq!(profile["member_since"], expected.as_str());
    // And the server-rendered page shows the same.
    assert!(ada.get("/settings").await.body.contains(&expected));
}

async fn password_change_ends_other_sessions_only(app: TestApp) {
    let mut here = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut elsewhere = app.client();
    assert_eq!(
        elsewhere
            .login("ada@example.com", STRONG_PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    let new_password = "marble orchard hums at dusk";
    let res = here.change_password(STRONG_PASSWORD, new_password).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        here.get("/settings").await.status,
        StatusCode::OK,
        "this session stays signed in"
    );
    assert_eq!(
        elsewhere.get("/settings").await.location(),
        Some("/login?next=/settings")
    );
    let mut fresh = app.client();
    assert_eq!(
        fresh.login("ada@example.com", STRONG_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fresh.login("ada@example.com", new_password).await.status,
        StatusCode::OK
    );
}

async fn wrong_current_password_changes_nothing(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let hash = app.user_column("ada@example.com", "password_hash").await;
    let new_password = "marble orchard hums at dusk";
    let res = ada
        .call(
            "/api/password/change",
            &[
                ("current_password", "not my password"),
                ("new_password", new_password),
                ("new_password_confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(
        res.field_error("current_password").unwrap(),
        "Your current password is not correct."
    );
    let res = ada
        .call(
            "/api/password/change",
            &[
                ("current_password", ""),
                ("new_password", "short"),
                ("new_password_confirmation", "short"),
            ],
        )
        .await;
    assert_eq!(
        res.field_error("current_password").unwrap(),
        "Enter your current password."
    );
    assert_eq!(
        res.field_error("new_password").unwrap(),
        "Use at least 12 characters (5 so far)."
    );
    assert_eq!(
        app.user_column("ada@example.com", "password_hash").await,
        hash
    );
    assert_eq!(ada.get("/settings").await.status, StatusCode::OK);
}

async fn cross_site_posts_are_refused(app: TestApp) {
    let ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let mut client: Client = ada.clone();
        let req = http::Request::post("/api/profile/save")
            .header("content-type", "application/x-www-form-urlencoded")
            .header(header, value)
            .body(axum::body::Body::from("first_name=Mallory&last_name=Evil"))
            .unwrap();
        let res = client.send(req).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{header}: {value}");
        assert_eq!(res.json(), serde_json::json!("CrossSite"));
    }
    assert_eq!(
        app.user_column("ada@example.com", "first_name").await,
        "Ada"
    );
    // A cross-site login attempt is refused as well (login CSRF).
    let mut client = app.client();
    let req = http::Request::post("/api/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body(axum::body::Body::from(
            "email=ada%40example.com&password=x&next=",
        ))
        .unwrap();
    assert_eq!(client.send(req).await.status, StatusCode::FORBIDDEN);
}

async fn pages_carry_security_headers_and_a_safe_cookie(app: TestApp) {
    let mut ada = app.client();
    let res = ada.signup(&[]).await;
    let cookie = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("session="))
        .expect("session cookie");
    for attr in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        &format!("Max-Age={}", 30 * 60),
    ] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");

    let page = ada.get("/settings").await;
    let csp = page.header("content-security-policy").unwrap();
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "'wasm-unsafe-eval'",
        "'nonce-",
    ] {
        assert!(csp.contains(directive), "{directive} missing in {csp}");
    }
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // The time-zone list is public and cacheable; nothing else is.
    let zones = ada.get("/api/timezones").await;
    assert_eq!(zones.status, StatusCode::OK);
    assert_eq!(zones.header("cache-control"), Some("public, max-age=86400"));
    assert!(zones
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|z| z == "Europe/Berlin"));
    let other = ada.get("/settings").await;
    assert_ne!(
        other.header("content-security-policy"),
        Some(csp),
        "a fresh nonce per response"
    );
}

async fn forms_work_without_javascript(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut visitor = app.client();
    // A wrong password: back to the login page, the error travels in the URL ...
    let res = visitor
        .post_html_form(
            "/api/login",
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", "nope nope nope"),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    let back = back_to(&res);
    assert!(
        back.starts_with("/login?") && back.contains("__err="),
        "{back}"
    );
    // ... and the page shows it.
    let page = visitor.get(&back).await;
    assert!(
        page.body.contains("Incorrect email or password."),
        "{}",
        page.body
    );
    // The same address opened from elsewhere does not show a message someone else wrote.
    let req = http::Request::get(&back)
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(visitor.send(req).await.location(), Some("/login"));

    // A good profile save goes back to the page, which shows the new name.
    let res = ada
        .post_html_form(
            "/api/profile/save",
            "/settings",
            &[("first_name", "Augusta"), ("last_name", "King")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(res.location(), Some("/settings?done=profile"));
    let page = ada.get("/settings?done=profile").await;
    assert!(page.body.contains("value=\"Augusta\""));
    assert!(
        page.body.contains("Profile saved."),
        "success is announced without JavaScript"
    );
    // A bad one shows the field's message next to it.
    let res = ada
        .post_html_form(
            "/api/profile/save",
            "/settings",
            &[("first_name", ""), ("last_name", "King")],
        )
        .await;
    let back = back_to(&res);
    let page = ada.get(&back).await;
    assert!(
        page.body.contains("Enter your first name."),
        "{}",
        page.body
    );
    assert_eq!(
        app.user_column("ada@example.com", "first_name").await,
        "Augusta"
    );
}

/// Where the browser goes back to after a form post without JavaScript, as a path.
fn back_to(res: &common::Response) -> String {
    res.location()
        .unwrap()
        .strip_prefix(ORIGIN)
        .unwrap_or_else(|| res.location().unwrap())
        .to_owned()
}

async fn a_refused_form_without_javascript_keeps_what_was_typed(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut visitor = app.client();
    // A wrong password: the page it comes back to still has the email, not the password.
    let typed_password = "nope nope nope";
    let res = visitor
        .post_html_form(
            "/api/login",
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", typed_password),
                ("next", ""),
            ],
        )
        .await;
    let back = back_to(&res);
    assert!(
        !back.contains("ada"),
        "nothing typed goes into the address: {back}"
    );
    for cookie in res.set_cookies() {
        assert!(
            !cookie.contains("nope"),
            "a password is never kept: {cookie}"
        );
    }
    let kept = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("typed="))
        .expect("the typed fields are kept");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"] {
        assert!(kept.contains(attribute), "{kept}");
    }
    let page = visitor.get(&back).await;
    assert!(page.body.contains("Incorrect email or password."));
    assert!(
        page.body.contains(r#"value="ada@example.com""#),
        "the email is filled in again: {}",
        page.body
    );
    assert!(!page.body.contains(typed_password));
    // The page showing the refusal is served without its island code (which could not take
    // the refusal over): no hydration script, nothing preloaded. The plain page has both.
    assert!(!page.body.contains("hydrateIslands("), "{}", page.body);
    assert!(!page.body.contains(r#"rel="preload""#), "{}", page.body);
    let plain = visitor.get("/login").await;
    assert!(plain.body.contains("hydrateIslands("));
    // Kept for that one page load only.
    let again = visitor.get(&back).await;
    assert!(!again.body.contains(r#"value="ada@example.com""#));

    // A refused profile save shows the names as typed, not as saved.
    let res = ada
        .post_html_form(
            "/api/profile/save",
            "/settings",
            &[("first_name", ""), ("last_name", "Byron")],
        )
        .await;
    // The kept fields are sealed for Ada's session: in another browser, or altered, they
    // open for no one (and are removed all the same).
    let kept = res
        .set_cookies()
        .into_iter()
        .find_map(|c| {
            c.strip_prefix("typed=")
                .map(|c| c.split(';').next().unwrap().to_owned())
        })
        .expect("the typed fields are kept");
    assert!(!kept.contains("Byron"), "{kept}");
    let mut grace = app.signed_up("grace@example.com", "+49 151 23456780").await;
    for planted in [
        kept.clone(),
        kept.replacen('0', "1", 1).replacen('a', "b", 1),
    ] {
        grace.cookies.insert("typed".into(), planted);
        let page = grace.get(&back_to(&res)).await;
        assert!(page.body.contains("Enter your first name."));
        assert!(!page.body.contains(r#"value="Byron""#), "{}", page.body);
        assert!(!grace.cookies.contains_key("typed"), "removed");
    }
    let page = ada.get(&back_to(&res)).await;
    assert!(page.body.contains("Enter your first name."));
    assert!(page.body.contains(r#"value="Byron""#), "{}", page.body);
    assert_eq!(
        app.user_column("ada@example.com", "last_name").await,
        "Lovelace"
    );

    // A refused preferences form keeps the zone as typed, and the formats chosen.
    let res = ada
        .post_html_form(
            "/api/preferences/save",
            "/settings",
            &[
                ("timezone", "Mars/Phobos"),
                ("date_format", "mm/dd/yyyy"),
                ("time_format", "12h"),
            ],
        )
        .await;
    let page = ada.get(&back_to(&res)).await;
    assert!(
        page.body.contains("is not a time zone we know"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"value="Mars/Phobos""#),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(r#"<option value="mm/dd/yyyy" selected>"#),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"<option value="12h" selected>"#),
        "{}",
        page.body
    );

    // A refused SSH key comes back in its box, as text, with its title.
    let key = "ssh-ed25519 not-a-key <b>bold</b> & more";
    let res = ada
        .post_html_form(
            "/api/ssh-keys/add",
            "/settings/ssh-keys",
            &[("key", key), ("title", "Laptop"), ("expires_on", "")],
        )
        .await;
    let page = ada.get(&back_to(&res)).await;
    assert!(page.body.contains(r#"id="key-error""#));
    assert!(
        page.body
            .contains("ssh-ed25519 not-a-key &lt;b&gt;bold&lt;/b&gt; &amp; more</textarea>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"value="Laptop""#), "{}", page.body);

    // What was typed into one form never fills another that posts elsewhere, and a post
    // with JavaScript (its answer is data, not a page) keeps nothing.
    let res = ada
        .post_html_form(
            "/api/profile/save",
            "/settings",
            &[("first_name", ""), ("last_name", "Byron")],
        )
        .await;
    let back = back_to(&res).replace("%2Fapi%2Fprofile%2Fsave", "%2Fapi%2Fpreferences%2Fsave");
    assert!(back.contains("%2Fapi%2Fpreferences%2Fsave"), "{back}");
    let page = ada.get(&back).await;
    assert!(!page.body.contains(r#"value="Byron""#));
    let res = ada
        .call(
            "/api/profile/save",
            &[("first_name", ""), ("last_name", "Byron")],
        )
        .await;
    for cookie in res.set_cookies() {
        assert!(!cookie.contains("Byron"), "{cookie}");
    }
}

async fn concurrent_profile_writes_do_not_fail(app: TestApp) {
    let mut clients = Vec::new();
    for i in 0..8 {
        clients.push(
            app.signed_up(
                &format!("user{i}@example.com"),
                &format!("+49 151 2345678{i}"),
            )
            .await,
        );
    }
    let writes = clients.into_iter().enumerate().map(|(i, mut client)| {
        tokio::spawn(async move {
            for round in 0..10 {
                let first = format!("Name{i}x{round}");
                let res = client
                    .call(
                        "/api/profile/save",
                        &[("first_name", &first), ("last_name", "Writer")],
                    )
                    .await;
                assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            }
        })
    });
    for write in writes {
        write.await.expect("no writer failed");
    }
    assert_eq!(
        app.user_column("user3@example.com", "first_name").await,
        "Name3x9"
    );
}

mod sessions {
    use super::*;

    on_every_backend!(idle_sessions_expire_on_the_server,);

    async fn idle_sessions_expire_on_the_server(app: TestApp) {
        let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
        assert_eq!(ada.get("/settings").await.status, StatusCode::OK);
        // Time passes without a request: the stored expiry (now + idle timeout) is reached.
        let expire = if app.config.database.url.starts_with("postgres") {
            "UPDATE tower_sessions.session SET expiry_date = now() - interval '1 second'"
        } else {
            "UPDATE tower_sessions SET expiry_date = 0"
        };
        sqlx::query(expire).execute(&app.state.db).await.unwrap();
        assert_eq!(
            ada.get("/settings").await.location(),
            Some("/login?next=/settings")
        );
    }
}

#[tokio::test]
async fn https_deployments_get_a_secure_host_only_cookie() {
    let mut config = server::Config::default();
    config.database.url = common::scratch_sqlite();
    config.server.public_url = "https://settings.example.com".into();
    let app = TestApp::with_config(config).await;
    let mut ada = app.client();
    let res = ada.signup(&[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for name in ["__Host-session=", "__Host-device="] {
        let cookie = res
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {:?}", res.set_cookies()));
        for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attr), "{attr} missing in {cookie}");
        }
    }
    assert!(res.header("strict-transport-security").is_some());
    // Logging out removes the cookie in a way the browser accepts (`__Host-` needs Secure).
    let res = ada.call("/api/logout", &[]).await;
    let removal = res
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-session="))
        .unwrap_or_else(|| panic!("a removal in {:?}", res.set_cookies()));
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert!(removal.contains("Secure"), "{removal}");
}

#[tokio::test]
async fn sqlite_runs_with_wal_and_the_recommended_pragmas() {
    let app = TestApp::sqlite().await;
    let mut conn = app.state.db.acquire().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        (mode.as_str(), sync, fk),
        ("wal", 1, 1),
        "synchronous=NORMAL is 1"
    );
    assert!(busy >= 1000, "busy_timeout {busy}");
}

/// Built assets: served precompressed with revalidation, and never with a page's headers,
/// even while pages render for other people on the same workers (Leptos' own file handler
/// took a rendering page's script policy onto a `.wasm` response).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_assets_are_served_precompressed_and_never_take_a_page_s_headers() {
    let site = std::env::temp_dir().join(format!("tessera_site_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/tessera.wasm"), b"\0asm raw").unwrap();
    std::fs::write(site.join("pkg/tessera.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(site.join("favicon.svg"), b"<svg/>").unwrap();
    let mut config = server::Config::default();
    config.database.url = common::scratch_sqlite();
    config.server.site_root = site.clone();
    let app = TestApp::with_config(config).await;

    let asset = |encoding: &'static str, since: Option<String>| {
        let mut req = Request::get("/pkg/tessera.wasm").header("accept-encoding", encoding);
        if let Some(since) = since {
            req = req.header("if-modified-since", since);
        }
        app.router.clone().oneshot(req.body(Body::empty()).unwrap())
    };
    let res = asset("br", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(res.headers()["cache-control"], "no-cache");
    // One address, several encodings: a cache in front must keep them apart.
    assert_eq!(res.headers()["vary"], "accept-encoding");
    let modified = res.headers()["last-modified"].to_str().unwrap().to_owned();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(&body[..], b"brotli bytes");
    let plain = asset("identity", None).await.unwrap();
    let body = axum::body::to_bytes(plain.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(&body[..], b"\0asm raw");
    let again = asset("br", Some(modified)).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::NOT_MODIFIED,
        "revalidation is cheap"
    );
    let icon = app.client().get("/favicon.svg").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(icon.body, "<svg/>");
    // A miss is the app's own 404 page, with its page policy.
    let missing = app.client().get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Page not found"), "{}", missing.body);
    let csp = missing.header("content-security-policy").unwrap();
    assert!(csp.contains("'nonce-"), "{csp}");
    let gone = app.client().get("/pkg/missing.wasm").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // Pages and assets at the same time: each page keeps its own nonce policy, no asset
    // carries one.
    let ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let mut ada = ada.clone();
            let path = if i % 2 == 0 {
                "/settings"
            } else {
                "/pkg/tessera.wasm"
            };
            tokio::spawn(async move { (path, ada.get(path).await) })
        })
        .collect();
    for task in tasks {
        let (path, res) = task.await.unwrap();
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let csp = res.header("content-security-policy").unwrap_or_default();
        assert_eq!(
            csp.contains("'nonce-"),
            path == "/settings",
            "{path}: {csp}"
        );
    }
    drop(app);
    let _ = std::fs::remove_dir_all(&site);
}
