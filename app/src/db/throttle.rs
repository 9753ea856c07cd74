//! Counters of attempts in fixed windows, kept in the database so that every server process
//! sees the same counts. An attempt is counted *before* the check it guards, in one statement
//! that also returns the count, so parallel requests cannot all pass a limit they each read
//! as not yet reached.

use std::net::IpAddr;

use sqlx::Row;

use super::Db;

/// A counter's state after counting one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// Attempts in the current window, the one just counted included.
    pub attempts: i64,
    /// When the current window started.
    pub window_start: i64,
    pub window_secs: i64,
}

impl Count {
    /// Seconds until the window ends and the counter starts again.
    pub fn retry_after(&self, now: i64) -> i64 {
        (self.window_start + self.window_secs - now).max(1)
    }
}

/// Counts one attempt for `key` in a window of `window_secs` and returns the count.
pub async fn hit(db: &Db, key: &str, now: i64, window_secs: i64) -> Result<Count, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO login_throttle (key, window_start, attempts, window_secs) VALUES ($1, $2, 1, $4) \
         ON CONFLICT (key) DO UPDATE SET \
           attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END, \
           window_secs = $4 \
         RETURNING attempts, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
    .bind(window_secs)
    .fetch_one(db)
    .await?;
    Ok(Count {
        attempts: row.try_get("attempts")?,
        window_start: row.try_get("window_start")?,
        window_secs,
    })
}

/// Takes back one counted attempt: for counters of failures, whose attempt turned out to
/// succeed.
pub async fn release(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
    )
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Drops counters whose window ended; called periodically by the server.
pub async fn prune(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM login_throttle WHERE window_start + window_secs <= $1")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// The part of a client address that per-address limits count by. One IPv6 host is usually
/// given a whole /64 and can pick any address in it, so IPv6 clients count by their /64; an
/// IPv4 address mapped into IPv6 counts as the IPv4 address it is.
pub fn address_bucket(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_bucket(a), "2001:db8:1:2::/64");
        assert_eq!(address_bucket(a), address_bucket(b));
        assert_ne!(address_bucket(a), address_bucket(other));
        let v4: IpAddr = "198.51.100.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(address_bucket(v4), "198.51.100.7");
        assert_eq!(address_bucket(mapped), "198.51.100.7");
    }
}
