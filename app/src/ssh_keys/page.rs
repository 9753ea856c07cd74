//! The SSH Keys page: the list with fingerprints, the add form and the export.

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{list_ssh_keys, AddSshKey, DeleteSshKey, SshKeyView, SshKeysData, TITLE_MAX_CHARS};
use crate::ui::refill::{typed, typed_text};
use crate::ui::{
    disclosure_keydown, disclosure_toggled, refetched, FormAction, FormResult, FormStatus, Rebuilt,
    ServerForm,
};

#[component]
pub fn SshKeysPage() -> impl IntoView {
    let keys = Resource::new(|| (), |_| list_ssh_keys());
    view! {
        <Title text="SSH Keys"/>
        <h1>"SSH Keys"</h1>
        {Suspend::new(async move { keys.await.map(|data| view! { <SshKeys data/> }) })}
    }
}

/// The list and the add form: one island, since adding or deleting refetches the list.
#[island(lazy)]
fn SshKeys(data: SshKeysData) -> impl IntoView {
    crate::ui::island_hydrated();
    let add = FormAction::<AddSshKey>::new();
    let version = RwSignal::new(0u32);
    Effect::new(move |_| {
        if add.value().with(|v| matches!(v, Some(Ok(_)))) {
            version.update(|n| *n += 1);
        }
    });
    let data = refetched(data, version, list_ssh_keys);
    // A deleted key's row is gone once the list is rebuilt: focus goes to the list's heading.
    let rebuilt = Rebuilt::new(data);
    provide_context(rebuilt);

    view! {
        {rebuilt.announcer()}
        <section class="panel" aria-labelledby="keys-heading">
            <h2 id="keys-heading">"Your keys"</h2>
            <p class="muted">"The public keys that identify you. Keys past their expiry date are marked and left out of the export."</p>
            {move || {
                let data = data.get();
                view! {
                    <KeyList keys=data.keys version/>
                    <p class="actions">
                        <a class="button" href="/settings/ssh-keys/authorized_keys" download="authorized_keys">"Download authorized_keys"</a>
                        <span class="muted">"Plain text for scripts: " <a href=data.keys_url.clone()>{data.keys_url.clone()}</a></span>
                    </p>
                }
            }}
        </section>
        <AddKeyForm add/>
    }
}

#[component]
fn KeyList(keys: Vec<SshKeyView>, version: RwSignal<u32>) -> impl IntoView {
    if keys.is_empty() {
        return Either::Left(view! { <p>"You have no SSH keys yet."</p> });
    }
    Either::Right(view! {
        <ul class="key-list">
            {keys.into_iter().map(|key| view! { <KeyRow key version/> }).collect_view()}
        </ul>
    })
}

#[component]
fn KeyRow(key: SshKeyView, version: RwSignal<u32>) -> impl IntoView {
    let delete = FormAction::<DeleteSshKey>::in_row(&[("id", &key.id.to_string())]);
    let result = FormResult::new(delete.value());
    let rebuilt = expect_context::<Rebuilt>();
    let title = key.title.clone();
    Effect::new(move |_| {
        if delete.value().with(|v| matches!(v, Some(Ok(_)))) {
            rebuilt.changed(format!("SSH key \u{201c}{title}\u{201d} deleted."));
            version.update(|n| *n += 1);
        }
    });
    let expiry = match (&key.expires_on, key.expired) {
        (Some(day), true) => format!("Expired on {day}"),
        (Some(day), false) => format!("Expires on {day}"),
        (None, _) => "Never expires".to_owned(),
    };
    view! {
        <li class="key" class:key-expired=key.expired>
            <div class="key-info">
                <strong class="key-title">{key.title.clone()}</strong>
                {key.expired.then(|| view! { <span class="badge badge-off">"Expired"</span> })}
                <span class="muted">{format!("{} · {} bits", key.algorithm, key.bits)}</span>
                <code class="fingerprint">{key.fingerprint.clone()}</code>
                <span class="muted">{format!("Added on {}", key.added_on)}</span>
                <span class="muted">{expiry}</span>
            </div>
            <details class="device-action" open=move || result.error().with(Option::is_some)
                on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
                <summary>"Delete"</summary>
                <ServerForm action=delete>
                    <FormStatus result success="Deleted."/>
                    <input type="hidden" name="id" value=key.id.to_string()/>
                    <p>{format!("Delete \u{201c}{}\u{201d}? Anything using this key loses access.", key.title)}</p>
                    <button type="submit" class="button danger">"Delete this key"</button>
                </ServerForm>
            </details>
        </li>
    }
}

#[component]
fn AddKeyForm(add: FormAction<AddSshKey>) -> impl IntoView {
    let result = FormResult::new(add.value());
    let form = NodeRef::<html::Form>::new();
    // The title field shows the key's comment as what an empty title will become.
    let comment = RwSignal::new(String::new());
    Effect::new(move |_| {
        if result.succeeded().get() {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            comment.set(String::new());
        }
    });
    let title_error = result.field("title");
    let key_error = result.field("key");
    let expiry_error = result.field("expires_on");
    view! {
        <section class="panel" aria-labelledby="add-key-heading">
            <h2 id="add-key-heading">"Add a key"</h2>
            <ServerForm action=add node_ref=form attr:novalidate=true>
                <FormStatus result success="SSH key added." done="ssh-key-added"/>
                <div class="field" class:field-invalid=move || key_error.get().is_some()>
                    <label for="key">"Key"</label>
                    <p class="field-hint" id="key-hint">
                        "One line starting with ssh-ed25519, ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com, "
                        "sk-ecdsa-sha2-nistp256@openssh.com or ssh-rsa: the contents of your .pub file, e.g. ~/.ssh/id_ed25519.pub."
                    </p>
                    <textarea id="key" name="key" rows="5" spellcheck="false" autocomplete="off" required
                        inner_html=typed_text("key")
                        aria-describedby="key-hint key-error"
                        aria-invalid=move || key_error.get().is_some().then_some("true")
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            comment.set(text.split_whitespace().skip(2).collect::<Vec<_>>().join(" "));
                        }></textarea>
                    <p class="field-error" id="key-error">{move || key_error.get()}</p>
                </div>
                <div class="field" class:field-invalid=move || title_error.get().is_some()>
                    <label for="title">"Title"</label>
                    <p class="field-hint" id="title-hint">"Leave empty to use the key's comment."</p>
                    <input id="title" name="title" maxlength=TITLE_MAX_CHARS autocomplete="off"
                        value=typed("title")
                        placeholder=move || comment.get()
                        aria-describedby="title-hint title-error"
                        aria-invalid=move || title_error.get().is_some().then_some("true")/>
                    <p class="field-error" id="title-error">{move || title_error.get()}</p>
                </div>
                <div class="field" class:field-invalid=move || expiry_error.get().is_some()>
                    <label for="expires_on">"Expires on"</label>
                    <p class="field-hint" id="expires_on-hint">"Optional. The key stops working after this day, in your time zone."</p>
                    <input id="expires_on" name="expires_on" type="date" value=typed("expires_on")
                        aria-describedby="expires_on-hint expires_on-error"
                        aria-invalid=move || expiry_error.get().is_some().then_some("true")/>
                    <p class="field-error" id="expires_on-error">{move || expiry_error.get()}</p>
                </div>
                <button type="submit" class="button primary" disabled=move || add.pending().get()>"Add SSH key"</button>
            </ServerForm>
        </section>
    }
}
