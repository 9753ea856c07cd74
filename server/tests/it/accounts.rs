//! Accounts in the product's sense (organisations people belong to with a role): their
//! information, workspaces, members and invitations, on SQLite and PostgreSQL.

use crate::common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::{count, Client, TestApp, STRONG_PASSWORD};
use http::StatusCode;
use serde_json::Value;
use sqlx::Row;

on_every_backend!(
    sign_up_makes_an_owned_account_with_a_workspace,
    owners_edit_account_information_and_members_cannot,
    other_accounts_answer_not_found_for_every_kind_of_object,
    an_invited_person_signs_up_with_the_invited_email_and_joins,
    invitation_rules_duplicates_resend_revoke_and_expiry,
    two_racing_accepts_of_one_invitation_make_one_membership,
    roles_admins_cannot_touch_owners_and_the_last_owner_stays,
    workspaces_are_created_renamed_and_deleted_by_managers,
    signed_in_as_someone_else_the_invitation_is_refused,
    invitation_links_use_the_configured_public_url,
    invitations_per_hour_are_limited,
    admins_cannot_resend_or_revoke_owner_invitations,
    resends_count_against_the_hourly_limit_even_in_parallel,
    invitations_end_when_their_inviter_leaves_or_may_no_longer_grant_them,
    sign_up_from_an_invitation_is_one_transaction,
    an_inviter_who_leaves_takes_their_invitations,
    an_invitation_racing_its_inviter_s_demotion_never_outlives_it,
    changes_without_javascript_come_back_saying_what_was_done,
    a_refusal_without_javascript_shows_in_the_row_that_sent_it,
);

const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";

async fn first_account(client: &mut Client) -> i64 {
    let res = client.call("/api/accounts", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()["accounts"][0]["id"].as_i64().unwrap()
}

async fn details(client: &mut Client, id: i64) -> common::Response {
    client
        .call("/api/accounts/details", &[("id", &id.to_string())])
        .await
}

async fn invite(client: &mut Client, account: i64, email: &str, role: &str) -> common::Response {
    client
        .call(
            "/api/invitations/send",
            &[
                ("account_id", &account.to_string()),
                ("email", email),
                ("role", role),
            ],
        )
        .await
}

/// Invites and returns the token from the link in the invitation mail.
async fn invite_token(
    app: &TestApp,
    client: &mut Client,
    account: i64,
    email: &str,
    role: &str,
) -> String {
    let before = app.mails_to(email, "invited you").len();
    let res = invite(client, account, email, role).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Wait for this invitation's mail, not an earlier one to the same address.
    for _ in 0..200 {
        if app.mails_to(email, "invited you").len() > before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.invitation_token(email).await
}

/// Bob joins Ada's account with `role`; returns Bob's client.
async fn join(app: &TestApp, ada: &mut Client, account: i64, role: &str) -> Client {
    let token = invite_token(app, ada, account, BOB, role).await;
    let mut bob = app.signed_up(BOB, "+49 151 23456788").await;
    let res = bob
        .call("/api/invitations/accept", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    bob
}

fn save_fields<'a>(account: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("account_id", account),
        ("name", name),
        ("company_name", "Analytical Engines Ltd"),
        ("contact_email", "Office@Engines.example"),
        ("phone", "+44 20 7946 0958"),
        ("address", "12 Marylebone, London"),
        ("country", "gb"),
        ("tax_id", "GB123456789"),
    ]
}

async fn sign_up_makes_an_owned_account_with_a_workspace(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let overview = ada.call("/api/accounts", &[]).await.json();
    let account = &overview["accounts"][0];
    assert_eq!(account["name"], "Ada Lovelace");
    assert_eq!(account["role"], "Owner");
    assert_eq!(account["members"], 1);
    assert_eq!(account["workspaces"], 1);
    let page = ada.get("/accounts").await;
    assert!(page.body.contains("Ada Lovelace") && page.body.contains("Create account"));
    let res = ada
        .call("/api/accounts/create", &[("name", "Side project")])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        ada.call("/api/accounts", &[]).await.json()["accounts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let res = ada.call("/api/accounts/create", &[("name", "  ")]).await;
    assert_eq!(res.field_error("name").unwrap(), "Enter the account name.");
}

async fn owners_edit_account_information_and_members_cannot(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let id = first_account(&mut ada).await;
    let account = id.to_string();
    let res = ada
        .call("/api/accounts/save", &save_fields(&account, "Engines"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let info = details(&mut ada, id).await.json()["info"].clone();
    assert_eq!(info["contact_email"], "office@engines.example");
    assert_eq!(info["phone"], "+442079460958");
    assert_eq!(info["country"], "GB");

    let mut bad = save_fields(&account, "");
    bad[6] = ("country", "Atlantis");
    bad[3] = ("contact_email", "not an email");
    let res = ada.call("/api/accounts/save", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "country", "contact_email"] {
        assert!(res.field_error(field).is_some(), "{field}: {}", res.body);
    }
    assert_eq!(
        details(&mut ada, id).await.json()["info"]["name"],
        "Engines",
        "nothing half-written"
    );

    let mut bob = join(&app, &mut ada, id, "member").await;
    let res = bob
        .call("/api/accounts/save", &save_fields(&account, "Hijacked"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let seen = details(&mut bob, id).await.json();
    assert_eq!(seen["info"]["name"], "Engines");
    assert_eq!(seen["my_role"], "Member");
    assert!(
        seen["activity"].as_array().unwrap().is_empty(),
        "members do not read the log"
    );
    assert!(seen["invitations"].as_array().unwrap().is_empty());
    let page = bob.get(&format!("/accounts/{id}")).await;
    assert!(!page.body.contains("Save account") && !page.body.contains("Send invitation"));
    let activity = details(&mut ada, id).await.json()["activity"].clone();
    let text = activity.to_string();
    assert!(
        text.contains("Edited the account information")
            && text.contains("Joined: bob@example.com as member"),
        "{text}"
    );
}

async fn other_accounts_answer_not_found_for_every_kind_of_object(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    // Verified, so that answering an invitation by id gets past that check to the lookup.
    let mut eve = app.verified("eve@example.com", "+49 151 23456787").await;
    let ada_account = first_account(&mut ada).await;
    let eve_account = first_account(&mut eve).await;
    invite_token(&app, &mut ada, ada_account, "carol@example.com", "member").await;
    let workspace: i64 = details(&mut ada, ada_account).await.json()["workspaces"][0]["id"]
        .as_i64()
        .unwrap();
    let invitation: i64 = details(&mut ada, ada_account).await.json()["invitations"][0]["id"]
        .as_i64()
        .unwrap();
    let ada_id: i64 = sqlx::query("SELECT id FROM users WHERE email = $1")
        .bind(ADA)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("id");
    let (a, w, i, u) = (
        ada_account.to_string(),
        workspace.to_string(),
        invitation.to_string(),
        ada_id.to_string(),
    );
    let e = eve_account.to_string();
    let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/api/accounts/details", vec![("id", &a)]),
        ("/api/accounts/save", save_fields(&a, "Eve was here")),
        (
            "/api/workspaces/rename",
            vec![
                ("account_id", &a),
                ("workspace_id", &w),
                ("workspace_name", "Eve"),
            ],
        ),
        (
            "/api/workspaces/delete",
            vec![("account_id", &a), ("workspace_id", &w)],
        ),
        (
            "/api/workspaces/create",
            vec![("account_id", &a), ("workspace_name", "Eve")],
        ),
        (
            "/api/invitations/send",
            vec![
                ("account_id", &a),
                ("email", "x@example.com"),
                ("role", "member"),
            ],
        ),
        (
            "/api/invitations/revoke",
            vec![("account_id", &a), ("invitation_id", &i)],
        ),
        (
            "/api/invitations/resend",
            vec![("account_id", &a), ("invitation_id", &i)],
        ),
        (
            "/api/members/role",
            vec![("account_id", &a), ("user_id", &u), ("role", "member")],
        ),
        (
            "/api/members/remove",
            vec![("account_id", &a), ("user_id", &u)],
        ),
        // Ada's objects addressed through Eve's own account.
        (
            "/api/workspaces/rename",
            vec![
                ("account_id", &e),
                ("workspace_id", &w),
                ("workspace_name", "Eve"),
            ],
        ),
        (
            "/api/workspaces/delete",
            vec![("account_id", &e), ("workspace_id", &w)],
        ),
        (
            "/api/invitations/revoke",
            vec![("account_id", &e), ("invitation_id", &i)],
        ),
        (
            "/api/invitations/resend",
            vec![("account_id", &e), ("invitation_id", &i)],
        ),
        (
            "/api/members/role",
            vec![("account_id", &e), ("user_id", &u), ("role", "member")],
        ),
        (
            "/api/members/remove",
            vec![("account_id", &e), ("user_id", &u)],
        ),
        (
            "/api/invitations/answer",
            vec![("invitation_id", &i), ("accept", "true")],
        ),
    ];
    for (path, fields) in attempts {
        let res = eve.call(path, &fields).await;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{path} {fields:?}: {}",
            res.body
        );
    }
    let after = details(&mut ada, ada_account).await.json();
    assert_eq!(after["workspaces"][0]["name"], "Default");
    assert_eq!(after["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(after["members"][0]["role"], "Owner");
    assert_eq!(after["info"]["name"], "Ada Lovelace");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workspaces").await, 2);
    assert_eq!(
        eve.get(&format!("/accounts/{ada_account}")).await.status,
        StatusCode::OK,
        "the page renders"
    );
    assert!(eve
        .get(&format!("/accounts/{ada_account}"))
        .await
        .body
        .contains("Not found."));
}

async fn an_invited_person_signs_up_with_the_invited_email_and_joins(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let token = invite_token(&app, &mut ada, account, BOB, "admin").await;
    assert!(token.len() >= 32, "at least 128 bits");
    let stored: String = sqlx::query("SELECT token_hash FROM invitations")
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get("token_hash");
    assert_ne!(stored, token, "only a hash is stored");
    assert_eq!(stored.len(), 64);

    let mut bob = app.client();
    let page = bob.get(&format!("/invitations/{token}")).await;
    assert!(page.body.contains("Sign up to accept"), "{}", page.body);
    let landing = bob
        .call("/api/invitations/show", &[("token", &token)])
        .await
        .json();
    assert_eq!(landing["viewer"]["SignedOut"]["registered"], false);
    let signup = bob.get(&format!("/signup?invitation={token}")).await;
    assert!(
        signup.body.contains("value=\"bob@example.com\"") && signup.body.contains("readonly"),
        "the email is filled in and locked"
    );

    // Another email than the invited one is refused, and nobody is created.
    let res = bob
        .signup(&[
            ("email", "mallory@example.com"),
            ("mobile", "+49 151 23456788"),
            ("invitation", &token),
        ])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .field_error("email")
        .unwrap()
        .contains("bob@example.com"));
    assert_eq!(app.count_users().await, 1);

    let res = bob
        .signup(&[
            ("email", BOB),
            ("mobile", "+49 151 23456788"),
            ("invitation", &token),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.location(),
        Some(format!("/accounts/{account}").as_str())
    );
    let seen = details(&mut bob, account).await.json();
    assert_eq!(seen["my_role"], "Admin");
    let listed = bob.call("/api/accounts", &[]).await.json();
    assert_eq!(
        listed["accounts"].as_array().unwrap().len(),
        2,
        "their own and Ada's"
    );
    let members = details(&mut ada, account).await.json()["members"].clone();
    assert_eq!(members[1]["email"], BOB);

    // Single use.
    let res = bob
        .call("/api/invitations/show", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("not valid any more"));
}

async fn invitation_rules_duplicates_resend_revoke_and_expiry(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let res = invite(&mut ada, account, ADA, "member").await;
    assert!(res
        .field_error("email")
        .unwrap()
        .contains("already a member"));
    let first = invite_token(&app, &mut ada, account, BOB, "member").await;
    let res = invite(&mut ada, account, "  BOB@example.com ", "member").await;
    assert!(
        res.field_error("email").unwrap().contains("Resend"),
        "{}",
        res.body
    );
    let res = invite(&mut ada, account, "carol@example.com", "emperor").await;
    assert!(res.field_error("role").is_some());

    let invitation = details(&mut ada, account).await.json()["invitations"][0]["id"].to_string();
    let a = account.to_string();
    let res = ada
        .call(
            "/api/invitations/resend",
            &[("account_id", &a), ("invitation_id", &invitation)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let mut second = first.clone();
    for _ in 0..200 {
        second = app.invitation_token(BOB).await;
        if second != first {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(first, second, "the resent mail carries a new link");
    let mut bob = app.client();
    assert_eq!(
        bob.call("/api/invitations/show", &[("token", &first)])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "resend voids the old link"
    );
    assert_eq!(
        bob.call("/api/invitations/show", &[("token", &second)])
            .await
            .status,
        StatusCode::OK
    );

    let res = ada
        .call(
            "/api/invitations/revoke",
            &[("account_id", &a), ("invitation_id", &invitation)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        bob.call("/api/invitations/show", &[("token", &second)])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "revoked"
    );

    let third = invite_token(&app, &mut ada, account, BOB, "member").await;
    sqlx::query("UPDATE invitations SET expires_at = 1 WHERE status = 'pending'")
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        bob.call("/api/invitations/show", &[("token", &third)])
            .await
            .status,
        StatusCode::FORBIDDEN,
        "expired"
    );
    let mut bob = app.signed_up(BOB, "+49 151 23456788").await;
    let res = bob
        .call("/api/invitations/accept", &[("token", &third)])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM memberships").await,
        2,
        "Ada's and Bob's own accounts only"
    );
    let log = details(&mut ada, account).await.json()["activity"].to_string();
    assert!(
        log.contains("Revoked the invitation") && log.contains("again"),
        "{log}"
    );
}

async fn two_racing_accepts_of_one_invitation_make_one_membership(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let token = invite_token(&app, &mut ada, account, BOB, "member").await;
    app.signed_up(BOB, "+49 151 23456788").await;
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let mut bob = app.client();
        bob.login(BOB, STRONG_PASSWORD).await;
        let token = token.clone();
        racing.spawn(async move {
            bob.call("/api/invitations/accept", &[("token", &token)])
                .await
                .status
        });
    }
    let statuses = racing.join_all().await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    let n = sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE account_id = $1")
        .bind(account)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
        .get::<i64, _>("n");
    assert_eq!(n, 2);
}

async fn roles_admins_cannot_touch_owners_and_the_last_owner_stays(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let a = account.to_string();
    let ada_id = details(&mut ada, account).await.json()["members"][0]["user_id"].to_string();

    // The last Owner cannot be demoted, removed or leave.
    let res = ada
        .call(
            "/api/members/role",
            &[("account_id", &a), ("user_id", &ada_id), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .field_error("role")
        .unwrap()
        .contains("at least one Owner"));
    let res = ada
        .call(
            "/api/members/remove",
            &[("account_id", &a), ("user_id", &ada_id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let mut bob = join(&app, &mut ada, account, "admin").await;
    let bob_id = details(&mut ada, account).await.json()["members"][1]["user_id"].to_string();
    // An Admin cannot demote or remove an Owner, nor make Owners.
    let res = bob
        .call(
            "/api/members/role",
            &[("account_id", &a), ("user_id", &ada_id), ("role", "member")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = bob
        .call(
            "/api/members/remove",
            &[("account_id", &a), ("user_id", &ada_id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = invite(&mut bob, account, "carol@example.com", "owner").await;
    assert!(res.field_error("role").unwrap().contains("Only an Owner"));
    // An Admin invites Members.
    assert_eq!(
        invite(&mut bob, account, "carol@example.com", "member")
            .await
            .status,
        StatusCode::OK
    );

    // Two Owners: one may step down; then the other is the last again.
    let res = ada
        .call(
            "/api/members/role",
            &[("account_id", &a), ("user_id", &bob_id), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = ada
        .call(
            "/api/members/role",
            &[("account_id", &a), ("user_id", &ada_id), ("role", "member")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = bob
        .call(
            "/api/members/remove",
            &[("account_id", &a), ("user_id", &bob_id)],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "the last Owner cannot leave"
    );
    // A Member cannot invite or rename.
    let res = invite(&mut ada, account, "dave@example.com", "member").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let w = details(&mut ada, account).await.json()["workspaces"][0]["id"].to_string();
    let res = ada
        .call(
            "/api/workspaces/rename",
            &[
                ("account_id", &a),
                ("workspace_id", &w),
                ("workspace_name", "X"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // And may leave.
    let res = ada
        .call(
            "/api/members/remove",
            &[("account_id", &a), ("user_id", &ada_id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        details(&mut ada, account).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn workspaces_are_created_renamed_and_deleted_by_managers(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let a = account.to_string();
    let create = |name: &'static str| {
        vec![
            ("account_id", a.clone()),
            ("workspace_name", name.to_owned()),
        ]
    };
    for name in ["Research", "Marketing"] {
        let fields = create(name);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            ada.call("/api/workspaces/create", &fields).await.status,
            StatusCode::OK
        );
    }
    let res = ada
        .call(
            "/api/workspaces/create",
            &[("account_id", &a), ("workspace_name", "research")],
        )
        .await;
    assert!(res
        .field_error("workspace_name")
        .unwrap()
        .contains("already has a workspace"));
    let res = ada
        .call(
            "/api/workspaces/create",
            &[("account_id", &a), ("workspace_name", " ")],
        )
        .await;
    assert_eq!(
        res.field_error("workspace_name").unwrap(),
        "Enter the workspace name."
    );
    let list = details(&mut ada, account).await.json()["workspaces"].clone();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "Marketing", "Research"]);
    let research = list[2]["id"].to_string();
    let res = ada
        .call(
            "/api/workspaces/rename",
            &[
                ("account_id", &a),
                ("workspace_id", &research),
                ("workspace_name", "marketing"),
            ],
        )
        .await;
    assert!(
        res.field_error("workspace_name").is_some(),
        "unique inside the account"
    );
    let res = ada
        .call(
            "/api/workspaces/rename",
            &[
                ("account_id", &a),
                ("workspace_id", &research),
                ("workspace_name", "Science"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = ada
        .call(
            "/api/workspaces/delete",
            &[
                ("account_id", &a),
                ("workspace_id", &list[1]["id"].to_string()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let all: Value = ada.call("/api/workspaces", &[]).await.json();
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "Science"]);
    let page = ada.get("/workspaces").await;
    assert!(page.body.contains("Science") && page.body.contains("Ada Lovelace"));
    let log = details(&mut ada, account).await.json()["activity"].to_string();
    assert!(
        log.contains("Renamed a workspace") && log.contains("Deleted the workspace"),
        "{log}"
    );
}

async fn signed_in_as_someone_else_the_invitation_is_refused(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let token = invite_token(&app, &mut ada, account, BOB, "member").await;
    let mut eve = app.signed_up("eve@example.com", "+49 151 23456787").await;
    let landing = eve
        .call("/api/invitations/show", &[("token", &token)])
        .await
        .json();
    assert_eq!(landing["viewer"]["Other"]["email"], "eve@example.com");
    let page = eve.get(&format!("/invitations/{token}")).await;
    assert!(page.body.contains("You are logged in as eve@example.com"));
    let res = eve
        .call("/api/invitations/accept", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("This invitation is for bob@example.com"));
    // Declining works from the link, signed in or not.
    let mut anyone = app.client();
    assert_eq!(
        anyone
            .call("/api/invitations/decline", &[("token", &token)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        anyone
            .call("/api/invitations/show", &[("token", &token)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn invitation_links_use_the_configured_public_url(app: TestApp) {
    // Also the configured lifetime, not a fixed one.
    let app = app.like(|config| config.accounts.invitation_days = 3).await;
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let req = http::Request::post("/api/invitations/send")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("host", "evil.example")
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from(common::form(&[
            ("account_id", &account.to_string()),
            ("email", BOB),
            ("role", "member"),
        ])))
        .unwrap();
    let res = ada.send(req).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        !res.body.contains("/invitations/"),
        "the link goes only to the invited address: {}",
        res.body
    );
    let mail = app.mail_to(BOB, "invited you").await;
    assert!(
        mail.text
            .contains(&format!("{}/invitations/", app.config.server.public_url)),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("evil.example"), "{}", mail.text);
    assert!(
        mail.text.contains("expires in 3 days"),
        "the configured lifetime: {}",
        mail.text
    );
}

async fn invitations_per_hour_are_limited(app: TestApp) {
    let mut config = app.config.clone();
    config.accounts.invitations_per_hour = 2;
    let limited = TestApp::with_config(config).await;
    let mut ada = limited.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    for who in ["b@example.com", "c@example.com"] {
        assert_eq!(
            invite(&mut ada, account, who, "member").await.status,
            StatusCode::OK
        );
    }
    let res = invite(&mut ada, account, "d@example.com", "member").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
}

/// A real SMTP server on loopback (Debian's python3-aiosmtpd) receives the invitation, and
/// the link in the mail works.
#[tokio::test]
async fn the_invitation_mail_arrives_with_a_working_link() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Debian's interpreter, where the python3-aiosmtpd package lives (not a pyenv one).
    let mut smtp = Command::new("/usr/bin/python3")
        .args([
            "-u",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3-aiosmtpd is installed by the README's test command");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let mut config = server::Config::default();
    config.database.url = common::scratch_sqlite();
    config.mail.smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::with_config(config).await;
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let res = invite(&mut ada, account, BOB, "member").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        !res.body.contains("/invitations/"),
        "never shown to the inviter"
    );
    // The worker sends it right after the commit.
    for _ in 0..200 {
        let sent = count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'invitation' AND status = 'sent'",
        )
        .await;
        if sent == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = smtp.kill();
    let mut mail = String::new();
    smtp.stdout
        .take()
        .unwrap()
        .read_to_string(&mut mail)
        .unwrap();
    let _ = smtp.wait();
    let mail = common::decode_quoted_printable(&mail);
    assert!(mail.contains("To: bob@example.com"), "{mail}");
    assert!(mail.contains("Ada Lovelace invited you"), "{mail}");
    let prefix = format!("{}/invitations/", app.config.server.public_url);
    let start = mail
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link in {mail}"));
    let token: String = mail[start + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let mut bob = app.client();
    let res = bob
        .call("/api/invitations/show", &[("token", &token)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.json()["account_name"], "Ada Lovelace");
}

/// The id of the pending invitation to `email`, as the account page lists it.
async fn invitation_id(client: &mut Client, account: i64, email: &str) -> Option<String> {
    let page = details(client, account).await.json();
    page["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == email)
        .map(|i| i["id"].as_i64().unwrap().to_string())
}

async fn landing_works(app: &TestApp, token: &str) -> bool {
    app.client()
        .call("/api/invitations/show", &[("token", token)])
        .await
        .status
        == StatusCode::OK
}

async fn admins_cannot_resend_or_revoke_owner_invitations(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let mut bob = join(&app, &mut ada, account, "admin").await;
    let token = invite_token(&app, &mut ada, account, "carol@example.com", "owner").await;
    let id = invitation_id(&mut ada, account, "carol@example.com")
        .await
        .unwrap();
    let a = account.to_string();
    for action in ["/api/invitations/resend", "/api/invitations/revoke"] {
        let res = bob
            .call(action, &[("account_id", &a), ("invitation_id", &id)])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{action}: {}", res.body);
        assert!(res.body.contains("Only an Owner"), "{}", res.body);
    }
    assert_eq!(
        app.mails_to("carol@example.com", "invited you").len(),
        1,
        "no new Owner link was mailed"
    );
    assert!(
        landing_works(&app, &token).await,
        "the Owner's link still works"
    );
    // Admin invitations stay Bob's to resend.
    invite_token(&app, &mut ada, account, "dan@example.com", "admin").await;
    let id = invitation_id(&mut ada, account, "dan@example.com")
        .await
        .unwrap();
    let res = bob
        .call(
            "/api/invitations/resend",
            &[("account_id", &a), ("invitation_id", &id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn resends_count_against_the_hourly_limit_even_in_parallel(app: TestApp) {
    let mut config = app.config.clone();
    config.accounts.invitations_per_hour = 5;
    let limited = TestApp::with_config(config).await;
    let mut ada = limited.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    assert_eq!(
        invite(&mut ada, account, "b@example.com", "member")
            .await
            .status,
        StatusCode::OK
    );
    let id = invitation_id(&mut ada, account, "b@example.com")
        .await
        .unwrap();
    let a = account.to_string();
    let mut racing = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let mut ada = ada.clone();
        let (a, id) = (a.clone(), id.clone());
        racing.spawn(async move {
            ada.call(
                "/api/invitations/resend",
                &[("account_id", &a), ("invitation_id", &id)],
            )
            .await
            .status
        });
    }
    let statuses = racing.join_all().await;
    let sent = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(
        sent, 4,
        "one invitation and four resends make five: {statuses:?}"
    );
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS));
    let res = invite(&mut ada, account, "c@example.com", "member").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
}

async fn invitations_end_when_their_inviter_leaves_or_may_no_longer_grant_them(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let mut bob = join(&app, &mut ada, account, "owner").await;
    let bob_id = details(&mut ada, account).await.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == BOB)
        .map(|m| m["user_id"].as_i64().unwrap().to_string())
        .unwrap();
    let owner_link = invite_token(&app, &mut bob, account, "o@example.com", "owner").await;
    let admin_link = invite_token(&app, &mut bob, account, "a@example.com", "admin").await;
    let ada_link = invite_token(&app, &mut ada, account, "x@example.com", "owner").await;
    let a = account.to_string();

    // Bob, now an Admin, may no longer make Owners: that invitation ends, the other stays.
    let res = ada
        .call(
            "/api/members/role",
            &[("account_id", &a), ("user_id", &bob_id), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        !landing_works(&app, &owner_link).await,
        "Owner invitation revoked"
    );
    assert!(
        landing_works(&app, &admin_link).await,
        "Admin invitation kept"
    );
    let log = details(&mut ada, account).await.json()["activity"].to_string();
    assert!(log.contains("o@example.com"), "{log}");

    // Removed, Bob takes the rest of his invitations with him; Ada's stay.
    let res = ada
        .call(
            "/api/members/remove",
            &[("account_id", &a), ("user_id", &bob_id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        !landing_works(&app, &admin_link).await,
        "Admin invitation revoked"
    );
    assert!(
        landing_works(&app, &ada_link).await,
        "Ada's invitation kept"
    );
}

async fn sign_up_from_an_invitation_is_one_transaction(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let token = invite_token(&app, &mut ada, account, BOB, "member").await;
    // The membership cannot be written (a stand-in for a crash between the two steps).
    let sqlite = app.config.database.url.starts_with("sqlite");
    let statements: &[&str] = if sqlite {
        &[
            "CREATE TRIGGER no_members BEFORE INSERT ON memberships WHEN NEW.role = 'member' \
           BEGIN SELECT RAISE(ABORT, 'no members'); END",
        ]
    } else {
        &[
            "CREATE FUNCTION no_members() RETURNS trigger AS $$ BEGIN \
               RAISE EXCEPTION 'no members'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER no_members BEFORE INSERT ON memberships FOR EACH ROW \
               WHEN (NEW.role = 'member') EXECUTE FUNCTION no_members()",
        ]
    };
    for statement in statements {
        sqlx::query(statement).execute(&app.state.db).await.unwrap();
    }
    let users = app.count_users().await;
    let mut bob = app.client();
    let res = bob
        .signup(&[
            ("email", BOB),
            ("mobile", "+49 151 23456788"),
            ("invitation", &token),
        ])
        .await;
    assert_eq!(
        res.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        res.body
    );
    assert_eq!(
        app.count_users().await,
        users,
        "no person without the account"
    );

    sqlx::query("DROP TRIGGER no_members ON memberships")
        .execute(&app.state.db)
        .await
        .ok();
    sqlx::query("DROP TRIGGER IF EXISTS no_members")
        .execute(&app.state.db)
        .await
        .ok();
    let res = bob
        .signup(&[
            ("email", BOB),
            ("mobile", "+49 151 23456788"),
            ("invitation", &token),
        ])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.location(),
        Some(format!("/accounts/{account}").as_str())
    );
    assert_eq!(app.count_users().await, users + 1);
}

/// Bob's user id in the account, as Ada's member list shows it.
async fn bob_id(ada: &mut Client, account: i64) -> String {
    member_id(ada, account, BOB).await
}

/// The user id of the member with `email`, as the account page lists them.
async fn member_id(client: &mut Client, account: i64, email: &str) -> String {
    details(client, account).await.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .map(|m| m["user_id"].as_i64().unwrap().to_string())
        .unwrap()
}

async fn an_inviter_who_leaves_takes_their_invitations(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let mut bob = join(&app, &mut ada, account, "admin").await;
    let bob_id = bob_id(&mut ada, account).await;
    let bobs = invite_token(&app, &mut bob, account, "m@example.com", "member").await;
    let adas = invite_token(&app, &mut ada, account, "n@example.com", "member").await;
    let res = bob
        .call(
            "/api/members/remove",
            &[("account_id", &account.to_string()), ("user_id", &bob_id)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(
        !landing_works(&app, &bobs).await,
        "Bob's invitation left with him"
    );
    assert!(landing_works(&app, &adas).await, "Ada's invitation stays");
    let log = details(&mut ada, account).await.json()["activity"].to_string();
    assert!(log.contains("m@example.com"), "{log}");
}

/// An Admin's invitation sent while an Owner demotes them to Member: whichever commits first,
/// no invitation of theirs is left pending (the grant is checked again under the account's
/// lock, in the invitation's own transaction).
async fn an_invitation_racing_its_inviter_s_demotion_never_outlives_it(app: TestApp) {
    let mut config = app.config.clone();
    config.accounts.invitations_per_hour = 100;
    let app = TestApp::with_config(config).await;
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let account = first_account(&mut ada).await;
    let bob = join(&app, &mut ada, account, "admin").await;
    let bob_id = bob_id(&mut ada, account).await;
    let a = account.to_string();
    for round in 0..12 {
        let res = ada
            .call(
                "/api/members/role",
                &[("account_id", &a), ("user_id", &bob_id), ("role", "admin")],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let email = format!("r{round}@example.com");
        let inviting = {
            let (mut bob, email) = (bob.clone(), email.clone());
            tokio::spawn(async move { invite(&mut bob, account, &email, "member").await.status })
        };
        let demoting = {
            let (mut ada, a, bob_id) = (ada.clone(), a.clone(), bob_id.clone());
            tokio::spawn(async move {
                ada.call(
                    "/api/members/role",
                    &[("account_id", &a), ("user_id", &bob_id), ("role", "member")],
                )
                .await
                .status
            })
        };
        let (invited, demoted) = (inviting.await.unwrap(), demoting.await.unwrap());
        assert_eq!(demoted, StatusCode::OK);
        assert!(
            [StatusCode::OK, StatusCode::FORBIDDEN].contains(&invited),
            "{invited}"
        );
        assert_eq!(
            invitation_id(&mut ada, account, &email).await,
            None,
            "round {round}: a Member's invitation is pending"
        );
    }
}

/// Posts a form as a browser without JavaScript does, from `page`: the answer sends it back
/// there with `?done=`, and the page loaded from that says `said`, which it does not say
/// otherwise.
async fn plain_post_says(
    client: &mut Client,
    path: &str,
    page: &str,
    fields: &[(&str, &str)],
    said: &str,
) {
    let res = client.post_html_form(path, page, fields).await;
    assert_eq!(res.status, StatusCode::FOUND, "{path}: {}", res.body);
    let to = res.location().unwrap_or_default().to_owned();
    assert!(
        to.starts_with(&format!("{page}?done=")),
        "{path} went to {to}"
    );
    let body = client.get(&to).await.body;
    assert!(body.contains(said), "{to} does not say {said:?}");
    assert!(
        !client.get(page).await.body.contains(said),
        "{page} says {said:?}"
    );
}

/// Three workspaces; renaming one to another's name, posted without JavaScript, is refused:
/// the page comes back with that row's form open, the message and the name as typed, and the
/// other rows as they were.
async fn a_refusal_without_javascript_shows_in_the_row_that_sent_it(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let res = ada
        .call("/api/accounts/create", &[("name", "Engines")])
        .await;
    let id = res.json().as_i64().expect("the new account's id");
    let a = id.to_string();
    for name in ["Research", "Lab", "Archive"] {
        let res = ada
            .call(
                "/api/workspaces/create",
                &[("account_id", &a), ("workspace_name", name)],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    let workspaces = details(&mut ada, id).await.json()["workspaces"].clone();
    let id_of = |name: &str| {
        workspaces
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == name)
            .map(|w| w["id"].as_i64().unwrap().to_string())
            .unwrap()
    };
    let (lab, research, archive) = (id_of("Lab"), id_of("Research"), id_of("Archive"));
    // Sent from the page as an earlier success left it: the refusal does not repeat that.
    let page = format!("/accounts/{id}?done=workspace-created");
    let res = ada
        .post_html_form(
            "/api/workspaces/rename",
            &page,
            &[
                ("account_id", &a),
                ("workspace_id", &lab),
                ("workspace_name", "Archive"),
            ],
        )
        .await;
    let back = res.location().unwrap().to_owned();
    assert!(back.contains("__err=") && !back.contains("done="), "{back}");
    let body = ada
        .get(back.strip_prefix(common::ORIGIN).unwrap_or(&back))
        .await
        .body;
    let row = |workspace: &str| {
        body.split(r#"<li class="workspace">"#)
            .find(|row| row.contains(&format!(r#"id="workspace-{workspace}""#)))
            .unwrap_or_else(|| panic!("no row for workspace {workspace}: {body}"))
            .to_owned()
    };
    let refused = row(&lab);
    let said = "This account already has a workspace with this name.";
    assert!(refused.contains(said), "{refused}");
    assert!(
        refused.contains(r#"<details open class="device-action">"#),
        "{refused}"
    );
    let input = refused
        .split(&format!(r#"<input id="workspace-{lab}""#))
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no name field: {refused}"));
    assert!(input.contains(r#"value="Archive""#), "{input}");
    for other in [research, archive] {
        let other = row(&other);
        assert!(!other.contains(said), "{other}");
        assert!(!other.contains("<details open"), "{other}");
    }
    assert_eq!(body.matches(said).count(), 1, "{body}");
}

async fn changes_without_javascript_come_back_saying_what_was_done(app: TestApp) {
    let mut ada = app.signed_up(ADA, "+49 151 23456789").await;
    let res = ada
        .post_html_form("/api/accounts/create", "/accounts", &[("name", "Engines")])
        .await;
    let to = res.location().unwrap_or_default().to_owned();
    let id: i64 = to
        .strip_prefix("/accounts/")
        .and_then(|rest| rest.split_once("?done="))
        .and_then(|(id, _)| id.parse().ok())
        .unwrap_or_else(|| panic!("a new account opens its page, not {to}"));
    assert!(ada.get(&to).await.body.contains("Account created."));
    let (page, a) = (format!("/accounts/{id}"), id.to_string());

    let ws = |name: &'static str| [("account_id", a.as_str()), ("workspace_name", name)];
    plain_post_says(
        &mut ada,
        "/api/workspaces/create",
        &page,
        &ws("Research"),
        "Workspace created.",
    )
    .await;
    let workspace = details(&mut ada, id).await.json()["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Research")
        .map(|w| w["id"].as_i64().unwrap().to_string())
        .unwrap();
    let rename = [
        ("account_id", a.as_str()),
        ("workspace_id", &workspace),
        ("workspace_name", "Lab"),
    ];
    plain_post_says(
        &mut ada,
        "/api/workspaces/rename",
        &page,
        &rename,
        "Workspace renamed.",
    )
    .await;
    let delete = [("account_id", a.as_str()), ("workspace_id", &workspace)];
    plain_post_says(
        &mut ada,
        "/api/workspaces/delete",
        &page,
        &delete,
        "Workspace deleted.",
    )
    .await;

    let send = |email: &'static str| {
        [
            ("account_id", a.as_str()),
            ("email", email),
            ("role", "member"),
        ]
    };
    plain_post_says(
        &mut ada,
        "/api/invitations/send",
        &page,
        &send("eve@example.com"),
        "Invitation mailed.",
    )
    .await;
    let eve = invitation_id(&mut ada, id, "eve@example.com")
        .await
        .unwrap();
    let eve = [("account_id", a.as_str()), ("invitation_id", &eve)];
    plain_post_says(
        &mut ada,
        "/api/invitations/resend",
        &page,
        &eve,
        "Invitation mailed again.",
    )
    .await;
    plain_post_says(
        &mut ada,
        "/api/invitations/revoke",
        &page,
        &eve,
        "Invitation revoked.",
    )
    .await;

    let mut bob = join(&app, &mut ada, id, "member").await;
    let bob_user = bob_id(&mut ada, id).await;
    let role = [
        ("account_id", a.as_str()),
        ("user_id", &bob_user),
        ("role", "admin"),
    ];
    plain_post_says(&mut ada, "/api/members/role", &page, &role, "Role changed.").await;
    // Leaving goes to the list of accounts, which says so, with or without JavaScript.
    let leave = [("account_id", a.as_str()), ("user_id", &bob_user)];
    let res = bob
        .post_html_form("/api/members/remove", &page, &leave)
        .await;
    assert_eq!(res.location(), Some("/accounts?done=left"));
    assert!(bob
        .get("/accounts?done=left")
        .await
        .body
        .contains("You left the account."));

    let carol_token = invite_token(&app, &mut ada, id, "carol@example.com", "member").await;
    let mut carol = app.signed_up("carol@example.com", "+49 151 23456787").await;
    let res = carol
        .call("/api/invitations/accept", &[("token", &carol_token)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let carol_user = member_id(&mut ada, id, "carol@example.com").await;
    let remove = [("account_id", a.as_str()), ("user_id", &carol_user)];
    plain_post_says(
        &mut ada,
        "/api/members/remove",
        &page,
        &remove,
        "User removed from the account.",
    )
    .await;

    // Invitations to me, answered from the list of accounts, which says what was done, also
    // once the last one is answered and its section is gone.
    const DAVE: &str = "dave@example.com";
    let mut dave = app.signed_up(DAVE, "+49 151 23456786").await;
    app.verify_email(&mut dave, DAVE).await;
    for (accept, said) in [
        ("false", "Invitation declined."),
        ("true", "Invitation accepted."),
    ] {
        let res = invite(&mut ada, id, DAVE, "member").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let mine = dave.call("/api/accounts", &[]).await.json();
        let invitation = mine["invitations"][0]["id"].to_string();
        let answer = [("invitation_id", invitation.as_str()), ("accept", accept)];
        plain_post_says(
            &mut dave,
            "/api/invitations/answer",
            "/accounts",
            &answer,
            said,
        )
        .await;
    }
}
