//! Passkeys and security keys (WebAuthn): phishing-resistant second factor and sign-in with
//! a passkey alone.

#[cfg(feature = "ssr")]
pub mod service;
