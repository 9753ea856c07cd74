//! `/password-reset` (ask for a link) and `/password-reset/:token` (choose a new password).

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{check_reset_link, RequestPasswordReset, ResetPassword, DONE_REQUESTED};
use crate::strength_meter::StrengthMeter;
use crate::ui::AuthFrame;
use crate::ui::{Field, FormAction, FormResult, FormStatus, ServerForm};

#[component]
pub fn PasswordResetPage() -> impl IntoView {
    view! {
        <AuthFrame title="Reset your password">
            <p>"Enter the email address of your account, and we will mail you a link to choose a new password."</p>
            <RequestForm/>
            <p class="switch"><a href="/login">"Back to log in"</a></p>
        </AuthFrame>
    }
}

#[island(lazy)]
fn RequestForm() -> impl IntoView {
    crate::ui::island_hydrated();
    let request = FormAction::<RequestPasswordReset>::new();
    let result = FormResult::new(request.value());
    view! {
        <ServerForm action=request attr:novalidate=true>
            <FormStatus result success="If an account exists for that address, we sent a link. Check your inbox." done=DONE_REQUESTED/>
            <Field label="Email" name="email" input_type="email" autocomplete="username" required=true
                error=result.field("email")/>
            <button type="submit" class="button primary" disabled=move || request.pending().get()>"Send reset link"</button>
        </ServerForm>
    }
}

/// Opened from the mailed link: the form only if the link still works.
#[component]
pub fn ChooseNewPasswordPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let check = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        check_reset_link,
    );
    view! {
        <AuthFrame title="Choose a new password">
            {Suspend::new(async move {
                match check.await {
                    Ok(()) => Either::Left(view! { <NewPasswordForm token/> }),
                    Err(error) => Either::Right(view! {
                        <p class="alert alert-error" role="alert">{error.to_string()}</p>
                        <p><a href="/password-reset">"Ask for a new link"</a></p>
                    }),
                }
            })}
        </AuthFrame>
    }
}

#[island(lazy)]
fn NewPasswordForm(token: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let reset = FormAction::<ResetPassword>::new();
    let result = FormResult::new(reset.value());
    let password = RwSignal::new(String::new());
    view! {
        <ServerForm action=reset attr:novalidate=true>
            <FormStatus result/>
            <input type="hidden" name="token" value=token/>
            <p class="muted">"Choosing a new password logs you out everywhere. Two-factor authentication stays on."</p>
            <Field label="New password" name="new_password" input_type="password" autocomplete="new-password"
                required=true error=result.field("new_password") on_input=Callback::new(move |v| password.set(v))/>
            <StrengthMeter password=password.into()/>
            <Field label="Confirm new password" name="new_password_confirmation" input_type="password"
                autocomplete="new-password" required=true error=result.field("new_password_confirmation")/>
            <button type="submit" class="button primary" disabled=move || reset.pending().get()>"Set new password"</button>
        </ServerForm>
    }
}
