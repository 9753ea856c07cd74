//! The password strength meter: asks the server's zxcvbn estimate (the same check applied on
//! submit) a moment after the person stops typing.

use std::time::Duration;

use leptos::prelude::*;

use super::password::{MAX_CHARS, MIN_CHARS};
use super::PasswordStrength;

#[component]
pub fn StrengthMeter(
    /// The password as typed so far.
    password: Signal<String>,
    /// Names and email typed on the same form, which make a password weaker when reused.
    #[prop(optional, into)]
    context: Signal<String>,
) -> impl IntoView {
    let check = ServerAction::<PasswordStrength>::new();
    let timer: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);

    // Effects only run in the browser, so the server never calls itself here.
    Effect::new(move |_| {
        let password = password.get();
        let context = context.get_untracked();
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        if password.is_empty() {
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                check.dispatch(PasswordStrength { password, context });
            },
            Duration::from_millis(150),
        )
        .ok();
        timer.set_value(handle);
    });

    let reading = move || {
        if password.with(String::is_empty) {
            return None;
        }
        check.value().get().and_then(Result::ok)
    };
    let length = move || password.with(|p| p.chars().count());

    view! {
        <div class="strength" aria-live="polite">
            <p class="field-hint">
                {format!("{MIN_CHARS} to {MAX_CHARS} characters. A few unrelated words make a strong password.")}
            </p>
            {move || {
                reading()
                    .map(|s| {
                        let too_short = length() < MIN_CHARS;
                        view! {
                            <div class="strength-reading">
                                <meter
                                    min="0"
                                    max="4"
                                    low="2"
                                    high="3"
                                    optimum="4"
                                    value=s.score.to_string()
                                    aria-label="Password strength"
                                ></meter>
                                <span class="strength-label">
                                    {format!("Strength: {}", s.label)}
                                    {too_short.then(|| format!(" (needs at least {MIN_CHARS} characters)"))}
                                </span>
                                {s.feedback.map(|f| view! { <span class="strength-feedback">{f}</span> })}
                            </div>
                        }
                    })
            }}
        </div>
    }
}
