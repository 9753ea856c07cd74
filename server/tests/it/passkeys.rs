//! Passkeys against a software authenticator (webauthn-rs' own `SoftPasskey`: real P-256
//! keys, signatures and a use counter): registration, the second factor, sign-in with a
//! passkey alone, and every way a ceremony must be refused.

use crate::common;

use app::db::users::User;
use app::error::AppError;
use app::passkeys::service::{self as passkeys, Started};
use app::session::ClientInfo;
use common::{count, TestApp, STRONG_PASSWORD};
use http::StatusCode;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse, Url,
};

on_every_backend!(
    a_passkey_is_added_logged_and_mailed_and_signs_in_as_the_second_factor,
    a_passkey_alone_signs_in_its_owner,
    a_challenge_works_once_even_when_two_answers_race,
    an_expired_ceremony_is_refused_and_a_fresh_one_is_not,
    another_site_s_answer_is_refused_and_nothing_is_saved,
    another_person_s_credential_never_signs_in_as_you,
    a_counter_that_goes_back_is_logged_and_refused,
    a_removed_passkey_stops_at_once,
    credential_ids_are_unique_across_people,
    names_are_required_and_unique_per_person,
    through_the_router_a_passkey_is_added_and_signs_in_alone_or_after_the_password,
    a_first_passkey_turns_two_factor_on_with_recovery_codes_and_the_last_turns_it_off,
    a_passkey_added_beside_a_device_keeps_the_codes_and_outlives_it,
    the_code_step_offers_a_passkey_only_to_people_who_have_one,
    a_site_reached_by_an_ip_address_says_passkeys_need_a_domain,
    sign_ins_with_a_passkey_are_started_at_most_30_a_minute_per_address,
    through_the_router_a_passkey_is_renamed_and_removed_like_a_device,
);

/// The product's origin in these tests (the default public URL).
fn origin(app: &TestApp) -> Url {
    Url::parse(&app.config.server.public_url).unwrap()
}

fn client() -> ClientInfo {
    ClientInfo {
        addr: Some("192.0.2.10".parse().unwrap()),
        user_agent: Some(
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0".into(),
        ),
    }
}

async fn person(app: &TestApp, email: &str, mobile: &str) -> User {
    app.verified(email, mobile).await;
    app::db::users::find_by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap()
}

/// An authenticator that verifies its user (a passkey, not a bare security key).
fn authenticator() -> SoftPasskey {
    SoftPasskey::new(true)
}

/// Adds a passkey named `name` with `key`, as the browser would.
async fn add(
    app: &TestApp,
    user: &User,
    key: &mut SoftPasskey,
    name: &str,
) -> Result<(), AppError> {
    let started = passkeys::start_registration(&app.state, user).await?;
    let options: CreationChallengeResponse = serde_json::from_str(&started.options).unwrap();
    let response = key.do_registration(origin(app), options).unwrap();
    passkeys::finish_registration(
        &app.state,
        user,
        &started.token,
        name,
        &serde_json::to_string(&response).unwrap(),
        &client(),
    )
    .await
    .map(drop)
}

/// The authenticator's answer to `started`. `SoftPasskey` keeps no discoverable credentials, so
/// for a sign-in with a passkey alone the test names the credential and adds the user handle
/// a discoverable authenticator returns (it is not signed).
fn answer(
    key: &mut SoftPasskey,
    started: &Started,
    credential_of: Option<(&app::db::passkeys::Passkey, &str)>,
    from: Url,
) -> Result<String, String> {
    let mut options: RequestChallengeResponse = serde_json::from_str(&started.options).unwrap();
    if let Some((passkey, _)) = credential_of {
        let credential: webauthn_rs::prelude::Passkey =
            serde_json::from_str(&passkey.credential).unwrap();
        options.public_key.allow_credentials = vec![webauthn_rs_proto::AllowCredentials {
            type_: "public-key".into(),
            id: credential.cred_id().clone(),
            transports: None,
        }];
    }
    let mut response: PublicKeyCredential = key
        .do_authentication(from, options)
        .map_err(|e| format!("{e:?}"))?;
    if let Some((_, handle)) = credential_of {
        let handle = webauthn_rs::prelude::Uuid::parse_str(handle).unwrap();
        response.response.user_handle = Some(handle.as_bytes().to_vec());
    }
    Ok(serde_json::to_string(&response).unwrap())
}

async fn handle_of(app: &TestApp, user: &User) -> String {
    app::db::passkeys::user_handle(&app.state.db, user.id)
        .await
        .unwrap()
        .unwrap()
}

async fn only_passkey(app: &TestApp, user: &User) -> app::db::passkeys::Passkey {
    let mut list = passkeys::list(&app.state, user).await.unwrap();
    assert_eq!(list.len(), 1);
    list.remove(0)
}

async fn log_kinds(app: &TestApp, user: &User) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM security_events WHERE user_id = $1 ORDER BY id")
        .bind(user.id)
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

fn passkey_error(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(e) => e
            .field_message(passkeys::FIELD)
            .unwrap_or_else(|| panic!("expected a message next to the passkey, got {e:?}")),
        Ok(v) => panic!("expected a refusal, got {v:?}"),
    }
}

async fn second_factor(app: &TestApp, user: &User, key: &mut SoftPasskey) -> Result<(), AppError> {
    let started = passkeys::start_second_factor(&app.state, user).await?;
    let response = answer(key, &started, None, origin(app)).unwrap();
    passkeys::finish_second_factor(&app.state, user, &started.token, &response, &client()).await
}

async fn a_passkey_is_added_logged_and_mailed_and_signs_in_as_the_second_factor(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    add(&app, &user, &mut key, "Laptop").await.unwrap();

    let passkey = only_passkey(&app, &user).await;
    assert_eq!(passkey.name, "Laptop");
    assert_eq!(passkey.last_used_at, None);
    let mail = app
        .mail_to("ada@example.com", "A passkey was added to your account")
        .await;
    assert!(mail.text.contains("Laptop"), "{}", mail.text);

    second_factor(&app, &user, &mut key).await.unwrap();
    let used = only_passkey(&app, &user).await;
    assert!(used.last_used_at.is_some());
    let stored: webauthn_rs::prelude::Passkey = serde_json::from_str(&used.credential).unwrap();
    let before: webauthn_rs::prelude::Passkey = serde_json::from_str(&passkey.credential).unwrap();
    assert_ne!(
        serde_json::to_value(&stored).unwrap()["cred"]["counter"],
        serde_json::to_value(&before).unwrap()["cred"]["counter"],
        "the use counter is stored"
    );
    let kinds = log_kinds(&app, &user).await;
    assert!(
        kinds.ends_with(&[
            "passkey_added".into(),
            "recovery_codes_created".into(),
            "passkey_used".into()
        ]),
        "{kinds:?}"
    );
}

async fn a_passkey_alone_signs_in_its_owner(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    add(&app, &user, &mut key, "Phone").await.unwrap();
    let passkey = only_passkey(&app, &user).await;
    let handle = handle_of(&app, &user).await;

    let started = passkeys::start_sign_in(&app.state, &client())
        .await
        .unwrap();
    let response = answer(&mut key, &started, Some((&passkey, &handle)), origin(&app)).unwrap();
    let signed_in = passkeys::finish_sign_in(&app.state, &started.token, &response, &client())
        .await
        .unwrap();
    assert_eq!(signed_in.id, user.id);
    assert!(log_kinds(&app, &user)
        .await
        .contains(&"passkey_used".to_owned()));
}

async fn a_challenge_works_once_even_when_two_answers_race(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    add(&app, &user, &mut key, "Phone").await.unwrap();

    let started = passkeys::start_second_factor(&app.state, &user)
        .await
        .unwrap();
    let response = answer(&mut key, &started, None, origin(&app)).unwrap();
    // Eight answers at once, on the runtime's threads: one gets the ceremony.
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (state, user, token, response) = (
                app.state.clone(),
                user.clone(),
                started.token.clone(),
                response.clone(),
            );
            tokio::spawn(async move {
                passkeys::finish_second_factor(&state, &user, &token, &response, &client()).await
            })
        })
        .collect();
    let mut accepted = 0;
    for racer in racers {
        accepted += usize::from(racer.await.unwrap().is_ok());
    }
    assert_eq!(accepted, 1);

    // The same answer again: the ceremony is gone.
    let again =
        passkeys::finish_second_factor(&app.state, &user, &started.token, &response, &client())
            .await;
    assert!(passkey_error(again).contains("already used"));
    // Replayed to a new ceremony: its challenge is not the one signed.
    let fresh = passkeys::start_second_factor(&app.state, &user)
        .await
        .unwrap();
    let replayed =
        passkeys::finish_second_factor(&app.state, &user, &fresh.token, &response, &client()).await;
    assert!(passkey_error(replayed).contains("not accepted"));
}

async fn an_expired_ceremony_is_refused_and_a_fresh_one_is_not(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    add(&app, &user, &mut key, "Phone").await.unwrap();
    let now = common::now();

    for (expires_at, works) in [(now - 1, false), (now + 5, true)] {
        let started = passkeys::start_second_factor(&app.state, &user)
            .await
            .unwrap();
        sqlx::query("UPDATE passkey_ceremonies SET expires_at = $1")
            .bind(expires_at)
            .execute(&app.state.db)
            .await
            .unwrap();
        let response = answer(&mut key, &started, None, origin(&app)).unwrap();
        let result =
            passkeys::finish_second_factor(&app.state, &user, &started.token, &response, &client())
                .await;
        if works {
            result.unwrap();
        } else {
            assert!(passkey_error(result).contains("took too long"));
        }
    }

    // The sweep removes expired ceremonies and keeps live ones.
    passkeys::start_second_factor(&app.state, &user)
        .await
        .unwrap();
    sqlx::query("INSERT INTO passkey_ceremonies (id_hash, user_id, purpose, state, expires_at) VALUES ('old', NULL, 'sign-in', '{}', $1)")
        .bind(now - 1)
        .execute(&app.state.db)
        .await
        .unwrap();
    server::sweep(&app.state, now).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM passkey_ceremonies").await,
        1
    );
}

async fn another_site_s_answer_is_refused_and_nothing_is_saved(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    // Same host, another port: another origin.
    let elsewhere = Url::parse("http://localhost:3001").unwrap();

    let started = passkeys::start_registration(&app.state, &user)
        .await
        .unwrap();
    let options: CreationChallengeResponse = serde_json::from_str(&started.options).unwrap();
    let response = key.do_registration(elsewhere.clone(), options).unwrap();
    let result = passkeys::finish_registration(
        &app.state,
        &user,
        &started.token,
        "Phone",
        &serde_json::to_string(&response).unwrap(),
        &client(),
    )
    .await;
    assert!(passkey_error(result).contains("not accepted"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM passkeys").await, 0);
    assert!(!log_kinds(&app, &user)
        .await
        .contains(&"passkey_added".to_owned()));

    add(&app, &user, &mut key, "Phone").await.unwrap();
    let started = passkeys::start_second_factor(&app.state, &user)
        .await
        .unwrap();
    let response = answer(&mut key, &started, None, elsewhere).unwrap();
    let result =
        passkeys::finish_second_factor(&app.state, &user, &started.token, &response, &client())
            .await;
    assert!(passkey_error(result).contains("not accepted"));
}

async fn another_person_s_credential_never_signs_in_as_you(app: TestApp) {
    let ada = person(&app, "ada@example.com", "+14155550101").await;
    let bob = person(&app, "bob@example.com", "+14155550102").await;
    let mut ada_key = authenticator();
    let mut bob_key = authenticator();
    add(&app, &ada, &mut ada_key, "Ada's phone").await.unwrap();
    add(&app, &bob, &mut bob_key, "Bob's phone").await.unwrap();
    let ada_passkey = only_passkey(&app, &ada).await;

    // Bob's login step answered with Ada's passkey.
    let started = passkeys::start_second_factor(&app.state, &bob)
        .await
        .unwrap();
    let response = answer(
        &mut ada_key,
        &started,
        Some((&ada_passkey, &handle_of(&app, &ada).await)),
        origin(&app),
    )
    .unwrap();
    let result =
        passkeys::finish_second_factor(&app.state, &bob, &started.token, &response, &client())
            .await;
    assert!(passkey_error(result).contains("not accepted"));

    // Ada's credential claiming to be Bob's (his user handle) at a sign-in.
    let started = passkeys::start_sign_in(&app.state, &client())
        .await
        .unwrap();
    let response = answer(
        &mut ada_key,
        &started,
        Some((&ada_passkey, &handle_of(&app, &bob).await)),
        origin(&app),
    )
    .unwrap();
    let result = passkeys::finish_sign_in(&app.state, &started.token, &response, &client()).await;
    assert!(passkey_error(result).contains("not accepted"));
    assert!(!log_kinds(&app, &bob)
        .await
        .contains(&"passkey_used".to_owned()));
}

async fn a_counter_that_goes_back_is_logged_and_refused(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    add(&app, &user, &mut key, "Phone").await.unwrap();
    second_factor(&app, &user, &mut key).await.unwrap();

    // A copy of the key has been used ten times elsewhere: the server saw a higher counter.
    let passkey = only_passkey(&app, &user).await;
    let mut stored: serde_json::Value = serde_json::from_str(&passkey.credential).unwrap();
    stored["cred"]["counter"] = 10.into();
    sqlx::query("UPDATE passkeys SET credential = $1")
        .bind(stored.to_string())
        .execute(&app.state.db)
        .await
        .unwrap();

    let result = second_factor(&app, &user, &mut key).await;
    assert!(passkey_error(result).contains("counter went back"));
    assert!(log_kinds(&app, &user)
        .await
        .contains(&"passkey_counter_anomaly".to_owned()));
    let after: serde_json::Value =
        serde_json::from_str(&only_passkey(&app, &user).await.credential).unwrap();
    assert_eq!(
        after["cred"]["counter"], 10,
        "a refused use changes nothing"
    );
}

async fn a_removed_passkey_stops_at_once(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    add(&app, &user, &mut key, "Phone").await.unwrap();
    let passkey = only_passkey(&app, &user).await;
    let handle = handle_of(&app, &user).await;

    // Started before the removal, answered after it.
    let second = passkeys::start_second_factor(&app.state, &user)
        .await
        .unwrap();
    let alone = passkeys::start_sign_in(&app.state, &client())
        .await
        .unwrap();
    let second_answer = answer(&mut key, &second, None, origin(&app)).unwrap();
    let alone_answer = answer(&mut key, &alone, Some((&passkey, &handle)), origin(&app)).unwrap();
    passkeys::remove(&app.state, &user, passkey.id, &client())
        .await
        .unwrap();

    let result =
        passkeys::finish_second_factor(&app.state, &user, &second.token, &second_answer, &client())
            .await;
    assert!(passkey_error(result).contains("not accepted"));
    let result = passkeys::finish_sign_in(&app.state, &alone.token, &alone_answer, &client()).await;
    assert!(passkey_error(result).contains("not accepted"));
    assert!(log_kinds(&app, &user)
        .await
        .contains(&"passkey_removed".to_owned()));
    // Someone else's id: not found, nothing removed.
    let other = person(&app, "bob@example.com", "+14155550102").await;
    let mut other_key = authenticator();
    add(&app, &other, &mut other_key, "Bob's").await.unwrap();
    let bobs = only_passkey(&app, &other).await;
    assert_eq!(
        passkeys::remove(&app.state, &user, bobs.id, &client()).await,
        Err(AppError::NotFound)
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM passkeys").await, 1);
}

async fn credential_ids_are_unique_across_people(app: TestApp) {
    let ada = person(&app, "ada@example.com", "+14155550101").await;
    let bob = person(&app, "bob@example.com", "+14155550102").await;
    let mut key = authenticator();
    add(&app, &ada, &mut key, "Phone").await.unwrap();
    let passkey = only_passkey(&app, &ada).await;

    let mut conn = app.state.db.acquire().await.unwrap();
    let copy = app::db::passkeys::insert(
        &mut conn,
        &app::db::passkeys::NewPasskey {
            user_id: bob.id,
            credential_id: &passkey.credential_id,
            name: "Copied",
            name_key: "copied",
            credential: &passkey.credential,
            now: common::now(),
        },
    )
    .await
    .unwrap_err();
    assert!(app::db::is_unique_violation(&copy), "{copy}");
}

async fn names_are_required_and_unique_per_person(app: TestApp) {
    let user = person(&app, "ada@example.com", "+14155550101").await;
    let mut key = authenticator();
    for (name, message) in [("", "Enter a name"), ("a\u{202e}b", "")] {
        let result = add(&app, &user, &mut key, name).await;
        let error = result.unwrap_err();
        let said = error.field_message("name").unwrap_or_default();
        assert!(
            !said.is_empty() && said.contains(message),
            "{name:?}: {error:?}"
        );
    }
    add(&app, &user, &mut key, "Phone").await.unwrap();
    let result = add(&app, &user, &mut key, "PHONE").await;
    assert!(result
        .unwrap_err()
        .field_message("name")
        .unwrap()
        .contains("already have"));
    let passkey = only_passkey(&app, &user).await;
    passkeys::rename(&app.state, &user, passkey.id, "Work phone", &client())
        .await
        .unwrap();
    assert_eq!(only_passkey(&app, &user).await.name, "Work phone");
    assert!(log_kinds(&app, &user)
        .await
        .contains(&"passkey_renamed".to_owned()));
}

/// What a server function answered with a string (the options' JSON), or with the options in
/// a `Registration`, as a started ceremony whose token the session keeps.
fn options_from(res: &common::Response) -> Started {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let json = res.json();
    let options = json.get("options").unwrap_or(&json);
    Started {
        options: options.as_str().unwrap().to_owned(),
        token: String::new(),
    }
}

async fn signed_in_with(app: &TestApp, client: &mut common::Client, method: &str) {
    let res = client.get("/settings").await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "signed in: {:?}",
        res.location()
    );
    let sql = format!(
        "SELECT COUNT(*) FROM user_sessions WHERE method = '{method}' AND ended_at IS NULL"
    );
    assert_eq!(count(app, &sql).await, 1, "{method}");
}

async fn through_the_router_a_passkey_is_added_and_signs_in_alone_or_after_the_password(
    app: TestApp,
) {
    let mut client = app.verified("ada@example.com", "+14155550101").await;
    let user = app::db::users::find_by_email(&app.state.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let mut key = authenticator();

    let started = options_from(&client.call("/api/passkeys/options", &[]).await);
    let options: CreationChallengeResponse = serde_json::from_str(&started.options).unwrap();
    let made = serde_json::to_string(&key.do_registration(origin(&app), options).unwrap()).unwrap();
    // A refused name keeps the answer usable: the corrected one saves it.
    let res = client
        .call("/api/passkeys/add", &[("name", " "), ("response", &made)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.field_error("name").unwrap().contains("Enter a name"));
    let res = client
        .call(
            "/api/passkeys/add",
            &[("name", "Laptop"), ("response", &made)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json(), "Laptop");
    let passkey = only_passkey(&app, &user).await;
    let handle = handle_of(&app, &user).await;

    // The password, then the passkey instead of a code; the same answer sent twice at once
    // signs in once.
    common::link(&mut client, "Phone").await;
    client.call("/api/logout", &[]).await;
    let res = client.login("ada@example.com", STRONG_PASSWORD).await;
    assert!(
        res.location().unwrap().starts_with("/login/two-factor"),
        "{:?}",
        res.location()
    );
    let started = options_from(&client.call("/api/login/passkey-options", &[]).await);
    let response = answer(&mut key, &started, None, origin(&app)).unwrap();
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (mut client, response) = (client.clone(), response.clone());
            tokio::spawn(async move {
                let res = client
                    .call(
                        "/api/login/passkey",
                        &[("response", &response), ("next", "")],
                    )
                    .await;
                (res.status, client)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        let (status, racer_client) = racer.await.unwrap();
        if status == StatusCode::OK {
            winners.push(racer_client);
        }
    }
    assert_eq!(winners.len(), 1);
    let mut client = winners.remove(0);
    signed_in_with(&app, &mut client, "password+passkey").await;

    // The passkey alone: no password, no code.
    client.call("/api/logout", &[]).await;
    let started = options_from(&client.call("/api/login/passkey-sign-in-options", &[]).await);
    let response = answer(&mut key, &started, Some((&passkey, &handle)), origin(&app)).unwrap();
    let res = client
        .call(
            "/api/login/passkey-sign-in",
            &[("response", &response), ("next", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    signed_in_with(&app, &mut client, "passkey").await;
}

/// Adds a passkey through the router, as the Authentication page's island does; the name
/// suggested for a passkey of this browser comes with the options.
async fn add_through_router(
    app: &TestApp,
    client: &mut common::Client,
    key: &mut SoftPasskey,
    name: &str,
) -> common::Response {
    let res = client.call("/api/passkeys/options", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.json()["this_device"]
        .as_str()
        .unwrap()
        .starts_with("Passkey"));
    let started = options_from(&res);
    let options: CreationChallengeResponse = serde_json::from_str(&started.options).unwrap();
    let made = serde_json::to_string(&key.do_registration(origin(app), options).unwrap()).unwrap();
    client
        .call("/api/passkeys/add", &[("name", name), ("response", &made)])
        .await
}

async fn recovery_codes_left(app: &TestApp, user: &User) -> i64 {
    count(
        app,
        &format!(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = {} AND used_at IS NULL",
            user.id
        ),
    )
    .await
}

const SHOWN_ONCE: &str = "Save these recovery codes now";

async fn a_first_passkey_turns_two_factor_on_with_recovery_codes_and_the_last_turns_it_off(
    app: TestApp,
) {
    let mut ada = app.verified("ada@example.com", "+14155550101").await;
    let user = app::db::users::find_by_email(&app.state.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let page = ada.get("/settings/authentication").await;
    assert!(page.body.contains("Status: "), "{}", page.body);
    // "Add a passkey" is a link to the page's adding state, which alone loads its island.
    assert!(page.body.contains("Add a passkey"));
    assert!(page.body.contains("?passkey=add"));
    assert!(!page.body.contains("AddPasskeyPanel"));
    let adding = ada.get("/settings/authentication?passkey=add").await;
    assert!(
        adding.body.contains("data-component=\"AddPasskeyPanel"),
        "{}",
        adding.body
    );
    // A page of its own: no other sections, so no other islands.
    for other in ["Change password", "Sessions", "Security log"] {
        assert!(!adding.body.contains(&format!(">{other}</h2>")), "{other}");
    }
    assert!(!adding
        .body
        .contains("data-component=\"ChangePasswordSection"));

    let res = add_through_router(&app, &mut ada, &mut authenticator(), "Laptop").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(recovery_codes_left(&app, &user).await, 10);
    let kinds = log_kinds(&app, &user).await;
    assert!(
        kinds.ends_with(&["passkey_added".into(), "recovery_codes_created".into()]),
        "{kinds:?}"
    );
    // The page loaded after the save shows the codes, once.
    let page = ada.get("/settings/authentication?done=passkey-added").await;
    assert!(page.body.contains("Passkey added."));
    assert!(page.body.contains(SHOWN_ONCE), "the new codes are shown");
    assert!(page.body.contains("1 passkey"));
    assert!(page.body.contains("This is your last second factor"));
    let again = ada.get("/settings/authentication").await;
    assert!(!again.body.contains(SHOWN_ONCE), "only once");
    let mail = app
        .mail_to("ada@example.com", "A passkey was added to your account")
        .await;
    assert!(mail.text.contains("Two-factor authentication is now on"));

    // Now the password alone is not enough.
    ada.call("/api/logout", &[]).await;
    let res = ada.login("ada@example.com", STRONG_PASSWORD).await;
    assert!(
        res.location().unwrap().starts_with("/login/two-factor"),
        "{:?}",
        res.location()
    );
    let mut ada = app.client();
    let res = ada.login("ada@example.com", STRONG_PASSWORD).await;
    assert!(res.location().unwrap().starts_with("/login/two-factor"));

    // A second passkey makes no new codes; removing one leaves two-factor on.
    let passkey = only_passkey(&app, &user).await;
    add(&app, &user, &mut authenticator(), "Key").await.unwrap();
    assert_eq!(
        log_kinds(&app, &user)
            .await
            .iter()
            .filter(|k| *k == "recovery_codes_created")
            .count(),
        1
    );
    passkeys::remove(&app.state, &user, passkey.id, &client())
        .await
        .unwrap();
    assert!(app::two_factor::service::is_enabled(&app.state, user.id)
        .await
        .unwrap());
    assert_eq!(recovery_codes_left(&app, &user).await, 10);

    // The last one turns it off, with the codes, and says so.
    let last = only_passkey(&app, &user).await;
    passkeys::remove(&app.state, &user, last.id, &client())
        .await
        .unwrap();
    assert!(!app::two_factor::service::is_enabled(&app.state, user.id)
        .await
        .unwrap());
    assert_eq!(recovery_codes_left(&app, &user).await, 0);
    assert!(log_kinds(&app, &user)
        .await
        .ends_with(&["passkey_removed".into(), "two_factor_off".into()]));
    let removed = "A passkey was removed from your account";
    app.mail_to("ada@example.com", removed).await;
    let mut mails = app.mails_to("ada@example.com", removed);
    for _ in 0..200 {
        if mails.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        mails = app.mails_to("ada@example.com", removed);
    }
    assert_eq!(mails.len(), 2);
    assert!(!mails[0].text.contains("now off"));
    assert!(mails[1]
        .text
        .contains("two-factor authentication is now off"));
    let mut fresh = app.client();
    let res = fresh.login("ada@example.com", STRONG_PASSWORD).await;
    assert_eq!(
        res.location(),
        Some("/settings"),
        "the password alone again"
    );
}

async fn a_passkey_added_beside_a_device_keeps_the_codes_and_outlives_it(app: TestApp) {
    let mut client = app.verified("ada@example.com", "+14155550101").await;
    let user = app::db::users::find_by_email(&app.state.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let (phone, codes) = common::link(&mut client, "Phone").await;
    assert_eq!(codes.len(), 10);
    let res = add_through_router(&app, &mut client, &mut authenticator(), "Laptop").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let page = client.get("/settings/authentication").await;
    assert!(!page.body.contains(SHOWN_ONCE), "no new codes");
    assert!(page.body.contains("1 linked device and 1 passkey"));
    assert!(!page.body.contains("This is your last second factor"));

    let res = client
        .call(
            "/api/two-factor/remove",
            &[("kind", "app"), ("id", &phone.id.to_string())],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(app::two_factor::service::is_enabled(&app.state, user.id)
        .await
        .unwrap());
    assert_eq!(recovery_codes_left(&app, &user).await, 10, "the codes stay");
    assert!(!log_kinds(&app, &user)
        .await
        .contains(&"two_factor_off".to_owned()));
    // A device linked after a passkey makes no new codes either.
    let (_, codes) = common::link(&mut client, "Tablet").await;
    assert!(codes.is_empty());
}

async fn the_code_step_offers_a_passkey_only_to_people_who_have_one(app: TestApp) {
    let mut ada = app.verified("ada@example.com", "+14155550101").await;
    common::link(&mut ada, "Phone").await;
    let offers = |client: &mut common::Client| {
        let mut client = client.clone();
        async move {
            let res = client.call("/api/login/offers-passkey", &[]).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            res.json().as_bool().unwrap()
        }
    };
    let mut other = app.client();
    assert!(!offers(&mut other).await, "no login under way");
    other.login("ada@example.com", STRONG_PASSWORD).await;
    assert!(!offers(&mut other).await, "a device only");
    let page = other.get("/login/two-factor").await;
    assert!(!page.body.contains("Use a passkey"));

    add_through_router(&app, &mut ada, &mut authenticator(), "Laptop").await;
    let mut other = app.client();
    other.login("ada@example.com", STRONG_PASSWORD).await;
    assert!(offers(&mut other).await);
    let page = other.get("/login/two-factor").await;
    assert!(page.body.contains("Use a passkey"), "{}", page.body);
    assert!(
        page.body.contains("Authentication code"),
        "codes still work"
    );
    assert!(page.body.contains("<noscript>"));
}

async fn a_site_reached_by_an_ip_address_says_passkeys_need_a_domain(app: TestApp) {
    let by_ip = app
        .like(|config| config.server.public_url = "http://127.0.0.1:3000".into())
        .await;
    let mut client = by_ip.verified("ada@example.com", "+14155550101").await;
    let page = client.get("/settings/authentication").await;
    assert!(page.body.contains(app::passkeys::NEEDS_DOMAIN));
    assert!(!page.body.contains("Add a passkey"));
    let res = client.call("/api/passkeys/options", &[]).await;
    assert_eq!(
        res.field_error("passkey").as_deref(),
        Some(app::passkeys::NEEDS_DOMAIN)
    );
    let login = by_ip.client().get("/login").await;
    assert!(login.body.contains(app::passkeys::NEEDS_DOMAIN));
    assert!(!login.body.contains("Sign in with a passkey"));

    // By name: the controls, and the words for a browser without JavaScript.
    let mut client = app.verified("ada@example.com", "+14155550101").await;
    let page = client.get("/settings/authentication").await;
    assert!(page.body.contains("Add a passkey"));
    assert!(!page.body.contains(app::passkeys::NEEDS_DOMAIN));
    assert!(page.body.contains(app::passkeys::NEEDS_JAVASCRIPT));
    let login = app.client().get("/login").await;
    assert!(login.body.contains("Sign in with a passkey"));
    assert!(login.body.contains("username webauthn"));
    drop(by_ip);
}

async fn sign_ins_with_a_passkey_are_started_at_most_30_a_minute_per_address(app: TestApp) {
    let limit = passkeys::SIGN_IN_STARTS_PER_MINUTE as usize;
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..limit + 10 {
        let mut visitor = app.client();
        visitor.addr = "203.0.113.7:4000".parse().unwrap();
        racing.spawn(async move {
            visitor
                .call("/api/login/passkey-sign-in-options", &[])
                .await
                .status
        });
    }
    let statuses = racing.join_all().await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((ok, refused), (limit, 10), "{statuses:?}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM passkey_ceremonies").await,
        limit as i64,
        "a refused start stores nothing"
    );
    // What the login page then says: a limit on requests, not on failed attempts.
    let mut visitor = app.client();
    visitor.addr = "203.0.113.7:4000".parse().unwrap();
    let res = visitor
        .call("/api/login/passkey-sign-in-options", &[])
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let error: AppError = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        error.to_string(),
        "Too many requests. Please wait a minute and try again."
    );
    // Another address is not held back.
    let mut other = app.client();
    other.addr = "198.51.100.7:4000".parse().unwrap();
    let res = other.call("/api/login/passkey-sign-in-options", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn through_the_router_a_passkey_is_renamed_and_removed_like_a_device(app: TestApp) {
    let mut ada = app.verified("ada@example.com", "+14155550101").await;
    let user = app::db::users::find_by_email(&app.state.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    common::link(&mut ada, "Phone").await;
    add_through_router(&app, &mut ada, &mut authenticator(), "Laptop").await;
    let passkey = only_passkey(&app, &user).await;
    let id = passkey.id.to_string();

    // Another kind's name is no clash; the same kind's is.
    let res = ada
        .call(
            "/api/two-factor/rename",
            &[("kind", "passkey"), ("id", &id), ("new_name", "phone")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(only_passkey(&app, &user).await.name, "phone");
    add(&app, &user, &mut authenticator(), "Key").await.unwrap();
    let res = ada
        .call(
            "/api/two-factor/rename",
            &[("kind", "passkey"), ("id", &id), ("new_name", "KEY")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .field_error("new_name")
        .unwrap()
        .contains("already have"));

    // Another person's passkey is not found, and stays.
    let bob = person(&app, "bob@example.com", "+14155550102").await;
    add(&app, &bob, &mut authenticator(), "Bob's")
        .await
        .unwrap();
    let bobs = only_passkey(&app, &bob).await.id.to_string();
    for (path, fields) in [
        (
            "/api/two-factor/remove",
            vec![("kind", "passkey"), ("id", bobs.as_str())],
        ),
        (
            "/api/two-factor/rename",
            vec![
                ("kind", "passkey"),
                ("id", bobs.as_str()),
                ("new_name", "Mine"),
            ],
        ),
    ] {
        let res = ada.call(path, &fields).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.body);
    }
    assert_eq!(only_passkey(&app, &bob).await.name, "Bob's");
    let res = ada
        .call(
            "/api/two-factor/remove",
            &[("kind", "passkey"), ("id", &id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(passkeys::list(&app.state, &user).await.unwrap().len(), 1);
    let page = ada
        .get("/settings/authentication?done=passkey-removed")
        .await;
    assert!(page.body.contains("Passkey removed."));
    assert!(page.body.contains("1 linked device and 1 passkey"));
}
