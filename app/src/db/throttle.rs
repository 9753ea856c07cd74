//! Counters of login attempts in fixed windows, kept in the database so that every server
//! process sees the same counts.

use sqlx::Row;

use super::Db;

/// Counts one attempt for `key` and returns the attempts in the current window (this one
/// included) and when that window started. One atomic statement, so concurrent attempts are
/// all counted.
pub async fn hit(
    db: &Db,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
         RETURNING attempts, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
    .fetch_one(db)
    .await?;
    Ok((row.try_get("attempts")?, row.try_get("window_start")?))
}

/// Attempts counted for `key` in the window still running at `now`, and when it started.
pub async fn current(
    db: &Db,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT attempts, window_start FROM login_throttle WHERE key = $1 AND window_start > $2",
    )
    .bind(key)
    .bind(now - window_secs)
    .fetch_optional(db)
    .await?;
    row.map(|r| Ok((r.try_get("attempts")?, r.try_get("window_start")?)))
        .transpose()
}

pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Drops windows that ended; called periodically by the server.
pub async fn prune(db: &Db, now: i64, window_secs: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
        .bind(now - window_secs)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
