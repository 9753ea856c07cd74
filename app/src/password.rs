//! Password policy (shared, so the form can say the rules) and hashing (server only). A leaf
//! below every feature: the server state holds the hasher, and sign-up, password change and
//! reset share the rules. The strength meter is `crate::strength_meter`.

use serde::{Deserialize, Serialize};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// Length counted in characters, not bytes; no composition rules (NIST SP 800-63B).
pub fn check_length(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars == 0 {
        Err("Enter a password.".to_owned())
    } else if chars < MIN_CHARS {
        Err(format!(
            "Use at least {MIN_CHARS} characters ({chars} so far)."
        ))
    } else if chars > MAX_CHARS {
        Err(format!(
            "Use at most {MAX_CHARS} characters ({chars} entered)."
        ))
    } else {
        Ok(())
    }
}

/// What the strength meter shows while a person types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strength {
    /// 0 (guessable in seconds) to 4 (very strong); below [`MIN_SCORE`] is refused.
    pub score: u8,
    pub label: String,
    /// Why it is weak and what would help, when there is something to say.
    pub feedback: Option<String>,
    pub acceptable: bool,
}

pub const MIN_SCORE: u8 = 3;

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use std::sync::{mpsc, Arc, Mutex};

    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
    use argon2::Argon2;
    use tokio::sync::oneshot;

    use super::*;
    use crate::error::AppError;

    /// zxcvbn's estimate, penalising the person's own name and email (`hints`).
    pub fn strength(password: &str, hints: &[&str]) -> Strength {
        if password.is_empty() {
            return Strength {
                score: 0,
                label: "Too weak".into(),
                feedback: None,
                acceptable: false,
            };
        }
        let estimate = zxcvbn::zxcvbn(password, hints);
        let score = u8::from(estimate.score());
        let label =
            ["Too weak", "Weak", "Fair", "Strong", "Very strong"][usize::from(score.min(4))];
        let feedback = estimate.feedback().map(|f| {
            let mut parts: Vec<String> = f.warning().map(|w| w.to_string()).into_iter().collect();
            parts.extend(f.suggestions().iter().map(|s| s.to_string()));
            parts.join(" ")
        });
        Strength {
            score,
            label: label.into(),
            feedback: feedback.filter(|f| !f.is_empty()),
            acceptable: score >= MIN_SCORE && check_length(password).is_ok(),
        }
    }

    /// The whole policy for a new password: length, confirmation, not guessable.
    pub fn validate_new(
        password: &str,
        confirmation: &str,
        hints: &[&str],
    ) -> Result<(), (&'static str, String)> {
        check_length(password).map_err(|m| ("password", m))?;
        let strength = strength(password, hints);
        if strength.score < MIN_SCORE {
            let why = strength
                .feedback
                .unwrap_or_else(|| "It is too easy to guess.".into());
            return Err((
                "password",
                format!("This password is too common or easy to guess. {why}"),
            ));
        }
        if password != confirmation {
            return Err((
                "password_confirmation",
                "The passwords do not match.".into(),
            ));
        }
        Ok(())
    }

    /// argon2id with the OWASP parameters (m=19456 KiB, t=2, p=1: `Argon2::default()`),
    /// computed on a few dedicated threads of their own, at a low scheduling priority: a burst
    /// of logins queues behind them instead of stalling the async workers, taking all memory
    /// (19 MiB per hash) or slowing every other page. Not tokio's blocking pool, whose threads
    /// also serve files and could not get their priority back once lowered.
    #[derive(Clone)]
    pub struct PasswordHasher {
        jobs: mpsc::Sender<Job>,
        /// Verified against when the email is unknown, so both cases take the same time.
        dummy_hash: Arc<str>,
    }

    type Job = Box<dyn FnOnce() + Send>;

    impl PasswordHasher {
        /// `threads` hashes run at once; each thread runs at niceness `nice` (0 = as every
        /// other thread, 19 = only when a core would otherwise idle; Linux only).
        pub fn new(threads: usize, nice: i32) -> std::io::Result<Self> {
            let (jobs, queue) = mpsc::channel::<Job>();
            let queue = Arc::new(Mutex::new(queue));
            for _ in 0..threads.max(1) {
                let queue = Arc::clone(&queue);
                std::thread::Builder::new()
                    .name("password-hash".into())
                    .spawn(move || {
                        lower_priority(nice);
                        // Ends when the last hasher (sender) is dropped.
                        loop {
                            let next = match queue.lock() {
                                Ok(queue) => queue.recv(),
                                Err(_) => return,
                            };
                            let Ok(job) = next else { return };
                            // A panicking job drops its reply channel (its caller gets an
                            // error); the thread lives on for the next one.
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                    })?;
            }
            let salt = SaltString::generate(&mut OsRng);
            let dummy_hash = Argon2::default()
                .hash_password(b"not a real password, only for timing", &salt)
                .map(|h| h.to_string())
                .unwrap_or_default();
            Ok(Self {
                jobs,
                dummy_hash: dummy_hash.into(),
            })
        }

        pub(super) async fn run<T: Send + 'static>(
            &self,
            work: impl FnOnce() -> T + Send + 'static,
        ) -> Result<T, AppError> {
            let (reply, result) = oneshot::channel();
            self.jobs
                .send(Box::new(move || {
                    // Its caller went away while it waited (a client that gave up): nobody
                    // would read the result, so spend no hash on it.
                    if !reply.is_closed() {
                        let _ = reply.send(work());
                    }
                }))
                .map_err(|_| AppError::Internal)?;
            result.await.map_err(|_| {
                tracing::error!("password hashing job failed");
                AppError::Internal
            })
        }

        pub async fn hash(&self, password: String) -> Result<String, AppError> {
            self.run(move || {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(password.as_bytes(), &salt)
                    .map(|h| h.to_string())
            })
            .await?
            .map_err(|error| {
                tracing::error!(%error, "argon2 hashing failed");
                AppError::Internal
            })
        }

        pub async fn verify(&self, password: String, hash: String) -> Result<bool, AppError> {
            self.run(move || {
                PasswordHash::new(&hash)
                    .map(|parsed| {
                        Argon2::default()
                            .verify_password(password.as_bytes(), &parsed)
                            .is_ok()
                    })
                    .unwrap_or(false)
            })
            .await
        }

        /// Spends the same time as a real verification and always fails.
        pub async fn verify_dummy(&self, password: String) -> Result<bool, AppError> {
            let hash = self.dummy_hash.to_string();
            self.verify(password, hash).await.map(|_| false)
        }
    }

    /// Raises this thread's niceness. Linux keeps a nice value per thread (`who = 0` is the
    /// calling thread); elsewhere it would be the whole process', so nothing is done there.
    fn lower_priority(nice: i32) {
        #[cfg(target_os = "linux")]
        if nice > 0 {
            // SAFETY: setpriority only reads its integer arguments.
            let status = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice.min(19)) };
            if status != 0 {
                tracing::warn!(nice, error = %std::io::Error::last_os_error(), "could not lower the password-hashing threads' priority");
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = nice;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert!(check_length(&"é".repeat(12)).is_ok());
        assert_eq!(
            check_length("short").unwrap_err(),
            "Use at least 12 characters (5 so far)."
        );
        assert!(check_length(&"x".repeat(128)).is_ok());
        assert_eq!(
            check_length(&"x".repeat(129)).unwrap_err(),
            "Use at most 128 characters (129 entered)."
        );
        assert_eq!(check_length("").unwrap_err(), "Enter a password.");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn common_passwords_are_refused_and_passphrases_accepted() {
        let (field, msg) = validate_new("password1234", "password1234", &[]).unwrap_err();
        assert_eq!(field, "password");
        assert!(msg.starts_with("This password is too common"), "{msg}");
        assert!(validate_new("qwertyuiop123", "qwertyuiop123", &[]).is_err());
        // The person's own name does not make a strong password.
        let with_name = strength("adalovelace1815", &["ada", "lovelace"]).score;
        assert!(
            with_name < strength("adalovelace1815", &[]).score,
            "{with_name}"
        );
        assert!(validate_new("adalovelace", "adalovelace", &["ada", "lovelace"]).is_err());
        assert!(validate_new(
            "violet tractor wanders quietly",
            "violet tractor wanders quietly",
            &[]
        )
        .is_ok());
        let (field, _) =
            validate_new("violet tractor wanders quietly", "violet tractor", &[]).unwrap_err();
        assert_eq!(field, "password_confirmation");
    }

    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let hasher = PasswordHasher::new(2, 0).unwrap();
        let hash = hasher
            .hash("violet tractor wanders quietly".into())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher
            .verify("violet tractor wanders quietly".into(), hash.clone())
            .await
            .unwrap());
        // No truncation: a prefix of the password is a different password.
        assert!(!hasher
            .verify("violet tractor wanders quietl".into(), hash)
            .await
            .unwrap());
        assert!(!hasher.verify_dummy("anything".into()).await.unwrap());
    }

    #[cfg(all(feature = "ssr", target_os = "linux"))]
    #[tokio::test]
    async fn hashing_threads_run_at_the_configured_niceness() {
        // SAFETY: getpriority only reads its integer arguments; 0 is the calling thread.
        let ours = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let hasher = PasswordHasher::new(1, 10).unwrap();
        let nice = hasher
            .run(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) })
            .await
            .unwrap();
        assert_eq!(nice, 10);
        // The async runtime's own threads keep their priority.
        assert_eq!(unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }, ours);
    }

    /// A login whose client went away while it waited in the queue (a timeout, a closed tab,
    /// a flood of abandoned requests) costs no hash: the CPU and the 19 MiB go to the next.
    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn a_job_whose_caller_went_away_is_skipped() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let hasher = PasswordHasher::new(1, 0).unwrap();
        // Keep the only thread busy until told otherwise.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let busy = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(move || {
                        let _ = started.send(());
                        wait.recv().is_ok()
                    })
                    .await
            }
        });
        running.await.unwrap();
        // Queued behind it, then abandoned: the caller stops waiting.
        let ran = Arc::new(AtomicBool::new(false));
        let abandoned = tokio::time::timeout(std::time::Duration::from_millis(50), {
            let ran = Arc::clone(&ran);
            hasher.run(move || ran.store(true, Ordering::SeqCst))
        })
        .await;
        assert!(abandoned.is_err(), "the job was still queued");
        release.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        // The queue is in order: once a later job is done, the abandoned one had its turn.
        assert_eq!(hasher.run(|| 7).await.unwrap(), 7);
        assert!(!ran.load(Ordering::SeqCst), "an abandoned job was computed");
    }

    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn a_failed_hashing_job_is_an_error_and_the_thread_goes_on() {
        let hasher = PasswordHasher::new(1, 0).unwrap();
        let failed = hasher.run(|| -> u8 { panic!("a broken job") }).await;
        assert!(matches!(failed, Err(crate::error::AppError::Internal)));
        assert!(!hasher.verify_dummy("anything".into()).await.unwrap());
    }
}
