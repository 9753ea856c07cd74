//! An account's own information: its name and the company details on its page.

use crate::db::Db;

use super::activity::{record_in, Activity};

/// The editable fields of an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Information {
    pub name: String,
    pub company_name: String,
    pub contact_email: String,
    pub phone: String,
    pub address: String,
    pub country: String,
    pub tax_id: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    #[sqlx(flatten)]
    pub info: Information,
    pub created_at: i64,
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, company_name, contact_email, phone, address, country, tax_id, created_at \
         FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn update_info(
    db: &Db,
    id: i64,
    info: &Information,
    actor: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    sqlx::query(
        "UPDATE accounts SET name = $1, company_name = $2, contact_email = $3, phone = $4, \
           address = $5, country = $6, tax_id = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(&info.name)
    .bind(&info.company_name)
    .bind(&info.contact_email)
    .bind(&info.phone)
    .bind(&info.address)
    .bind(&info.country)
    .bind(&info.tax_id)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    record_in(
        &mut tx,
        id,
        Some(actor),
        Activity::AccountEdited,
        &info.name,
        now,
    )
    .await?;
    tx.commit().await
}
