//! Building blocks every settings area uses: forms and their messages, focus, the address,
//! island start-up, the theme toggle, notices between islands and the frame of signed-out pages. They import no
//! feature; the frame around the pages that uses features is `crate::shell`.

pub mod address;
mod auth_frame;
pub mod events;
mod focus;
mod form;
mod hydration;
pub mod refill;
mod theme;

pub use auth_frame::AuthFrame;
pub use focus::{disclosure_keydown, disclosure_toggled, focus_first, focus_when_shown, Rebuilt};
pub use form::refetched;
#[cfg(feature = "ssr")]
pub use form::{confirm_plain_post, redirect_plain_post};
pub use form::{done_notice, Field, FormAction, FormResult, FormStatus, ServerForm};
pub use hydration::island_hydrated;
pub use theme::ThemeToggle;
