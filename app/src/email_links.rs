//! What the two kinds of mailed link (email verification, password reset) share: finding the
//! person a live link belongs to, refusing it for someone else who is signed in, and counting
//! the mail a person may ask for.

use crate::db::email_tokens::{self, Purpose};
use crate::db::throttle;
use crate::db::users::{self, User};
use crate::error::AppError;
use crate::state::AppState;

const HOUR: i64 = 3600;

/// The link was opened while someone else is signed in: nothing changes.
fn other_account(signed_in_as: &str) -> String {
    format!(
        "This link belongs to another account than the one you are logged in with \
         ({signed_in_as}). Nothing was changed: log out, then open the link again."
    )
}

/// The person a live (unused, unexpired, not replaced) link of `purpose` was mailed to.
/// `invalid` is the page's message for a link that does not work; `viewer` is whoever is
/// signed in on this browser, refused unless it is that person.
pub async fn owner(
    state: &AppState,
    purpose: Purpose,
    viewer: Option<&User>,
    hash: &str,
    now: i64,
    invalid: &str,
) -> Result<User, AppError> {
    let owner = email_tokens::owner(&state.db, purpose, hash, now)
        .await?
        .ok_or_else(|| AppError::Forbidden(invalid.into()))?;
    if let Some(viewer) = viewer.filter(|v| v.id != owner) {
        return Err(AppError::Forbidden(other_account(&viewer.email)));
    }
    users::find_by_id(&state.db, owner)
        .await?
        .ok_or_else(|| AppError::Forbidden(invalid.into()))
}

/// Counts one request for mail against `key` and refuses past `limit` an hour. Counted
/// before anything else happens, in one statement, so parallel requests cannot get past it.
pub async fn count_request(
    state: &AppState,
    key: &str,
    limit: i64,
    now: i64,
) -> Result<(), AppError> {
    let count = throttle::hit(&state.db, key, now, HOUR).await?;
    if count.attempts > limit {
        return Err(AppError::RateLimited {
            retry_after_secs: count.retry_after(now),
        });
    }
    Ok(())
}
