//! The Sessions list, signing sessions out, the sign-in history in the security log, the
//! new-browser mail and the idle-timeout timer's endpoints, through the real router on
//! SQLite and PostgreSQL (and, for two processes on one database, the real server binary).

use crate::common;

use std::process::Command;
use std::time::Duration;

use common::{count, link, now, oathtool, Client, ServerProcess, TestApp, STRONG_PASSWORD};
use http::StatusCode;
use serde_json::Value;
use sqlx::Row;

on_every_backend!(
    sessions_are_listed_with_browser_address_times_and_method,
    another_session_is_signed_out_at_once_and_recorded,
    signing_out_another_session_needs_a_recent_password,
    another_users_session_or_a_guessed_id_is_not_found,
    signing_out_this_session_from_the_list_signs_out_cleanly,
    sign_out_all_other_sessions_keeps_this_one_only,
    requests_of_this_session_racing_sign_out_all_others_never_end_it,
    requests_in_flight_from_before_signing_in_never_sign_the_person_out,
    a_session_from_before_the_list_is_listed_and_can_be_signed_out,
    the_sweep_deletes_expired_sessions_and_never_a_live_one,
    a_password_change_or_reset_empties_the_list_of_other_sessions,
    every_sign_in_event_is_in_the_history_with_browser_and_address,
    lock_outs_are_recorded_once_for_the_owner,
    the_log_is_paged_newest_first,
    the_log_is_kept_for_the_retention_period,
    a_new_browser_gets_the_owner_a_mail_and_a_known_one_does_not,
    browsers_signed_out_from_the_list_are_new_again,
    the_timer_reads_the_session_without_keeping_it_alive,
    the_wizard_knows_how_long_the_password_check_lasts,
);

const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Ada, signed up in Firefox from 192.0.2.10.
async fn ada(app: &TestApp) -> Client {
    let mut client = app.client();
    client.user_agent = Some(FIREFOX.into());
    let res = client.signup(&[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    client
}

/// Ada again, logged in from Chrome at another address.
async fn ada_in_chrome(app: &TestApp) -> Client {
    let mut client = app.client();
    client.user_agent = Some(CHROME.into());
    client.addr = "198.51.100.7:4000".parse().unwrap();
    let res = client.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    client
}

/// Ada in a new browser, through the code step with each of `codes` in turn: the last one
/// must sign her in.
async fn two_step_login(app: &TestApp, codes: &[&str]) -> Client {
    let mut client = app.client();
    let res = client.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut last = None;
    for code in codes {
        let res = client
            .call("/api/login/two-factor", &[("code", code), ("next", "")])
            .await;
        last = Some(res);
    }
    let res = last.expect("a code");
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    client
}

/// Waits until `sql` counts `expected` (refused sign-ins are recorded after the answer), and
/// a moment longer for a wrong extra one to show.
async fn settles_at(app: &TestApp, sql: &str, expected: i64) {
    for _ in 0..50 {
        if count(app, sql).await >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count(app, sql).await, expected, "{sql}");
}

async fn sessions(client: &mut Client) -> Vec<Value> {
    let res = client.call("/api/sessions", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json().as_array().unwrap().clone()
}

fn other(list: &[Value]) -> String {
    let others: Vec<&Value> = list.iter().filter(|s| s["current"] == false).collect();
    assert_eq!(others.len(), 1, "{list:?}");
    others[0]["id"].as_str().unwrap().to_owned()
}

async fn signed_in(client: &mut Client) -> bool {
    let res = client.call("/api/me", &[]).await;
    match res.status {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        status => panic!("{status}: {}", res.body),
    }
}

async fn log(client: &mut Client) -> String {
    client
        .call("/api/security-log", &[])
        .await
        .json()
        .to_string()
}

async fn sessions_are_listed_with_browser_address_times_and_method(app: TestApp) {
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    let list = sessions(&mut firefox).await;
    assert_eq!(list.len(), 2, "{list:?}");
    // This session first.
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[0]["browser"], "Firefox 128 on Linux");
    assert_eq!(list[0]["address"], "192.0.2.10");
    assert_eq!(list[0]["method"], "Password");
    assert_eq!(list[1]["current"], false);
    assert_eq!(list[1]["browser"], "Chrome 131 on Windows 10");
    assert_eq!(list[1]["address"], "198.51.100.7");
    // Times in Ada's own zone and formats (UTC, ISO dates, 24 hours by default).
    let shown_now = app::display::Preferences::default().show(now());
    let today = &shown_now[..10];
    assert!(
        list[1]["signed_in"].as_str().unwrap().starts_with(today),
        "{list:?}"
    );
    assert!(list[1]["last_active"].as_str().unwrap().starts_with(today));
    // The other browser sees the same two, the other way round.
    let theirs = sessions(&mut chrome).await;
    assert_eq!(theirs[0]["browser"], "Chrome 131 on Windows 10");
    assert_eq!(theirs[0]["current"], true);

    // With two-factor on, the method says which second factor was used.
    let (device, codes) = link(&mut firefox, "Phone").await;
    // The link used the previous step's code; this one is still unused.
    two_step_login(&app, &[&oathtool(&device.key, now())]).await;
    let mut with_recovery = two_step_login(&app, &[&codes[0]]).await;
    let methods: Vec<String> = sessions(&mut with_recovery)
        .await
        .iter()
        .map(|s| s["method"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(methods[0], "Password and recovery code");
    assert!(
        methods.contains(&"Password and authenticator code".to_owned()),
        "{methods:?}"
    );
    assert_eq!(methods.len(), 4);

    // The page shows the section, with the words people look for.
    let page = firefox.get("/settings/authentication").await;
    for text in [
        ">Sessions<",
        "This session",
        "Chrome 131 on Windows 10",
        "198.51.100.7",
        "Sign out all other sessions",
        ">Sign out<",
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
}

async fn another_session_is_signed_out_at_once_and_recorded(app: TestApp) {
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    let id = other(&sessions(&mut firefox).await);
    let res = firefox.call("/api/sessions/end", &[("id", &id)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        !signed_in(&mut chrome).await,
        "the next request is signed out"
    );
    assert_eq!(
        chrome.get("/settings").await.location(),
        Some("/login?next=/settings")
    );
    assert!(signed_in(&mut firefox).await, "this one carries on");
    assert_eq!(sessions(&mut firefox).await.len(), 1);
    // Ending it again finds nothing.
    let again = firefox.call("/api/sessions/end", &[("id", &id)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let log = log(&mut firefox).await;
    assert!(
        log.contains("Signed out a session (Chrome 131 on Windows 10, 198.51.100.7)"),
        "{log}"
    );
    // Without JavaScript: the form posts, and the page it came from says so.
    let mut third = ada_in_chrome(&app).await;
    let id = sessions(&mut firefox)
        .await
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = firefox
        .post_html_form(
            "/api/sessions/end",
            "/settings/authentication",
            &[("id", &id)],
        )
        .await;
    assert_eq!(
        res.location(),
        Some("/settings/authentication?done=session-ended")
    );
    let page = firefox
        .get("/settings/authentication?done=session-ended")
        .await;
    assert!(page.body.contains("Session signed out."));
    assert!(!signed_in(&mut third).await);
}

async fn signing_out_another_session_needs_a_recent_password(app: TestApp) {
    let app = app.with_tweaked_settings(|s| s.reauth_secs = 2).await;
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    let id = other(&sessions(&mut firefox).await);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let res = firefox.call("/api/sessions/end", &[("id", &id)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(res.body.contains("ReauthRequired"), "{}", res.body);
    let res = firefox.call("/api/sessions/end-others", &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    assert!(signed_in(&mut chrome).await, "nothing was ended");
    assert_eq!(sessions(&mut firefox).await.len(), 2);

    let res = firefox
        .call("/api/confirm-access", &[("password", STRONG_PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = firefox.call("/api/sessions/end", &[("id", &id)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut chrome).await);
}

async fn another_users_session_or_a_guessed_id_is_not_found(app: TestApp) {
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    let adas = other(&sessions(&mut firefox).await);
    let mut bob = app.signed_up(BOB, "+49 151 11111111").await;
    let res = bob.call("/api/sessions/end", &[("id", &adas)]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    let guessed = "0".repeat(64);
    let res = bob.call("/api/sessions/end", &[("id", &guessed)]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    assert!(signed_in(&mut chrome).await, "Ada's session lives on");
    assert!(signed_in(&mut bob).await);
    assert_eq!(sessions(&mut firefox).await.len(), 2);
    assert_eq!(sessions(&mut bob).await.len(), 1, "Bob sees only his own");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM user_sessions WHERE ended_at IS NOT NULL"
        )
        .await,
        0
    );
}

async fn signing_out_this_session_from_the_list_signs_out_cleanly(app: TestApp) {
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    let list = sessions(&mut firefox).await;
    let mine = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list[0]["current"], true);
    let res = firefox.call("/api/sessions/end", &[("id", &mine)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut firefox).await);
    assert_eq!(
        firefox.get("/settings").await.location(),
        Some("/login?next=/settings")
    );
    assert!(signed_in(&mut chrome).await, "the other one carries on");
    assert_eq!(sessions(&mut chrome).await.len(), 1);
    assert!(log(&mut chrome)
        .await
        .contains("Signed out a session (Firefox 128 on Linux, 192.0.2.10, this session)"));
    // Signing in again works, in the same browser.
    assert_eq!(
        firefox.login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
    assert!(signed_in(&mut firefox).await);
}

async fn sign_out_all_other_sessions_keeps_this_one_only(app: TestApp) {
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    let mut third = ada_in_chrome(&app).await;
    assert_eq!(sessions(&mut firefox).await.len(), 3);
    let res = firefox.call("/api/sessions/end-others", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut chrome).await);
    assert!(!signed_in(&mut third).await);
    assert!(signed_in(&mut firefox).await, "this one stays signed in");
    let list = sessions(&mut firefox).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["current"], true);
    assert!(log(&mut firefox)
        .await
        .contains("Signed out all other sessions (2)"));
    // Sensitive actions still work in this session.
    assert_eq!(
        firefox
            .call("/api/two-factor/begin", &[("name", "Phone")])
            .await
            .status,
        StatusCode::OK
    );
}

/// Other tabs of the same browser keep asking while "Sign out all other sessions" moves the
/// epoch: a request that lost the race is signed out, but the session carries on.
async fn requests_of_this_session_racing_sign_out_all_others_never_end_it(app: TestApp) {
    let mut firefox = ada(&app).await;
    let mut chrome = ada_in_chrome(&app).await;
    for _ in 0..5 {
        let mut tabs = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let mut tab = firefox.clone();
            tabs.spawn(async move { tab.call("/api/session/status", &[]).await.status });
        }
        let res = firefox.call("/api/sessions/end-others", &[]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        tabs.join_all().await;
        assert!(signed_in(&mut firefox).await, "the session carries on");
        let list = sessions(&mut firefox).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["current"], true);
    }
    assert!(!signed_in(&mut chrome).await);
}

/// Sign-up and login give the session a new id. Requests the page sent just before (a
/// strength check as the password is typed, the passkey options of /login) still carry the
/// old cookie, and their answers may arrive after the new cookie: none of them may take it
/// away. Each answer's cookies are stored in the order the answers arrive, as a browser does.
async fn requests_in_flight_from_before_signing_in_never_sign_the_person_out(app: TestApp) {
    async fn racing(browser: &mut Client, sign_in: impl AsyncFnOnce(&mut Client) -> StatusCode) {
        // /login asks for the passkey options, which opens an anonymous session.
        let res = browser
            .call("/api/login/passkey-sign-in-options", &[])
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let before = browser.cookies.get("session").cloned();
        assert!(before.is_some(), "an anonymous session: {:?}", res.headers);
        let stale = browser.clone();
        let check = |mut tab: Client| async move {
            let res = tab
                .call(
                    "/api/password-strength",
                    &[("password", "violet tract"), ("context", "Ada")],
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            res.headers
        };
        let mut tabs = tokio::task::JoinSet::new();
        for _ in 0..6 {
            tabs.spawn(check(stale.clone()));
        }
        assert_eq!(sign_in(browser).await, StatusCode::OK);
        assert_ne!(browser.cookies.get("session"), before.as_ref(), "a new id");
        // Answers of the requests that raced the sign-in, then one sent after it: each
        // arrives after the new cookie.
        let mut late = tabs.join_all().await;
        late.push(check(stale.clone()).await);
        for headers in late {
            browser.store_cookies(&headers);
            assert!(
                signed_in(browser).await,
                "an answer to the old cookie signed the person out: {headers:?}"
            );
        }
    }

    let mut browser = app.client();
    racing(&mut browser, async |b| b.signup(&[]).await.status).await;
    let res = browser.call("/api/logout", &[]).await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{}",
        res.status
    );
    assert!(!signed_in(&mut browser).await);
    racing(&mut browser, async |b| {
        b.login(ADA, STRONG_PASSWORD).await.status
    })
    .await;
}

/// A session record as the version before the Sessions list wrote it: no handle.
async fn legacy_session(app: &TestApp, user_id: i64, epoch: i64) -> Client {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    let now = now();
    let record = Record {
        id: Id::default(),
        data: [(
            "auth".to_owned(),
            serde_json::json!({
                "user_id": user_id,
                "epoch": epoch,
                "authenticated_at": now - 600,
                "seen_at": now - 600,
                "verified_at": now - 600,
            }),
        )]
        .into_iter()
        .collect(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::minutes(30),
    };
    let url = &app.config.database.url;
    if url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let store = tower_sessions_sqlx_store::PostgresStore::new(pool);
        store.save(&record).await.unwrap();
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let store = tower_sessions_sqlx_store::SqliteStore::new(pool);
        store.save(&record).await.unwrap();
    }
    let mut client = app.client();
    client
        .cookies
        .insert("session".into(), record.id.to_string());
    client
}

async fn a_session_from_before_the_list_is_listed_and_can_be_signed_out(app: TestApp) {
    let mut firefox = ada(&app).await;
    let id: i64 = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(ADA)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get(0);
    // Records as the version before the list wrote them; the upgrade's first start lists
    // them (the migration's marker, put back here since this server already started).
    let mut dormant = legacy_session(&app, id, 0).await;
    let mut back = legacy_session(&app, id, 0).await;
    let mut stale = legacy_session(&app, id, 7).await; // from before a password change
    sqlx::query("INSERT INTO sessions_to_list (pending) VALUES (1)")
        .execute(&app.state.db)
        .await
        .unwrap();
    let restarted = server::build(&app.config).await.unwrap();
    drop(restarted);
    let list = sessions(&mut firefox).await;
    assert_eq!(
        list.len(),
        3,
        "both live ones, with what is known: {list:?}"
    );
    for row in &list[1..] {
        assert_eq!(row["method"], "Not recorded");
        assert_eq!(row["browser"], "an unknown browser");
    }
    // Listed once only: a second start lists nothing again.
    server::build(&app.config).await.unwrap();
    assert_eq!(sessions(&mut firefox).await.len(), 3);

    // One comes back: the same row, now with its browser.
    back.user_agent = Some(CHROME.into());
    assert!(signed_in(&mut back).await);
    let list = sessions(&mut firefox).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert!(list
        .iter()
        .any(|s| s["browser"] == "Chrome 131 on Windows 10"));
    assert!(!signed_in(&mut stale).await);

    // The dormant one is signed out from the list before it is used again.
    let dormant_id = list
        .iter()
        .find(|s| s["browser"] == "an unknown browser")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = firefox
        .call("/api/sessions/end", &[("id", &dormant_id)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut dormant).await);
    assert!(signed_in(&mut back).await);
    let back_id = other(&sessions(&mut firefox).await);
    let res = firefox.call("/api/sessions/end", &[("id", &back_id)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut back).await);

    // A record the start did not list (made after it) is listed at its first request, and
    // "Sign out all other sessions" ends such records in any case.
    let mut late = legacy_session(&app, id, 0).await;
    assert!(signed_in(&mut late).await);
    assert_eq!(sessions(&mut firefox).await.len(), 2);
    let mut unseen = legacy_session(&app, id, 0).await;
    let res = firefox.call("/api/sessions/end-others", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut late).await);
    assert!(!signed_in(&mut unseen).await);
    assert!(signed_in(&mut firefox).await);
}

async fn the_sweep_deletes_expired_sessions_and_never_a_live_one(app: TestApp) {
    // A 4-second idle timeout: activity is recorded at most once a second.
    let app = app.with_tweaked_settings(|s| s.session_idle_secs = 4).await;
    let mut active = ada(&app).await;
    let mut idle = ada_in_chrome(&app).await;
    let rows = "SELECT COUNT(*) FROM user_sessions";
    // Before the idle one's end: the sweep keeps both.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(signed_in(&mut active).await);
    server::sweep(&app.state, now()).await;
    assert_eq!(count(&app, rows).await, 2);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert!(signed_in(&mut active).await, "activity keeps it alive");
    }
    // 6 seconds without activity: gone from the list before any sweep, then from the table.
    assert_eq!(sessions(&mut active).await.len(), 1);
    server::sweep(&app.state, now()).await;
    assert_eq!(
        count(&app, rows).await,
        1,
        "only the live session's row is left"
    );
    assert!(
        signed_in(&mut active).await,
        "the sweep left the live one alone"
    );
    assert!(!signed_in(&mut idle).await);
}

async fn a_password_change_or_reset_empties_the_list_of_other_sessions(app: TestApp) {
    let mut firefox = ada(&app).await;
    let _chrome = ada_in_chrome(&app).await;
    let new_password = "copper lantern drifts eastward";
    let res = firefox.change_password(STRONG_PASSWORD, new_password).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let list = sessions(&mut firefox).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["current"], true);
}

async fn every_sign_in_event_is_in_the_history_with_browser_and_address(app: TestApp) {
    let mut firefox = ada(&app).await;
    // A wrong password for Ada from Chrome: the person trying learns nothing new...
    let mut chrome = app.client();
    chrome.user_agent = Some(CHROME.into());
    chrome.addr = "198.51.100.7:4000".parse().unwrap();
    let wrong = chrome.login(ADA, "not her password at all").await;
    let unknown = chrome.login("nobody@example.com", "not a password").await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    // ... but Ada does (once; nothing for the unknown address).
    let failed = "SELECT COUNT(*) FROM security_events WHERE kind = 'password_failed'";
    settles_at(&app, failed, 1).await;
    chrome.login(ADA, STRONG_PASSWORD).await;
    // Chrome signs Firefox out.
    let firefox_id = other(&sessions(&mut chrome).await);
    let res = chrome
        .call("/api/sessions/end", &[("id", &firefox_id)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut firefox).await);

    let page = chrome.call("/api/security-log", &[]).await.json();
    let events = page["events"].as_array().unwrap();
    let find = |what: &str| {
        events
            .iter()
            .find(|e| e["what"].as_str().unwrap().starts_with(what))
            .unwrap_or_else(|| panic!("{what} missing from {events:?}"))
            .clone()
    };
    let failed = find("Wrong password at sign-in");
    assert_eq!(failed["browser"], "Chrome 131 on Windows 10");
    assert_eq!(failed["address"], "198.51.100.7");
    let signed_in = find("Signed in (password)");
    assert_eq!(signed_in["browser"], "Chrome 131 on Windows 10");
    let ended = find("Signed out a session (Firefox 128 on Linux, 192.0.2.10)");
    assert_eq!(ended["browser"], "Chrome 131 on Windows 10");
    // Newest first.
    assert!(events[0]["what"]
        .as_str()
        .unwrap()
        .starts_with("Signed out a session"));
    // With two-factor: a wrong code, then the code, then a recovery code.
    let mut ada2 = app.client();
    ada2.login(ADA, STRONG_PASSWORD).await;
    let (device, codes) = link(&mut ada2, "Phone").await;
    two_step_login(&app, &["000000", &oathtool(&device.key, now())]).await;
    two_step_login(&app, &[&codes[1]]).await;
    let log = log(&mut ada2).await;
    for text in [
        "Signed in (password and authenticator code)",
        "Signed in (password and recovery code)",
        "Wrong authentication code (login)",
        "Signed in (password)",
    ] {
        assert!(log.contains(text), "{text} missing: {log}");
    }
    // And on the page, with the browser column.
    let html = ada2.get("/settings/authentication").await.body;
    for text in [
        "Security log",
        ">Browser<",
        "Wrong password at sign-in",
        "Chrome 131 on Windows 10",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
}

async fn lock_outs_are_recorded_once_for_the_owner(app: TestApp) {
    let app = app
        .with_tweaked_settings(|s| {
            s.login_attempts_per_account = 2;
            s.code_failures_per_account = 2;
        })
        .await;
    let mut firefox = ada(&app).await;
    let mut stranger = app.client();
    stranger.addr = "203.0.113.5:1000".parse().unwrap();
    for _ in 0..5 {
        stranger.login(ADA, "wrong wrong wrong wrong").await;
    }
    let locked = "SELECT COUNT(*) FROM security_events WHERE kind = 'locked_out'";
    settles_at(&app, locked, 1).await;
    let log = log(&mut firefox).await;
    assert!(
        log.contains("Sign-in paused after too many attempts (new browsers)"),
        "{log}"
    );
    assert!(log.contains("203.0.113.5"));

    // Codes: Ada's own browser (known) passes the password, then guesses.
    link(&mut firefox, "Phone").await;
    let mut owner = firefox.clone();
    owner.call("/api/logout", &[]).await;
    let res = owner.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for _ in 0..4 {
        owner
            .call("/api/login/two-factor", &[("code", "000000"), ("next", "")])
            .await;
    }
    settles_at(&app, locked, 2).await;
    let detail: String = sqlx::query(
        "SELECT detail FROM security_events WHERE kind = 'locked_out' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap()
    .get(0);
    assert_eq!(detail, "authentication codes");
}

async fn the_log_is_paged_newest_first(app: TestApp) {
    let app = app
        .with_tweaked_settings(|s| s.login_attempts_per_account = 100)
        .await;
    let mut ada = ada(&app).await;
    let mut stranger = app.client();
    for _ in 0..24 {
        stranger.login(ADA, "wrong wrong wrong wrong").await;
    }
    let failed = "SELECT COUNT(*) FROM security_events WHERE kind = 'password_failed'";
    settles_at(&app, failed, 24).await;
    // 24 wrong passwords, then one sign-in: 25 events, besides what sign-up recorded.
    ada_in_chrome(&app).await;
    let total = count(&app, "SELECT COUNT(*) FROM security_events").await;
    assert!(total >= 25);
    let first = ada.call("/api/security-log", &[]).await.json();
    let events = first["events"].as_array().unwrap();
    assert_eq!(events.len(), 20);
    assert!(events[0]["what"].as_str().unwrap().starts_with("Signed in"));
    let older = first["older"].as_i64().expect("more pages");
    let second = ada
        .call("/api/security-log", &[("before", &older.to_string())])
        .await
        .json();
    let rest = second["events"].as_array().unwrap();
    assert_eq!(rest.len() as i64, total - 20);
    assert!(second["older"].is_null(), "the last page");
    // Every event once, in order: ids are not exposed, so compare what and when in sequence.
    let ids: Vec<i64> = sqlx::query("SELECT id FROM security_events ORDER BY id DESC")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    assert_eq!(older, ids[19], "the next page starts after the 20th newest");

    // The page links to older events, and back, without JavaScript.
    let html = ada.get("/settings/authentication").await.body;
    let link = format!("/settings/authentication?log_before={older}#security-log");
    assert!(html.contains(&link), "Older events link missing");
    assert!(html.contains("Older events"));
    let html = ada
        .get(&format!("/settings/authentication?log_before={older}"))
        .await
        .body;
    assert!(html.contains("Newest events"));
    assert!(!html.contains("Older events"));
}

async fn the_log_is_kept_for_the_retention_period(app: TestApp) {
    let app = app
        .with_tweaked_settings(|s| s.security_log_retention_secs = 10 * 86_400)
        .await;
    let mut ada = ada(&app).await;
    ada_in_chrome(&app).await;
    ada_in_chrome(&app).await;
    let now = now();
    let ids: Vec<i64> = sqlx::query("SELECT id FROM security_events ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    assert!(ids.len() >= 3);
    let age = |id: i64, created: i64| {
        let db = app.state.db.clone();
        async move {
            sqlx::query("UPDATE security_events SET created_at = $1 WHERE id = $2")
                .bind(created)
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
        }
    };
    // Just past the period, and just within it.
    age(ids[0], now - 10 * 86_400 - 1).await;
    age(ids[1], now - 10 * 86_400 + 60).await;
    server::sweep(&app.state, now).await;
    let left: Vec<i64> = sqlx::query("SELECT id FROM security_events ORDER BY id")
        .fetch_all(&app.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    assert!(!left.contains(&ids[0]), "older than the period: swept");
    assert!(left.contains(&ids[1]), "within the period: kept");
    assert_eq!(left.len(), ids.len() - 1);
    assert!(signed_in(&mut ada).await);
}

async fn a_new_browser_gets_the_owner_a_mail_and_a_known_one_does_not(app: TestApp) {
    let mut firefox = app.client();
    firefox.user_agent = Some(FIREFOX.into());
    firefox.signup(&[]).await;
    app.verify_email(&mut firefox, ADA).await;
    let subject = "New sign-in to your account";
    // Sign-up is no new browser.
    assert!(app.mails_to(ADA, subject).is_empty());

    let mut chrome = ada_in_chrome(&app).await;
    let mail = app.mail_to(ADA, subject).await;
    let text = common::decode_quoted_printable(&mail.text);
    for expected in [
        "Chrome 131 on Windows 10",
        "198.51.100.7",
        "/settings/authentication#sessions",
        "When: ",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    // The same browser again: known now (its device cookie).
    chrome.call("/api/logout", &[]).await;
    assert_eq!(
        chrome.login(ADA, STRONG_PASSWORD).await.status,
        StatusCode::OK
    );
    // And Firefox, the browser that signed up, is known too.
    firefox.call("/api/logout", &[]).await;
    firefox.login(ADA, STRONG_PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.mails_to(ADA, subject).len(), 1, "one mail, for Chrome");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%New sign-in%'"
        )
        .await,
        1
    );
}

/// A stolen laptop signed out with "Sign out all other sessions" is no longer a browser the
/// account knows: signing in there again mails the owner, and its wrong passwords count with
/// every other stranger's. The browser that signed the others out stays known.
async fn browsers_signed_out_from_the_list_are_new_again(app: TestApp) {
    let app = app
        .with_tweaked_settings(|s| s.login_attempts_per_account = 3)
        .await;
    let subject = "New sign-in to your account";
    let mut firefox = ada(&app).await;
    app.verify_email(&mut firefox, ADA).await;
    let mut laptop = ada_in_chrome(&app).await;
    app.mail_to(ADA, subject).await;
    let res = firefox.call("/api/sessions/end-others", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(!signed_in(&mut laptop).await);

    // The laptop signs in again: new to the account again, so mailed again.
    let res = laptop.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for _ in 0..50 {
        if app.mails_to(ADA, subject).len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.mails_to(ADA, subject).len(), 2);
    // This browser is still known: no mail.
    firefox.call("/api/logout", &[]).await;
    let res = firefox.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);

    // Signed out once more, the laptop shares the attempts of untrusted browsers, which
    // strangers have used up; this browser has its own.
    let res = firefox.call("/api/sessions/end-others", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut stranger = app.client();
    for _ in 0..3 {
        stranger.login(ADA, "wrong wrong wrong wrong").await;
    }
    let res = laptop.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    firefox.call("/api/logout", &[]).await;
    let res = firefox.login(ADA, STRONG_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.mails_to(ADA, subject).len(), 2, "none for this browser");
}

async fn the_timer_reads_the_session_without_keeping_it_alive(app: TestApp) {
    let app = app.with_tweaked_settings(|s| s.session_idle_secs = 4).await;
    let mut reader = ada(&app).await;
    let mut kept = ada_in_chrome(&app).await;
    let status = reader.call("/api/session/status", &[]).await.json();
    assert!(status["expires_in"].as_i64().unwrap() <= 4);
    assert_eq!(status["warn_before"], 1);
    // The shell's first render carries the same clock.
    assert_eq!(
        reader.call("/api/me", &[]).await.json()["session"]["warn_before"],
        1
    );
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        // Asking is not activity...
        let res = reader.call("/api/session/status", &[]).await;
        if res.status == StatusCode::OK {
            assert!(res.json()["expires_in"].as_i64().unwrap() < 4);
        }
        // ... "Stay signed in" is.
        let res = kept.call("/api/session/keep-alive", &[]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.json()["expires_in"], 4);
    }
    assert_eq!(
        reader.call("/api/session/status", &[]).await.status,
        StatusCode::UNAUTHORIZED,
        "4.5 seconds of only asking: ended"
    );
    assert!(signed_in(&mut kept).await);
}

async fn the_wizard_knows_how_long_the_password_check_lasts(app: TestApp) {
    let app = app.with_tweaked_settings(|s| s.reauth_secs = 2).await;
    let mut ada = ada(&app).await;
    let access = ada.call("/api/two-factor", &[]).await.json()["access"].clone();
    assert_eq!(access["window"], 2);
    assert_eq!(access["warn_before"], 1);
    let left = access["left"].as_i64().unwrap();
    assert!((1..=2).contains(&left), "{access}");
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let access = ada.call("/api/two-factor", &[]).await.json()["access"].clone();
    assert_eq!(access["left"], 0);
}

/// Two server processes on one database: a session signed out through one is refused by
/// the other at its next request. Nothing may keep it alive in between.
async fn a_session_ended_through_one_process_is_refused_by_the_other(postgres: bool) {
    let (url, database) = common::scratch_database(postgres).await;
    let relay = "smtp://127.0.0.1:9"; // no relay: the mail waits in the outbox
    let a = ServerProcess::start(&url, relay).await;
    let b = ServerProcess::start(&url, relay).await;
    let dir = std::env::temp_dir().join(format!("tessera-sessions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join(format!("first-{postgres}"));
    let second = dir.join(format!("second-{postgres}"));
    let curl = |server: &ServerProcess, jar: &std::path::Path, path: &str, fields: &[&str]| {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-o", "-", "-w", "\n%{http_code}"])
            .args(["-b", jar.to_str().unwrap(), "-c", jar.to_str().unwrap()])
            .args(["-H", &format!("Origin: {}", server.base)])
            .args(["-H", "Accept: application/json"]);
        for field in fields {
            cmd.args(["--data-urlencode", field]);
        }
        if fields.is_empty() {
            cmd.args(["--data", ""]);
        }
        let out = cmd
            .arg(format!("{}{path}", server.base))
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, status) = text.rsplit_once('\n').unwrap();
        (status.to_owned(), body.to_owned())
    };
    let password = format!("password={STRONG_PASSWORD}");
    let (status, body) = curl(
        &a,
        &first,
        "/api/signup",
        &[
            "first_name=Ada",
            "last_name=Lovelace",
            "email=ada@example.com",
            "mobile=+49 151 23456789",
            &password,
            &format!("password_confirmation={STRONG_PASSWORD}"),
        ],
    );
    assert_eq!(status, "200", "{body}");
    let (status, body) = curl(
        &b,
        &second,
        "/api/login",
        &["email=ada@example.com", &password, "next="],
    );
    assert_eq!(status, "200", "{body}");
    // Both processes serve the second session.
    assert_eq!(curl(&a, &second, "/api/me", &[]).0, "200");
    assert_eq!(curl(&b, &second, "/api/me", &[]).0, "200");
    // Process A lists it and signs it out...
    let (_, list) = curl(&a, &first, "/api/sessions", &[]);
    let list: Value = serde_json::from_str(&list).unwrap();
    let id = other(list.as_array().unwrap());
    let (status, body) = curl(&a, &first, "/api/sessions/end", &[&format!("id={id}")]);
    assert_eq!(status, "200", "{body}");
    // ... and process B refuses it at once.
    assert_eq!(curl(&b, &second, "/api/me", &[]).0, "401");
    assert_eq!(curl(&a, &second, "/api/me", &[]).0, "401");
    assert_eq!(curl(&b, &first, "/api/me", &[]).0, "200");
    drop((a, b));
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(database) = database {
        database.drop().await;
    }
}

mod processes {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_a_session_ended_through_one_process_is_refused_by_the_other() {
        super::a_session_ended_through_one_process_is_refused_by_the_other(false).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_a_session_ended_through_one_process_is_refused_by_the_other() {
        super::a_session_ended_through_one_process_is_refused_by_the_other(true).await
    }
}
