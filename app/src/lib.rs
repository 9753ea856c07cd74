//! Tessera's account settings: the components, routes and server functions shared by the
//! server (feature `ssr`) and the browser (feature `hydrate`).
//!
//! Each settings area is a module with its page components, its server functions and, behind
//! `ssr`, its domain logic (`service`); SQL lives in [`db`].
//!
//! Islands mode: pages and the frame render on the server only. The parts a person interacts
//! with (forms with inline errors, the preview, the wizard, the menus) are `#[island]`s, the
//! only code the browser downloads; moving between pages is a normal page load.

#![recursion_limit = "512"]

pub mod accounts;
pub mod active_sessions;
pub mod authentication;
#[cfg(feature = "ssr")]
pub mod caller;
pub mod clock;
pub mod codec;
pub mod contact;
#[cfg(feature = "ssr")]
pub mod db;
pub mod display;
#[cfg(feature = "ssr")]
pub mod email_links;
pub mod email_verification;
pub mod error;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod passkeys;
pub mod password;
pub mod password_reset;
pub mod preferences;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod secrets;
pub mod security_log;
pub mod session;
pub mod shell;
pub mod sign_in;
pub mod ssh_keys;
#[cfg(feature = "ssr")]
pub mod state;
pub mod strength_meter;
pub mod sudo;
pub mod text;
#[cfg(feature = "ssr")]
pub mod tokens;
pub mod two_factor;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use accounts::{AccountPage, AccountsPage, InvitationPage, WorkspacesPage};
use authentication::AuthenticationPage;
use email_verification::VerifyEmailPage;
use password_reset::{ChooseNewPasswordPage, PasswordResetPage};
use profile::UserSettingsPage;
use shell::AppShell;
use sign_in::{LoginCodePage, LoginPage, LogoutPage, SignupPage};
use ssh_keys::SshKeysPage;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="application-name" content=product_name()/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                {(!shows_refusal()).then(|| view! { <HydrationScripts options islands=true/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Whether the page shows the refusal of a form posted before its island loaded (or
/// without JavaScript): Leptos sends the browser back with the error in the address. Such a
/// page is served without its scripts, so it stays what the server rendered: the islands
/// could not take over the refusal, since their WASM does not decode it (nor know the
/// fields kept for it, or which row of a list it is for), and hydrating a form without the
/// message the server put in it fails. Its forms are plain posts; the next page has scripts.
fn shows_refusal() -> bool {
    #[cfg(feature = "ssr")]
    {
        // Read in place: every page asks, and the parts are large to copy.
        with_context::<http::request::Parts, _>(|parts| {
            parts.uri.query().is_some_and(ui::address::has_refusal)
        })
        .unwrap_or(false)
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

#[derive(Clone)]
struct ProductName(String);

/// The product's name from the server's settings (`[product] name`). The server writes it
/// into the page; the browser reads it back from there.
pub fn product_name() -> String {
    if let Some(ProductName(name)) = use_context::<ProductName>() {
        return name;
    }
    // Absent only while the server lists the routes at start-up.
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<state::AppState>() {
        return state.settings.product_name.clone();
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    if let Some(name) = document()
        .query_selector("meta[name=application-name]")
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
    {
        return name;
    }
    "Tessera".to_owned()
}

/// The page's CSP: scripts only from this origin or carrying this response's nonce (the
/// hydration script), WASM compilation allowed, nothing framed, no plugins.
#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &LeptosOptions) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|n| format!(" 'nonce-{n}'"))
        .unwrap_or_default();
    // `cargo leptos watch` reloads the page through a websocket on the reload port.
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
    } else {
        String::new()
    };
    let policy = format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let name = product_name();
    provide_context(ProductName(name.clone()));
    view! {
        <Stylesheet id="leptos" href="/pkg/tessera.css"/>
        <Title formatter=move |page: String| {
            if page.is_empty() { name.clone() } else { format!("{page} · {name}") }
        }/>
        // Every page is rendered whole before it is sent (no streaming), so it reads the same
        // without JavaScript. Pages run on the server only (islands), so they await their
        // resources in a bare `Suspend`: a `<Suspense>` boundary renders through machinery of
        // its own, a fifth of the settings page's server time, for a fallback and a hydration
        // that never happen here (README, "Performance decisions"). The resources stay: each
        // loads as a task of its own, so a section that holds a pooled connection never waits
        // for the sections rendered before it.
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/settings"/> } ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/login/two-factor") view=LoginCodePage ssr=SsrMode::Async/>
                <Route path=path!("/password-reset") view=PasswordResetPage ssr=SsrMode::Async/>
                <Route path=path!("/password-reset/:token") view=ChooseNewPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/verify-email/:token") view=VerifyEmailPage ssr=SsrMode::Async/>
                <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async/>
                <Route path=path!("/logout") view=LogoutPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("/settings") view=UserSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/authentication") view=AuthenticationPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings/ssh-keys") view=SshKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/accounts") view=AccountsPage ssr=SsrMode::Async/>
                    <Route path=path!("/accounts/:id") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/workspaces") view=WorkspacesPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main id="main" class="auth-page">
            <div class="card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. " <a href="/settings">"Go to your settings"</a></p>
            </div>
        </main>
    }
}
