//! Marks `<body data-hydrated>` once every island on the page has hydrated. Islands hydrate
//! one after another, the lazy ones after their WASM chunk arrives, so there is no single
//! moment the page knows this by itself; browser tests wait for the mark.

/// Called first in every island.
pub fn island_hydrated() {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(|_| {
        use std::sync::atomic::{AtomicU32, Ordering};
        static HYDRATED: AtomicU32 = AtomicU32::new(0);
        let hydrated = HYDRATED.fetch_add(1, Ordering::Relaxed) + 1;
        let document = leptos::prelude::document();
        let islands = document
            .query_selector_all("leptos-island")
            .map_or(0, |all| all.length());
        if hydrated >= islands {
            if let Some(body) = document.body() {
                let _ = body.set_attribute("data-hydrated", "");
            }
        }
    });
}
