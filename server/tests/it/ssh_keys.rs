//! SSH keys end to end through the real router, on SQLite and PostgreSQL, with keys made by
//! the real `ssh-keygen`.

use crate::common;

use std::process::Command;

use common::TestApp;
use http::StatusCode;
use sqlx::Row;

on_every_backend!(
    a_key_is_added_listed_with_its_ssh_keygen_fingerprint_and_exported,
    a_refused_key_stores_nothing_and_says_why,
    the_same_key_cannot_be_added_twice_by_anyone,
    keys_are_deleted_by_their_owner_only,
    expired_keys_are_marked_and_left_out_of_the_export,
);

struct Key {
    public: String,
    fingerprint: String,
}

fn keygen(comment: &str) -> Key {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tessera-ssh-it-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("id");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-N", "", "-t", "ed25519", "-C", comment, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen is installed");
    assert!(out.status.success());
    let lf = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(path.with_extension("pub"))
        .output()
        .unwrap();
    let key = Key {
        public: std::fs::read_to_string(path.with_extension("pub")).unwrap(),
        fingerprint: String::from_utf8(lf.stdout)
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned(),
    };
    let _ = std::fs::remove_dir_all(dir);
    key
}

async fn add(
    client: &mut common::Client,
    title: &str,
    key: &str,
    expires_on: &str,
) -> common::Response {
    client
        .call(
            "/api/ssh-keys/add",
            &[("title", title), ("key", key), ("expires_on", expires_on)],
        )
        .await
}

async fn count(app: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM ssh_keys")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("n")
}

async fn a_key_is_added_listed_with_its_ssh_keygen_fingerprint_and_exported(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let key = keygen("ada@laptop");
    let res = add(&mut ada, "", &format!("\n  {}  \n", key.public), "").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let added = res.json();
    assert_eq!(
        added["title"], "ada@laptop",
        "the title defaults to the comment"
    );
    assert_eq!(added["fingerprint"], key.fingerprint.as_str());
    assert_eq!(added["algorithm"], "ssh-ed25519");
    assert_eq!(added["bits"], 256);

    let page = ada.get("/settings/ssh-keys").await;
    assert!(page.body.contains(&key.fingerprint));
    assert!(page.body.contains("ssh-ed25519 · 256 bits"));
    assert!(page.body.contains("Download authorized_keys"));

    let data = key
        .public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let file = ada.get("/settings/ssh-keys/authorized_keys").await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, format!("{data} ada@laptop\n"));
    assert!(file
        .header("content-disposition")
        .unwrap()
        .contains("authorized_keys"));

    let id: i64 = sqlx::query("SELECT id FROM users")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("id");
    let text = ada.get(&format!("/users/{id}.keys")).await;
    assert_eq!(text.status, StatusCode::OK);
    assert_eq!(text.body, file.body);
    assert!(text
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    // Nobody else sees it, signed in or not.
    let mut bob = app.signed_up("bob@example.com", "+49 151 23456788").await;
    assert_eq!(
        bob.get(&format!("/users/{id}.keys")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client().get(&format!("/users/{id}.keys")).await.status,
        StatusCode::NOT_FOUND
    );
    let page = ada.get("/settings/authentication").await;
    assert!(page
        .body
        .contains("Added the SSH key \u{201c}ada@laptop\u{201d}"));
}

async fn a_refused_key_stores_nothing_and_says_why(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let key = keygen("ada@laptop");
    for (title, input, expires, field, expected) in [
        ("T", "", "", "key", "Paste your public key"),
        ("T", "ssh-dss AAAA", "", "key", "DSA"),
        ("T", &format!("command=\"ls\" {}", key.public), "", "key", "Options"),
        ("T", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "", "key", "private key"),
        ("T", &key.public, "2001-01-01", "expires_on", "future"),
        ("T", &key.public, "tomorrow", "expires_on", "YYYY-MM-DD"),
        (&"x".repeat(101), &key.public, "", "title", "100 characters"),
    ] {
        let res = add(&mut ada, title, input, expires).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{input}: {}", res.body);
        let message = res.field_error(field).unwrap_or_else(|| panic!("{field}: {}", res.body));
        assert!(message.contains(expected), "{message}");
    }
    assert_eq!(count(&app).await, 0);
    // The private key is neither stored nor repeated back.
    let res = add(
        &mut ada,
        "T",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nsecretstuff\n-----END OPENSSH PRIVATE KEY-----",
        "",
    )
    .await;
    assert!(!res.body.contains("secretstuff"));
}

async fn the_same_key_cannot_be_added_twice_by_anyone(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut bob = app.signed_up("bob@example.com", "+49 151 23456788").await;
    let key = keygen("ada@laptop");
    assert_eq!(
        add(&mut ada, "Laptop", &key.public, "").await.status,
        StatusCode::OK
    );
    let data = key
        .public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    for (client, line) in [
        (&mut ada, format!("{data} other comment")),
        (&mut bob, data.clone()),
    ] {
        let res = add(client, "Again", &line, "").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.field_error("key").unwrap().contains("already in use"));
    }
    assert_eq!(count(&app).await, 1);
}

async fn keys_are_deleted_by_their_owner_only(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let mut bob = app.signed_up("bob@example.com", "+49 151 23456788").await;
    let res = add(&mut ada, "Laptop", &keygen("a").public, "").await;
    let id = res.json()["id"].to_string();
    let res = bob.call("/api/ssh-keys/delete", &[("id", &id)]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "as if it did not exist");
    let res = bob.call("/api/ssh-keys/delete", &[("id", "999999")]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&app).await, 1);
    let res = ada.call("/api/ssh-keys/delete", &[("id", &id)]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(count(&app).await, 0);
    assert_eq!(ada.get("/settings/ssh-keys/authorized_keys").await.body, "");
    let page = ada.get("/settings/authentication").await;
    assert!(page
        .body
        .contains("Deleted the SSH key \u{201c}Laptop\u{201d}"));
}

async fn expired_keys_are_marked_and_left_out_of_the_export(app: TestApp) {
    let mut ada = app.signed_up("ada@example.com", "+49 151 23456789").await;
    let old = keygen("old");
    let current = keygen("current");
    let res = add(&mut ada, "Old", &old.public, "2099-12-31").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["expires_on"], "2099-12-31");
    add(&mut ada, "Current", &current.public, "").await;
    sqlx::query(
        "UPDATE ssh_keys SET expires_at = 1, expires_on = '2020-01-01' WHERE title = 'Old'",
    )
    .execute(&app.state.db)
    .await
    .unwrap();
    let page = ada.get("/settings/ssh-keys").await;
    assert!(page.body.contains("Expired on 2020-01-01"));
    let file = ada.get("/settings/ssh-keys/authorized_keys").await.body;
    assert!(file.contains("Current") && !file.contains("Old"), "{file}");
}
