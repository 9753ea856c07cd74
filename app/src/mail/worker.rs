//! The background worker that sends the outbox. Runs in every server process; claims are
//! leases in the database, so processes sharing one PostgreSQL never send a mail twice, and
//! a process killed mid-send leaves its mail for another to take over once the lease ends.

use std::time::Duration;

use super::transport::{SendError, Transport};
use super::Outbox;
use crate::clock::now_unix;
use crate::db::{outbox, Db};

/// How long a claim lasts: longer than sending a whole batch can take (each mail is given up
/// for this attempt after `mail.send_timeout_seconds`, at most 110 s).
const LEASE_SECS: i64 = 600;
const BATCH: i64 = 5;
/// Retries never wait longer than this between two attempts.
const MAX_BACKOFF_SECS: i64 = 3600;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Wait before the first retry; doubled after each failed attempt, up to an hour.
    pub retry_secs: i64,
    /// Attempts before a mail is given up and marked failed.
    pub max_attempts: i64,
    /// How often the outbox is looked at without being woken (mail from other processes,
    /// retries that came due).
    pub poll: Duration,
}

/// Sends due mail until the process ends.
pub async fn run(db: Db, outbox: Outbox, transport: Transport, settings: WorkerSettings) {
    tracing::info!(via = %transport.describe(), "mail worker started");
    loop {
        if let Err(error) = send_due(&db, &transport, &settings).await {
            tracing::warn!(%error, "reading the mail outbox failed; trying again shortly");
        }
        tokio::select! {
            _ = outbox.woken() => {}
            _ = tokio::time::sleep(settings.poll) => {}
        }
    }
}

/// Sends every mail that is due now; returns how many went out.
pub async fn send_due(
    db: &Db,
    transport: &Transport,
    settings: &WorkerSettings,
) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    loop {
        let now = now_unix();
        if !outbox::any_due(db, now).await? {
            return Ok(sent);
        }
        let batch = outbox::claim(db, now, now + LEASE_SECS, BATCH).await?;
        tracing::debug!(claimed = batch.len(), "claimed mail to send");
        if batch.is_empty() {
            return Ok(sent);
        }
        for mail in batch {
            let recorded = match transport.send(&mail).await {
                Ok(()) => {
                    sent += 1;
                    outbox::mark_sent(db, &mail, now_unix()).await?
                }
                Err(SendError::Temporary(reason)) if mail.attempts < settings.max_attempts => {
                    let wait = backoff(settings.retry_secs, mail.attempts);
                    tracing::warn!(id = mail.id, kind = %mail.kind, attempt = mail.attempts, %reason, "mail not sent; retrying in {wait} s");
                    outbox::retry_later(db, &mail, now_unix() + wait, &reason).await?
                }
                Err(error) => {
                    tracing::error!(id = mail.id, kind = %mail.kind, to = %mail.to, attempts = mail.attempts, reason = %error, "mail given up: marked failed in the outbox");
                    outbox::mark_failed(db, &mail, &error.to_string()).await?
                }
            };
            if !recorded {
                tracing::warn!(id = mail.id, kind = %mail.kind, "this attempt outlasted its claim; another worker took the mail over");
            }
        }
    }
}

/// `retry_secs`, doubled for each attempt after the first, at most an hour.
fn backoff(retry_secs: i64, attempts: i64) -> i64 {
    let doublings = u32::try_from((attempts - 1).clamp(0, 20)).unwrap_or(20);
    retry_secs
        .max(1)
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_SECS)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        assert_eq!(backoff(30, 1), 30);
        assert_eq!(backoff(30, 2), 60);
        assert_eq!(backoff(30, 4), 240);
        assert_eq!(backoff(30, 12), 3600);
        assert_eq!(backoff(30, 1_000), 3600);
    }
}
