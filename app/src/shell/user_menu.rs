//! The circle with the user's initials in the top-right corner and its menu, following the
//! WAI-ARIA menu button pattern: Enter, Space or the arrow keys open it, the arrow keys,
//! Home and End move between items, Escape closes it and returns focus to the button.

use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;

use crate::session::Logout;
use crate::sign_in::{current_user, UserSummary};
use crate::ui::{events, FormAction, ServerForm};

#[island]
pub fn UserMenu(user: UserSummary) -> impl IntoView {
    crate::ui::island_hydrated();
    // The name shown here changes when the profile is saved in another island.
    let user = RwSignal::new(user);
    events::on(events::PROFILE_CHANGED, move || {
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = current_user().await {
                user.set(fresh);
            }
        });
    });
    let open = RwSignal::new(false);
    let enhanced = RwSignal::new(false);
    let container = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        // Before hydration the menu opens while it has focus (CSS). A menu the person opened
        // that way stays open when the island takes over, instead of vanishing under the pointer.
        #[cfg(feature = "hydrate")]
        if let (Some(root), Some(active)) = (container.get_untracked(), document().active_element())
        {
            if root.contains(Some(active.as_ref())) {
                open.set(true);
            }
        }
        enhanced.set(true);
    });
    let button = NodeRef::<html::Button>::new();
    let logout = FormAction::<Logout>::new();

    // The item focus is moving to. Focus moves on the next frame (once the menu is shown),
    // and keys pressed before then must count from there, not from where focus still is.
    let target = StoredValue::new(None::<i32>);
    // Moves focus to item `index` (negative counts from the end), once the menu is shown.
    let focus_item = move |index: i32| {
        target.set_value(Some(index));
        request_animation_frame(move || {
            let Some(index) = target.get_value() else {
                return;
            };
            target.set_value(None);
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                let Some(root) = container.get_untracked() else {
                    return;
                };
                let Ok(items) = root.query_selector_all("[role=menuitem]") else {
                    return;
                };
                let len = items.length() as i32;
                if len == 0 {
                    return;
                }
                let i = index.rem_euclid(len) as u32;
                if let Some(el) = items
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (index, container);
        });
    };
    let current_index = move || -> i32 {
        if let Some(index) = target.get_value() {
            return index;
        }
        #[cfg(feature = "hydrate")]
        {
            let (Some(root), Some(active)) =
                (container.get_untracked(), document().active_element())
            else {
                return -1;
            };
            let Ok(items) = root.query_selector_all("[role=menuitem]") else {
                return -1;
            };
            for i in 0..items.length() {
                if items.item(i).is_some_and(|n| n.is_same_node(Some(&active))) {
                    return i as i32;
                }
            }
        }
        -1
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };

    // Keys that arrive while focus is still on its way from the button count from the target.
    let on_button_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            let moving = target.with_value(Option::is_some);
            open.set(true);
            focus_item(if moving { current_index() + 1 } else { 0 });
        }
        "ArrowUp" => {
            ev.prevent_default();
            let moving = target.with_value(Option::is_some);
            open.set(true);
            focus_item(if moving { current_index() - 1 } else { -1 });
        }
        _ => {}
    };
    let on_menu_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            focus_item(current_index() + 1);
        }
        "ArrowUp" => {
            ev.prevent_default();
            focus_item(current_index() - 1);
        }
        "Home" => {
            ev.prevent_default();
            focus_item(0);
        }
        "End" => {
            ev.prevent_default();
            focus_item(-1);
        }
        "Escape" => {
            ev.prevent_default();
            close(true);
        }
        "Tab" => close(false),
        _ => {}
    };
    // Clicking or tabbing anywhere outside closes the menu.
    let on_focusout = move |ev: FocusEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let inside = ev
                .related_target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .zip(container.get_untracked())
                .is_some_and(|(target, root)| root.contains(Some(&target)));
            if !inside {
                open.set(false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    let initials = move || user.with(|u| u.initials.clone());
    let full_name = move || user.with(UserSummary::full_name);
    let email = move || user.with(|u| u.email.clone());
    view! {
        <div
            class="user-menu"
            class:open=move || open.get()
            data-enhanced=move || enhanced.get().then_some("true")
            node_ref=container
            on:focusout=on_focusout
        >
            <button
                type="button"
                class="avatar"
                node_ref=button
                // What it shows comes first (WCAG 2.5.3): "click AL" works by voice.
                aria-label=move || format!("{} User menu", initials())
                aria-haspopup="menu"
                aria-controls="user-menu-items"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    let opening = !open.get_untracked();
                    open.set(opening);
                    if opening {
                        focus_item(0);
                    }
                }
                on:keydown=on_button_keydown
            >
                <span aria-hidden="true">{initials}</span>
            </button>
            <div class="menu-panel">
                <p class="menu-identity">
                    <strong>{full_name}</strong>
                    <span>{email}</span>
                </p>
                <div
                    role="menu"
                    id="user-menu-items"
                    aria-label="User menu"
                    on:keydown=on_menu_keydown
                    on:click=move |_| open.set(false)
                >
                    <a role="menuitem" tabindex="-1" href="/settings">"User Settings"</a>
                    <a role="menuitem" tabindex="-1" href="/settings/authentication">"Authentication"</a>
                    <a role="menuitem" tabindex="-1" href="/settings/ssh-keys">"SSH Keys"</a>
                    <a role="menuitem" tabindex="-1" href="/accounts">"Accounts"</a>
                    <ServerForm action=logout attr:class="menu-form">
                        <button type="submit" role="menuitem" tabindex="-1">"Log out"</button>
                    </ServerForm>
                </div>
            </div>
        </div>
    }
}
