//! SSH keys. The page says what is coming until the feature lands.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SshKeysPage() -> impl IntoView {
    view! {
        <Title text="SSH Keys"/>
        <h1>"SSH Keys"</h1>
        <section class="panel">
            <p>
                "Soon you will manage the public keys that identify you here: add a key with a title "
                "and an optional expiry, see its type and SHA256 fingerprint, remove it, and download "
                "all of them in authorized_keys format."
            </p>
        </section>
    }
}
