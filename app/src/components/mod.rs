//! The application shell and building blocks shared by the settings areas.

pub mod address;
pub mod events;
mod form;
mod hydration;
mod shell;
mod strength;
mod theme;
mod user_menu;

pub use form::refetched;
#[cfg(feature = "ssr")]
pub use form::{confirm_plain_post, redirect_plain_post};
pub use form::{Field, FormResult, FormStatus, ServerForm};
pub use hydration::island_hydrated;
pub use shell::AppShell;
pub use strength::StrengthMeter;
pub use theme::ThemeToggle;
pub use user_menu::UserMenu;
