//! The sign-up, login and logout pages. Every form is a `ServerForm`: a plain POST without
//! JavaScript, inline errors without a reload with it (the forms are islands; the frame
//! around them is server-rendered only).

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{login_offers_passkey, request_user, Login, Signup, VerifyLoginCode};
use crate::passkeys::{PasskeySignIn, UsePasskey, NEEDS_DOMAIN, NEEDS_JAVASCRIPT};
use crate::session::Logout;
use crate::strength_meter::StrengthMeter;
use crate::ui::{AuthFrame, Field, FormAction, FormResult, FormStatus, ServerForm};

#[component]
pub fn SignupPage() -> impl IntoView {
    // Coming from an invitation link: the email is the invited one, shown and locked.
    let query = use_query_map();
    let token = query.read_untracked().get("invitation");
    let invited = Resource::new(
        move || token.clone(),
        |token| async move {
            let token = token?;
            let landing = crate::accounts::show_invitation(token.clone()).await.ok()?;
            Some((token, landing.email))
        },
    );
    view! {
        <AuthFrame title="Sign up">
            {Suspend::new(async move {
                view! { <SignupForm invitation=invited.await/> }
            })}
            <p class="switch">"Already have an account? " <a href="/login">"Log in"</a></p>
        </AuthFrame>
    }
}

/// `invitation`: the invitation's token and the email it was sent to.
#[island(lazy)]
fn SignupForm(invitation: Option<(String, String)>) -> impl IntoView {
    crate::ui::island_hydrated();
    let signup = FormAction::<Signup>::new();
    let result = FormResult::new(signup.value());
    let password = RwSignal::new(String::new());
    let (first, last) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let email = RwSignal::new(
        invitation
            .as_ref()
            .map(|(_, email)| email.clone())
            .unwrap_or_default(),
    );
    let context = Signal::derive(move || format!("{} {} {}", first.get(), last.get(), email.get()));

    view! {
        <ServerForm action=signup attr:novalidate=true>
            <FormStatus result success="Welcome! Your account is ready."/>
            <div class="field-row">
                <Field label="First name" name="first_name" autocomplete="given-name" required=true
                    maxlength=crate::profile::NAME_MAX_CHARS error=result.field("first_name")
                    on_input=Callback::new(move |v| first.set(v))/>
                <Field label="Last name" name="last_name" autocomplete="family-name" required=true
                    maxlength=crate::profile::NAME_MAX_CHARS error=result.field("last_name")
                    on_input=Callback::new(move |v| last.set(v))/>
            </div>
            {match invitation {
                None => Either::Left(view! { <EmailField result email/> }),
                Some((token, invited_email)) => Either::Right(view! {
                    <input type="hidden" name="invitation" value=token/>
                    <Field label="Email" name="email" input_type="email" value=invited_email readonly=true
                        hint="The email your invitation was sent to." error=result.field("email")/>
                }),
            }}
            <Field label="Mobile number" name="mobile" input_type="tel" autocomplete="tel" required=true
                hint="In international form, starting with + and the country code, e.g. +49 151 23456789."
                error=result.field("mobile")/>
            <Field label="Password" name="password" input_type="password" autocomplete="new-password" required=true
                error=result.field("password") on_input=Callback::new(move |v| password.set(v))/>
            <StrengthMeter password=password.into() context/>
            <Field label="Confirm password" name="password_confirmation" input_type="password"
                autocomplete="new-password" required=true error=result.field("password_confirmation")/>
            <button type="submit" class="button primary" disabled=move || signup.pending().get()>"Sign up"</button>
        </ServerForm>
    }
}

#[component]
fn EmailField(result: FormResult, email: RwSignal<String>) -> impl IntoView {
    view! {
        <Field label="Email" name="email" input_type="email" autocomplete="email" required=true
            error=result.field("email") on_input=Callback::new(move |v| email.set(v))/>
    }
}

/// Where to go after logging in (`?next=`), checked again by the server.
fn next_param() -> String {
    use_query_map()
        .read_untracked()
        .get("next")
        .unwrap_or_default()
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // Fixed sentences for known keys, never text from the address.
    let done = use_query_map().read_untracked().get("done");
    let notice = match done.as_deref() {
        Some(super::DONE_RESET) => Some(
            "Your password was changed, and every session was logged out. Log in with your new password.",
        ),
        Some(crate::email_verification::DONE_CONFIRMED) => {
            Some("Thank you: your email address is confirmed. Log in to continue.")
        }
        _ => None,
    };
    view! {
        <AuthFrame title="Log in">
            {notice.map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
            <LoginForm next=next_param()/>
            <div class="or-divider" role="presentation"><span>"or"</span></div>
            {if passkeys_available() {
                Either::Left(view! {
                    <noscript><p class="muted">{NEEDS_JAVASCRIPT}</p></noscript>
                    <PasskeySignIn next=next_param()/>
                })
            } else {
                Either::Right(view! { <p class="muted">{NEEDS_DOMAIN}</p> })
            }}
            <p class="switch"><a href="/password-reset">"Forgot password?"</a></p>
            <p class="switch">"New here? " <a href="/signup">"Sign up"</a></p>
        </AuthFrame>
    }
}

#[island(lazy)]
fn LoginForm(next: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let login = FormAction::<Login>::new();
    let result = FormResult::new(login.value());
    view! {
            <ServerForm action=login>
                <FormStatus result success="Logged in."/>
                <input type="hidden" name="next" value=next/>
                // "webauthn": the browser may offer passkeys in this field's autofill.
                <Field label="Email" name="email" input_type="email" autocomplete="username webauthn" required=true
                    error=result.field("email")/>
                <Field label="Password" name="password" input_type="password" autocomplete="current-password"
                    required=true error=result.field("password")/>
                <button type="submit" class="button primary" disabled=move || login.pending().get()>"Log in"</button>
            </ServerForm>
    }
}

/// Whether this site can hold passkeys (it is reached by a domain name). Known to the
/// server, which renders the pages that ask.
fn passkeys_available() -> bool {
    #[cfg(feature = "ssr")]
    {
        crate::state::AppState::get().is_ok_and(|state| state.relying_party.is_some())
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The second step of a login with two-factor authentication: a code, a recovery code, or
/// one of the person's passkeys.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let offers_passkey = Resource::new(|| (), |_| login_offers_passkey());
    view! {
        <AuthFrame title="Two-factor authentication">
            {Suspend::new(async move {
                offers_passkey.await.unwrap_or(false).then(|| view! {
                    <noscript><p class="muted">{NEEDS_JAVASCRIPT}</p></noscript>
                    <UsePasskey next=next_param()/>
                    <div class="or-divider" role="presentation"><span>"or"</span></div>
                })
            })}
            <LoginCodeForm next=next_param()/>
            <p class="switch"><a href="/login">"Log in with another account"</a></p>
        </AuthFrame>
    }
}

#[island(lazy)]
fn LoginCodeForm(next: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let verify = FormAction::<VerifyLoginCode>::new();
    let result = FormResult::new(verify.value());
    view! {
            <ServerForm action=verify attr:novalidate=true>
                <FormStatus result success="Logged in."/>
                <input type="hidden" name="next" value=next/>
                <Field label="Authentication code" name="code" autocomplete="one-time-code" required=true
                    hint="The 6-digit code from any of your linked authenticator apps, or one of your recovery codes."
                    error=result.field("code")/>
                <button type="submit" class="button primary" disabled=move || verify.pending().get()>"Verify"</button>
            </ServerForm>
    }
}

/// Reached from the navigation without JavaScript, or by typing the address: logging out is
/// a POST, so a link elsewhere cannot log anyone out.
#[component]
pub fn LogoutPage() -> impl IntoView {
    let logout = FormAction::<Logout>::new();
    view! {
        <AuthFrame title="Log out">
            {match request_user() {
                Some(user) => Either::Left(view! {
                    <p>{format!("You are logged in as {}.", user.email)}</p>
                    <ServerForm action=logout>
                        <button type="submit" class="button primary">"Log out"</button>
                    </ServerForm>
                }),
                None => Either::Right(view! {
                    <p role="status">"You are logged out."</p>
                    <p><a href="/login">"Log in"</a></p>
                }),
            }}
        </AuthFrame>
    }
}
