//! The password strength meter: asks the server's zxcvbn estimate (the same check applied on
//! submit) a moment after the person stops typing; the server function it asks is here too.
//! Used by the sign-up, change-password and reset forms.

use std::time::Duration;

use leptos::prelude::*;

use crate::error::AppError;
use crate::password::{Strength, MAX_CHARS, MIN_CHARS};

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
    // What a screen reader announces: the reading's words, which change far less often than
    // the password does. The region's text is updated only when they change, so typing is not
    // interrupted on every keystroke.
    let announced = Memo::new(move |_| {
        reading()
            .map(|s| {
                let too_short = length() < MIN_CHARS;
                format!(
                    "Password strength: {}{}",
                    s.label,
                    if too_short { ", too short" } else { "" }
                )
            })
            .unwrap_or_default()
    });

    view! {
        <div class="strength">
            <p class="field-hint">
                {format!("{MIN_CHARS} to {MAX_CHARS} characters. A few unrelated words make a strong password.")}
            </p>
            <p class="visually-hidden" aria-live="polite">{move || announced.get()}</p>
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

/// Strength-meter readings one client address may ask for in a minute: one per keystroke
/// of a fast typist filling in a whole form, with room to spare.
#[cfg(feature = "ssr")]
const STRENGTH_CHECKS_PER_MINUTE: i64 = 120;

/// The strength meter's reading; the same estimate the server applies on submit. `context`
/// carries the names and email typed so far, which make a password weaker when reused.
/// Public, so it is throttled per client address, and its input is cut to what the forms
/// allow: zxcvbn's cost grows with the length.
#[server(endpoint = "password-strength", output = crate::codec::Json)]
pub async fn password_strength(password: String, context: String) -> Result<Strength, AppError> {
    let state = crate::state::AppState::get()?;
    if let Some(addr) = crate::session::client_addr() {
        let now = crate::clock::now_unix();
        let key = format!("strength:{}", crate::db::throttle::address_bucket(addr));
        let count = crate::db::throttle::hit(&state.db, &key, now, 60).await?;
        if count.attempts > STRENGTH_CHECKS_PER_MINUTE {
            return Err(AppError::RateLimited {
                retry_after_secs: count.retry_after(now),
            });
        }
    }
    // Two names and an email address, as the sign-up form allows them.
    let context_max = 2 * crate::text::NAME_MAX_CHARS + crate::contact::EMAIL_MAX_CHARS + 2;
    let mut hints: Vec<String> = context
        .chars()
        .take(context_max)
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(user) = crate::session::optional_user() {
        hints.extend([user.first_name, user.last_name, user.email]);
    }
    // Past the policy's maximum the password is refused anyway, so nothing more is scored.
    let password: String = password.chars().take(MAX_CHARS + 1).collect();
    // Tens of milliseconds of CPU at worst: off the async workers, so that no other request
    // waits behind it.
    tokio::task::spawn_blocking(move || {
        let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
        crate::password::strength(&password, &hints)
    })
    .await
    .map_err(|error| {
        tracing::error!(%error, "password strength task failed");
        AppError::Internal
    })
}
