//! Invitations to an account: sent, re-sent and revoked by Owners and Admins who may grant
//! the role, answered by the invited address (by link, or from the Accounts page).

use super::{check_grant, manager, role};
use crate::accounts::{InvitationLanding, InvitationSent, InvitationView, Role, Viewer};
use crate::clock::now_unix;
use crate::contact::validate_email;
use crate::db::accounts::invitations::{self as db, Closing};
use crate::db::accounts::members::{is_member_email, locked_role_of};
use crate::db::users::{self, User};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::tokens::{new_token, token_hash};

pub(super) fn invitation_view(user: &User, i: db::Invitation) -> InvitationView {
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
    if is_member_email(&state.db, account_id, &email).await? {
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
        return Err(AppError::RateLimited {
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
    match locked_role_of(tx, account_id, user.id).await? {
        Some(mine) if role(&mine).can_grant(invited_as) => Ok(()),
        Some(_) => Err(AppError::Forbidden(
            "Your role in this account changed: you can no longer send this invitation.".into(),
        )),
        None => Err(AppError::NotFound),
    }
}

async fn account_name(state: &AppState, account_id: i64) -> Result<String, AppError> {
    Ok(crate::db::accounts::information::get(&state.db, account_id)
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
