//! The security log as the Authentication page shows it.

use leptos::either::Either;
use leptos::prelude::*;

use super::EventView;

/// Rendered on the server.
#[component]
pub fn SecurityLog(events: Vec<EventView>) -> impl IntoView {
    view! {
        <h3>"Security log"</h3>
        {if events.is_empty() {
            Either::Left(view! { <p class="muted">"Nothing recorded yet."</p> })
        } else {
            Either::Right(view! {
                <table class="security-log">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"From"</th></tr></thead>
                    <tbody>
                        {events.into_iter().map(|e| view! {
                            <tr><td>{e.when}</td><td>{e.what}</td><td>{e.address.unwrap_or_default()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })
        }}
    }
}
