//! Plain-text exports of a person's SSH keys: a download in `authorized_keys` format, and
//! `/users/{id}.keys` like GitHub's `/{user}.keys` (for scripts), both to the owner only.

use app::session::CurrentUser;
use app::state::AppState;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::header;

use crate::middleware::app_error_response;

/// `GET /settings/ssh-keys/authorized_keys`: the signed-in person's active keys, as a file.
pub async fn download(State(state): State<AppState>, req: Request) -> Response {
    let Some(CurrentUser(user)) = req.extensions().get::<CurrentUser>().cloned() else {
        return app_error_response(app::error::AppError::Unauthorized);
    };
    match app::ssh_keys::service::authorized_keys(&state, user.id).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"authorized_keys\"",
                ),
            ],
            text,
        )
            .into_response(),
        Err(error) => app_error_response(error),
    }
}

/// `GET /users/{id}.keys`: the same lines as plain text. Anyone but the owner gets 404, as
/// if the user did not exist.
pub async fn user_keys(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let owner = req.extensions().get::<CurrentUser>().map(|u| u.0.id);
    let requested = file
        .strip_suffix(".keys")
        .and_then(|id| id.parse::<i64>().ok());
    match (owner, requested) {
        (Some(owner), Some(id)) if owner == id => {
            match app::ssh_keys::service::authorized_keys(&state, id).await {
                Ok(text) => {
                    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
                }
                Err(error) => app_error_response(error),
            }
        }
        _ => app_error_response(app::error::AppError::NotFound),
    }
}
