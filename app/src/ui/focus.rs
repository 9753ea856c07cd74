//! Where focus goes when part of a page opens or closes in place, so that a person using the
//! keyboard or a screen reader is taken to what opened and back to where they were.

use std::cell::RefCell;

use leptos::ev::{Event, KeyboardEvent};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement};

/// Focuses the element once it is shown. For what opens in place (a wizard step, the
/// password question): `autofocus` is honoured only on a page's first load.
pub fn focus_when_shown<E>(node: NodeRef<E>)
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            if let Some(el) = el.dyn_ref::<HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}

/// The fields a disclosure's form starts with, in the order focus looks for them.
const FIRST_FIELD: &str = "input:not([type=hidden]), select, textarea, button";

/// `on:toggle` of a `<details>` holding an in-place form (Rename, Remove, Delete): opening it
/// moves focus to its first field, or its button when it asks only to confirm.
pub fn disclosure_toggled(ev: Event) {
    if let Some(details) = listening_element(&ev).filter(|d| d.has_attribute("open")) {
        focus_first(&details, FIRST_FIELD);
    }
}

/// The element whose listener is running (the `<details>`).
fn listening_element(ev: &Event) -> Option<Element> {
    ev.current_target()?.dyn_into::<Element>().ok()
}

/// Focuses the first element inside `root` that `selector` finds, if there is one.
pub fn focus_first(root: &Element, selector: &str) {
    if let Some(el) = root
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// `on:keydown` of such a `<details>`: Escape closes it and returns focus to its summary,
/// the control that opened it.
pub fn disclosure_keydown(ev: KeyboardEvent) {
    if ev.key() != "Escape" {
        return;
    }
    let Some(details) = listening_element(&ev).filter(|d| d.has_attribute("open")) else {
        return;
    };
    ev.prevent_default();
    let _ = details.remove_attribute("open");
    focus_first(&details, "summary");
}

/// A view that is built again from fresh data after each change it makes (an account's page,
/// the SSH key list): a message inside it would come and go with it, unheard, and the control
/// that had focus is replaced. So the change is announced in a live region outside the view,
/// and focus goes back to the same place in the new one.
#[derive(Clone, Copy)]
pub struct Rebuilt {
    said: RwSignal<String>,
    focus: StoredValue<Option<FocusSpot>>,
}

impl Rebuilt {
    /// For the view built from `data`.
    pub fn new<T: Send + Sync + 'static>(data: RwSignal<T>) -> Self {
        let this = Self {
            said: RwSignal::new(String::new()),
            focus: StoredValue::new(None),
        };
        Effect::new(move |_| {
            data.track();
            if let Some(spot) = this.focus.try_update_value(Option::take).flatten() {
                spot.restore();
            }
        });
        this
    }

    /// Called when a change succeeded, before its data is fetched again.
    pub fn changed(self, said: String) {
        self.focus.set_value(Some(FocusSpot::current()));
        self.said.set(said);
    }

    /// The live region, to be placed outside the rebuilt view.
    pub fn announcer(self) -> impl IntoView {
        view! { <p class="visually-hidden announcer" aria-live="polite">{move || self.said.get()}</p> }
    }
}

/// Where focus was before part of a page is built again from fresh data: the focused
/// element's id, and the heading of the section around it for when that element is gone
/// (a deleted row).
#[derive(Clone, Debug, Default)]
struct FocusSpot {
    id: Option<String>,
    heading: Option<String>,
}

impl FocusSpot {
    /// The spot focus is on now, or was on when the last form was sent if it has been lost
    /// since (a button disabled while its form is sent loses focus).
    fn current() -> Self {
        let Some(active) = focused().or_else(|| SUBMITTED_FROM.with_borrow(Clone::clone)) else {
            return Self::default();
        };
        let id = Some(active.id()).filter(|id| !id.is_empty());
        let heading = active
            .closest("section[aria-labelledby]")
            .ok()
            .flatten()
            .and_then(|s| s.get_attribute("aria-labelledby"));
        Self { id, heading }
    }

    /// Puts focus back on the same element, or on its section's heading if it is gone; once
    /// the rebuilt part is in the page (the next frame).
    fn restore(self) {
        request_animation_frame(move || {
            let document = document();
            let found = self
                .id
                .and_then(|id| document.get_element_by_id(&id))
                .or_else(|| {
                    let heading = document.get_element_by_id(&self.heading?)?;
                    // Headings take focus only from a script, not from Tab.
                    let _ = heading.set_attribute("tabindex", "-1");
                    Some(heading)
                });
            if let Some(el) = found.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
    }
}

thread_local! {
    /// What had focus when the last form was sent: the button pressed, or the field Enter
    /// was pressed in.
    static SUBMITTED_FROM: RefCell<Option<Element>> = const { RefCell::new(None) };
}

/// The focused element, unless focus is nowhere (on the body).
fn focused() -> Option<Element> {
    let document = document();
    document.active_element().filter(|el| {
        document
            .body()
            .is_none_or(|body| !body.is_same_node(Some(el)))
    })
}

/// Called as a form is sent: remembers where focus is.
pub(super) fn remember_submit() {
    SUBMITTED_FROM.set(focused());
}

/// Called when a sent form has its answer: a button disabled meanwhile has lost focus, so it
/// gets it back, if nothing else took it and the button is still on the page.
pub(super) fn after_submit() {
    if focused().is_some() {
        return;
    }
    if let Some(el) = SUBMITTED_FROM
        .take()
        .filter(|el| el.is_connected())
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
