//! The one guard server functions start with: who is calling, from which address and
//! browser, in which session. Its refusals are `AppError`s, whose HTTP status (401, 403) the
//! error sets itself when the answer is made.

use tower_sessions::Session;

use crate::clock::now_unix;
use crate::db::users::User;
use crate::error::AppError;
use crate::session::{self, ClientInfo};
use crate::state::AppState;

pub struct Caller {
    pub state: AppState,
    pub user: User,
    /// The client's address (as the server trusts it) and User-Agent.
    pub client: ClientInfo,
    pub session: Session,
}

impl Caller {
    /// A signed-in person, or `Unauthorized`.
    pub async fn signed_in() -> Result<Self, AppError> {
        let user = session::require_user()?;
        Ok(Self {
            state: AppState::get()?,
            user,
            client: session::client_info(),
            session: session::current_session().await?,
        })
    }

    /// A signed-in person whose password or code was checked in this session within the
    /// configured window (GitHub's "sudo mode"), or `ReauthRequired`: for linking and removing
    /// devices and making new recovery codes.
    pub async fn recently_authenticated() -> Result<Self, AppError> {
        let caller = Self::signed_in().await?;
        caller.check_recent().await?;
        Ok(caller)
    }

    /// This caller, if the sudo window is open; for actions that need it only sometimes.
    pub async fn require_recent(self) -> Result<Self, AppError> {
        self.check_recent().await?;
        Ok(self)
    }

    /// How long the sudo window stays open, for a page to say when it closes.
    pub async fn access_clock(&self) -> Result<crate::sudo::AccessClock, AppError> {
        let settings = &self.state.settings;
        let left = session::recent_verification_left(&self.session, settings, now_unix()).await?;
        Ok(crate::sudo::AccessClock {
            left,
            window: settings.reauth_secs,
            warn_before: (settings.reauth_secs / 4).clamp(1, 60),
        })
    }

    /// Whether the sudo window is open, for what is only shown within it.
    pub async fn is_recently_authenticated(&self) -> bool {
        self.check_recent().await.is_ok()
    }

    async fn check_recent(&self) -> Result<(), AppError> {
        session::require_recent_verification(&self.session, &self.state.settings, now_unix()).await
    }
}
