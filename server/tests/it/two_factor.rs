//! Two-factor authentication end to end through the real router, on SQLite and PostgreSQL.
//! Codes come from `oathtool`, an implementation independent of the product's.

use crate::common;

use common::{begin, count, early_in_step, link, now, oathtool, Client, TestApp, STRONG_PASSWORD};
use http::StatusCode;
use serde_json::Value;
use sqlx::Row;

on_every_backend!(
    linking_a_device_with_codes_from_an_independent_generator,
    wrong_codes_and_bad_names_link_nothing,
    an_unfinished_setup_resumes_then_expires_and_never_counts,
    login_asks_for_a_code_and_nothing_else_is_reachable_before,
    codes_are_single_use_and_only_one_step_old,
    a_code_racing_itself_is_accepted_once,
    wrong_codes_are_throttled_across_devices,
    removing_devices_stops_their_codes_and_the_last_turns_two_factor_off,
    recovery_codes_work_once_and_regenerating_voids_them,
    renaming_keeps_the_secret,
    sensitive_actions_need_a_recent_password,
    the_security_log_shows_what_happened,
    the_wizard_works_without_javascript,
    regenerated_codes_are_shown_once_also_without_javascript,
);

const EMAIL: &str = "ada@example.com";

async fn overview(client: &mut Client) -> Value {
    let res = client.call("/api/two-factor", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

/// Password step of a login; asserts it leads to the code step.
async fn password_step(app: &TestApp) -> Client {
    let mut client = app.client();
    let res = client.login(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/login/two-factor?next=/settings"));
    client
}

async fn code_step(client: &mut Client, code: &str) -> common::Response {
    client
        .call("/api/login/two-factor", &[("code", code), ("next", "")])
        .await
}

async fn linking_a_device_with_codes_from_an_independent_generator(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let page = ada.get("/settings/authentication").await;
    assert!(page.body.contains("Enable Two-factor authentication"));
    assert_eq!(page.header("cache-control"), Some("no-store"));

    let pending = begin(&mut ada, "Work phone").await;
    let key = pending["setup_key"].as_str().unwrap().to_owned();
    let compact = key.replace(' ', "");
    assert_eq!(
        compact.len(),
        32,
        "160 bits in base32 without padding: {key}"
    );
    assert!(compact
        .chars()
        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    let qr = pending["qr_code"].as_str().unwrap();
    assert!(qr.starts_with("data:image/svg+xml,"), "{qr}");

    // A reload shows the same device with the same secret, and the QR code and key.
    let page = ada.get("/settings/authentication").await;
    assert!(page.body.contains(&key), "the pending key is shown again");
    assert!(page.body.contains("alt=\"QR code\""));
    assert!(page.body.contains("Setup key"));
    let again = overview(&mut ada).await;
    assert_eq!(again["pending"]["setup_key"], key.as_str());

    // At rest the secret is neither the key nor its bytes.
    let stored: String = sqlx::query("SELECT secret FROM totp_devices")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("secret");
    assert!(!stored.contains(&compact));
    assert!(stored.len() > 80, "nonce + ciphertext + tag: {stored}");

    early_in_step().await;
    let code = oathtool(&key, now());
    let res = ada
        .call(
            "/api/two-factor/finish",
            &[
                ("device_id", &pending["id"].to_string()),
                ("code", &format!("{} {}", &code[..3], &code[3..])),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let linked = res.json();
    let codes = linked["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);

    let status = overview(&mut ada).await;
    assert_eq!(status["devices"][0]["name"], "Work phone");
    assert!(status["pending"].is_null());
    assert_eq!(status["recovery_codes_left"], 10);
    let page = ada.get("/settings/authentication").await;
    assert!(page.body.contains("Link another device"));
    assert!(page.body.contains("Work phone"));

    // A second device gets its own secret and no new recovery codes.
    let (second, codes) = link(&mut ada, "Laptop KeePassXC").await;
    assert!(codes.is_empty());
    assert_ne!(second.key, key);
    assert_eq!(
        overview(&mut ada).await["devices"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn wrong_codes_and_bad_names_link_nothing(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    for (name, expected) in [
        ("", "Enter a name"),
        (&"x".repeat(65) as &str, "64 characters"),
    ] {
        let res = ada.call("/api/two-factor/begin", &[("name", name)]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.field_error("name").unwrap().contains(expected),
            "{}",
            res.body
        );
    }
    let pending = begin(&mut ada, "Phone").await;
    let key = pending["setup_key"].as_str().unwrap();
    let wrong = format!(
        "{:06}",
        (oathtool(key, now()).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    for (code, expected) in [
        (wrong.as_str(), "not correct"),
        ("12345", "6 digits"),
        ("abcdef", "6 digits"),
    ] {
        let res = ada
            .call(
                "/api/two-factor/finish",
                &[("device_id", &pending["id"].to_string()), ("code", code)],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.field_error("code").unwrap().contains(expected),
            "{}",
            res.body
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM totp_devices WHERE confirmed_at IS NOT NULL"
        )
        .await,
        0
    );

    link(&mut ada, "Phone").await;
    let res = ada
        .call("/api/two-factor/begin", &[("name", "  PHONE ")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .field_error("name")
        .unwrap()
        .contains("already have a device"));
}

async fn an_unfinished_setup_resumes_then_expires_and_never_counts(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let first = begin(&mut ada, "Phone").await;
    // Starting again replaces the unfinished device: one wizard at a time.
    let second = begin(&mut ada, "Phone").await;
    assert_ne!(first["setup_key"], second["setup_key"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM totp_devices").await, 1);

    // A pending device is not two-factor: the login has no code step.
    let mut other = app.client();
    let res = other.login(EMAIL, STRONG_PASSWORD).await;
    assert_eq!(res.location(), Some("/settings"));

    sqlx::query("UPDATE totp_devices SET created_at = created_at - 901")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert!(overview(&mut ada).await["pending"].is_null());
    let key = second["setup_key"].as_str().unwrap();
    let res = ada
        .call(
            "/api/two-factor/finish",
            &[
                ("device_id", &second["id"].to_string()),
                ("code", &oathtool(key, now())),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field_error("code").unwrap().contains("ran out of time"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM totp_devices WHERE confirmed_at IS NOT NULL"
        )
        .await,
        0
    );
}

async fn login_asks_for_a_code_and_nothing_else_is_reachable_before(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (device, _) = link(&mut ada, "Phone").await;

    let mut bob = password_step(&app).await;
    let page = bob.get("/login/two-factor?next=/settings").await;
    assert!(page.body.contains("Authentication code"));
    assert!(page.body.contains("Verify"));
    assert_eq!(
        bob.get("/settings").await.location(),
        Some("/login?next=/settings")
    );
    assert_eq!(
        bob.call("/api/me", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        bob.call("/api/two-factor", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    let before = bob.cookie_header();
    let res = code_step(&mut bob, &oathtool(&device.key, now())).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/settings"));
    assert_ne!(
        bob.cookie_header(),
        before,
        "the session id changes after the second factor"
    );
    assert_eq!(bob.get("/settings").await.status, StatusCode::OK);

    // Without the password step there is nothing to verify.
    let mut eve = app.client();
    let res = code_step(&mut eve, &oathtool(&device.key, now())).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.body.contains("LoginExpired"));
}

async fn codes_are_single_use_and_only_one_step_old(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (device, _) = link(&mut ada, "Phone").await;

    let mut first = password_step(&app).await;
    let res = code_step(&mut first, &oathtool(&device.key, now() - 60)).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "two steps back is refused"
    );
    assert!(res.field_error("code").unwrap().contains("not correct"));
    let code = oathtool(&device.key, now());
    assert_eq!(code_step(&mut first, &code).await.status, StatusCode::OK);

    // The same code from another session is a replay.
    let mut second = password_step(&app).await;
    let res = code_step(&mut second, &code).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field_error("code").unwrap().contains("already used"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM security_events WHERE kind = 'code_replayed'"
        )
        .await,
        1
    );
}

async fn a_code_racing_itself_is_accepted_once(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (device, _) = link(&mut ada, "Phone").await;
    let mut clients = Vec::new();
    for _ in 0..6 {
        clients.push(password_step(&app).await);
    }
    let code = oathtool(&device.key, now());
    let mut racing = tokio::task::JoinSet::new();
    for mut client in clients {
        let code = code.clone();
        racing.spawn(async move { code_step(&mut client, &code).await });
    }
    let results = racing.join_all().await;
    let accepted = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(
        accepted,
        1,
        "{:?}",
        results.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
}

async fn wrong_codes_are_throttled_across_devices(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (phone, _) = link(&mut ada, "Phone").await;
    let (laptop, _) = link(&mut ada, "Laptop").await;
    let mut bob = password_step(&app).await;
    for _ in 0..5 {
        let res = code_step(&mut bob, "000000").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    }
    for key in [&phone.key, &laptop.key] {
        let res = code_step(&mut bob, &oathtool(key, now())).await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    }
}

async fn removing_devices_stops_their_codes_and_the_last_turns_two_factor_off(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (phone, _) = link(&mut ada, "Phone").await;
    let (laptop, _) = link(&mut ada, "Laptop").await;
    let page = ada.get("/settings/authentication").await;
    assert!(!page.body.contains("This is your last second factor"));

    let res = ada
        .call(
            "/api/two-factor/remove",
            &[("kind", "app"), ("id", &phone.id.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut bob = password_step(&app).await;
    let res = code_step(&mut bob, &oathtool(&phone.key, now())).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a removed device's code"
    );
    assert_eq!(
        code_step(&mut bob, &oathtool(&laptop.key, now()))
            .await
            .status,
        StatusCode::OK
    );

    let page = ada.get("/settings/authentication").await;
    assert!(
        page.body.contains("This is your last second factor"),
        "warned before it happens"
    );
    let res = ada
        .call(
            "/api/two-factor/remove",
            &[("kind", "app"), ("id", &laptop.id.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recovery_codes").await, 0);
    let mut carol = app.client();
    assert_eq!(
        carol.login(EMAIL, STRONG_PASSWORD).await.location(),
        Some("/settings"),
        "two-factor is off"
    );
    // Someone else's device id is not found.
    let res = ada
        .call(
            "/api/two-factor/remove",
            &[("kind", "app"), ("id", "999999")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

async fn recovery_codes_work_once_and_regenerating_voids_them(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (_, codes) = link(&mut ada, "Phone").await;
    let stored: String = sqlx::query("SELECT code_hash FROM recovery_codes")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("code_hash");
    assert!(
        codes.iter().all(|c| !stored.contains(&c.replace('-', ""))),
        "stored hashed"
    );

    let mut bob = password_step(&app).await;
    let res = code_step(&mut bob, &codes[0].to_uppercase()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut carol = password_step(&app).await;
    let res = code_step(&mut carol, &codes[0]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field_error("code").unwrap().contains("already used"));
    assert_eq!(overview(&mut ada).await["recovery_codes_left"], 9);

    let res = ada.call("/api/two-factor/recovery-codes", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let fresh: Vec<String> = serde_json::from_str(&res.body).unwrap();
    assert_eq!(fresh.len(), 10);
    let res = code_step(&mut carol, &codes[1]).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "old codes are void"
    );
    assert_eq!(
        code_step(&mut carol, &fresh[1]).await.status,
        StatusCode::OK
    );
}

async fn renaming_keeps_the_secret(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (phone, _) = link(&mut ada, "Phone").await;
    link(&mut ada, "Laptop").await;
    let res = ada
        .call(
            "/api/two-factor/rename",
            &[
                ("kind", "app"),
                ("id", &phone.id.to_string()),
                ("new_name", "laptop"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .field_error("new_name")
        .unwrap()
        .contains("already have"));
    let res = ada
        .call(
            "/api/two-factor/rename",
            &[
                ("kind", "app"),
                ("id", &phone.id.to_string()),
                ("new_name", "<b>Old phone</b>"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let page = ada.get("/settings/authentication").await;
    assert!(
        page.body.contains("&lt;b&gt;Old phone&lt;/b&gt;"),
        "escaped where shown"
    );
    assert!(!page.body.contains("<b>Old phone"));
    let mut bob = password_step(&app).await;
    assert_eq!(
        code_step(&mut bob, &oathtool(&phone.key, now()))
            .await
            .status,
        StatusCode::OK
    );
}

async fn sensitive_actions_need_a_recent_password(app: TestApp) {
    // A window of zero minutes: every sensitive action asks.
    let mut config = app.config.clone();
    config.security.reauth_seconds = 0;
    let strict = TestApp::with_config(config).await;
    let mut ada = strict.signed_up(EMAIL, "+49 151 23456789").await;
    for (path, fields) in [
        ("/api/two-factor/begin", vec![("name", "Phone")]),
        ("/api/two-factor/recovery-codes", vec![]),
        ("/api/two-factor/remove", vec![("kind", "app"), ("id", "1")]),
        (
            "/api/two-factor/finish",
            vec![("device_id", "1"), ("code", "123456")],
        ),
    ] {
        let res = ada.call(path, &fields).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}: {}", res.body);
        assert!(res.body.contains("ReauthRequired"));
    }
    let res = ada
        .call(
            "/api/confirm-access",
            &[("password", "not my password at all")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field_error("password").unwrap().contains("not correct"));
    let res = ada
        .call("/api/confirm-access", &[("password", STRONG_PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Renaming is not sensitive; with the default window, linking right after sign-up works
    // (every other test does it).
    assert_eq!(count(&strict, "SELECT COUNT(*) FROM totp_devices").await, 0);
}

async fn the_security_log_shows_what_happened(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (phone, _) = link(&mut ada, "Phone").await;
    let mut bob = password_step(&app).await;
    code_step(&mut bob, "000000").await;
    ada.call(
        "/api/two-factor/remove",
        &[("kind", "app"), ("id", &phone.id.to_string())],
    )
    .await;
    let page = ada.get("/settings/authentication").await;
    for text in [
        "Security log",
        "Linked the device \u{201c}Phone\u{201d}",
        "Wrong authentication code",
        "Removed the device \u{201c}Phone\u{201d}",
        "Two-factor authentication turned off",
        "192.0.2.10",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
}

#[tokio::test]
async fn the_server_key_is_made_once_with_owner_only_access_and_reused() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::sqlite().await;
    let url = app.config.database.url.clone();
    let dir = std::path::PathBuf::from(url.trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_owned();
    let key_file = dir.join("secret.key");
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let key = std::fs::read_to_string(&key_file).unwrap();

    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (device, _) = link(&mut ada, "Phone").await;
    // A restart reads the same key and so still checks the device's codes.
    let restarted = server::build(&app.config).await.unwrap();
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    let again = TestApp {
        router: restarted.router,
        state: restarted.state,
        config: app.config.clone(),
        scratch: None,
        postgres_database: None,
        mail_dir: std::path::PathBuf::new(),
    };
    let mut bob = password_step(&again).await;
    assert_eq!(
        code_step(&mut bob, &oathtool(&device.key, now()))
            .await
            .status,
        StatusCode::OK
    );
}

async fn the_wizard_works_without_javascript(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let page = ada.get("/settings/authentication?wizard=name").await;
    assert!(page.body.contains("Device name"));
    // A page of its own: the wizard without the page's other sections.
    for other in ["Change password", "Sessions", "Security log", "Passkeys"] {
        assert!(
            !page.body.contains(&format!(">{other}</h2>")),
            "{other} shown"
        );
        assert!(
            !page.body.contains(&format!(">{other}</h3>")),
            "{other} shown"
        );
    }
    let whole = ada.get("/settings/authentication").await;
    for section in ["Change password", "Sessions", "Security log"] {
        assert!(
            whole.body.contains(&format!(">{section}</h2>")),
            "{section}"
        );
    }
    let res = ada
        .post_html_form(
            "/api/two-factor/begin",
            "/settings/authentication?wizard=name",
            &[("name", "Phone")],
        )
        .await;
    assert_eq!(res.location(), Some("/settings/authentication?wizard=scan"));
    let page = ada.get("/settings/authentication?wizard=scan").await;
    let pending = overview(&mut ada).await["pending"].clone();
    let key = pending["setup_key"].as_str().unwrap();
    assert!(page.body.contains(key));
    let page = ada.get("/settings/authentication?wizard=confirm").await;
    assert!(page.body.contains("Finish"));
    early_in_step().await;
    let res = ada
        .post_html_form(
            "/api/two-factor/finish",
            "/settings/authentication?wizard=confirm",
            &[
                ("device_id", &pending["id"].to_string()),
                ("code", &oathtool(key, now())),
            ],
        )
        .await;
    assert_eq!(
        res.location(),
        Some("/settings/authentication?wizard=done"),
        "{}",
        res.body
    );
    // The page after the redirect shows the first device's recovery codes, once.
    let page = ada.get("/settings/authentication?wizard=done").await;
    assert!(page
        .body
        .contains("\u{201c}Phone\u{201d} is linked to your account."));
    // What the page says follows the change: it is on, and nothing says it is off.
    assert!(page.body.contains("Two-factor authentication is on."));
    assert!(!page.body.contains("Status: "), "{}", page.body);
    let codes = recovery_codes_in(&page.body);
    assert_eq!(codes.len(), 10, "{}", page.body);
    let again = ada.get("/settings/authentication?wizard=done").await;
    assert!(recovery_codes_in(&again.body).is_empty(), "shown only once");
    assert!(again.body.contains("The device is linked to your account."));
    assert_eq!(overview(&mut ada).await["devices"][0]["name"], "Phone");
    assert_eq!(
        code_step(&mut password_step(&app).await, &codes[3])
            .await
            .status,
        StatusCode::OK,
        "the codes shown are the account's"
    );
}

/// The codes in a page's "Your recovery codes" list.
fn recovery_codes_in(html: &str) -> Vec<String> {
    let Some((_, list)) = html.split_once(r#"aria-label="Your recovery codes""#) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap_or_default();
    list.split("<code>")
        .skip(1)
        .filter_map(|c| c.split_once("</code>").map(|(code, _)| code.to_owned()))
        .collect()
}

/// "Regenerate" sent as a plain form post: without JavaScript, or before its island loaded.
/// The browser follows a redirect, so the page it lands on must show the new codes (the old
/// ones are void), and only that page.
async fn regenerated_codes_are_shown_once_also_without_javascript(app: TestApp) {
    let mut ada = app.signed_up(EMAIL, "+49 151 23456789").await;
    let (_, old) = link(&mut ada, "Phone").await;
    let res = ada
        .post_html_form(
            "/api/two-factor/recovery-codes",
            "/settings/authentication",
            &[],
        )
        .await;
    assert_eq!(
        res.location(),
        Some("/settings/authentication#recovery-codes"),
        "{}",
        res.body
    );
    // While they wait for that page they are in the session store, but sealed.
    let table = if app.postgres_database.is_some() {
        "tower_sessions.session"
    } else {
        "tower_sessions"
    };
    let stored: Vec<Vec<u8>> = sqlx::query(&format!("SELECT data FROM {table}"))
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<Vec<u8>, _>(0))
        .collect();
    let page = ada.get("/settings/authentication").await;
    let fresh = recovery_codes_in(&page.body);
    assert!(!stored.is_empty());
    for code in &fresh {
        assert!(
            !stored
                .iter()
                .any(|s| s.windows(code.len()).any(|w| w == code.as_bytes())),
            "{code} is stored readable"
        );
    }
    assert_eq!(fresh.len(), 10, "{}", page.body);
    assert!(page.body.contains("10 of 10 recovery codes left."));
    assert!(
        fresh.iter().all(|c| !old.contains(c)),
        "new codes: {fresh:?}"
    );
    let reload = ada.get("/settings/authentication").await;
    assert!(
        recovery_codes_in(&reload.body).is_empty(),
        "shown only once"
    );
    let unchanged = ada.get("/settings/authentication").await;
    assert_eq!(
        unchanged.set_cookies(),
        Vec::<String>::new(),
        "a page with nothing kept saves no session"
    );
    assert_eq!(
        code_step(&mut password_step(&app).await, &old[0])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the old codes are void"
    );
    assert_eq!(
        code_step(&mut password_step(&app).await, &fresh[9])
            .await
            .status,
        StatusCode::OK
    );

    // With JavaScript the codes come in the answer, and no page shows them afterwards.
    let res = ada.call("/api/two-factor/recovery-codes", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let page = ada.get("/settings/authentication").await;
    assert!(recovery_codes_in(&page.body).is_empty());
}
