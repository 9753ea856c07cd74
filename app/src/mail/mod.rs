//! Outgoing mail: what is written (`messages`), how it leaves (`transport`: an SMTP relay,
//! or `.eml` files when there is none) and the worker that sends the outbox (`worker`).
//!
//! A change and the mail it causes commit together: services queue mail with [`queue`] on
//! the change's own transaction and call [`Outbox::wake`] once it committed. The action never
//! waits for the relay, and a relay that is down only delays the mail.

pub mod messages;
pub mod transport;
pub mod worker;

use sqlx::AnyConnection;

use crate::clock::now_unix;
pub use crate::db::outbox::{NewMail, Outbox};
use crate::db::users::User;
use crate::session::ClientInfo;
use crate::state::Settings;

/// Queues `mail` on the change's own connection (its transaction).
pub async fn queue(conn: &mut AnyConnection, mail: &NewMail) -> Result<(), sqlx::Error> {
    crate::db::outbox::enqueue(conn, mail, now_unix()).await?;
    Ok(())
}

/// Queues a security notification ("Your password was changed.") to the person, on the
/// change's own connection. Only a verified address gets one: an address nobody proved may
/// belong to someone else.
pub async fn notify(
    conn: &mut AnyConnection,
    settings: &Settings,
    user: &User,
    subject: &str,
    what: &str,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    if !user.email_verified() {
        return Ok(());
    }
    let mail = messages::security_notice(settings, user, subject, what, now_unix(), client);
    queue(conn, &mail).await
}
