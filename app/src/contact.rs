//! Email addresses and mobile numbers, as people type them: the one check and normal form
//! of each (sign-up, login, invitations, account information, password reset).

/// Emails are compared and stored trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The longest email address (RFC 5321).
pub const EMAIL_MAX_CHARS: usize = 254;

/// A deliberately simple check (one `@`, a dotted domain, no spaces, at most 254
/// characters): the real test of an address is a mail reaching it.
pub fn validate_email(email: &str) -> Result<String, String> {
    let email = normalize_email(email);
    if email.is_empty() {
        return Err("Enter your email address.".into());
    }
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err("An email address has at most 254 characters.".into());
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    // And an address lettre can mail as it is: no display name, no angle brackets, nothing
    // that would make the address mailed differ from the one stored.
    #[cfg(feature = "ssr")]
    let valid = valid && email.parse::<lettre::Address>().is_ok();
    if valid {
        Ok(email)
    } else {
        Err("Enter an email address like name@example.com.".into())
    }
}

/// A mobile number in international form, returned as E.164 (`+4915123456789`).
#[cfg(feature = "ssr")]
pub fn validate_mobile(input: &str) -> Result<String, String> {
    use phonenumber::{Mode, Type};

    let input = input.trim();
    if input.is_empty() {
        return Err("Enter your mobile number.".into());
    }
    if !input.starts_with('+') && !input.starts_with("00") {
        return Err("Start with + and the country code, e.g. +49 151 23456789.".into());
    }
    let number = phonenumber::parse(None, input).map_err(|_| {
        "This is not a phone number we can read. Use the form +49 151 23456789.".to_owned()
    })?;
    if !phonenumber::is_valid(&number) {
        return Err("This number is not valid for its country. Check the digits.".into());
    }
    match number.number_type(&phonenumber::metadata::DATABASE) {
        Type::FixedLine => Err("This is a landline number. Enter a mobile number.".into()),
        _ => Ok(number.format().mode(Mode::E164).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            validate_email("  Ada.Lovelace@Example.COM ").unwrap(),
            "ada.lovelace@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@example.com.",
        ] {
            assert!(validate_email(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            validate_email(" ").unwrap_err(),
            "Enter your email address."
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn mobile_numbers_are_stored_in_e164() {
        assert_eq!(
            validate_mobile("+49 151 23456789").unwrap(),
            "+4915123456789"
        );
        assert_eq!(
            validate_mobile(" +44 7911 123456 ").unwrap(),
            "+447911123456"
        );
        assert_eq!(
            validate_mobile("+1 (415) 555-2671").unwrap(),
            "+14155552671"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn bad_mobile_numbers_get_a_reason() {
        assert_eq!(
            validate_mobile("").unwrap_err(),
            "Enter your mobile number."
        );
        assert!(validate_mobile("0151 23456789")
            .unwrap_err()
            .starts_with("Start with +"));
        assert!(validate_mobile("+49 1").is_err());
        assert!(validate_mobile("+hello").is_err());
        assert_eq!(
            validate_mobile("+49 30 12345678").unwrap_err(),
            "This is a landline number. Enter a mobile number."
        );
    }
}
