//! The Sessions section. The server renders the list; each sign-out form is a small island,
//! which asks for the password when the check is due and loads the page again once done.

use leptos::html;
use leptos::prelude::*;

use super::{
    list_sessions, EndOtherSessions, EndSession, SessionView, DONE_ENDED, DONE_ENDED_OTHERS, PAGE,
    SECTION_ID,
};
use crate::sudo::{ConfirmAccessPanel, Reauth};
use crate::ui::address::load;
use crate::ui::{done_notice, FormAction, FormResult, FormStatus, ServerForm};

#[component]
pub fn SessionsSection() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| list_sessions());
    view! {
        <section class="panel" aria-labelledby=SECTION_ID>
            <h2 id=SECTION_ID>"Sessions"</h2>
            <p class="muted">
                "Where you are signed in. Sign out any session you do not recognise, and change "
                "your password if you think someone else knows it."
            </p>
            {Suspend::new(async move {
                sessions.await.map(|list| view! { <SessionList list/> })
            })}
        </section>
    }
}

/// Rendered on the server.
#[component]
fn SessionList(list: Vec<SessionView>) -> impl IntoView {
    let notice = done_notice(|done| match done {
        DONE_ENDED => Some("Session signed out."),
        DONE_ENDED_OTHERS => Some("All other sessions were signed out."),
        _ => None,
    });
    let others = list.iter().filter(|s| !s.current).count();
    view! {
        {notice}
        <ul class="session-list">
            {list.into_iter().map(|s| view! { <SessionRow session=s/> }).collect_view()}
        </ul>
        {(others > 0).then(|| view! { <EndOthers/> })}
    }
}

#[component]
fn SessionRow(session: SessionView) -> impl IntoView {
    let SessionView {
        id,
        browser,
        address,
        signed_in,
        last_active,
        method,
        current,
    } = session;
    let label = browser.clone();
    view! {
        <li class="session">
            <div class="session-info">
                <strong>{browser}</strong>
                {current.then(|| view! { " " <span class="badge badge-on">"This session"</span> })}
                <span class="muted">{address}</span>
                <span class="muted">{format!("Signed in {signed_in} \u{b7} {method}")}</span>
                <span class="muted">{format!("Last active {last_active}")}</span>
            </div>
            {(!current).then(|| view! { <EndOne id browser=label/> })}
        </li>
    }
}

#[island(lazy)]
fn EndOne(id: String, browser: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let reauth = Reauth::new();
    let end = FormAction::<EndSession>::in_row(&[("id", &id)]);
    let result = FormResult::new(end.value());
    let form = NodeRef::<html::Form>::new();
    reauth.watch(result, form);
    Effect::new(move |_| {
        if result.succeeded().get() {
            // No `#sessions`: a page opened at a fragment ignores `autofocus`, and focus on the
            // notice scrolls to it anyway.
            load(&format!("{PAGE}?done={DONE_ENDED}"));
        }
    });
    view! {
        <ConfirmAccessPanel reauth/>
        <ServerForm action=end node_ref=form>
            <FormStatus result/>
            <input type="hidden" name="id" value=id/>
            <button type="submit" class="button" aria-label=format!("Sign out {browser}")
                disabled=move || end.pending().get()>"Sign out"</button>
        </ServerForm>
    }
}

#[island(lazy)]
fn EndOthers() -> impl IntoView {
    crate::ui::island_hydrated();
    let reauth = Reauth::new();
    let end = FormAction::<EndOtherSessions>::new();
    let result = FormResult::new(end.value());
    let form = NodeRef::<html::Form>::new();
    reauth.watch(result, form);
    Effect::new(move |_| {
        if result.succeeded().get() {
            load(&format!("{PAGE}?done={DONE_ENDED_OTHERS}"));
        }
    });
    view! {
        <ConfirmAccessPanel reauth/>
        <ServerForm action=end node_ref=form>
            <FormStatus result/>
            <button type="submit" class="button danger" disabled=move || end.pending().get()>
                "Sign out all other sessions"
            </button>
        </ServerForm>
    }
}
