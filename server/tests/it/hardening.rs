//! Limits that hold under parallel requests, lock-outs a stranger cannot cause, and the other
//! findings of the security review, through the real router on SQLite and PostgreSQL.

use crate::common;

use std::time::Duration;

use axum::body::Body;
use common::{begin, link, now, oathtool, Client, TestApp, ORIGIN, STRONG_PASSWORD};
use http::{Request, StatusCode};

on_every_backend!(
    parallel_wrong_passwords_are_checked_at_most_up_to_the_limit,
    parallel_wrong_codes_are_checked_at_most_up_to_the_limit,
    a_stranger_cannot_lock_the_owner_s_browser_out,
    untrusted_browsers_are_locked_out_after_failures_in_a_row,
    ipv6_clients_are_limited_by_their_64,
    the_strength_meter_is_throttled_per_address_and_reads_only_what_forms_allow,
    oversized_bodies_are_refused_with_413_before_they_are_read,
    names_that_change_text_direction_are_refused,
    activity_slides_the_idle_timeout_but_not_the_absolute_lifetime,
    no_link_can_make_a_page_announce_a_result,
    eight_concurrent_writers_of_each_kind_all_succeed,
    a_lost_or_changed_server_key_stops_the_start_instead_of_two_factor,
    a_device_secret_that_does_not_decrypt_is_skipped_at_login,
    a_setup_key_is_shown_only_within_the_recent_password_window,
    first_starts_at_once_run_with_the_one_stored_key,
);

const ADA: &str = "ada@example.com";
const WRONG: &str = "guess guess guess";
const TOO_LARGE: &str = "This form is too large to send.";

/// Sends every request at once, each from its own task, and returns the statuses.
async fn all_at_once<F, Fut>(n: usize, request: F) -> Vec<StatusCode>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..n {
        racing.spawn(request(i));
    }
    racing.join_all().await
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

fn from(app: &TestApp, addr: &str) -> Client {
    let mut client = app.client();
    client.addr = addr.parse().unwrap();
    client
}

async fn parallel_wrong_passwords_are_checked_at_most_up_to_the_limit(app: TestApp) {
    app.signed_up(ADA, "+49 151 23456789").await;
    let per_account = app.config.security.login_attempts_per_account as usize;
    let per_address = app.config.security.login_failures_per_address as usize;

    // One account, attackers on 200 addresses: the account's limit holds.
    let statuses = all_at_once(200, |i| {
        let mut attacker = from(&app, &format!("198.51.{}.{}:4000", i / 200, i % 200 + 1));
        async move { attacker.login(ADA, WRONG).await.status }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), per_account);
    assert_eq!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        200 - per_account
    );

    // One address, 200 accounts: the address's limit holds.
    let statuses = all_at_once(200, |i| {
        let mut attacker = from(&app, "203.0.113.50:4000");
        async move {
            attacker
                .login(&format!("user{i}@example.com"), WRONG)
                .await
                .status
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::UNAUTHORIZED), per_address);
    assert_eq!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        200 - per_address
    );
}

async fn parallel_wrong_codes_are_checked_at_most_up_to_the_limit(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    link(&mut ada, "Phone").await;
    let mut bob = app.client();
    let res = bob.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let limit = app.config.security.code_failures_per_account as usize;

    let statuses = all_at_once(100, |_| {
        let mut bob = bob.clone();
        async move {
            bob.call("/api/login/two-factor", &[("code", "000000"), ("next", "")])
                .await
                .status
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::UNPROCESSABLE_ENTITY), limit);
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 100 - limit);
}

async fn a_stranger_cannot_lock_the_owner_s_browser_out(app: TestApp) {
    // Ada's own browser signed in (at sign-up), and so carries a device cookie.
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    assert!(ada.cookies.contains_key("device"), "{:?}", ada.cookies);
    let mut bob = app.signed_up("bob@example.com", "+49 151 23456780").await;
    for client in [&mut ada, &mut bob] {
        assert_eq!(client.call("/api/logout", &[]).await.status, StatusCode::OK);
    }
    let limit = app.config.security.login_attempts_per_account;

    // A stranger hammers Ada's account from many addresses until it is throttled.
    for i in 0..limit + 5 {
        let mut attacker = from(&app, &format!("198.51.100.{}:4000", i + 1));
        let expected = if i < limit {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(attacker.login(ADA, WRONG).await.status, expected, "{i}");
    }
    // A browser that never signed in as Ada is refused even with the right password...
    let res = app.client().login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    // ...and so is one that signed in as someone else, or sends a made-up cookie.
    let res = bob.clone().login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    let mut forger = app.client();
    let bob_nonce = bob.cookies["device"].split('.').next().unwrap().to_owned();
    forger
        .cookies
        .insert("device".into(), format!("{bob_nonce}.{}", "00".repeat(32)));
    let res = forger.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);

    // Ada's own browser still gets in, from the same address as an attacker even.
    ada.addr = "198.51.100.1:4000".parse().unwrap();
    let res = ada.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        ada.get("/settings").await.status,
        StatusCode::OK,
        "signed in"
    );

    // Her browser's own wrong passwords are limited too, apart from everyone else's.
    ada.call("/api/logout", &[]).await;
    for i in 0..limit {
        assert_eq!(
            ada.login(ADA, WRONG).await.status,
            StatusCode::UNAUTHORIZED,
            "{i}"
        );
    }
    let res = ada.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
}

async fn untrusted_browsers_are_locked_out_after_failures_in_a_row(app: TestApp) {
    let app = app
        .like(|c| {
            c.security.login_lockout_failures = 6;
            c.security.login_attempts_per_account = 100;
        })
        .await;
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    ada.call("/api/logout", &[]).await;
    let lock_out = || async {
        for i in 0..6 {
            let mut attacker = from(&app, &format!("198.51.100.{}:4000", i + 1));
            assert_eq!(
                attacker.login(ADA, WRONG).await.status,
                StatusCode::UNAUTHORIZED
            );
        }
        let res = app.client().login(ADA, STRONG_PASSWORD).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
        assert!(
            res.body.contains("LockedOut"),
            "the answer says how to get back in: {}",
            res.body
        );
    };
    // Five wrong and one right: the run is broken, nothing is locked.
    for i in 0..5 {
        let mut attacker = from(&app, &format!("198.51.100.{}:4000", i + 1));
        attacker.login(ADA, WRONG).await;
    }
    let mut laptop = app.client();
    assert_eq!(
        laptop.login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
    laptop.call("/api/logout", &[]).await;
    lock_out().await;
    // Unknown emails are answered alike.
    for _ in 0..6 {
        app.client().login("nobody@example.com", WRONG).await;
    }
    let res = app.client().login("nobody@example.com", WRONG).await;
    assert!(res.body.contains("LockedOut"), "{}", res.body);

    // The owner's browser ends the lock-out by signing in.
    assert_eq!(ada.login(ADA, STRONG_PASSWORD).await.status, StatusCode::OK);
    let mut phone = app.client();
    assert_eq!(
        phone.login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::OK
    );

    // So does a password reset: the address is proved.
    lock_out().await;
    let mut stranger_browser = app.client();
    let res = stranger_browser
        .call("/api/password-reset/request", &[("email", ADA)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut token = None;
    for _ in 0..200 {
        if let Some(mail) = app.mails_to(ADA, "Reset your").pop() {
            token = Some(
                mail.token_after(&format!("{}/password-reset/", app.config.server.public_url)),
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = token.expect("a reset mail");
    let new_password = "amber kettle hums at dawn";
    let res = stranger_browser
        .call(
            "/api/password-reset",
            &[
                ("token", &token),
                ("new_password", new_password),
                ("new_password_confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        stranger_browser.login(ADA, new_password).await.status,
        StatusCode::OK
    );
}

async fn ipv6_clients_are_limited_by_their_64(app: TestApp) {
    app.signed_up(ADA, "+49 151 23456789").await;
    let limit = app.config.security.login_failures_per_address;
    for i in 0..limit {
        // A host picks a new address in its /64 for every try.
        let mut attacker = from(&app, &format!("[2001:db8:1:2::{:x}]:4000", i + 1));
        attacker.login(&format!("user{i}@example.com"), WRONG).await;
    }
    let mut attacker = from(&app, "[2001:db8:1:2:ffff::1]:4000");
    let res = attacker.login("someone@example.com", WRONG).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    let mut neighbour = from(&app, "[2001:db8:1:3::1]:4000");
    let res = neighbour.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "another /64: {}", res.body);
}

async fn the_strength_meter_is_throttled_per_address_and_reads_only_what_forms_allow(app: TestApp) {
    let statuses = all_at_once(130, |i| {
        let mut visitor = from(&app, "203.0.113.9:4000");
        async move {
            let password = format!("correct horse {i}");
            visitor
                .call(
                    "/api/password-strength",
                    &[("password", &password), ("context", "Ada Lovelace")],
                )
                .await
                .status
        }
    })
    .await;
    assert_eq!(count(&statuses, StatusCode::OK), 120);
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 10);

    // Anything past the longest password and context the forms allow is not read: a long
    // answer is as quick and as rated as a password just over the maximum.
    let mut other = from(&app, "203.0.113.10:4000");
    let long = "ab1".repeat(12_000);
    let context = "x ".repeat(5_000);
    let res = other
        .call(
            "/api/password-strength",
            &[("password", &long), ("context", &context)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let capped: String = long.chars().take(129).collect();
    let reference = other
        .call(
            "/api/password-strength",
            &[("password", &capped), ("context", "")],
        )
        .await;
    assert_eq!(res.json(), reference.json());
}

async fn oversized_bodies_are_refused_with_413_before_they_are_read(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let post = |body: Body, length: Option<usize>| {
        let mut req = Request::post("/api/profile/save")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("origin", ORIGIN)
            .header("sec-fetch-site", "same-origin");
        if let Some(length) = length {
            req = req.header("content-length", length);
        }
        req.body(body).unwrap()
    };
    let big = format!("first_name={}&last_name=Lovelace", "A".repeat(70 * 1024));

    // Declared too large: refused at once, even if the body never comes.
    let never = Body::from_stream(futures_util::stream::pending::<
        Result<Vec<u8>, std::io::Error>,
    >());
    let res = tokio::time::timeout(
        Duration::from_secs(5),
        ada.send(post(never, Some(10 * 1024 * 1024 * 1024))),
    )
    .await
    .expect("answered without waiting for the body");
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.body.contains("TooLarge"), "{}", res.body);

    // Sent in pieces with no length: refused once the limit is passed.
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> = big
        .as_bytes()
        .chunks(4096)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let res = ada
        .send(post(
            Body::from_stream(futures_util::stream::iter(pieces)),
            None,
        ))
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.body);

    // The same form posted without JavaScript comes back to its page, which says why.
    let res = ada
        .send(
            Request::post("/api/profile/save")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "text/html,application/xhtml+xml")
                .header("origin", ORIGIN)
                .header("referer", format!("{ORIGIN}/settings"))
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(big.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let back = res.location().unwrap().to_owned();
    assert!(
        back.starts_with("/settings?__path=%2Fapi%2Fprofile%2Fsave&__err="),
        "{back}"
    );
    let page = ada.get(&back).await;
    assert!(page.body.contains(TOO_LARGE), "{}", page.body);

    // A form just under the limit is read and answered as usual.
    let name = "A".repeat(60 * 1024);
    let fine = format!("first_name={name}&last_name=Lovelace");
    let length = fine.len();
    let res = ada.send(post(Body::from(fine), Some(length))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.field_error("first_name").is_some(), "{}", res.body);
    let res = ada
        .call(
            "/api/profile/save",
            &[("first_name", "Augusta"), ("last_name", "Lovelace")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn names_that_change_text_direction_are_refused(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let res = ada
        .call(
            "/api/profile/save",
            &[
                ("first_name", "Ada\u{202e}ecalevol"),
                ("last_name", "Lovelace"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(
        res.field_error("first_name").as_deref(),
        Some("The first name cannot contain characters that change the direction of text (such as U+202E).")
    );
    let res = ada
        .call("/api/two-factor/begin", &[("name", "Phone\u{2066}")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.field_error("name")
            .is_some_and(|m| m.contains("direction")),
        "{}",
        res.body
    );
    // Right-to-left names are names like any other.
    let res = ada
        .call(
            "/api/profile/save",
            &[("first_name", "עדה"), ("last_name", "Lovelace")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn activity_slides_the_idle_timeout_but_not_the_absolute_lifetime(app: TestApp) {
    let signed_in = |res: &common::Response| res.status == StatusCode::OK;
    let app = app
        .with_tweaked_settings(|s| {
            s.session_idle_secs = 4;
            s.session_absolute_secs = 3600;
        })
        .await;
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    // Working for more than twice the idle timeout, a request every second.
    let mut cookie_renewed = false;
    for second in 0..9 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let res = ada.get("/settings").await;
        assert!(signed_in(&res), "signed out after {second} s of activity");
        cookie_renewed |= res
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("session=") && c.contains("Max-Age=4"));
    }
    assert!(cookie_renewed, "the browser's cookie slides too");
    // Idle for less than the timeout: still signed in (and this request slides it again).
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(signed_in(&ada.get("/settings").await), "idle 2 s of 4");
    // Idle for longer: signed out.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        ada.get("/settings").await.location(),
        Some("/login?next=/settings")
    );

    // However active, a session ends at its absolute lifetime.
    let app = app
        .with_tweaked_settings(|s| {
            s.session_idle_secs = 4;
            s.session_absolute_secs = 5;
        })
        .await;
    let mut bob = app.signed_up("bob@example.com", "+49 151 23456780").await;
    let started = std::time::Instant::now();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let res = bob.get("/settings").await;
        let elapsed = started.elapsed().as_secs_f64();
        if !signed_in(&res) {
            assert!(elapsed > 5.0, "ended early, after {elapsed} s");
            break;
        }
        assert!(elapsed < 7.5, "still signed in after {elapsed} s");
    }
}

/// Opens `path` as a link from a mail or chat does (no same-origin navigation).
async fn open_link(client: &mut Client, path: &str, site: Option<&str>) -> common::Response {
    let mut req = Request::get(path);
    if let Some(site) = site {
        req = req.header("sec-fetch-site", site);
    }
    client.send(req.body(Body::empty()).unwrap()).await
}

async fn no_link_can_make_a_page_announce_a_result(app: TestApp) {
    // {"Forbidden":"Your account is locked, call +1 555 0100"}, as Leptos encodes errors.
    let forged = "eyJGb3JiaWRkZW4iOiJZb3VyIGFjY291bnQgaXMgbG9ja2VkLCBjYWxsICsxIDU1NSAwMTAwIn0";
    let lie = "Your account is locked";
    let mut visitor = app.client();
    for query in [
        format!("%5F%5Fpath=%2Fapi%2Flogin&%5F%5Ferr={forged}"),
        format!("__path=/api/login&__err={forged}"),
        format!("__PATH=/api/login&__Err={forged}"),
        format!("x=1&__path=/api/login&__err=e30&__err={forged}&__path=/api/login"),
        format!("_%5fpath=%2Fapi%2Flogin&_%5Ferr={forged}"),
    ] {
        for site in [None, Some("none"), Some("cross-site"), Some("same-site")] {
            let res = open_link(&mut visitor, &format!("/login?{query}"), site).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{query} {site:?}");
            let clean = res.location().unwrap().to_owned();
            assert!(
                clean == "/login" || clean == "/login?x=1",
                "{query}: {clean}"
            );
            let page = visitor.get(&clean).await;
            assert!(!page.body.contains(lie), "{query} {site:?}");
        }
    }
    // A success is not announced from a link either.
    let res = open_link(&mut visitor, "/login?done=password-reset", Some("none")).await;
    assert_eq!(res.location(), Some("/login"));
    let res = open_link(&mut visitor, "/login?DONE=password-reset", None).await;
    assert_eq!(res.location(), Some("/login"));

    // Nor through the login's `next`: after signing in, the next page says nothing.
    app.signed_up(ADA, "+49 151 23456789").await;
    let next = format!("/settings?%5F%5Fpath=%2Fapi%2Fprofile%2Fsave&%5F%5Ferr={forged}");
    let mut ada = app.client();
    let res = ada
        .call(
            "/api/login",
            &[
                ("email", ADA),
                ("password", STRONG_PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/settings"));
    let res = ada
        .call(
            "/api/login",
            &[
                ("email", ADA),
                ("password", STRONG_PASSWORD),
                ("next", "/accounts?tab=x&done=accepted"),
            ],
        )
        .await;
    assert_eq!(res.location(), Some("/accounts?tab=x"));
}

/// Eight people (or tabs) changing the same thing at once: every change is answered, none
/// with "database is locked" (SQLite refuses a transaction that read before it wrote while
/// another wrote).
async fn eight_concurrent_writers_of_each_kind_all_succeed(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let res = ada.call("/api/accounts", &[]).await;
    let account = res.json()["accounts"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let details = ada
        .call("/api/accounts/details", &[("id", &account)])
        .await
        .json();
    let workspace = details["workspaces"][0]["id"].as_i64().unwrap().to_string();
    link(&mut ada, "Phone").await;
    let device = ada.call("/api/two-factor", &[]).await.json()["devices"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();

    let writes: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "/api/workspaces/rename",
            vec![
                ("account_id", account.clone()),
                ("workspace_id", workspace.clone()),
                ("workspace_name", "Renamed {i}".into()),
            ],
        ),
        (
            "/api/workspaces/create",
            vec![
                ("account_id", account.clone()),
                ("workspace_name", "New {i}".into()),
            ],
        ),
        (
            "/api/accounts/save",
            vec![
                ("account_id", account.clone()),
                ("name", "Analytical Engines {i}".into()),
                ("company_name", String::new()),
                ("contact_email", String::new()),
                ("phone", String::new()),
                ("address", String::new()),
                ("country", String::new()),
                ("tax_id", String::new()),
            ],
        ),
        (
            "/api/invitations/send",
            vec![
                ("account_id", account.clone()),
                ("email", "person{i}@example.com".into()),
                ("role", "member".into()),
            ],
        ),
        (
            "/api/two-factor/rename",
            vec![
                ("kind", "app".into()),
                ("id", device.clone()),
                ("new_name", "Phone {i}".into()),
            ],
        ),
        (
            "/api/profile/save",
            vec![
                ("first_name", "Ada {i}".into()),
                ("last_name", "Lovelace".into()),
            ],
        ),
    ];
    for (path, fields) in writes {
        let statuses = all_at_once(8, |i| {
            let mut ada = ada.clone();
            let fields: Vec<(&'static str, String)> = fields
                .iter()
                .map(|(k, v)| (*k, v.replace("{i}", &i.to_string())))
                .collect();
            async move {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = ada.call(path, &fields).await;
                assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
                res.status
            }
        })
        .await;
        assert_eq!(count(&statuses, StatusCode::OK), 8, "{path}");
    }
}

async fn start_error(config: &server::Config) -> String {
    match server::build(config).await {
        Ok(_) => panic!("the server started"),
        Err(error) => error.to_string(),
    }
}

async fn a_lost_or_changed_server_key_stops_the_start_instead_of_two_factor(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let (phone, _) = link(&mut ada, "Phone").await;

    // Another key (a second machine configured differently): refused, naming the setting.
    let mut other = app.config.clone();
    other.security.secret_key = "a1".repeat(32);
    let error = start_error(&other).await;
    assert!(error.contains("security.secret_key"), "{error}");
    assert!(error.contains("not the key"), "{error}");

    // The key lost (a database restored without secret.key): refused, nothing generated.
    if let Some(dir) = &app.scratch {
        let key_file = dir.join("secret.key");
        let saved = std::fs::read(&key_file).unwrap();
        std::fs::remove_file(&key_file).unwrap();
        let error = start_error(&app.config).await;
        assert!(error.contains("no server key"), "{error}");
        assert!(error.contains("security.secret_key"), "{error}");
        assert!(!key_file.exists(), "no new key replaces the lost one");
        std::fs::write(&key_file, saved).unwrap();
    } else {
        let mut unset = app.config.clone();
        unset.security.secret_key = String::new();
        unset.security.secret_key_file = std::env::temp_dir().join(format!(
            "tessera_missing_key_{}_{}",
            std::process::id(),
            now()
        ));
        let error = start_error(&unset).await;
        assert!(error.contains("no server key"), "{error}");
        assert!(!unset.security.secret_key_file.exists());
    }

    // The right key starts, and two-factor works as before.
    let again = TestApp::with_config(app.config.clone()).await;
    let mut bob = again.client();
    assert_eq!(bob.login(ADA, STRONG_PASSWORD).await.status, StatusCode::OK);
    let res = bob
        .call(
            "/api/login/two-factor",
            &[("code", &oathtool(&phone.key, now())), ("next", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // A database from before check values: a key that opens its secrets is accepted and
    // recorded; another is refused.
    sqlx::query("DELETE FROM server_key")
        .execute(&app.state.db)
        .await
        .unwrap();
    let error = start_error(&other).await;
    assert!(error.contains("not the key"), "{error}");
    TestApp::with_config(app.config.clone()).await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM server_key")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

/// Two processes starting at once on a new database, each without a key, each make one: the
/// database keeps one check value, and a process whose key is not that one must not run.
async fn first_starts_at_once_run_with_the_one_stored_key(app: TestApp) {
    let folder =
        std::env::temp_dir().join(format!("tessera_keys_{}_{}", std::process::id(), now()));
    std::fs::create_dir_all(&folder).unwrap();
    for round in 0..6 {
        let mut config = app.config.clone();
        let database = if app.postgres_database.is_some() {
            let (url, database) = common::scratch_postgres().await;
            config.database.url = url;
            Some(database)
        } else {
            config.database.url = common::scratch_sqlite();
            None
        };
        config.security.secret_key = String::new();
        let starts = ["a", "b"].map(|name| {
            let mut config = config.clone();
            config.security.secret_key_file = folder.join(format!("{round}-{name}.key"));
            tokio::spawn(async move { server::build(&config).await })
        });
        let mut started = Vec::new();
        for start in starts {
            if let Ok(server) = start.await.unwrap() {
                started.push(server);
            }
        }
        assert!(!started.is_empty(), "one of them starts");
        let stored: String = sqlx::query_scalar("SELECT check_value FROM server_key")
            .fetch_one(&started[0].state.db)
            .await
            .unwrap();
        for server in &started {
            assert_eq!(server.state.secrets.check_value(), stored, "round {round}");
        }
        drop(started);
        if let Some(database) = database {
            database.drop().await;
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
}

async fn a_device_secret_that_does_not_decrypt_is_skipped_at_login(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let (phone, _) = link(&mut ada, "Phone").await;
    let (laptop, _) = link(&mut ada, "Laptop").await;
    // The phone's row now holds something the key cannot open.
    sqlx::query("UPDATE totp_devices SET secret = $1 WHERE id = $2")
        .bind("00".repeat(40))
        .bind(phone.id)
        .execute(&app.state.db)
        .await
        .unwrap();
    let mut bob = app.client();
    bob.login(ADA, STRONG_PASSWORD).await;
    let res = bob
        .call(
            "/api/login/two-factor",
            &[("code", &oathtool(&phone.key, now())), ("next", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let res = bob
        .call(
            "/api/login/two-factor",
            &[("code", &oathtool(&laptop.key, now())), ("next", "")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "the other device still works: {}",
        res.body
    );
}

async fn a_setup_key_is_shown_only_within_the_recent_password_window(app: TestApp) {
    let app = app.with_tweaked_settings(|s| s.reauth_secs = 2).await;
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let started = begin(&mut ada, "Phone").await;
    let key = started["setup_key"].as_str().unwrap().to_owned();
    let overview = ada.call("/api/two-factor", &[]).await.json();
    assert_eq!(
        overview["pending"]["setup_key"],
        key.as_str(),
        "within the window"
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    let overview = ada.call("/api/two-factor", &[]).await.json();
    assert!(overview["pending"].is_null(), "{overview}");
    let page = ada.get("/settings/authentication?wizard=scan").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&key), "the page shows the key");
    assert!(!page.body.contains(&key.replace(' ', "")));

    // Confirming the password opens the window again, and the wizard goes on.
    let res = ada
        .call("/api/confirm-access", &[("password", STRONG_PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let overview = ada.call("/api/two-factor", &[]).await.json();
    assert_eq!(overview["pending"]["setup_key"], key.as_str());
}
