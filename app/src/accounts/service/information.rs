//! The account's own information: validated field by field, saved by its Owners and Admins.

use super::{manager, optional_text, required_text, NAME_MAX_CHARS};
use crate::accounts::AccountInfo;
use crate::clock::now_unix;
use crate::contact::{validate_email, validate_mobile};
use crate::db::accounts::information::{self as db, Information};
use crate::db::users::User;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

const ADDRESS_MAX_CHARS: usize = 300;
const TAX_ID_MAX_CHARS: usize = 32;

pub(super) fn info_view(i: Information) -> AccountInfo {
    AccountInfo {
        name: i.name,
        company_name: i.company_name,
        contact_email: i.contact_email,
        phone: i.phone,
        address: i.address,
        country: i.country,
        tax_id: i.tax_id,
    }
}

fn info_row(i: AccountInfo) -> Information {
    Information {
        name: i.name,
        company_name: i.company_name,
        contact_email: i.contact_email,
        phone: i.phone,
        address: i.address,
        country: i.country,
        tax_id: i.tax_id,
    }
}

/// Every field of the account information, each with its own message.
pub fn validate_info(input: &AccountInfo) -> Result<AccountInfo, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check(
        "name",
        required_text("account name", &input.name, NAME_MAX_CHARS),
    );
    let company_name = errors.check(
        "company_name",
        optional_text("company name", &input.company_name, NAME_MAX_CHARS),
    );
    let contact_email = errors.check(
        "contact_email",
        match input.contact_email.trim() {
            "" => Ok(String::new()),
            email => validate_email(email),
        },
    );
    let phone = errors.check(
        "phone",
        match input.phone.trim() {
            "" => Ok(String::new()),
            phone => validate_phone(phone),
        },
    );
    let address = errors.check(
        "address",
        optional_text(
            "address",
            &input.address.replace("\r\n", "\n").replace('\n', ", "),
            ADDRESS_MAX_CHARS,
        ),
    );
    let country = errors.check("country", validate_country(&input.country));
    let tax_id = errors.check("tax_id", validate_tax_id(&input.tax_id));
    errors.into_result()?;
    Ok(AccountInfo {
        name: name.unwrap_or_default(),
        company_name: company_name.unwrap_or_default(),
        contact_email: contact_email.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        address: address.unwrap_or_default(),
        country: country.unwrap_or_default(),
        tax_id: tax_id.unwrap_or_default(),
    })
}

/// Any phone number (landlines too), in international form; stored as E.164.
fn validate_phone(input: &str) -> Result<String, String> {
    match validate_mobile(input) {
        Ok(number) => Ok(number),
        Err(message) if message.contains("landline") => {
            let number = phonenumber::parse(None, input).map_err(|_| message.clone())?;
            Ok(number.format().mode(phonenumber::Mode::E164).to_string())
        }
        Err(message) => Err(message),
    }
}

/// An ISO 3166-1 alpha-2 code (`DE`, `US`), checked against the regions libphonenumber
/// knows.
fn validate_country(input: &str) -> Result<String, String> {
    let code = input.trim().to_uppercase();
    if code.is_empty() {
        return Ok(code);
    }
    let known = code.len() == 2
        && code.chars().all(|c| c.is_ascii_uppercase())
        && phonenumber::metadata::DATABASE.by_id(&code).is_some();
    if known {
        Ok(code)
    } else {
        Err("Use the two-letter country code, e.g. DE, FR or US.".into())
    }
}

fn validate_tax_id(input: &str) -> Result<String, String> {
    let value = input.trim().to_uppercase();
    if value.chars().count() > TAX_ID_MAX_CHARS {
        return Err(format!(
            "A tax ID has at most {TAX_ID_MAX_CHARS} characters."
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))
    {
        return Err("A tax ID has letters, digits, spaces, dashes, dots or slashes only.".into());
    }
    Ok(value)
}

pub async fn save_info(
    state: &AppState,
    user: &User,
    account_id: i64,
    input: AccountInfo,
) -> Result<(), AppError> {
    manager(state, user, account_id).await?;
    let info = validate_info(&input)?;
    db::update_info(&state.db, account_id, &info_row(info), user.id, now_unix()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_information_is_validated_field_by_field() {
        let info = AccountInfo {
            name: "  Acme  ".into(),
            company_name: "Acme GmbH".into(),
            contact_email: "Billing@Acme.example".into(),
            phone: "+49 30 1234567".into(),
            address: "Street 1\r\nBerlin".into(),
            country: "de".into(),
            tax_id: "de 123456789".into(),
        };
        let ok = validate_info(&info).unwrap();
        assert_eq!(ok.name, "Acme");
        assert_eq!(ok.contact_email, "billing@acme.example");
        assert_eq!(ok.phone, "+49301234567", "landlines are fine for a company");
        assert_eq!(ok.address, "Street 1, Berlin");
        assert_eq!(ok.country, "DE");
        assert_eq!(ok.tax_id, "DE 123456789");

        let bad = AccountInfo {
            name: " ".into(),
            contact_email: "nope".into(),
            phone: "12".into(),
            country: "XX".into(),
            tax_id: "<script>".into(),
            ..AccountInfo::default()
        };
        let Err(AppError::Invalid(errors)) = validate_info(&bad) else {
            panic!("invalid");
        };
        for field in ["name", "contact_email", "phone", "country", "tax_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(
            validate_info(&AccountInfo {
                name: "A".into(),
                ..AccountInfo::default()
            })
            .is_ok(),
            "optional fields may stay empty"
        );
    }
}
