//! Time-based one-time passwords (RFC 6238) with the parameters every authenticator app in
//! the help text understands: SHA-1, 6 digits, 30-second steps.

use totp_rs::{Algorithm, TOTP};

pub const STEP_SECS: i64 = 30;
pub const DIGITS: usize = 6;
/// 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// The code an app shows during 30-second step `step` (Unix time / 30).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    // `new_unchecked`: the secret length is ours to choose (160 bits), and the RFC vectors
    // use a 20-byte ASCII secret that `new` would accept too.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECS as u64,
        secret.to_vec(),
    )
    .generate((step.max(0) * STEP_SECS) as u64)
}

/// The step a code belongs to, if it is the current step's or the previous one's.
/// `totp-rs`'s own `check` only says yes or no, and replay protection
/// needs the step.
pub fn matching_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let current = now.div_euclid(STEP_SECS);
    [current, current - 1]
        .into_iter()
        .find(|&step| constant_time_eq(code_at_step(secret, step).as_bytes(), code.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Accepts what people type: spaces and dashes are dropped ("123 456", "123-456").
pub fn normalize_code(input: &str) -> Result<String, &'static str> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() {
        Err("Enter the 6-digit code from your authenticator app.")
    } else if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        Err("The code is the 6 digits shown in your authenticator app.")
    } else {
        Ok(code)
    }
}

/// RFC 4648 base32 without padding: what authenticator apps expect as the setup key.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// "ABCD EFGH ..." for reading aloud or typing.
pub fn group_key(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `otpauth://totp/ISSUER:LABEL?secret=...&issuer=ISSUER`. The label holds
/// the email and the device name, so two devices never overwrite each other in an app; a
/// `:` would split issuer from label, so none is left inside either.
pub fn otpauth_uri(issuer: &str, email: &str, device: &str, key: &str) -> String {
    let issuer = encode(&issuer.replace(':', " "));
    let label = encode(&format!("{email} ({device})").replace(':', " "));
    format!(
        "otpauth://totp/{issuer}:{label}?secret={key}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters and `@`, which authenticator
/// apps show as typed in a label.
pub(crate) fn encode(s: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'@');
    percent_encoding::utf8_percent_encode(s, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_appendix_b_vectors_pass_the_verification_path() {
        // The RFC lists 8 digits; 6-digit codes are their last six.
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
        ] {
            assert_eq!(code_at_step(RFC_SECRET, time / STEP_SECS), code);
            assert_eq!(
                matching_step(RFC_SECRET, code, time),
                Some(time / STEP_SECS)
            );
        }
    }

    #[test]
    fn the_previous_step_is_accepted_and_two_back_is_not() {
        let now = 1_111_111_109;
        let step = now / STEP_SECS;
        let previous = code_at_step(RFC_SECRET, step - 1);
        let two_back = code_at_step(RFC_SECRET, step - 2);
        let next = code_at_step(RFC_SECRET, step + 1);
        assert_eq!(matching_step(RFC_SECRET, &previous, now), Some(step - 1));
        assert_eq!(matching_step(RFC_SECRET, &two_back, now), None);
        assert_eq!(matching_step(RFC_SECRET, &next, now), None);
    }

    #[test]
    fn codes_are_normalised_and_anything_else_is_refused() {
        assert_eq!(normalize_code(" 081 804 ").unwrap(), "081804");
        assert_eq!(normalize_code("081-804").unwrap(), "081804");
        assert!(normalize_code("").is_err());
        assert!(normalize_code("81804").is_err());
        assert!(normalize_code("08180a").is_err());
        assert!(normalize_code("0818045").is_err());
        assert!(normalize_code("٠٨١٨٠٤").is_err(), "only ASCII digits");
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32(&[0u8; SECRET_BYTES]).len(), 32);
        assert_eq!(group_key("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn otpauth_uri_keeps_issuer_and_label_apart() {
        let uri = otpauth_uri("Tess:era", "ada@example.com", "Phone: work", "ABC");
        assert_eq!(
            uri,
            "otpauth://totp/Tess%20era:ada@example.com%20%28Phone%20%20work%29?secret=ABC&issuer=Tess%20era&algorithm=SHA1&digits=6&period=30"
        );
    }
}
