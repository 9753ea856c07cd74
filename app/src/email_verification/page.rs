//! The page a verification link opens, and the notice shown on every signed-in page until
//! the address is confirmed.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{check_verification_link, ResendVerification, VerifyEmail, DONE_RESENT};
use crate::ui::AuthFrame;
use crate::ui::{FormAction, FormResult, FormStatus, ServerForm};

/// `/verify-email/:token`: the address the link confirms and a button to confirm it. Only
/// the button uses the link up (a scanner that fetches every link in a mail confirms
/// nothing); it works without JavaScript too.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let check = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        check_verification_link,
    );
    view! {
        <AuthFrame title="Confirm your email address">
            {Suspend::new(async move {
                match check.await {
                    Ok(email) => Either::Left(view! {
                        <p>"Confirm that " <strong>{email}</strong> " is your email address."</p>
                        <ConfirmForm token/>
                    }),
                    Err(error) => Either::Right(view! {
                        <p class="alert alert-error" role="alert">{error.to_string()}</p>
                        <p><a href="/settings">"Go to your settings"</a></p>
                    }),
                }
            })}
        </AuthFrame>
    }
}

#[island(lazy)]
fn ConfirmForm(token: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let confirm = FormAction::<VerifyEmail>::new();
    let result = FormResult::new(confirm.value());
    view! {
        <ServerForm action=confirm>
            <FormStatus result/>
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="button primary" disabled=move || confirm.pending().get()>"Confirm email address"</button>
        </ServerForm>
    }
}

/// Shown above every signed-in page while the address is unconfirmed. Rendered by the
/// server, so it shows and its Resend works without JavaScript too.
#[component]
pub fn EmailNotice(email: String) -> impl IntoView {
    view! {
        <section class="email-notice" aria-label="Account notice">
            <p>
                <strong>"Confirm your email address"</strong>
                " Open the link we mail to " <strong>{email}</strong>
                " to confirm that the address is yours (no mail? choose Resend). Until then, invitations sent to it stay hidden and no security mail goes there."
            </p>
            <ResendForm/>
        </section>
    }
}

#[island(lazy)]
fn ResendForm() -> impl IntoView {
    crate::ui::island_hydrated();
    let resend = FormAction::<ResendVerification>::new();
    let result = FormResult::new(resend.value());
    view! {
        <ServerForm action=resend>
            <FormStatus result success="We sent a new link. It replaces the ones before." done=DONE_RESENT/>
            <button type="submit" class="button" disabled=move || resend.pending().get()>"Resend"</button>
        </ServerForm>
    }
}
