//! Reading and updating the profile.

use super::{validate_name, ProfileData};
use crate::clock::now_unix;
use crate::db::users::{self, User};
use crate::db::Db;
use crate::error::{AppError, FieldErrors};

pub fn profile_data(user: &User) -> ProfileData {
    ProfileData {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone(),
        mobile: user.mobile.clone(),
        member_since: user.preferences.show(user.created_at),
        password_changed: user.preferences.show(user.password_changed_at),
    }
}

pub async fn update_name(
    db: &Db,
    user_id: i64,
    first_name: &str,
    last_name: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let first = errors.check("first_name", validate_name("first name", first_name));
    let last = errors.check("last_name", validate_name("last name", last_name));
    match (first, last) {
        (Some(first), Some(last)) => {
            Ok(users::update_name(db, user_id, &first, &last, now_unix()).await?)
        }
        _ => Err(AppError::Invalid(errors)),
    }
}
