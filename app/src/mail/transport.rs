//! How mail leaves the server: an SMTP relay (`mail.smtp_url`, any form lettre's
//! `from_url` takes), or, with no relay configured, one `.eml` file per mail in a folder.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::outbox::Claimed;

pub enum Transport {
    Smtp {
        relay: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        /// For one whole mail, however slowly a stalled relay answers (lettre's own timeout
        /// covers the connection only); shorter than the worker's claim on a batch.
        timeout: Duration,
    },
    Files {
        folder: PathBuf,
        from: Mailbox,
    },
}

/// Why a mail was not sent: worth another try later, or never.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    Temporary(String),
    Permanent(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Temporary(reason) | SendError::Permanent(reason) => f.write_str(reason),
        }
    }
}

fn sender(from: &str) -> Result<Mailbox, String> {
    from.parse()
        .map_err(|e| format!("mail.from {from:?} is not a mail address: {e}"))
}

/// A refusal that no retry will change: the relay said the mailbox does not exist or the
/// address is bad (an enhanced status 5.1.x, RFC 3463). lettre does not say which command
/// was refused, so a bare 550 (which relays also use for a refused sender) and every other
/// permanent answer (535 bad login, 5.7.x policy) count as the relay's configuration, which
/// an operator can fix: those mails wait and are tried again.
fn refuses_recipient(error: &lettre::transport::smtp::Error) -> bool {
    use lettre::transport::smtp::response::Severity;
    let permanent = error
        .status()
        .is_some_and(|code| code.severity == Severity::PermanentNegativeCompletion);
    permanent
        && error
            .to_string()
            .split(|c: char| c.is_whitespace() || c == ':' || c == '(' || c == ')')
            .any(|word| word.starts_with("5.1.") && word.len() >= 5)
}

impl Transport {
    /// `smtp://host:port` (plain, for a local relay), `smtp://user:password@host:587?tls=required`
    /// (STARTTLS), `smtps://user:password@host:465` (implicit TLS).
    pub fn smtp(url: &str, from: &str, timeout: Duration) -> Result<Self, String> {
        let relay = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                format!(
                    "mail.smtp_url: {e} (expected smtp://host:port, \
                     smtp://user:password@host:587?tls=required or smtps://user:password@host:465)"
                )
            })?
            .timeout(Some(timeout))
            .build();
        Ok(Transport::Smtp {
            relay,
            from: sender(from)?,
            timeout,
        })
    }

    /// Writes every mail as `<folder>/<id>-<kind>.eml`, made on first use.
    pub fn files(folder: PathBuf, from: &str) -> Result<Self, String> {
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create the mail folder {}: {e}", folder.display()))?;
        Ok(Transport::Files {
            folder,
            from: sender(from)?,
        })
    }

    fn from(&self) -> &Mailbox {
        match self {
            Transport::Smtp { from, .. } | Transport::Files { from, .. } => from,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { .. } => "the SMTP relay".to_owned(),
            Transport::Files { folder, .. } => format!("files in {}", folder.display()),
        }
    }

    pub async fn send(&self, mail: &Claimed) -> Result<(), SendError> {
        // A bare address, never a display name taken from input.
        let to = Mailbox::new(
            None,
            mail.to.parse::<Address>().map_err(|e| {
                SendError::Permanent(format!("{:?} is not a mail address: {e}", mail.to))
            })?,
        );
        let body = match self {
            // A relay gets what lettre finds safest (quoted-printable for long lines).
            Transport::Smtp { .. } => Body::new(mail.body.clone()),
            // A file is read by a person, who copies the link from it: 8-bit keeps each link
            // whole on its line. lettre picks quoted-printable (lines folded at 76) for any
            // line over 76 characters, and a link is about 100; 8-bit allows 998 (RFC 5322),
            // so the text goes as it is, with CRLF line ends, when every line fits.
            Transport::Files { .. } => {
                let text = mail
                    .body
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .replace('\n', "\r\n");
                if text.split("\r\n").all(|line| line.len() < 998) {
                    Body::dangerous_pre_encoded(
                        text.into_bytes(),
                        ContentTransferEncoding::EightBit,
                    )
                } else {
                    Body::new(mail.body.clone())
                }
            }
        };
        let message = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| SendError::Permanent(format!("building the mail: {e}")))?;
        match self {
            Transport::Smtp { relay, timeout, .. } => {
                match tokio::time::timeout(*timeout, relay.send(message)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) if refuses_recipient(&e) => Err(SendError::Permanent(e.to_string())),
                    // The relay down, a 4xx, a login or sender the relay refused (fixed by
                    // the operator): worth another try.
                    Ok(Err(e)) => Err(SendError::Temporary(e.to_string())),
                    Err(_) => Err(SendError::Temporary(format!(
                        "the relay did not finish within {} s",
                        timeout.as_secs()
                    ))),
                }
            }
            Transport::Files { folder, .. } => {
                let path = folder.join(format!("{}-{}.eml", mail.id, mail.kind));
                // Written whole under a temporary name, then renamed: a reader never sees half
                // a mail.
                let partial = folder.join(format!(".{}-{}.eml.part", mail.id, mail.kind));
                let written = async {
                    tokio::fs::write(&partial, message.formatted()).await?;
                    tokio::fs::rename(&partial, &path).await
                };
                written.await.map_err(|e| {
                    SendError::Temporary(format!("writing {}: {e}", path.display()))
                })?;
                tracing::info!(path = %path.display(), to = %mail.to, "mail written (no SMTP relay configured)");
                Ok(())
            }
        }
    }
}
