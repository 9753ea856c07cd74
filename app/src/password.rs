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
    use std::cell::RefCell;
    use std::sync::Arc;
    use std::time::Duration;

    use flume::RecvTimeoutError;

    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
    use argon2::{Algorithm, Argon2, Block, Params, Version};
    use tokio::sync::oneshot;
    use zeroize::Zeroize;

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
        jobs: flume::Sender<Job>,
        /// Verified against when the email is unknown, so both cases take the same time.
        dummy_hash: Arc<str>,
    }

    type Job = Box<dyn FnOnce() + Send>;

    impl PasswordHasher {
        /// `threads` hashes run at once; each thread runs at niceness `nice` (0 = as every
        /// other thread, 19 = only when a core would otherwise idle; Linux only).
        pub fn new(threads: usize, nice: i32) -> std::io::Result<Self> {
            Self::keeping_memory(threads, nice, MEMORY_KEPT_WHILE_IDLE)
        }

        /// As [`Self::new`], each thread giving its working memory back once it has had no
        /// job for `kept`.
        pub(super) fn keeping_memory(
            threads: usize,
            nice: i32,
            kept: Duration,
        ) -> std::io::Result<Self> {
            let (jobs, queue) = flume::unbounded::<Job>();
            for _ in 0..threads.max(1) {
                let queue = queue.clone();
                std::thread::Builder::new()
                    .name("password-hash".into())
                    .spawn(move || {
                        lower_priority(nice);
                        // Ends when the last hasher (sender) is dropped.
                        loop {
                            let job = match queue.recv_timeout(kept) {
                                Ok(job) => job,
                                Err(RecvTimeoutError::Timeout) => {
                                    give_back_memory();
                                    match queue.recv() {
                                        Ok(job) => job,
                                        Err(_) => return,
                                    }
                                }
                                Err(RecvTimeoutError::Disconnected) => return,
                            };
                            // A panicking job drops its reply channel (its caller gets an
                            // error); the thread lives on for the next one.
                            // A panic may have left a hash's blocks behind.
                            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err()
                            {
                                give_back_memory();
                            }
                        }
                    })?;
            }
            // Made as every hash is, so it has today's parameters; this thread keeps no
            // working memory.
            let dummy_hash = hash_new(b"not a real password, only for timing").unwrap_or_default();
            give_back_memory();
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
            self.run(move || hash_new(password.as_bytes()))
                .await?
                .map_err(|error| {
                    tracing::error!(%error, "argon2 hashing failed");
                    AppError::Internal
                })
        }

        pub async fn verify(&self, password: String, hash: String) -> Result<bool, AppError> {
            self.run(move || {
                PasswordHash::new(&hash)
                    .and_then(|parsed| matches(password.as_bytes(), &parsed))
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

    /// How long a hashing thread keeps its working memory without a job: resident memory
    /// falls back about a second after the last login (then the allocator's own second,
    /// `server/src/allocator.rs`).
    const MEMORY_KEPT_WHILE_IDLE: Duration = Duration::from_secs(1);

    thread_local! {
        /// Argon2's working memory (19 MiB), kept by a hashing thread from one job to the
        /// next and given back after [`MEMORY_KEPT_WHILE_IDLE`] without one. Allocated per
        /// hash, it cost more than the hash: a block that large is mapped fresh each time,
        /// and every page of it faults in (23 -> 14 ms per hash, measured with the server's
        /// allocator). It is zeroed after each hash.
        static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }

    /// `argon`'s output for `password` and `salt`, computed in this thread's [`MEMORY`].
    fn compute(
        argon: &Argon2<'_>,
        password: &[u8],
        salt: Salt<'_>,
        output_len: usize,
    ) -> password_hash::Result<Output> {
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt = salt.decode_b64(&mut salt_bytes)?;
        let blocks = argon.params().block_count();
        MEMORY.with_borrow_mut(|memory| {
            if memory.len() < blocks {
                memory.resize(blocks, Block::default());
            }
            let output = Output::init_with(output_len, |out| {
                Ok(argon.hash_password_into_with_memory(
                    password,
                    salt,
                    out,
                    &mut memory[..blocks],
                )?)
            });
            // Zeroed at once: kept blocks would let a guess at the password be checked without
            // the memory-hard work (before, each hash's memory went back to the system, hence
            // the page faults). A larger hash's (older parameters) is not kept.
            zero(memory);
            if memory.len() > Params::DEFAULT_M_COST as usize {
                *memory = Vec::new();
            }
            output
        })
    }

    fn zero(memory: &mut [Block]) {
        for block in memory {
            block.as_mut().zeroize();
        }
    }

    /// Zeroes and frees this thread's working memory.
    fn give_back_memory() {
        let mut memory = MEMORY.take();
        zero(&mut memory);
    }

    /// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), as
    /// `Argon2::default().hash_password` writes it.
    fn hash_new(password: &[u8]) -> Result<String, password_hash::Error> {
        let argon = Argon2::default();
        let salt = SaltString::generate(&mut OsRng);
        let hash = compute(&argon, password, salt.as_salt(), Params::DEFAULT_OUTPUT_LEN)?;
        Ok(PasswordHash {
            algorithm: Algorithm::default().ident(),
            version: Some(Version::default().into()),
            params: ParamsString::try_from(argon.params())?,
            salt: Some(salt.as_salt()),
            hash: Some(hash),
        }
        .to_string())
    }

    /// Whether `password` gives `hash`, with the algorithm, version and parameters the hash
    /// was made with, as `PasswordVerifier::verify_password` checks it. `Output`'s equality is
    /// constant-time.
    fn matches(password: &[u8], hash: &PasswordHash<'_>) -> password_hash::Result<bool> {
        let (Some(salt), Some(expected)) = (hash.salt, &hash.hash) else {
            return Err(password_hash::Error::PhcStringField);
        };
        let algorithm = Algorithm::try_from(hash.algorithm)?;
        let version = hash
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let argon = Argon2::new(algorithm, version, Params::try_from(hash)?);
        Ok(compute(&argon, password, salt, expected.len())? == *expected)
    }

    /// How many blocks of working memory this thread holds (for the tests).
    #[cfg(test)]
    pub(super) fn memory_blocks() -> usize {
        MEMORY.with_borrow(Vec::len)
    }

    /// Whether every byte of this thread's working memory is zero (for the tests).
    #[cfg(test)]
    pub(super) fn memory_is_zeroed() -> bool {
        MEMORY.with_borrow(|memory| {
            memory
                .iter()
                .all(|block| block.as_ref().iter().all(|w| *w == 0))
        })
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

    /// Stored hashes were written by the argon2 crate's own `hash_password`, and may carry
    /// other parameters than today's: both kinds verify, and a new hash verifies with the crate.
    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{
            PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
        };
        use argon2::{Algorithm, Argon2, AssociatedData, Params, ParamsBuilder, Version};
        let password = "violet tractor wanders quietly";
        let hasher = PasswordHasher::new(1, 0).unwrap();
        let ours = hasher.hash(password.into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"violet tractor", &parsed)
            .is_err());

        let salt = SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap();
        // Another algorithm and version, a longer output, and associated data.
        let older = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(4096, 3, 1, Some(64)).unwrap(),
        );
        let with_data = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            ParamsBuilder::new()
                .m_cost(4096)
                .t_cost(1)
                .p_cost(2)
                .output_len(48)
                .data(AssociatedData::new(b"tessera").unwrap())
                .build()
                .unwrap(),
        );
        for argon in [Argon2::default(), older, with_data] {
            let theirs = argon
                .hash_password(password.as_bytes(), &salt)
                .unwrap()
                .to_string();
            assert!(
                hasher
                    .verify(password.into(), theirs.clone())
                    .await
                    .unwrap(),
                "{theirs}"
            );
            assert!(!hasher
                .verify("violet tractor".into(), theirs.clone())
                .await
                .unwrap());
            // The same salt and password with another algorithm, version or cost is another
            // hash: each is read from the stored hash.
            for changed in [
                theirs
                    .replacen("$argon2id$", "$argon2d$", 1)
                    .replacen("$argon2i$", "$argon2d$", 1),
                if theirs.contains("$v=19$") {
                    theirs.replacen("$v=19$", "$v=16$", 1)
                } else {
                    theirs.replacen("$v=16$", "$v=19$", 1)
                },
                theirs.replacen(",t=", ",t=4", 1),
            ] {
                assert_ne!(changed, theirs);
                assert!(
                    !hasher
                        .verify(password.into(), changed.clone())
                        .await
                        .unwrap(),
                    "{changed}"
                );
            }
        }
        // Without a version, a hash is version 0x13 (19), as the crate reads it.
        let unversioned = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
            .replacen("v=19$", "", 1);
        assert!(Argon2::default()
            .verify_password(
                password.as_bytes(),
                &PasswordHash::new(&unversioned).unwrap()
            )
            .is_ok());
        assert!(hasher.verify(password.into(), unversioned).await.unwrap());
        // A salt without a hash, and no hash at all, verify nothing.
        assert!(!hasher
            .verify(
                password.into(),
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA".into()
            )
            .await
            .unwrap());
        assert!(!hasher
            .verify(password.into(), "not a hash".into())
            .await
            .unwrap());
    }

    /// A stored hash made with more memory than today's parameters verifies, and its larger
    /// working memory is not kept: later hashes would zero all of it.
    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn a_larger_hash_s_working_memory_is_not_kept() {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        use argon2::{Algorithm, Argon2, Params, Version};
        let password = "violet tractor wanders quietly";
        let salt = SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap();
        let larger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32768, 1, 1, None).unwrap(),
        )
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string();
        let hasher = PasswordHasher::new(1, 0).unwrap();
        assert!(hasher.verify(password.into(), larger).await.unwrap());
        assert_eq!(hasher.run(server::memory_blocks).await.unwrap(), 0);
        hasher.hash(password.into()).await.unwrap();
        assert_eq!(hasher.run(server::memory_blocks).await.unwrap(), 19456);
    }

    /// Logins close together reuse one thread's working memory, zeroed after each hash; a
    /// hasher idle for longer than the set time holds none. Each job starts the time again.
    #[cfg(feature = "ssr")]
    #[tokio::test]
    async fn working_memory_is_kept_between_hashes_and_given_back_when_idle() {
        use std::time::Duration;
        let hasher = PasswordHasher::keeping_memory(1, 0, Duration::from_secs(1)).unwrap();
        let held = || hasher.run(server::memory_blocks);
        assert_eq!(held().await.unwrap(), 0, "memory before the first hash");
        hasher
            .hash("violet tractor wanders quietly".into())
            .await
            .unwrap();
        assert!(
            hasher.run(server::memory_is_zeroed).await.unwrap(),
            "the last hash's blocks were left in memory"
        );
        // 19456 blocks of 1 KiB: m=19456. Five looks 0.3 s apart, the last 1.5 s after the
        // hash: each job keeps it another second.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(held().await.unwrap(), 19456);
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            held().await.unwrap(),
            0,
            "an idle hasher kept its working memory"
        );
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
