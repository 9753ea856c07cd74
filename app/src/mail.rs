//! Outgoing mail (invitations) over SMTP with lettre.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer(from {})", self.from)
    }
}

pub struct Invitation<'a> {
    pub to: &'a str,
    pub inviter: &'a str,
    pub account: &'a str,
    pub role: &'a str,
    pub link: &'a str,
    pub product: &'a str,
}

impl Mailer {
    /// `url` is `smtp://host:port` of a relay that takes plain SMTP (a local Postfix, or the
    /// relay of your infrastructure on a private network); TLS is not built in.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let bad = || format!("mail.smtp_url {url:?}: expected smtp://host:port");
        let (host, port) = url
            .strip_prefix("smtp://")
            .and_then(|rest| rest.trim_end_matches('/').rsplit_once(':'))
            .ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() {
            return Err(bad());
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("mail.from {from:?}: {e}"))?;
        Ok(Self { transport, from })
    }

    pub async fn send_invitation(&self, invitation: &Invitation<'_>) -> Result<(), AppError> {
        let to: Mailbox = invitation
            .to
            .parse()
            .map_err(|_| AppError::field("email", "This email address cannot receive mail."))?;
        let body = format!(
            "Hello,\n\n{inviter} invited you to join the account \"{account}\" on \
             {product} as {role}.\n\nAccept or decline here:\n{link}\n\nThe link works once and \
             expires in 7 days. If you did not expect this, ignore this mail.\n",
            inviter = invitation.inviter,
            account = invitation.account,
            product = invitation.product,
            role = invitation.role,
            link = invitation.link,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!(
                "{} invited you to {} on {}",
                invitation.inviter, invitation.account, invitation.product
            ))
            .body(body)
            .map_err(|error| {
                tracing::error!(%error, "building the invitation mail");
                AppError::Internal
            })?;
        self.transport.send(message).await.map_err(|error| {
            tracing::error!(%error, "sending the invitation mail");
            AppError::MailFailed
        })?;
        Ok(())
    }
}
