//! Listing and ending a person's sessions.

use super::SessionView;
use crate::clock::now_unix;
use crate::db::sessions::{self, SessionRow};
use crate::db::users::{self, User};
use crate::error::AppError;
use crate::security_log::{self, Event};
use crate::session::{ClientInfo, SignInMethod};
use crate::state::AppState;

/// The person's live sessions, this one first, then the most recently active.
pub async fn list(
    state: &AppState,
    user: &User,
    current: Option<&str>,
) -> Result<Vec<SessionView>, AppError> {
    let mut views: Vec<SessionView> = sessions::live(&state.db, user.id, now_unix())
        .await?
        .into_iter()
        .map(|row| view(user, current, row))
        .collect();
    // Stable: the others keep their order.
    views.sort_by_key(|v| !v.current);
    Ok(views)
}

fn client(row: &SessionRow) -> ClientInfo {
    ClientInfo {
        addr: row.client_addr.as_deref().and_then(|a| a.parse().ok()),
        user_agent: row.user_agent.clone(),
    }
}

fn view(user: &User, current: Option<&str>, row: SessionRow) -> SessionView {
    let client = client(&row);
    SessionView {
        current: current == Some(row.id_hash.as_str()),
        browser: client.browser(),
        address: client.address(),
        signed_in: user.preferences.show(row.created_at),
        last_active: user.preferences.show(row.last_seen_at),
        method: SignInMethod::parse(&row.method).describe().to_owned(),
        id: row.id_hash,
    }
}

/// Ends one of the person's other sessions: its next request, on any server process, is
/// signed out. Not found when it is not theirs, or no longer live.
pub async fn end_one(
    state: &AppState,
    user: &User,
    id: &str,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let ended = sessions::end(&mut tx, user.id, id, now_unix())
        .await?
        .ok_or(AppError::NotFound)?;
    let what = self::client(&ended);
    let detail = format!("{}, {}", what.browser(), what.address());
    security_log::record_in(&mut tx, user.id, Event::SessionEnded, &detail, client).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends this session, as "Log out" would, and records that the person did.
pub async fn end_this(
    state: &AppState,
    user: &User,
    session: &tower_sessions::Session,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let detail = format!("{}, {}, this session", client.browser(), client.address());
    security_log::record(state, user.id, Event::SessionEnded, &detail, client).await?;
    crate::session::end(session, &state.db).await
}

/// Ends every session of the person but `current`: the listed ones, and through the session
/// epoch any that are not listed. Returns the new epoch, which the current session takes on.
pub async fn end_others(
    state: &AppState,
    user: &User,
    current: &str,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let epoch = users::bump_session_epoch(&mut tx, user.id).await?;
    let ended = sessions::end_others(&mut tx, user.id, current, now_unix()).await?;
    security_log::record_in(
        &mut tx,
        user.id,
        Event::OtherSessionsEnded,
        &ended.to_string(),
        client,
    )
    .await?;
    tx.commit().await?;
    Ok(epoch)
}
