//! Light and dark themes. The choice is kept in the browser's local storage (gloo-storage)
//! and applied as `data-theme` on `<html>`; without a choice, the system setting applies.

use leptos::prelude::*;

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const STORAGE_KEY: &str = "theme";

#[island]
pub fn ThemeToggle() -> impl IntoView {
    crate::ui::island_hydrated();
    // None until the browser tells us; the server cannot know.
    let dark = RwSignal::new(None::<bool>);

    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use gloo_storage::Storage;
            match dark.get() {
                None => {
                    let stored = gloo_storage::LocalStorage::get::<String>(STORAGE_KEY).ok();
                    let system_dark = window()
                        .match_media("(prefers-color-scheme: dark)")
                        .ok()
                        .flatten()
                        .is_some_and(|m| m.matches());
                    dark.set(Some(stored.map_or(system_dark, |t| t == "dark")));
                }
                Some(is_dark) => {
                    let theme = if is_dark { "dark" } else { "light" };
                    if let Some(root) = document().document_element() {
                        let _ = root.set_attribute("data-theme", theme);
                    }
                }
            }
        }
    });

    view! {
        <button
            type="button"
            class="theme-toggle"
            aria-pressed=move || dark.get().map(|d| d.to_string())
            on:click=move |_| {
                let is_dark = !dark.get_untracked().unwrap_or(false);
                dark.set(Some(is_dark));
                // Only an explicit choice is remembered; otherwise the system setting rules.
                #[cfg(feature = "hydrate")]
                {
                    use gloo_storage::Storage;
                    let _ = gloo_storage::LocalStorage::set(STORAGE_KEY, if is_dark { "dark" } else { "light" });
                }
            }
        >
            "Dark theme"
        </button>
    }
}
