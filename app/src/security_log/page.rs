//! The security log as the Authentication page shows it, a page at a time.

use leptos::either::Either;
use leptos::prelude::*;

use super::{security_log, LogPage, BEFORE_PARAM};
use crate::ui::address::query_param;

/// Where the log starts on the page: "Older events" comes back here.
pub const LOG_ID: &str = "security-log";

/// Rendered on the server, like its links: paging works without JavaScript.
#[component]
pub fn SecurityLogSection(page: &'static str) -> impl IntoView {
    let before = query_param(BEFORE_PARAM);
    let log = Resource::new(
        move || before.get().and_then(|b| b.parse::<i64>().ok()),
        security_log,
    );
    view! {
        <section class="panel" aria-labelledby=LOG_ID>
            <h2 id=LOG_ID>"Security log"</h2>
            <p class="muted">
                "Sign-ins, wrong passwords and codes, and changes to how you sign in, newest first."
            </p>
            {Suspend::new(async move {
                log.await.map(|data| view! { <LogTable data page/> })
            })}
        </section>
    }
}

#[component]
fn LogTable(data: LogPage, page: &'static str) -> impl IntoView {
    let paged = query_param(BEFORE_PARAM).get_untracked().is_some();
    let LogPage { events, older } = data;
    view! {
        {if events.is_empty() {
            Either::Left(view! { <p class="muted">"Nothing recorded yet."</p> })
        } else {
            Either::Right(view! {
                <table class="security-log">
                    <thead><tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Browser"</th>
                        <th scope="col">"Address"</th>
                    </tr></thead>
                    <tbody>
                        {events.into_iter().map(|e| view! {
                            <tr>
                                <td>{e.when}</td>
                                <td>{e.what}</td>
                                <td>{e.browser.unwrap_or_default()}</td>
                                <td>{e.address.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })
        }}
        <nav class="pager" aria-label="Security log pages">
            {paged.then(|| view! { <a href=format!("{page}#{LOG_ID}")>"Newest events"</a> })}
            {older.map(|id| view! {
                <a href=format!("{page}?{BEFORE_PARAM}={id}#{LOG_ID}")>"Older events"</a>
            })}
        </nav>
    }
}
