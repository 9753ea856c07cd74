//! The `outbox` table: mail written with the change that causes it, sent by the worker in
//! `crate::mail::worker`. Several server processes may share it: a row is claimed by one
//! statement that sets its lease, so no two workers ever hold the same mail.

use std::sync::Arc;

use sqlx::{AnyConnection, Row};
use tokio::sync::Notify;

use super::Db;

/// Wakes this process's worker when new mail was committed, so it goes out at once rather
/// than at the next poll (which picks up mail queued by other processes and retries).
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// Call after the transaction that queued mail has committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }
}

/// A mail as it is queued: plain text, addressed to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// What it is (`verify_email`, `password_reset`, `invitation`, `security_notice`), for
    /// the log and the file name of a written mail.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// A claimed mail, to send now.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// This attempt included.
    pub attempts: i64,
    /// The claim's end. The outcome is recorded only while the claim is still this one: a
    /// worker whose lease ran out (and whose mail another worker took over) changes nothing.
    pub lease_until: i64,
}

pub async fn enqueue(
    conn: &mut AnyConnection,
    mail: &NewMail,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (kind, recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(mail.kind)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(now)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

/// True when some mail is due: the cheap read a worker polls with, so an idle server does not
/// take SQLite's write lock every second.
pub async fn any_due(db: &Db, now: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(db)
    .await?
    .is_some())
}

/// Claims up to `limit` due mails until `lease_until`, counting the attempt. PostgreSQL skips
/// rows another worker is claiming at this moment (`SKIP LOCKED`); SQLite has one writer at a
/// time, so its statement alone is atomic. The outer condition is checked again on the row
/// as it is when the update takes it, so a row claimed meanwhile is never claimed twice.
pub async fn claim(
    db: &Db,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let skip_locked = if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let due = "status = 'pending' AND next_attempt_at <= $1 \
               AND (locked_until IS NULL OR locked_until <= $1)";
    // The batch is picked once, in a CTE: as `id IN (SELECT ... LIMIT n)` PostgreSQL may
    // evaluate the subquery again per row, and with SKIP LOCKED that claimed every due row.
    sqlx::query(&format!(
        "WITH batch AS (SELECT id FROM outbox WHERE {due} ORDER BY id LIMIT $3{skip_locked}) \
         UPDATE outbox SET locked_until = $2, attempts = attempts + 1 \
         WHERE {due} AND id IN (SELECT id FROM batch) \
         RETURNING id, kind, recipient, subject, body, attempts"
    ))
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok(Claimed {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            to: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
            attempts: row.try_get("attempts")?,
            lease_until,
        })
    })
    .collect()
}

/// Sent: the body (which may hold a single-use link) is not kept.
/// Each outcome returns false when the claim was no longer this one (nothing recorded).
pub async fn mark_sent(db: &Db, mail: &Claimed, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, body = '', locked_until = NULL, \
         last_error = NULL WHERE id = $2 AND locked_until = $3",
    )
    .bind(now)
    .bind(mail.id)
    .bind(mail.lease_until)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Not sent this time: tried again at `next_attempt_at`.
pub async fn retry_later(
    db: &Db,
    mail: &Claimed,
    next_attempt_at: i64,
    error: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, locked_until = NULL, last_error = $2 \
         WHERE id = $3 AND locked_until = $4",
    )
    .bind(next_attempt_at)
    .bind(error)
    .bind(mail.id)
    .bind(mail.lease_until)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Given up (the relay refused the recipient, or every attempt failed): kept with the reason
/// for a look, without the body and its links.
pub async fn mark_failed(db: &Db, mail: &Claimed, error: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'failed', body = '', locked_until = NULL, last_error = $1 \
         WHERE id = $2 AND locked_until = $3",
    )
    .bind(error)
    .bind(mail.id)
    .bind(mail.lease_until)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Drops sent mail older than `before`; failed mail stays until someone looks at it.
pub async fn prune_sent(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM outbox WHERE status = 'sent' AND sent_at <= $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
