//! Integration tests: the real router (and, where it matters, the real server binary) on
//! SQLite and PostgreSQL. One test binary, one module per area named as in `app/src`, so the
//! shared helpers in `common` are compiled and linked once.

#[macro_use]
mod common;

mod accounts;
mod hardening;
mod mail;
mod passkeys;
mod rendering;
mod sessions;
mod sign_in;
mod ssh_keys;
mod two_factor;
mod workspace;
