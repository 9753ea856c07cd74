//! The frame around every signed-in page: top bar with the user menu, section navigation,
//! and the page itself. Rendered on the server only: the theme toggle, the user menu and the
//! session timer are islands.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_query_map};

mod user_menu;

use crate::email_verification::EmailNotice;
use crate::session::SessionTimer;
use crate::sign_in::request_user;
use crate::ui::ThemeToggle;
use user_menu::UserMenu;

/// The frame reads its person straight from the request, which the server has already
/// resolved: no resource or transition to await (about a tenth of the settings page's server
/// time, README "Performance decisions").
#[component]
pub fn AppShell() -> impl IntoView {
    let (menu, notices) = match request_user() {
        Some(user) => {
            let notice = if user.email_verified {
                Either::Left(email_confirmed_notice())
            } else {
                Either::Right(view! { <EmailNotice email=user.email.clone()/> })
            };
            let notices = view! { <SessionTimer clock=user.session/> {notice} };
            (Either::Left(view! { <UserMenu user/> }), Some(notices))
        }
        None => (
            Either::Right(view! { <a class="button" href="/login">"Log in"</a> }),
            None,
        ),
    };

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/settings">{crate::product_name()}</a>
            <div class="topbar-end">
                <ThemeToggle/>
                {menu}
            </div>
        </header>
        {notices}
        <div class="layout">
            <SideNav/>
            <main id="main" class="content" tabindex="-1">
                <Outlet/>
            </main>
        </div>
    }
}

/// After the link in the confirmation mail: a fixed sentence for a known key, shown only
/// for a confirmed address.
fn email_confirmed_notice() -> impl IntoView {
    let confirmed = use_query_map().read_untracked().get("done").as_deref()
        == Some(crate::email_verification::DONE_CONFIRMED);
    confirmed.then(|| {
        view! {
            <p class="alert alert-success email-confirmed" role="status">
                "Thank you: your email address is confirmed."
            </p>
        }
    })
}

/// The settings areas, the current one marked. Plain links: the server renders every page
/// (islands mode has no browser-side router), and the router's `<A>` costs a memo and a
/// resolved path per link, another tenth of the settings page's server time.
#[component]
fn SideNav() -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let link = |href: &'static str, exact: bool, label: &'static str| {
        let current = is_current(&path, href, exact).then_some("page");
        view! { <a href=href aria-current=current>{label}</a> }
    };
    view! {
        <nav class="sidenav" aria-label="Settings">
            {link("/settings", true, "User Settings")}
            {link("/settings/authentication", false, "Authentication")}
            {link("/settings/ssh-keys", false, "SSH Keys")}
            {link("/accounts", false, "Accounts")}
            <a href="/logout" class="sidenav-logout">"Log out"</a>
        </nav>
    }
}

/// Whether `href` is the area of the page at `path`: the same path, or (unless `exact`) a
/// page below it.
fn is_current(path: &str, href: &str, exact: bool) -> bool {
    match path.strip_prefix(href) {
        Some("") => true,
        Some(rest) => !exact && rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_section_is_current_on_its_page_and_below_it_only() {
        assert!(is_current("/accounts", "/accounts", false));
        assert!(is_current("/accounts/7", "/accounts", false));
        assert!(!is_current("/accountsx", "/accounts", false));
        assert!(!is_current("/workspaces", "/accounts", false));
        assert!(is_current("/settings", "/settings", true));
        assert!(!is_current("/settings/ssh-keys", "/settings", true));
        assert!(is_current(
            "/settings/ssh-keys",
            "/settings/ssh-keys",
            false
        ));
    }
}
