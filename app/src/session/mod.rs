//! Who is signed in. The session itself (cookie, storage in the database, idle expiry) is
//! tower-sessions'; this module decides what a session means for the product.
//! Shared by every feature (and by the server's middleware), below them all: the guard in
//! `crate::caller` and the features read the signed-in person from here.

#[cfg(feature = "ssr")]
mod signed_in;

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
pub use signed_in::*;

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = signed_in::current_session().await?;
    signed_in::end(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
