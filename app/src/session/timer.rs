//! The warning before the idle timeout ends a session that has a page open (WCAG 2.2.1,
//! "Timing Adjustable"): shortly before, the page offers "Stay signed in"; once it is over,
//! it says so. It asks the server before it speaks, without that counting as activity, so
//! work in another tab that kept the session alive is no reason to warn. Without JavaScript
//! the server simply asks for the password again.

use std::time::Duration;

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::SessionClock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Quiet,
    Warning,
    Ended,
}

// Not lazy: it is on every signed-in page, where as a lazy island it cost 16 files of its own
// (README, "Performance decisions").
#[island]
pub fn SessionTimer(clock: SessionClock) -> impl IntoView {
    crate::ui::island_hydrated();
    let clock = RwSignal::new(clock);
    let phase = RwSignal::new(Phase::Quiet);
    let staying = RwSignal::new(false);
    let timer: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);

    // Asks how long is left, and lets the answer decide what the page says.
    let check = move || {
        leptos::task::spawn_local(async move {
            match super::session_status().await {
                Ok(fresh) if fresh.expires_in > fresh.warn_before => {
                    phase.set(Phase::Quiet);
                    clock.set(fresh);
                }
                Ok(fresh) if fresh.expires_in > 0 => {
                    phase.set(Phase::Warning);
                    clock.set(fresh);
                }
                _ => phase.set(Phase::Ended),
            }
        });
    };
    // Effects run only in the browser: the server renders the quiet state.
    Effect::new(move |_| {
        let SessionClock {
            expires_in,
            warn_before,
        } = clock.get();
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let wait = match phase.get() {
            Phase::Quiet => expires_in - warn_before,
            Phase::Warning => expires_in,
            Phase::Ended => return,
        };
        let wait = Duration::from_secs(u64::try_from(wait.max(0)).unwrap_or(0));
        timer.set_value(set_timeout_with_handle(check, wait).ok());
    });
    // A plain call rather than a `ServerAction`: this island is on every page, so it stays
    // small.
    let stay = move |_| {
        staying.set(true);
        leptos::task::spawn_local(async move {
            match super::keep_alive().await {
                Ok(fresh) => {
                    phase.set(Phase::Quiet);
                    clock.set(fresh);
                }
                Err(_) => phase.set(Phase::Ended),
            }
            staying.set(false);
        });
    };

    let warning = move || {
        let secs = clock.with(|c| c.warn_before);
        let left = match secs {
            120.. => format!("about {} minutes", secs / 60),
            ..=1 => "less than a second".to_owned(),
            _ => format!("less than {secs} seconds"),
        };
        format!("Your session ends in {left} because of inactivity.")
    };
    view! {
        <div class="session-timer" role="status">
            {move || match phase.get() {
                Phase::Quiet => EitherOf3::A(()),
                Phase::Warning => EitherOf3::B(view! {
                    <div class="alert alert-warning">
                        <p>{warning()}</p>
                        <button type="button" class="button primary"
                            disabled=move || staying.get() on:click=stay>
                            "Stay signed in"
                        </button>
                    </div>
                }),
                Phase::Ended => EitherOf3::C(view! {
                    <div class="alert alert-error">
                        <p>
                            "Your session has ended because of inactivity. "
                            // The page itself: the server sends it to log in, and back.
                            <a href=current_address()>"Log in again"</a>
                        </p>
                    </div>
                }),
            }}
        </div>
    }
}

fn current_address() -> String {
    #[cfg(feature = "hydrate")]
    {
        window()
            .location()
            .href()
            .unwrap_or_else(|_| "/login".into())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "/login".into()
    }
}
