//! The frame around every signed-in page: top bar with the user menu, section navigation,
//! and the page itself. Rendered on the server only: the theme toggle and the user menu are
//! islands.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_query_map;

mod user_menu;

use crate::email_verification::EmailNotice;
use crate::session::SessionTimer;
use crate::sign_in::current_user;
use crate::ui::ThemeToggle;
use user_menu::UserMenu;

#[component]
pub fn AppShell() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/settings">{crate::product_name()}</a>
            <div class="topbar-end">
                <ThemeToggle/>
                <Transition fallback=|| view! { <span class="avatar avatar-placeholder" aria-hidden="true"></span> }>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(user) => view! { <UserMenu user/> }.into_any(),
                            Err(_) => view! { <a class="button" href="/login">"Log in"</a> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </header>
        <Transition>
            {move || Suspend::new(async move {
                user.await.ok().map(|user| {
                    let timer = view! { <SessionTimer clock=user.session/> };
                    let notice = if user.email_verified {
                        // A fixed sentence for a known key, and only for a confirmed address.
                        let confirmed = use_query_map().read_untracked().get("done").as_deref()
                            == Some(crate::email_verification::DONE_CONFIRMED);
                        Either::Left(confirmed.then(|| view! {
                            <p class="alert alert-success email-confirmed" role="status">
                                "Thank you: your email address is confirmed."
                            </p>
                        }))
                    } else {
                        Either::Right(view! { <EmailNotice email=user.email/> })
                    };
                    view! { {timer} {notice} }
                })
            })}
        </Transition>
        <div class="layout">
            <nav class="sidenav" aria-label="Settings">
                <A href="/settings" exact=true>"User Settings"</A>
                <A href="/settings/authentication">"Authentication"</A>
                <A href="/settings/ssh-keys">"SSH Keys"</A>
                <A href="/accounts">"Accounts"</A>
                <a href="/logout" class="sidenav-logout">"Log out"</a>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <Outlet/>
            </main>
        </div>
    }
}
