//! Page-wide notices between islands, which share no reactive state: one island announces a
//! change with a DOM event on `window`, others listening refresh what they show.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// The name or display preferences of the signed-in person changed.
pub const PROFILE_CHANGED: &str = "tessera:profile-changed";

/// Tells the page's other islands that `event` happened.
pub fn announce(event: &'static str) {
    #[cfg(feature = "hydrate")]
    if let Ok(event) = web_sys::Event::new(event) {
        let _ = window().dispatch_event(&event);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// Runs `then` whenever `event` is announced, for as long as the calling island lives.
pub fn on(event: &'static str, then: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener_untyped(event, move |_| then());
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, then);
}
