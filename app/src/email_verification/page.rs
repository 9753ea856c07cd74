//! The page a verification link opens, and the notice shown on every signed-in page until
//! the address is confirmed.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{verify_email, ResendVerification, DONE_RESENT};
use crate::auth::AuthFrame;
use crate::components::{FormResult, FormStatus, ServerForm};

/// `/verify-email/:token`. Rendered by the server only (so the link works without
/// JavaScript); opening it confirms the address.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let result = Resource::new(move || token.clone(), verify_email);
    view! {
        <AuthFrame title="Confirm your email address">
            <Suspense>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(email) => Either::Left(view! {
                            <p class="alert alert-success" role="status">
                                {format!("Thank you: {email} is confirmed as your email address.")}
                            </p>
                            <p><a href="/settings">"Go to your settings"</a></p>
                        }),
                        Err(error) => Either::Right(view! {
                            <p class="alert alert-error" role="alert">{error.to_string()}</p>
                            <p><a href="/settings">"Go to your settings"</a></p>
                        }),
                    }
                })}
            </Suspense>
        </AuthFrame>
    }
}

/// Shown above every signed-in page while the address is unconfirmed. Rendered by the
/// server, so it shows and its Resend works without JavaScript too.
#[component]
pub fn EmailNotice(email: String) -> impl IntoView {
    view! {
        <section class="email-notice" aria-label="Email address">
            <p>
                <strong>"Confirm your email address"</strong>
                " We sent a link to " <strong>{email}</strong>
                ". Open it to confirm that the address is yours; until then, invitations sent to it stay hidden and no security mail goes there."
            </p>
            <ResendForm/>
        </section>
    }
}

#[island(lazy)]
fn ResendForm() -> impl IntoView {
    crate::components::island_hydrated();
    let resend = ServerAction::<ResendVerification>::new();
    let result = FormResult::new(resend.value());
    view! {
        <ServerForm action=resend>
            <FormStatus result success="We sent a new link. It replaces the ones before." done=DONE_RESENT/>
            <button type="submit" class="button" disabled=move || resend.pending().get()>"Resend"</button>
        </ServerForm>
    }
}
