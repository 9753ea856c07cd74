//! Asking for the password again (sudo mode), on every page with sensitive forms.

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;

use super::{AccessClock, ConfirmAccess, DONE_ACCESS};
use crate::error::AppError;
use crate::ui::address::query_param;
use crate::ui::{focus_first, Field, FormAction, FormResult, FormStatus, ServerForm};

/// At the top of a page with sensitive forms: the password question after a form posted
/// without JavaScript was refused, and the notice once it was answered.
#[component]
pub fn AccessQuestion() -> impl IntoView {
    let confirmed = query_param("done").get_untracked().as_deref() == Some(DONE_ACCESS);
    view! {
        <div role="status" class="alert-slot">
            // A password confirmed without JavaScript: the person sends their form again.
            {confirmed.then(|| view! {
                <p class="alert alert-success">"Password confirmed: you can continue."</p>
            })}
        </div>
        <RefusedWithoutJavaScript/>
    }
}

/// Sudo mode without JavaScript: a sensitive form refused for want of a recent password
/// check comes back with the error in the address, and the password is asked here; then the
/// person sends the form again. With JavaScript each island asks by itself
/// ([`ConfirmAccessPanel`]) and sends the refused form again.
#[component]
pub fn RefusedWithoutJavaScript() -> impl IntoView {
    let refused = query_param("__err").get_untracked().is_some_and(|e| {
        matches!(
            ServerFnUrlError::<AppError>::decode_err(&e),
            AppError::ReauthRequired
        )
    });
    let confirm = FormAction::<ConfirmAccess>::new();
    let result = FormResult::new(confirm.value());
    // A wrong password comes back the same way, for this form.
    let retrying = result.error().get_untracked().is_some();
    (refused || retrying).then(|| view! { <ConfirmAccessForm confirm result/> })
}

/// With JavaScript: shown inside an island when one of its forms was refused for want of a
/// recent password check; "Continue" sends that form again.
#[component]
pub fn ConfirmAccessPanel(reauth: Reauth) -> impl IntoView {
    let confirm = FormAction::<ConfirmAccess>::new();
    let result = FormResult::new(confirm.value());
    Effect::new(move |_| {
        if result.succeeded().get() {
            reauth.1.update(|n| *n += 1);
            let refused = reauth.0.get_untracked().and_then(|f| f.get_untracked());
            reauth.0.set(None);
            if let Some(form) = refused {
                // Focus goes back to the button that was refused, which the panel replaced.
                focus_first(&form, "button[type=submit]");
                let _ = form.request_submit();
            }
        }
    });
    move || {
        reauth
            .0
            .with(Option::is_some)
            .then(|| view! { <ConfirmAccessForm confirm result/> })
    }
}

#[component]
fn ConfirmAccessForm(confirm: FormAction<ConfirmAccess>, result: FormResult) -> impl IntoView {
    view! {
        <div class="reauth" role="group" aria-labelledby="reauth-heading">
            <h3 id="reauth-heading">"Confirm access"</h3>
            <p>"For your security, enter your password to continue."</p>
            <ServerForm action=confirm attr:novalidate=true>
                <FormStatus result success="Thanks, you can continue."/>
                <Field label="Password" name="password" input_type="password" autofocus=true
                    autocomplete="current-password" required=true error=result.field("password")/>
                <button type="submit" class="button primary" disabled=move || confirm.pending().get()>"Continue"</button>
            </ServerForm>
        </div>
    }
}

/// The form an island sends again once the person has confirmed their password, and how
/// many times they did on this page.
#[derive(Clone, Copy)]
pub struct Reauth(RwSignal<Option<NodeRef<html::Form>>>, RwSignal<u32>);

impl Default for Reauth {
    fn default() -> Self {
        Self::new()
    }
}

impl Reauth {
    pub fn new() -> Self {
        Self(RwSignal::new(None), RwSignal::new(0))
    }

    /// Asks for the password when `result` says the form needs a recent check.
    pub fn watch(self, result: FormResult, form: NodeRef<html::Form>) {
        Effect::new(move |_| {
            if result
                .error()
                .with(|e| matches!(e, Some(AppError::ReauthRequired)))
            {
                self.0.set(Some(form));
            }
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    /// Not open since the page loaded: the first step will ask anyway.
    Shut,
    Open,
    Closing,
    Closed,
}

/// Inside an island whose steps need the recent-password window (the two-factor wizard):
/// says, as a polite status message, shortly before the window closes and once it has, so
/// being asked for the password again comes as no surprise. A password confirmed in the
/// island opens it again.
#[component]
pub fn AccessTimer(
    clock: AccessClock,
    reauth: Reauth,
    /// Whether the island's current step needs the window (not its first or last screen).
    active: Signal<bool>,
) -> impl IntoView {
    let state = RwSignal::new(if clock.left > 0 {
        Window::Open
    } else {
        Window::Shut
    });
    let left = RwSignal::new(clock.left);
    let timer: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move |seen: Option<u32>| {
        let confirmed = reauth.1.get();
        if seen.is_some_and(|seen| seen != confirmed) {
            left.set(clock.window);
            state.set(Window::Open);
        }
        confirmed
    });
    Effect::new(move |_| {
        let left = left.get();
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let (wait, next) = match state.get() {
            Window::Open => (left - clock.warn_before, Window::Closing),
            Window::Closing => (clock.warn_before.min(left), Window::Closed),
            Window::Shut | Window::Closed => return,
        };
        let wait = std::time::Duration::from_secs(u64::try_from(wait.max(0)).unwrap_or(0));
        timer.set_value(set_timeout_with_handle(move || state.set(next), wait).ok());
    });
    let text = move || match state.get() {
        _ if !active.get() => None,
        Window::Shut | Window::Open => None,
        Window::Closing => Some(format!(
            "For your security, your password confirmation runs out in less than {}. \
             After that, you will be asked for your password again.",
            match clock.warn_before {
                1 => "a second".to_owned(),
                n => format!("{n} seconds"),
            }
        )),
        Window::Closed => Some(
            "Your password confirmation ran out: you will be asked for your password again \
             before the next step."
                .to_owned(),
        ),
    };
    view! {
        <p class="access-timer muted" role="status">{text}</p>
    }
}
