//! Verified email, password reset, security notifications and the mail outbox, through the
//! real router on SQLite and PostgreSQL. Mail is read where the server put it: `.eml` files
//! (no relay configured), or a real SMTP server (aiosmtpd) on loopback.

use crate::common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::{
    count, link, now, oathtool, scratch_database, Client, ServerProcess, SmtpSink, TestApp,
    STRONG_PASSWORD,
};
use http::StatusCode;
use sqlx::Row;

on_every_backend!(
    sign_up_mails_a_link_that_confirms_the_address_once,
    a_new_verification_link_voids_the_old_one_and_resend_is_throttled,
    verification_links_expire,
    a_link_opened_while_signed_in_as_someone_else_changes_nothing,
    invitations_by_address_wait_for_a_verified_email,
    an_invitation_link_proves_the_address,
    password_reset_ends_every_session_and_works_once,
    password_reset_answers_the_same_for_unknown_addresses,
    reset_links_expire_and_a_newer_one_voids_the_older,
    password_reset_still_asks_for_the_second_factor,
    reset_requests_are_throttled_per_address_and_per_client,
    security_notifications_say_what_when_and_from_where,
    unverified_addresses_get_no_security_mail,
    a_relay_that_is_down_delays_mail_and_never_fails_the_action,
    a_refused_recipient_is_kept_as_failed_and_the_action_succeeds,
    a_stalled_relay_never_holds_up_the_action,
    an_expired_claim_is_taken_over_and_the_stale_worker_changes_nothing,
    a_claim_takes_at_most_its_batch,
);

const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const NEW_PASSWORD: &str = "copper lantern drifts eastward";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn me(client: &mut Client) -> common::Response {
    client.call("/api/me", &[]).await
}

fn verify_prefix(app: &TestApp) -> String {
    format!("{}/verify-email/", app.config.server.public_url)
}

fn reset_prefix(app: &TestApp) -> String {
    format!("{}/password-reset/", app.config.server.public_url)
}

async fn verification_token(app: &TestApp, email: &str) -> String {
    app.mail_to(email, "Confirm your email address")
        .await
        .token_after(&verify_prefix(app))
}

async fn request_reset(client: &mut Client, email: &str) -> common::Response {
    client
        .call("/api/password-reset/request", &[("email", email)])
        .await
}

/// Asks for a reset and returns the token of the new mail.
async fn reset_token(app: &TestApp, email: &str) -> String {
    let before = app.mails_to(email, "Reset your").len();
    let res = request_reset(&mut app.client(), email).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for _ in 0..200 {
        if app.mails_to(email, "Reset your").len() > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.mail_to(email, "Reset your")
        .await
        .token_after(&reset_prefix(app))
}

async fn reset(client: &mut Client, token: &str, password: &str) -> common::Response {
    client
        .call(
            "/api/password-reset",
            &[
                ("token", token),
                ("new_password", password),
                ("new_password_confirmation", password),
            ],
        )
        .await
}

async fn sign_up_mails_a_link_that_confirms_the_address_once(app: TestApp) {
    // An address with a display name would be mailed somewhere else than it reads.
    let res = app
        .client()
        .signup(&[("email", "x<victim@corp.example>")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.field_error("email").is_some(), "{}", res.body);
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    assert_eq!(me(&mut ada).await.json()["email_verified"], false);
    let page = ada.get("/settings").await;
    assert!(
        page.body.contains("Confirm your email address"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(">Resend</button>"),
        "the notice offers Resend"
    );

    let mail = app.mail_to(ADA, "Confirm your email address").await;
    let token = mail.token_after(&verify_prefix(&app));
    assert_eq!(token.len(), 64, "256 bits as hex");
    // The file a newcomer opens (no relay) has the link whole, on one line.
    let raw = std::fs::read_to_string(&mail.file).unwrap();
    assert!(
        raw.contains(&format!("\r\n{}{token}\r\n", verify_prefix(&app))),
        "{raw}"
    );
    assert!(mail.text.contains("expires in 24 hours"), "{}", mail.text);
    let stored: String = sqlx::query("SELECT token_hash FROM email_tokens")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("token_hash");
    assert_eq!(
        stored,
        app::tokens::token_hash(&token),
        "only its SHA-256 is stored"
    );

    // Opening the link shows what it confirms and a button; fetching it (as a mail scanner
    // does, any number of times) confirms nothing.
    for _ in 0..2 {
        let page = app.client().get(&format!("/verify-email/{token}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("ada@example.com"), "{}", page.body);
        assert!(
            page.body.contains(">Confirm email address</button>"),
            "{}",
            page.body
        );
    }
    assert_eq!(me(&mut ada).await.json()["email_verified"], false);

    // The button, in the same browser.
    let res = ada.call("/api/email/verify", &[("token", &token)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/settings?done=email-confirmed"));
    assert_eq!(me(&mut ada).await.json()["email_verified"], true);
    let page = ada.get("/settings?done=email-confirmed").await;
    assert!(!page.body.contains("Confirm your email address"));
    assert!(page.body.contains("your email address is confirmed"));

    // Single use: the same link again says it does not work, and changes nothing.
    let again = app.client().get(&format!("/verify-email/{token}")).await;
    assert!(
        again.body.contains("does not work any more"),
        "{}",
        again.body
    );
    let res = app
        .client()
        .call("/api/email/verify", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let log = ada.call("/api/security-log", &[]).await.json();
    assert!(
        log.to_string()
            .contains("Confirmed the email address ada@example.com"),
        "{log}"
    );
}

async fn a_new_verification_link_voids_the_old_one_and_resend_is_throttled(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let first = verification_token(&app, ADA).await;
    let res = ada.call("/api/email/resend-verification", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for _ in 0..200 {
        if app.mails_to(ADA, "Confirm your email address").len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = verification_token(&app, ADA).await;
    assert_ne!(first, second);
    let old = app
        .client()
        .call("/api/email/verify", &[("token", &first)])
        .await;
    assert_eq!(old.status, StatusCode::FORBIDDEN, "replaced: {}", old.body);
    assert_eq!(me(&mut ada).await.json()["email_verified"], false);

    // Five mails an hour (the default); the first Resend was one of them.
    for _ in 0..4 {
        let res = ada.call("/api/email/resend-verification", &[]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    let res = ada.call("/api/email/resend-verification", &[]).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    // Nothing failed: the words say what the limit is about.
    let error: app::error::AppError = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        error.to_string(),
        "Too many requests. Please wait 60 minutes and try again."
    );

    // Without JavaScript the notice's form comes back to the page it was on.
    let res = ada
        .post_html_form("/api/email/resend-verification", "/settings/ssh-keys", &[])
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let back = res.location().unwrap().to_owned();
    let back = back.strip_prefix(common::ORIGIN).unwrap_or(&back);
    assert!(back.starts_with("/settings/ssh-keys?"), "{back}");
    let page = ada.get(back).await;
    assert!(
        page.body.contains("Too many"),
        "the refusal is shown: {back}"
    );

    // Only the newest of the six links (sign-up and five Resends) works.
    for _ in 0..200 {
        if app.mails_to(ADA, "Confirm your email address").len() == 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let latest = verification_token(&app, ADA).await;
    let res = ada.call("/api/email/verify", &[("token", &latest)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(me(&mut ada).await.json()["email_verified"], true);
}

async fn verification_links_expire(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let token = verification_token(&app, ADA).await;
    // A link works while its expiry is still ahead: at the expiry it is refused ...
    sqlx::query("UPDATE email_tokens SET expires_at = $1")
        .bind(now())
        .execute(&app.state.db)
        .await
        .unwrap();
    let res = ada.call("/api/email/verify", &[("token", &token)]).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "expired at now: {}",
        res.body
    );
    assert_eq!(me(&mut ada).await.json()["email_verified"], false);
    sqlx::query("UPDATE email_tokens SET expires_at = $1")
        .bind(now() + 60)
        .execute(&app.state.db)
        .await
        .unwrap();
    let res = ada.call("/api/email/verify", &[("token", &token)]).await;
    assert_eq!(res.status, StatusCode::OK, "before the end: {}", res.body);
}

async fn a_link_opened_while_signed_in_as_someone_else_changes_nothing(app: TestApp) {
    let _ada = app.signed_up(ADA, "+49 151 23456789").await;
    let mut bob = app.signed_up(BOB, "+49 151 23456788").await;
    let token = verification_token(&app, ADA).await;
    let page = bob.get(&format!("/verify-email/{token}")).await;
    assert!(page.body.contains("another account"), "{}", page.body);
    assert!(page.body.contains("bob@example.com"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL"
        )
        .await,
        0
    );
    let res = bob.call("/api/email/verify", &[("token", &token)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(res.body.contains("another account"), "{}", res.body);
    // The link was not used up: opened signed out, it confirms Ada's address and leads to
    // the login page.
    let res = app
        .client()
        .call("/api/email/verify", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/login?done=email-confirmed"));
    let login = app.client().get("/login?done=email-confirmed").await;
    assert!(login.body.contains("your email address is confirmed"));

    let reset = reset_token(&app, ADA).await;
    let res = bob
        .call("/api/password-reset/check", &[("token", &reset)])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("another account"), "{}", res.body);
    let res = self::reset(&mut bob, &reset, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert_eq!(
        app.client().login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::OK,
        "Ada's password is unchanged"
    );
    assert_eq!(
        me(&mut bob).await.status,
        StatusCode::OK,
        "Bob stays signed in"
    );
}

async fn invite(client: &mut Client, email: &str) -> i64 {
    let accounts = client.call("/api/accounts", &[]).await.json();
    let account = accounts["accounts"][0]["id"].as_i64().unwrap();
    let res = client
        .call(
            "/api/invitations/send",
            &[
                ("account_id", &account.to_string()),
                ("email", email),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    account
}

async fn invitations_by_address_wait_for_a_verified_email(app: TestApp) {
    const CFO: &str = "cfo@acme.example";
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = invite(&mut ada, CFO).await;
    let invitation: i64 = count(&app, "SELECT id FROM invitations").await;

    // Mallory signs up with the CFO's address before the CFO does.
    let mut mallory = app.signed_up(CFO, "+49 151 23456787").await;
    let listed = mallory.call("/api/accounts", &[]).await.json();
    assert_eq!(listed["email_verified"], false);
    assert!(
        listed["invitations"].as_array().unwrap().is_empty(),
        "not listed before the address is proven: {listed}"
    );
    let res = mallory
        .call(
            "/api/invitations/answer",
            &[
                ("invitation_id", &invitation.to_string()),
                ("accept", "true"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(
        res.body.contains("Confirm your email address"),
        "{}",
        res.body
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM memberships").await,
        2,
        "two sign-ups, no one joined"
    );
    let res = mallory
        .call(
            "/api/invitations/answer",
            &[
                ("invitation_id", &invitation.to_string()),
                ("accept", "false"),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "nor decline it: {}",
        res.body
    );
    // The same answer for an id that does not exist: nothing tells which invitations exist.
    let missing = mallory
        .call(
            "/api/invitations/answer",
            &[("invitation_id", "999999"), ("accept", "true")],
        )
        .await;
    assert_eq!((missing.status, &missing.body), (res.status, &res.body));
    let page = mallory.get("/accounts").await;
    assert!(
        page.body.contains("once you have confirmed it"),
        "{}",
        page.body
    );

    // Once the address is proven, the list shows the invitation and accepts from it.
    app.verify_email(&mut mallory, CFO).await;
    let listed = mallory.call("/api/accounts", &[]).await.json();
    assert_eq!(listed["invitations"][0]["id"], invitation, "{listed}");
    let res = mallory
        .call(
            "/api/invitations/answer",
            &[
                ("invitation_id", &invitation.to_string()),
                ("accept", "true"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let members = ada
        .call("/api/accounts/details", &[("id", &account.to_string())])
        .await
        .json()["members"]
        .clone();
    assert_eq!(members[1]["email"], CFO);
}

async fn an_invitation_link_proves_the_address(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    invite(&mut ada, BOB).await;
    let token = app.invitation_token(BOB).await;
    let mut bob = app.client();
    let res = bob
        .signup(&[
            ("email", BOB),
            ("mobile", "+49 151 23456788"),
            ("invitation", &token),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(me(&mut bob).await.json()["email_verified"], true);
    assert!(
        app.mails_to(BOB, "Confirm your email address").is_empty(),
        "no verification mail: the invitation link was the proof"
    );

    // Accepting through the link, signed in, proves it too.
    let mut carol = app.signed_up("carol@example.com", "+49 151 23456786").await;
    invite(&mut ada, "carol@example.com").await;
    let token = app.invitation_token("carol@example.com").await;
    assert_eq!(me(&mut carol).await.json()["email_verified"], false);
    let res = carol
        .call("/api/invitations/accept", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(me(&mut carol).await.json()["email_verified"], true);
}

async fn password_reset_ends_every_session_and_works_once(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let mut other_browser = app.client();
    assert_eq!(
        other_browser.login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
    let login = app.client().get("/login").await;
    assert!(login.body.contains("href=\"/password-reset\""));
    assert!(login.body.contains("Forgot password?"));

    let token = reset_token(&app, ADA).await;
    let mail = app.mail_to(ADA, "Reset your").await;
    assert!(mail.text.contains("expires in 1 hour"), "{}", mail.text);
    let page = app.client().get(&format!("/password-reset/{token}")).await;
    for words in [
        "Choose a new password",
        "New password",
        "Confirm new password",
        "Set new password",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }

    // The same rules as at sign-up; a refusal leaves the link usable.
    let res = reset(&mut ada, &token, "password1234").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.field_error("new_password").is_some(), "{}", res.body);
    let res = reset(&mut ada, &token, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/login?done=password-reset"));

    // Every session ended, this one included, and the Sessions list says so at once.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM user_sessions WHERE ended_at IS NULL"
        )
        .await,
        0
    );
    assert_eq!(me(&mut ada).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&mut other_browser).await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = app.client().get("/login?done=password-reset").await;
    assert!(login.body.contains("Your password was changed"));
    assert_eq!(
        app.client().login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut fresh = app.client();
    assert_eq!(fresh.login(ADA, NEW_PASSWORD).await.status, StatusCode::OK);
    // The link was mailed to the address, so the reset proved it.
    assert_eq!(me(&mut fresh).await.json()["email_verified"], true);
    let log = fresh
        .call("/api/security-log", &[])
        .await
        .json()
        .to_string();
    assert!(log.contains("Reset the password by email link"), "{log}");

    // Single use.
    let res = reset(&mut app.client(), &token, "another quiet meadow song").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let page = app.client().get(&format!("/password-reset/{token}")).await;
    assert!(
        page.body.contains("does not work any more"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Ask for a new link"));
}

async fn password_reset_answers_the_same_for_unknown_addresses(app: TestApp) {
    let _ada = app.signed_up(ADA, "+49 151 23456789").await;
    let known = request_reset(&mut app.client(), ADA).await;
    let unknown = request_reset(&mut app.client(), "nobody@example.com").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(
        (known.status, &known.body),
        (unknown.status, &unknown.body),
        "the same answer"
    );
    // Both links would be made after the answer, at once: once Ada's mail is out, a mail to
    // the unknown address would be too.
    app.mail_to(ADA, "Reset your").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.mails_to("nobody@example.com", "").is_empty());
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'nobody@example.com'"
        )
        .await,
        0
    );
    let res = request_reset(&mut app.client(), "not an address").await;
    assert!(res.field_error("email").is_some(), "{}", res.body);

    // Without JavaScript the page says the same sentence after the post.
    let mut browser = app.client();
    let res = browser
        .post_html_form(
            "/api/password-reset/request",
            "/password-reset",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    let page = browser.get(res.location().unwrap()).await;
    assert!(
        page.body
            .contains("If an account exists for that address, we sent a link."),
        "{}",
        page.body
    );

    // The link is built from the configured public URL, whatever Host the request named.
    let req = http::Request::post("/api/password-reset/request")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("host", "evil.example")
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from(common::form(&[("email", ADA)])))
        .unwrap();
    let res = app.client().send(req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for _ in 0..200 {
        if app.mails_to(ADA, "Reset your").len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mail = app.mail_to(ADA, "Reset your").await;
    assert!(mail.text.contains(&reset_prefix(&app)), "{}", mail.text);
    assert!(!mail.text.contains("evil.example"), "{}", mail.text);
}

async fn reset_links_expire_and_a_newer_one_voids_the_older(app: TestApp) {
    let _ada = app.signed_up(ADA, "+49 151 23456789").await;
    let first = reset_token(&app, ADA).await;
    let second = reset_token(&app, ADA).await;
    assert_ne!(first, second);
    let check = |token: String| {
        let mut client = app.client();
        async move {
            client
                .call("/api/password-reset/check", &[("token", &token)])
                .await
                .status
        }
    };
    assert_eq!(
        check(first.clone()).await,
        StatusCode::FORBIDDEN,
        "replaced"
    );
    assert_eq!(check(second.clone()).await, StatusCode::OK);

    let db = app.state.db.clone();
    let set_expiry = |at: i64| {
        let db = db.clone();
        async move {
            sqlx::query("UPDATE email_tokens SET expires_at = $1 WHERE purpose = 'reset_password'")
                .bind(at)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    set_expiry(now()).await;
    assert_eq!(
        check(second.clone()).await,
        StatusCode::FORBIDDEN,
        "expired"
    );
    let res = reset(&mut app.client(), &second, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    set_expiry(now() + 5).await;
    assert_eq!(check(second.clone()).await, StatusCode::OK, "not yet");
    let res = reset(&mut app.client(), &second, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn password_reset_still_asks_for_the_second_factor(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let (device, _codes) = link(&mut ada, "Phone").await;
    let token = reset_token(&app, ADA).await;
    let res = reset(&mut app.client(), &token, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut client = app.client();
    let res = client.login(ADA, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.location(), Some("/login/two-factor?next=/settings"));
    assert_eq!(
        me(&mut client).await.status,
        StatusCode::UNAUTHORIZED,
        "signed in to nothing before the code"
    );
    let res = client
        .call(
            "/api/login/two-factor",
            &[("code", &oathtool(&device.key, now())), ("next", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(me(&mut client).await.status, StatusCode::OK);
}

async fn reset_requests_are_throttled_per_address_and_per_client(app: TestApp) {
    let mut config = app.config.clone();
    config.security.mail_requests_per_hour = 2;
    config.security.mail_requests_per_client_per_hour = 4;
    let limited = TestApp::with_config(config).await;
    let _ada = limited.signed_up(ADA, "+49 151 23456789").await;
    let mut client = limited.client();
    for email in [ADA, ADA] {
        assert_eq!(
            request_reset(&mut client, email).await.status,
            StatusCode::OK
        );
    }
    let known = request_reset(&mut client, ADA).await;
    assert_eq!(known.status, StatusCode::TOO_MANY_REQUESTS, "per address");
    // From another client address the same email is still limited ...
    let mut elsewhere = limited.client();
    elsewhere.addr = "198.51.100.7:40000".parse().unwrap();
    assert_eq!(
        request_reset(&mut elsewhere, ADA).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ... and one client cannot spray addresses: four requests an hour, whatever the email.
    assert_eq!(
        request_reset(&mut client, "x@example.com").await.status,
        StatusCode::OK
    );
    let res = request_reset(&mut client, "y@example.com").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "per client");

    // Parallel requests cannot get past the limit: it is counted before anything else.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let mut c = limited.client();
        c.addr = format!("203.0.113.{}:40000", i + 1).parse().unwrap();
        tasks.push(tokio::spawn(async move {
            request_reset(&mut c, "zed@example.com").await.status
        }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.unwrap() == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 2, "exactly the limit got through");
    // The links are made after the answer: wait for them, then for any extra one.
    for _ in 0..200 {
        if limited.mails_to(ADA, "Reset your").len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        limited.mails_to(ADA, "Reset your").len(),
        2,
        "two mails for two allowed requests"
    );
}

async fn security_notifications_say_what_when_and_from_where(app: TestApp) {
    let mut ada = app.verified(ADA, "+49 151 23456789").await;
    ada.user_agent = Some(FIREFOX.into());
    let res = ada
        .call(
            "/api/preferences/save",
            &[
                ("timezone", "Europe/Berlin"),
                ("date_format", "iso"),
                ("time_format", "24h"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    let check = |mail: &common::Mail, what: &str| {
        let text = &mail.text;
        assert!(text.contains(what), "{what}: {text}");
        assert!(text.contains("(Europe/Berlin)"), "in her zone: {text}");
        assert!(
            text.contains("From: 192.0.2.10, Firefox 128 on Linux"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "{}/settings/authentication",
                app.config.server.public_url
            )),
            "what to do: {text}"
        );
    };

    let res = ada
        .call(
            "/api/password/change",
            &[
                ("current_password", STRONG_PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    check(
        &app.mail_to(ADA, "password changed").await,
        "The password of your account was changed",
    );

    let key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMLB+D8MBguF5VGxD3eQpFj4YkMFaeDeIXfDbQS42qr1 laptop";
    let res = ada
        .call(
            "/api/ssh-keys/add",
            &[("title", "Laptop"), ("key", key), ("expires_on", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    check(
        &app.mail_to(ADA, "SSH key added").await,
        "SHA256:YP5orrRa05y8dRsH7IU3627+8dQ5rsQ7RXxJ2rj4QT4",
    );

    // Sensitive two-factor actions need a recent password check; the change above was one.
    let res = ada
        .call("/api/confirm-access", &[("password", NEW_PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (device, codes) = link(&mut ada, "Work phone").await;
    check(
        &app.mail_to(ADA, "authenticator device linked").await,
        "\u{201c}Work phone\u{201d} was linked",
    );

    let res = ada.call("/api/two-factor/recovery-codes", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let codes_now: Vec<String> = serde_json::from_str(&res.body).unwrap();
    assert_ne!(codes_now, codes);
    check(
        &app.mail_to(ADA, "new recovery codes").await,
        "the old ones no longer work",
    );

    let mut login = app.client();
    login.user_agent = Some(FIREFOX.into());
    assert_eq!(login.login(ADA, NEW_PASSWORD).await.status, StatusCode::OK);
    let res = login
        .call(
            "/api/login/two-factor",
            &[("code", &codes_now[0]), ("next", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    check(
        &app.mail_to(ADA, "a recovery code was used").await,
        "9 of your recovery",
    );

    let res = ada
        .call(
            "/api/two-factor/remove",
            &[("kind", "app"), ("id", &device.id.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    check(
        &app.mail_to(ADA, "authenticator device removed").await,
        "two-factor authentication is now off",
    );

    let token = reset_token(&app, ADA).await;
    let mut browser = app.client();
    browser.user_agent = Some(FIREFOX.into());
    assert_eq!(
        reset(&mut browser, &token, STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
    check(
        &app.mail_to(ADA, "password reset").await,
        "was reset with a link mailed to this address",
    );
}

async fn unverified_addresses_get_no_security_mail(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let res = ada
        .call(
            "/api/password/change",
            &[
                ("current_password", STRONG_PASSWORD),
                ("new_password", NEW_PASSWORD),
                ("new_password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // The change's own transaction would have queued it; nothing is queued for Ada but the
    // sign-up's verification mail.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'ada@example.com'"
        )
        .await,
        1
    );
    let log = ada.call("/api/security-log", &[]).await.json().to_string();
    assert!(log.contains("Changed the password"), "still logged: {log}");
}

/// A server like `app` whose relay is `smtp_url`, retrying every second, on a database of
/// its own (so that `app`'s worker, which writes files, does not take its mail).
async fn with_relay(app: &TestApp, smtp_url: &str) -> TestApp {
    app.like(|config| {
        config.mail.smtp_url = smtp_url.to_owned();
        config.mail.retry_seconds = 1;
    })
    .await
}

async fn a_relay_that_is_down_delays_mail_and_never_fails_the_action(app: TestApp) {
    let port = common::free_port();
    let relayed = with_relay(&app, &format!("smtp://127.0.0.1:{port}")).await;
    let mut ada = relayed.client();
    let started = std::time::Instant::now();
    let res = ada.signup(&[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "not held up by the relay"
    );
    // Tried and failed, kept for the next attempt.
    let mut tried = false;
    for _ in 0..100 {
        let row = sqlx::query("SELECT status, attempts, last_error FROM outbox")
            .fetch_one(&relayed.state.db)
            .await
            .unwrap();
        if row.get::<i64, _>("attempts") >= 1
            && row.get::<Option<String>, _>("last_error").is_some()
        {
            assert_eq!(row.get::<String, _>("status"), "pending");
            tried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(tried, "the worker tried the relay");

    let relay = SmtpSink::start(port).await;
    let mails = relay.wait_for(ADA, 1).await;
    assert!(
        mails[0].contains("Confirm your email address"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains(&verify_prefix(&relayed)));
    // Sent once, and its body (with the link) is not kept.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(relay.messages_to(ADA).len(), 1);
    let row = sqlx::query("SELECT status, body FROM outbox")
        .fetch_one(&relayed.state.db)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "sent");
    assert_eq!(row.get::<String, _>("body"), "");
}

async fn a_refused_recipient_is_kept_as_failed_and_the_action_succeeds(app: TestApp) {
    let relay = SmtpSink::start(common::free_port()).await;
    let relayed = with_relay(&app, &relay.url()).await;
    let mut ada = relayed.client();
    let res = ada.signup(&[("email", "ghost@refused.example")]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut status = String::new();
    for _ in 0..100 {
        let row = sqlx::query("SELECT status, last_error FROM outbox")
            .fetch_one(&relayed.state.db)
            .await
            .unwrap();
        status = row.get("status");
        if status == "failed" {
            let error: String = row.get("last_error");
            assert!(error.contains("550"), "the relay's reason is kept: {error}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "failed", "a permanent refusal is not retried");
    assert_eq!(
        me(&mut ada).await.status,
        StatusCode::OK,
        "signed up all the same"
    );

    // A bare 550 may be the relay refusing the sender (its configuration): kept for retries.
    let res = relayed
        .client()
        .signup(&[
            ("email", "ghost@denied.example"),
            ("mobile", "+49 151 23456788"),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut retried = false;
    for _ in 0..100 {
        let row = sqlx::query(
            "SELECT status, last_error FROM outbox WHERE recipient = 'ghost@denied.example'",
        )
        .fetch_one(&relayed.state.db)
        .await
        .unwrap();
        if let Some(error) = row.get::<Option<String>, _>("last_error") {
            assert!(error.contains("550"), "{error}");
            assert_eq!(row.get::<String, _>("status"), "pending");
            retried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(retried, "tried, and kept for another try");
}

async fn a_stalled_relay_never_holds_up_the_action(app: TestApp) {
    // Accepts connections (the kernel's backlog) and never says a word.
    let stalled = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = stalled.local_addr().unwrap().port();
    let relayed = app
        .like(|config| {
            config.mail.smtp_url = format!("smtp://127.0.0.1:{port}");
            config.mail.retry_seconds = 1;
            config.mail.send_timeout_seconds = 2;
        })
        .await;
    let started = std::time::Instant::now();
    let res = relayed.client().signup(&[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the sign-up waited {:?} for the relay",
        started.elapsed()
    );
    // The worker is not stuck either: the attempt ends at the send timeout and is retried.
    let mut gave_up = String::new();
    for _ in 0..150 {
        let row = sqlx::query("SELECT status, attempts, last_error FROM outbox")
            .fetch_one(&relayed.state.db)
            .await
            .unwrap();
        if let Some(error) = row.get::<Option<String>, _>("last_error") {
            assert_eq!(row.get::<String, _>("status"), "pending");
            assert!(row.get::<i64, _>("attempts") >= 1);
            gave_up = error;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gave_up.contains("did not finish within 2 s"), "{gave_up:?}");
    drop(stalled);
}

async fn a_claim_takes_at_most_its_batch(app: TestApp) {
    use app::db::outbox;
    let db = &app.state.db;
    // Due only at a time the test names, so the server's own worker leaves them alone.
    let t = now() + 10_000;
    let mut conn = db.acquire().await.unwrap();
    for i in 0..8 {
        let mail = app::mail::NewMail {
            kind: "test",
            to: format!("r{i}@example.com"),
            subject: "Batch".into(),
            body: "Body".into(),
        };
        outbox::enqueue(&mut conn, &mail, t).await.unwrap();
    }
    drop(conn);
    let first = outbox::claim(db, t, t + 600, 5).await.unwrap();
    let second = outbox::claim(db, t, t + 600, 5).await.unwrap();
    assert_eq!((first.len(), second.len()), (5, 3));
    let mut ids: Vec<i64> = first.iter().chain(&second).map(|m| m.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "no mail in both");
}

async fn an_expired_claim_is_taken_over_and_the_stale_worker_changes_nothing(app: TestApp) {
    use app::db::outbox;
    let db = &app.state.db;
    // Mail for the worker's own clock would be sent at once; this one is due only in the
    // future this test plays out with explicit times.
    let t = now() + 10_000;
    let mail = app::mail::NewMail {
        kind: "test",
        to: "r@example.com".into(),
        subject: "Claims".into(),
        body: "Body".into(),
    };
    outbox::enqueue(&mut db.acquire().await.unwrap(), &mail, t)
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET next_attempt_at = $1")
        .bind(t)
        .execute(db)
        .await
        .unwrap();
    assert!(
        outbox::claim(db, t - 1, t + 599, 5)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let first = outbox::claim(db, t, t + 600, 5).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(
        outbox::claim(db, t + 599, t + 1199, 5)
            .await
            .unwrap()
            .is_empty(),
        "held until the lease ends"
    );
    // The first worker died (or stalled): at the end of its lease another takes over.
    let second = outbox::claim(db, t + 600, t + 1200, 5).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempts, 2);
    // The stale worker's outcome is not recorded over the new claim.
    assert!(!outbox::mark_sent(db, &first[0], t + 700).await.unwrap());
    assert!(!outbox::mark_failed(db, &first[0], "stale").await.unwrap());
    let row = sqlx::query("SELECT status, body FROM outbox")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "pending");
    assert_eq!(row.get::<String, _>("body"), "Body");
    assert!(outbox::mark_sent(db, &second[0], t + 700).await.unwrap());
    let row = sqlx::query("SELECT status, body FROM outbox")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "sent");
    assert_eq!(row.get::<String, _>("body"), "", "no link kept");
}

// Separate server processes (the real binary) on one database.

async fn outbox_count(url: &str, sql: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let n = sqlx::query(sql)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get::<i64, _>(0);
    pool.close().await;
    n
}

async fn killed_after_the_commit_the_mail_is_sent_after_restart(postgres: bool) {
    let (url, database) = scratch_database(postgres).await;
    let port = common::free_port();
    let relay_url = format!("smtp://127.0.0.1:{port}");
    // The relay is down: the sign-up commits its mail, which cannot leave yet.
    let mut first = ServerProcess::start(&url, &relay_url).await;
    assert_eq!(first.sign_up(ADA), "200");
    assert_eq!(
        outbox_count(&url, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'").await,
        1
    );
    first.kill_9();

    let relay = SmtpSink::start(port).await;
    let _second = ServerProcess::start(&url, &relay_url).await;
    let mails = relay.wait_for(ADA, 1).await;
    assert!(
        mails[0].contains("Confirm your email address"),
        "{}",
        mails[0]
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(relay.messages_to(ADA).len(), 1, "once");
    if let Some(database) = database {
        drop(_second);
        database.drop().await;
    }
}

async fn two_processes_on_one_database_send_each_mail_once(postgres: bool) {
    let (url, database) = scratch_database(postgres).await;
    // A slow relay, so that both processes have mail to claim while the other is sending.
    let relay = SmtpSink::start_slow(common::free_port(), 0.05).await;
    // Each process greets the relay with its own name (the URL's path is lettre's EHLO name).
    let a = ServerProcess::start(&url, &format!("{}/process-a", relay.url())).await;
    // Both processes are up (migrations done) before the mail is queued.
    let b = ServerProcess::start(&url, &format!("{}/process-b", relay.url())).await;
    const MAILS: usize = 40;
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        for i in 0..MAILS {
            let mail = app::mail::NewMail {
                kind: "test",
                to: format!("r{i}@example.com"),
                subject: format!("Mail {i}"),
                body: format!("Body {i}"),
            };
            app::db::outbox::enqueue(&mut conn, &mail, now())
                .await
                .unwrap();
        }
        drop(conn);
        pool.close().await;
    }
    for _ in 0..300 {
        if relay.messages().len() >= MAILS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a duplicate the time to show up, should there be one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for i in 0..MAILS {
        assert_eq!(
            relay.messages_to(&format!("r{i}@example.com")).len(),
            1,
            "mail {i} exactly once"
        );
    }
    assert_eq!(relay.messages().len(), MAILS);
    for name in ["process-a", "process-b"] {
        assert!(
            relay
                .messages()
                .iter()
                .any(|m| m.starts_with(&format!("X-Ehlo: {name}\n"))),
            "{name} sent some of the mail too: {:?}",
            relay
                .messages()
                .iter()
                .map(|m| m.lines().next().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        );
    }
    assert_eq!(
        outbox_count(&url, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await,
        MAILS as i64
    );
    drop((a, b));
    if let Some(database) = database {
        database.drop().await;
    }
}

/// A CA and a certificate it signed for `localhost`, made with openssl in `dir`; returns the
/// CA file (to trust), the certificate and its key.
fn certificates(dir: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "relay.key",
        "-out",
        "relay.csr",
    ]);
    std::fs::write(
        dir.join("relay.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "relay.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "relay.ext",
        "-out",
        "relay.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("relay.pem"),
        dir.join("relay.key"),
    )
}

/// STARTTLS and implicit TLS with a login, in the URL forms the README gives: the mail
/// arrives encrypted and authenticated, the relay's certificate checked against the roots
/// the server trusts (here the test CA, through rustls-native-certs' `SSL_CERT_FILE`).
async fn mail_goes_out_over_tls_with_a_login(mode: &str) {
    let dir = std::env::temp_dir().join(format!("tessera-tls-{}-{mode}", std::process::id()));
    let (ca, cert, key) = certificates(&dir);
    let relay =
        SmtpSink::start_tls(common::free_port(), mode, &cert, &key, "tessera", "s3cret!").await;
    let url = match mode {
        "starttls" => format!(
            "smtp://tessera:s3cret%21@localhost:{}?tls=required",
            relay.port
        ),
        _ => format!("smtps://tessera:s3cret%21@localhost:{}", relay.port),
    };
    let database = common::scratch_sqlite();
    let server =
        ServerProcess::start_with(&database, &url, &[("SSL_CERT_FILE", ca.to_str().unwrap())])
            .await;
    assert_eq!(server.sign_up(ADA), "200");
    let mails = relay.wait_for(ADA, 1).await;
    assert!(mails[0].contains("X-Tls: True\n"), "{}", mails[0]);
    assert!(mails[0].contains("X-Auth: tessera\n"), "{}", mails[0]);
    assert!(
        mails[0].contains("Confirm your email address"),
        "{}",
        mails[0]
    );
    drop(server);

    // Without the test CA among its roots, the server does not trust the relay: nothing is
    // sent, and the outbox says why.
    let untrusting_db = common::scratch_sqlite();
    let untrusting = ServerProcess::start(&untrusting_db, &url).await;
    assert_eq!(untrusting.sign_up(BOB), "200");
    let mut reason = 0;
    for _ in 0..100 {
        reason = outbox_count(
            &untrusting_db,
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND last_error LIKE '%certificate%'",
        )
        .await;
        if reason == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(reason, 1, "refused for the relay's certificate");
    assert!(relay.messages_to(BOB).is_empty());
    drop(untrusting);
    if let Some(folder) =
        std::path::Path::new(untrusting_db.trim_start_matches("sqlite://")).parent()
    {
        let _ = std::fs::remove_dir_all(folder);
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(folder) = std::path::Path::new(database.trim_start_matches("sqlite://")).parent() {
        let _ = std::fs::remove_dir_all(folder);
    }
}

mod processes {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn starttls_relay_with_a_login() {
        super::mail_goes_out_over_tls_with_a_login("starttls").await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn implicit_tls_relay_with_a_login() {
        super::mail_goes_out_over_tls_with_a_login("smtps").await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_killed_after_the_commit_the_mail_is_sent_after_restart() {
        super::killed_after_the_commit_the_mail_is_sent_after_restart(false).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_killed_after_the_commit_the_mail_is_sent_after_restart() {
        super::killed_after_the_commit_the_mail_is_sent_after_restart(true).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_two_processes_on_one_database_send_each_mail_once() {
        super::two_processes_on_one_database_send_each_mail_once(false).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_two_processes_on_one_database_send_each_mail_once() {
        super::two_processes_on_one_database_send_each_mail_once(true).await
    }
}
