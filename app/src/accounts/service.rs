//! The rules of accounts: who may see and change what, validation, and invitations.

use super::activity::Activity;
use super::{
    AccountDetails, AccountInfo, AccountSummary, AccountsOverview, ActivityView, InvitationLanding,
    InvitationSent, InvitationView, MemberView, Role, Viewer, WorkspaceView,
};
use crate::clock::now_unix;
use crate::db::accounts::{self as db, Closing, MemberChange};
use crate::db::is_unique_violation;
use crate::db::users::{self, User};
use crate::error::{AppError, FieldErrors};
use crate::sign_in::validate::{validate_email, validate_mobile};
use crate::state::AppState;
use crate::tokens::{new_token, token_hash};

const NAME_MAX_CHARS: usize = 100;
const ADDRESS_MAX_CHARS: usize = 300;
const TAX_ID_MAX_CHARS: usize = 32;
const ACTIVITY_SHOWN: i64 = 30;
const DUPLICATE_WORKSPACE: &str = "This account already has a workspace with this name.";

fn role(id: &str) -> Role {
    // Stored values come from `Role::id`; an unknown one counts for the least.
    Role::from_id(id).unwrap_or(Role::Member)
}

/// The viewer's role in the account. Not being a member reads exactly like a missing
/// account.
async fn membership(state: &AppState, user: &User, account_id: i64) -> Result<Role, AppError> {
    db::role_of(&state.db, account_id, user.id)
        .await?
        .map(|r| role(&r))
        .ok_or(AppError::NotFound)
}

async fn manager(state: &AppState, user: &User, account_id: i64) -> Result<Role, AppError> {
    let role = membership(state, user, account_id).await?;
    if role.manages() {
        Ok(role)
    } else {
        Err(AppError::Forbidden(
            "Only the account's Owners and Admins can do that.".into(),
        ))
    }
}

fn required_text(label: &str, input: &str, max: usize) -> Result<String, String> {
    crate::text::required_line(input, max).map_err(|e| e.message(label))
}

fn optional_text(label: &str, input: &str, max: usize) -> Result<String, String> {
    crate::text::line(input, max).map_err(|e| e.message(label))
}

/// Every field of the account information, each with its own message.
pub fn validate_info(input: &AccountInfo) -> Result<AccountInfo, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check(
        "name",
        required_text("account name", &input.name, NAME_MAX_CHARS),
    );
    let company_name = errors.check(
        "company_name",
        optional_text("company name", &input.company_name, NAME_MAX_CHARS),
    );
    let contact_email = errors.check(
        "contact_email",
        match input.contact_email.trim() {
            "" => Ok(String::new()),
            email => validate_email(email),
        },
    );
    let phone = errors.check(
        "phone",
        match input.phone.trim() {
            "" => Ok(String::new()),
            phone => validate_phone(phone),
        },
    );
    let address = errors.check(
        "address",
        optional_text(
            "address",
            &input.address.replace("\r\n", "\n").replace('\n', ", "),
            ADDRESS_MAX_CHARS,
        ),
    );
    let country = errors.check("country", validate_country(&input.country));
    let tax_id = errors.check("tax_id", validate_tax_id(&input.tax_id));
    errors.into_result()?;
    Ok(AccountInfo {
        name: name.unwrap_or_default(),
        company_name: company_name.unwrap_or_default(),
        contact_email: contact_email.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        address: address.unwrap_or_default(),
        country: country.unwrap_or_default(),
        tax_id: tax_id.unwrap_or_default(),
    })
}

/// Any phone number (landlines too), in international form; stored as E.164.
fn validate_phone(input: &str) -> Result<String, String> {
    match validate_mobile(input) {
        Ok(number) => Ok(number),
        Err(message) if message.contains("landline") => {
            let number = phonenumber::parse(None, input).map_err(|_| message.clone())?;
            Ok(number.format().mode(phonenumber::Mode::E164).to_string())
        }
        Err(message) => Err(message),
    }
}

/// An ISO 3166-1 alpha-2 code (`DE`, `US`), checked against the regions libphonenumber
/// knows.
fn validate_country(input: &str) -> Result<String, String> {
    let code = input.trim().to_uppercase();
    if code.is_empty() {
        return Ok(code);
    }
    let known = code.len() == 2
        && code.chars().all(|c| c.is_ascii_uppercase())
        && phonenumber::metadata::DATABASE.by_id(&code).is_some();
    if known {
        Ok(code)
    } else {
        Err("Use the two-letter country code, e.g. DE, FR or US.".into())
    }
}

fn validate_tax_id(input: &str) -> Result<String, String> {
    let value = input.trim().to_uppercase();
    if value.chars().count() > TAX_ID_MAX_CHARS {
        return Err(format!(
            "A tax ID has at most {TAX_ID_MAX_CHARS} characters."
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))
    {
        return Err("A tax ID has letters, digits, spaces, dashes, dots or slashes only.".into());
    }
    Ok(value)
}

fn validate_workspace_name(input: &str) -> Result<String, AppError> {
    required_text("workspace name", input, NAME_MAX_CHARS)
        .map_err(|m| AppError::field("workspace_name", m))
}

fn invitation_view(user: &User, i: db::Invitation) -> InvitationView {
    InvitationView {
        id: i.id,
        account_id: i.account_id,
        account_name: i.account_name,
        email: i.email,
        role: role(&i.role),
        invited_by: i.invited_by,
        sent: user.preferences.show(i.sent_at),
        expires: user.preferences.show(i.expires_at),
    }
}

fn workspace_view(user: &User, w: db::Workspace) -> WorkspaceView {
    WorkspaceView {
        id: w.id,
        account_id: w.account_id,
        account_name: w.account_name,
        name: w.name,
        created: user.preferences.show(w.created_at),
    }
}

pub async fn overview(state: &AppState, user: &User) -> Result<AccountsOverview, AppError> {
    let accounts = db::for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|a| AccountSummary {
            id: a.id,
            name: a.name,
            role: role(&a.role),
            members: a.members,
            workspaces: a.workspaces,
        })
        .collect();
    // Invitations found by address only once the address is proven: anyone can sign up
    // claiming any address.
    let invitations = if user.email_verified() {
        db::invitations_to(&state.db, &user.email, now_unix())
            .await?
            .into_iter()
            .map(|i| invitation_view(user, i))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AccountsOverview {
        accounts,
        invitations,
        email_verified: user.email_verified(),
    })
}

pub async fn create_account(state: &AppState, user: &User, name: &str) -> Result<i64, AppError> {
    let name = required_text("account name", name, NAME_MAX_CHARS)
        .map_err(|m| AppError::field("name", m))?;
    Ok(db::create(&state.db, user.id, &name, "Default", now_unix()).await?)
}

pub async fn details(state: &AppState, user: &User, id: i64) -> Result<AccountDetails, AppError> {
    let my_role = membership(state, user, id).await?;
    let account = db::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let show = |t: i64| user.preferences.show(t);
    let members = db::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            user_id: m.user_id,
            name: format!("{} {}", m.first_name, m.last_name),
            email: m.email,
            role: role(&m.role),
            joined: show(m.joined_at),
            is_me: m.user_id == user.id,
        })
        .collect();
    let workspaces = db::workspaces(&state.db, id)
        .await?
        .into_iter()
        .map(|w| workspace_view(user, w))
        .collect();
    let (invitations, activity) = if my_role.manages() {
        let invitations = db::pending_invitations(&state.db, id, now_unix())
            .await?
            .into_iter()
            .map(|i| invitation_view(user, i))
            .collect();
        let activity = db::events(&state.db, id, ACTIVITY_SHOWN)
            .await?
            .into_iter()
            .map(|e| ActivityView {
                when: show(e.created_at),
                who: e.actor,
                what: Activity::describe(&e.kind, &e.detail),
            })
            .collect();
        (invitations, activity)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(AccountDetails {
        id,
        info: account.info,
        my_role,
        members,
        workspaces,
        invitations,
        activity,
    })
}

pub async fn save_info(
    state: &AppState,
    user: &User,
    account_id: i64,
    input: AccountInfo,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    let info = validate_info(&input)?;
    db::update_info(&state.db, account_id, &info, user.id, now_unix()).await?;
    Ok(())
}

pub async fn create_workspace(
    state: &AppState,
    user: &User,
    account_id: i64,
    name: &str,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    let name = validate_workspace_name(name)?;
    match db::create_workspace(&state.db, account_id, &name, user.id, now_unix()).await {
        Err(e) if is_unique_violation(&e) => {
            Err(AppError::field("workspace_name", DUPLICATE_WORKSPACE))
        }
        other => Ok(other?),
    }
}

pub async fn rename_workspace(
    state: &AppState,
    user: &User,
    account_id: i64,
    workspace_id: i64,
    name: &str,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    let name = validate_workspace_name(name)?;
    match db::rename_workspace(
        &state.db,
        account_id,
        workspace_id,
        &name,
        user.id,
        now_unix(),
    )
    .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(e) if is_unique_violation(&e) => {
            Err(AppError::field("workspace_name", DUPLICATE_WORKSPACE))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_workspace(
    state: &AppState,
    user: &User,
    account_id: i64,
    workspace_id: i64,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    if db::delete_workspace(&state.db, account_id, workspace_id, user.id, now_unix()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn all_workspaces(state: &AppState, user: &User) -> Result<Vec<WorkspaceView>, AppError> {
    Ok(db::workspaces_for_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|w| workspace_view(user, w))
        .collect())
}

/// Owners may grant any role; Admins may invite Admins and Members.
fn check_grant(my_role: Role, role: Role) -> Result<(), AppError> {
    if !my_role.can_grant(role) {
        return Err(AppError::field(
            "role",
            "Only an Owner can make someone an Owner.",
        ));
    }
    Ok(())
}

pub async fn invite(
    state: &AppState,
    user: &User,
    account_id: i64,
    email: &str,
    role_id: &str,
) -> Result<InvitationSent, AppError> {
    let my_role = manager(state, user, account_id).await?;
    let mut errors = FieldErrors::new();
    let email = errors.check("email", validate_email(email));
    let role = errors.check(
        "role",
        Role::from_id(role_id).ok_or_else(|| "Choose Owner, Admin or Member.".to_owned()),
    );
    errors.into_result()?;
    let (Some(email), Some(role)) = (email, role) else {
        return Err(AppError::Internal);
    };
    check_grant(my_role, role)?;
    let now = now_unix();
    if db::is_member_email(&state.db, account_id, &email).await? {
        return Err(AppError::field(
            "email",
            "This person is already a member of the account.",
        ));
    }
    if db::has_pending_invitation(&state.db, account_id, &email, now).await? {
        return Err(AppError::field(
            "email",
            "An invitation to this email is already pending. Use Resend in the list below to send it again.",
        ));
    }
    check_rate(state, account_id, now).await?;
    let (token, hash) = new_token();
    let account = account_name(state, account_id).await?;
    let new = db::NewInvitation {
        account_id,
        email: &email,
        role: role.id(),
        token_hash: &hash,
        invited_by: user.id,
        now,
        expires_at: now + state.settings.invitation_ttl_secs,
    };
    // The invitation and its mail commit together, by someone still allowed to send it.
    let mut tx = crate::db::begin_write(&state.db).await?;
    still_grants(&mut tx, user, account_id, role).await?;
    db::insert_invitation(&mut tx, &new).await?;
    queue_invitation(&mut tx, state, user, &account, &email, role, &token).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(InvitationSent { email })
}

/// Counts one invitation mail (new or re-sent) against the account's hourly limit, before
/// it is made, in one statement: parallel requests cannot get past it.
async fn check_rate(state: &AppState, account_id: i64, now: i64) -> Result<(), AppError> {
    let key = format!("invitations:{account_id}");
    let count = crate::db::throttle::hit(&state.db, &key, now, 3600).await?;
    if count.attempts > state.settings.invitations_per_hour {
        return Err(AppError::Throttled {
            retry_after_secs: count.retry_after(now),
        });
    }
    Ok(())
}

/// Only someone who may invite as an invitation's role may resend or revoke it: an Admin
/// must not get a fresh Owner link by resending one.
async fn managed_invitation(
    state: &AppState,
    user: &User,
    account_id: i64,
    invitation_id: i64,
) -> Result<Role, AppError> {
    let my_role = manager(state, user, account_id).await?;
    let invited_as = db::invitation_by_id(&state.db, invitation_id)
        .await?
        .filter(|i| i.account_id == account_id)
        .map(|i| role(&i.role))
        .ok_or(AppError::NotFound)?;
    if !my_role.can_grant(invited_as) {
        return Err(AppError::Forbidden(
            "Only an Owner can resend or revoke an invitation to become an Owner.".into(),
        ));
    }
    Ok(invited_as)
}

/// The grant rule again, inside the transaction that writes the invitation and under the
/// account's lock: a demotion or removal that committed since the first check (which gave
/// the friendlier answer) revokes the inviter's invitations, and this one must not slip past.
async fn still_grants(
    tx: &mut sqlx::AnyConnection,
    user: &User,
    account_id: i64,
    invited_as: Role,
) -> Result<(), AppError> {
    match db::locked_role_of(tx, account_id, user.id).await? {
        Some(mine) if role(&mine).can_grant(invited_as) => Ok(()),
        Some(_) => Err(AppError::Forbidden(
            "Your role in this account changed: you can no longer send this invitation.".into(),
        )),
        None => Err(AppError::NotFound),
    }
}

async fn account_name(state: &AppState, account_id: i64) -> Result<String, AppError> {
    Ok(db::get(&state.db, account_id)
        .await?
        .map(|a| a.info.name)
        .unwrap_or_default())
}

/// Queues the invitation mail on the invitation's own transaction. The link goes only to the
/// invited address, never to the inviter: opening it is what proves that address.
async fn queue_invitation(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    inviter: &User,
    account: &str,
    email: &str,
    role: Role,
    token: &str,
) -> Result<(), AppError> {
    let invitation = crate::mail::messages::Invitation {
        to: email,
        inviter: &format!("{} {}", inviter.first_name, inviter.last_name),
        account,
        role: role.label(),
        token,
    };
    let mail = crate::mail::messages::invitation(&state.settings, &invitation);
    crate::mail::queue(conn, &mail).await?;
    Ok(())
}

pub async fn resend(
    state: &AppState,
    user: &User,
    account_id: i64,
    invitation_id: i64,
) -> Result<InvitationSent, AppError> {
    let invited_as = managed_invitation(state, user, account_id, invitation_id).await?;
    let now = now_unix();
    check_rate(state, account_id, now).await?;
    let (token, hash) = new_token();
    let expires = now + state.settings.invitation_ttl_secs;
    let account = account_name(state, account_id).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    still_grants(&mut tx, user, account_id, invited_as).await?;
    let email = db::rotate_token(
        &mut tx,
        account_id,
        invitation_id,
        &hash,
        user.id,
        now,
        expires,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    queue_invitation(&mut tx, state, user, &account, &email, invited_as, &token).await?;
    tx.commit().await?;
    state.outbox.wake();
    Ok(InvitationSent { email })
}

pub async fn revoke(
    state: &AppState,
    user: &User,
    account_id: i64,
    invitation_id: i64,
) -> Result<(), AppError> {
    managed_invitation(state, user, account_id, invitation_id).await?;
    let closed = close(
        state,
        account_id,
        invitation_id,
        Closing::Revoked,
        Some(user.id),
    )
    .await?;
    closed.then_some(()).ok_or(AppError::NotFound)
}

/// Ends a pending invitation (and logs it); false when it was no longer pending.
async fn close(
    state: &AppState,
    account_id: i64,
    invitation_id: i64,
    closing: Closing,
    actor: Option<i64>,
) -> Result<bool, AppError> {
    Ok(db::close_invitation(
        &state.db,
        account_id,
        invitation_id,
        closing,
        actor,
        now_unix(),
    )
    .await?)
}

pub async fn change_role(
    state: &AppState,
    user: &User,
    account_id: i64,
    member_id: i64,
    role_id: &str,
) -> Result<(), AppError> {
    let my_role = manager(state, user, account_id).await?;
    let new_role = Role::from_id(role_id)
        .ok_or_else(|| AppError::field("role", "Choose Owner, Admin or Member."))?;
    let current = db::role_of(&state.db, account_id, member_id)
        .await?
        .map(|r| role(&r))
        .ok_or(AppError::NotFound)?;
    if current == Role::Owner && my_role != Role::Owner {
        return Err(AppError::Forbidden(
            "Admins cannot change an Owner's role.".into(),
        ));
    }
    check_grant(my_role, new_role)?;
    let detail = format!(
        "{} is now {}",
        member_label(state, member_id).await?,
        new_role.label()
    );
    // Their pending invitations for roles they may no longer grant end with the change.
    let revoke: Vec<&str> = Role::ALL
        .into_iter()
        .filter(|r| !new_role.can_grant(*r))
        .map(Role::id)
        .collect();
    match db::set_role(
        &state.db,
        account_id,
        member_id,
        new_role.id(),
        &revoke,
        user.id,
        &detail,
        now_unix(),
    )
    .await?
    {
        MemberChange::Done => Ok(()),
        MemberChange::NotMember => Err(AppError::NotFound),
        MemberChange::LastOwner => Err(AppError::field(
            "role",
            "An account needs at least one Owner: make someone else Owner first.",
        )),
    }
}

async fn member_label(state: &AppState, user_id: i64) -> Result<String, AppError> {
    Ok(users::find_by_id(&state.db, user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_default())
}

/// Removes a member, or lets a person leave (`member_id` is themselves).
pub async fn remove_member(
    state: &AppState,
    user: &User,
    account_id: i64,
    member_id: i64,
) -> Result<(), AppError> {
    let leaving = member_id == user.id;
    let my_role = if leaving {
        membership(state, user, account_id).await?
    } else {
        manager(state, user, account_id).await?
    };
    let target = db::role_of(&state.db, account_id, member_id)
        .await?
        .map(|r| role(&r))
        .ok_or(AppError::NotFound)?;
    if !leaving && target == Role::Owner && my_role != Role::Owner {
        return Err(AppError::Forbidden("Admins cannot remove an Owner.".into()));
    }
    let detail = member_label(state, member_id).await?;
    match db::remove_member(
        &state.db,
        account_id,
        member_id,
        user.id,
        &detail,
        now_unix(),
    )
    .await?
    {
        MemberChange::Done => Ok(()),
        MemberChange::NotMember => Err(AppError::NotFound),
        MemberChange::LastOwner => Err(AppError::Forbidden(
            "An account needs at least one Owner: make someone else Owner first.".into(),
        )),
    }
}

const UNVERIFIED: &str = "Confirm your email address first: invitations sent to it can be \
    answered from this list once you opened the confirmation link we mailed you, or from the \
    link in the invitation mail.";

const INVALID_LINK: &str = "This invitation link is not valid any more: it was used, declined, \
    revoked or replaced by a newer one, or it has expired.";

/// The pending, unexpired invitation behind a token.
async fn pending_by_token(state: &AppState, token: &str) -> Result<db::Invitation, AppError> {
    let invitation = db::invitation_by_token(&state.db, &token_hash(token))
        .await?
        .filter(|i| i.status == "pending" && i.expires_at > now_unix());
    invitation.ok_or_else(|| AppError::Forbidden(INVALID_LINK.into()))
}

pub async fn landing(
    state: &AppState,
    viewer: Option<User>,
    token: &str,
) -> Result<InvitationLanding, AppError> {
    let invitation = pending_by_token(state, token).await?;
    let viewer_kind = match &viewer {
        None => Viewer::SignedOut {
            registered: users::email_exists(&state.db, &invitation.email).await?,
        },
        Some(u) if u.email == invitation.email => Viewer::Invitee,
        Some(u) => Viewer::Other {
            email: u.email.clone(),
        },
    };
    let expires = match &viewer {
        Some(u) => u.preferences.show(invitation.expires_at),
        None => crate::display::Preferences::default().show(invitation.expires_at),
    };
    Ok(InvitationLanding {
        account_name: invitation.account_name,
        email: invitation.email,
        role: role(&invitation.role),
        invited_by: invitation.invited_by,
        expires,
        viewer: viewer_kind,
    })
}

/// Accepts for `user`, whose email must be the invited one. Returns the account id.
pub async fn accept_by_token(state: &AppState, user: &User, token: &str) -> Result<i64, AppError> {
    let invitation = pending_by_token(state, token).await?;
    accept(state, user, &invitation).await
}

async fn accept(
    state: &AppState,
    user: &User,
    invitation: &db::Invitation,
) -> Result<i64, AppError> {
    if invitation.email != user.email {
        return Err(AppError::Forbidden(format!(
            "This invitation is for {}. Log out and sign in with that email to accept it.",
            invitation.email
        )));
    }
    if db::accept_invitation(&state.db, invitation.id, user.id, now_unix()).await? {
        Ok(invitation.account_id)
    } else {
        Err(AppError::Forbidden(INVALID_LINK.into()))
    }
}

pub async fn decline_by_token(state: &AppState, token: &str) -> Result<(), AppError> {
    let invitation = pending_by_token(state, token).await?;
    close(
        state,
        invitation.account_id,
        invitation.id,
        Closing::Declined,
        None,
    )
    .await?;
    Ok(())
}

/// Accept or decline an invitation addressed to the user's own email.
pub async fn answer_mine(
    state: &AppState,
    user: &User,
    invitation_id: i64,
    accept_it: bool,
) -> Result<(), AppError> {
    // Only the proven owner of the address may answer by id (the mailed link works anyway),
    // and the refusal is the same for every id: it tells nothing about which exist.
    if !user.email_verified() {
        return Err(AppError::Forbidden(UNVERIFIED.into()));
    }
    let invitation = db::invitation_by_id(&state.db, invitation_id)
        .await?
        .filter(|i| i.email == user.email && i.status == "pending" && i.expires_at > now_unix())
        .ok_or(AppError::NotFound)?;
    if accept_it {
        accept(state, user, &invitation).await.map(|_| ())
    } else {
        let (account, id) = (invitation.account_id, invitation.id);
        close(state, account, id, Closing::Declined, Some(user.id)).await?;
        Ok(())
    }
}

/// For sign-up from an invitation: the pending invitation behind a good token.
pub async fn invitation_for_signup(
    state: &AppState,
    token: &str,
) -> Result<db::Invitation, AppError> {
    pending_by_token(state, token).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_information_is_validated_field_by_field() {
        let info = AccountInfo {
            name: "  Acme  ".into(),
            company_name: "Acme GmbH".into(),
            contact_email: "Billing@Acme.example".into(),
            phone: "+49 30 1234567".into(),
            address: "Street 1\r\nBerlin".into(),
            country: "de".into(),
            tax_id: "de 123456789".into(),
        };
        let ok = validate_info(&info).unwrap();
        assert_eq!(ok.name, "Acme");
        assert_eq!(ok.contact_email, "billing@acme.example");
        assert_eq!(ok.phone, "+49301234567", "landlines are fine for a company");
        assert_eq!(ok.address, "Street 1, Berlin");
        assert_eq!(ok.country, "DE");
        assert_eq!(ok.tax_id, "DE 123456789");

        let bad = AccountInfo {
            name: " ".into(),
            contact_email: "nope".into(),
            phone: "12".into(),
            country: "XX".into(),
            tax_id: "<script>".into(),
            ..AccountInfo::default()
        };
        let Err(AppError::Invalid(errors)) = validate_info(&bad) else {
            panic!("invalid");
        };
        for field in ["name", "contact_email", "phone", "country", "tax_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(
            validate_info(&AccountInfo {
                name: "A".into(),
                ..AccountInfo::default()
            })
            .is_ok(),
            "optional fields may stay empty"
        );
    }
}
