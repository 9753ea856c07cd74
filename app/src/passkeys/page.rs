//! The passkey controls: "Add a passkey" on the Authentication page (the list of passkeys is
//! the two-factor section's, beside the authenticator apps), "Use a passkey" at the login's
//! code step and "Sign in with a passkey" on the login page.
//!
//! Each is an island, loaded only by the page that shows it. Passkeys need JavaScript: a
//! control stays hidden until its island runs, and the server-rendered page says so in a
//! `<noscript>` where the control would be.

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;

use super::{AddPasskey, PasskeyOptions, DONE_ADDED, NAME_MAX_CHARS};
use crate::error::AppError;
use crate::sudo::{ConfirmAccessPanel, Reauth};
use crate::ui::{Field, FormAction, FormResult, FormStatus, ServerForm};

/// The words `<noscript>` shows where a passkey control would be.
pub const NEEDS_JAVASCRIPT: &str =
    "Passkeys need JavaScript, which is off in this browser. Every other way to sign in works without it.";

/// A flag that turns true once the island runs in the browser (never on the server).
fn running() -> RwSignal<bool> {
    let running = RwSignal::new(false);
    Effect::new(move |_| running.set(true));
    running
}

/// A name for a new passkey from what the browser tells of its authenticator, unique among
/// `taken` (lower-cased): "Passkey on Linux", "Security key 2", "Phone". `this_device` is
/// ASCII (the system's name as woothee gives it).
pub fn default_name(
    attachment: Option<&str>,
    transports: &[String],
    this_device: &str,
    taken: &[String],
) -> String {
    let has = |t: &str| transports.iter().any(|x| x == t);
    let base = if has("hybrid") {
        "Phone"
    } else if attachment == Some("platform") || has("internal") {
        this_device
    } else if attachment == Some("cross-platform") || has("usb") || has("nfc") || has("ble") {
        "Security key"
    } else {
        "Passkey"
    };
    // The suggestions are ASCII: `to_ascii_lowercase` keeps Unicode's case tables (about
    // 50 kB) out of the WASM. `taken` is lower-cased by the server.
    let free = |name: &String| !taken.contains(&name.to_ascii_lowercase());
    std::iter::once(base.to_owned())
        .chain((2..).map(|n| format!("{base} {n}")))
        .find(free)
        .unwrap_or_else(|| base.to_owned())
}

/// Adding a passkey (the page's `?passkey=add` state): "Continue" opens the browser's dialog,
/// which makes the credential (a click, as Safari wants one for it), then the person names it.
/// `names`: the person's passkey names, lower-cased, so the suggested one is free.
#[island(lazy)]
pub fn AddPasskeyPanel(names: Vec<String>) -> impl IntoView {
    crate::ui::island_hydrated();
    let running = running();
    let reauth = Reauth::new();
    let start = FormAction::<PasskeyOptions>::new();
    let start_result = FormResult::new(start.value());
    let start_form = NodeRef::<html::Form>::new();
    reauth.watch(start_result, start_form);
    let add = FormAction::<AddPasskey>::new();
    let add_result = FormResult::new(add.value());
    let name_form = NodeRef::<html::Form>::new();
    reauth.watch(add_result, name_form);
    // What the browser made: its answer and the suggested name, until it is saved.
    let created = RwSignal::new(None::<(String, String)>);
    let failure = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(false);
    let names = StoredValue::new(names);

    Effect::new(move |_| {
        if start.pending().get() {
            failure.set(None);
            created.set(None);
        }
    });
    Effect::new(move |_| {
        let Some(Ok(registration)) = start.value().get() else {
            return;
        };
        waiting.set(true);
        leptos::task::spawn_local(async move {
            match super::browser::create(&registration.options).await {
                Ok(made) => {
                    let name = names.with_value(|taken| {
                        default_name(
                            made.attachment.as_deref(),
                            &made.transports,
                            &registration.this_device,
                            taken,
                        )
                    });
                    created.set(Some((made.response, name)));
                }
                Err(why) => failure.set(Some(why.message())),
            }
            waiting.set(false);
        });
    });
    // The name field takes the focus once the browser's dialog is done.
    Effect::new(move |_| {
        if created.with(Option::is_some) {
            focus("passkey-name");
        }
    });
    Effect::new(move |_| {
        if add_result.succeeded().get() {
            crate::ui::address::load(&format!(
                "{}?done={DONE_ADDED}",
                crate::authentication::PAGE
            ));
        }
    });
    let start_error = move || {
        start_result
            .error()
            .get()
            .filter(|e| !matches!(e, AppError::ReauthRequired))
            .map(|e| e.message_for(super::FIELD))
            .or_else(|| failure.get().map(str::to_owned))
    };

    view! {
        <div class="add-passkey" hidden=move || !running.get()>
            <ConfirmAccessPanel reauth/>
            <div role="status" class="alert-slot">
                {move || waiting.get().then(|| view! {
                    <p class="alert alert-info">"Follow your browser\u{2019}s passkey dialog."</p>
                })}
            </div>
            <div role="alert" class="alert-slot">
                {move || start_error().map(|m| view! { <p class="alert alert-error">{m}</p> })}
            </div>
            {move || match created.get() {
                None => Either::Left(view! {
                    <p>
                        "Your browser will ask you to create a passkey with your fingerprint, face, "
                        "screen lock or security key. Then you name it."
                    </p>
                    <ServerForm action=start node_ref=start_form attr:class="actions">
                        <button type="submit" class="button primary" disabled=move || start.pending().get() || waiting.get()>
                            "Continue"
                        </button>
                        <a class="button" href=crate::authentication::PAGE>"Cancel"</a>
                    </ServerForm>
                }),
                Some((response, name)) => Either::Right(view! {
                    <ServerForm action=add node_ref=name_form attr:novalidate=true>
                        <FormStatus result=add_result/>
                        <input type="hidden" name="response" value=response/>
                        <Field label="Passkey name" name="name" id="passkey-name" value=name required=true
                            autocomplete="off" maxlength=NAME_MAX_CHARS error=add_result.field("name")
                            hint="A name you will recognise, unique among your passkeys, e.g. \u{201c}Laptop\u{201d} or \u{201c}YubiKey\u{201d}."/>
                        <div class="actions">
                            <button type="submit" class="button primary" disabled=move || add.pending().get()>"Save"</button>
                            <a class="button" href=crate::authentication::PAGE>"Cancel"</a>
                        </div>
                    </ServerForm>
                }),
            }}
        </div>
    }
}

fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// "Use a passkey" at the login's code step, for a person who has one.
#[island(lazy)]
pub fn UsePasskey(next: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let button = PasskeyButton::new();
    let next = StoredValue::new(next);
    let press = move || {
        button.run(async move {
            let response = assertion(crate::sign_in::login_passkey_options()).await?;
            // Passed: the server's redirect loads the next page.
            crate::sign_in::verify_login_passkey(response, next.get_value())
                .await
                .map_err(|e| e.message_for(super::FIELD))
        })
    };
    button.view("Use a passkey", press)
}

/// "Sign in with a passkey" on the login page, and the same offered in the browser's
/// autofill of the email field (WebAuthn conditional mediation) where the browser can.
#[island(lazy)]
pub fn PasskeySignIn(next: String) -> impl IntoView {
    crate::ui::island_hydrated();
    let button = PasskeyButton::new();
    let next = StoredValue::new(next);
    let autofill = super::browser::Autofill::new();
    Effect::new(move |_| {
        autofill.offer(
            async { crate::sign_in::passkey_sign_in_options().await.ok() },
            move |response| async move {
                if let Err(message) = sign_in(response, next.get_value()).await {
                    button.problem.set(Some(message));
                }
            },
        );
    });
    let press = move || {
        // One request at a time: the button's own dialog replaces the autofill's.
        autofill.stop();
        button.run(async move {
            let response = assertion(crate::sign_in::passkey_sign_in_options()).await?;
            sign_in(response, next.get_value()).await
        })
    };
    button.view("Sign in with a passkey", press)
}

/// Sends the browser's answer; once it is accepted the server's redirect loads the next page.
async fn sign_in(response: String, next: String) -> Result<(), String> {
    crate::sign_in::sign_in_with_passkey(response, next)
        .await
        .map_err(|e| e.message_for(super::FIELD))
}

/// The browser's answer to the options a server function gives, or what to tell the person.
async fn assertion(
    options: impl std::future::Future<Output = Result<String, AppError>>,
) -> Result<String, String> {
    let options = options.await.map_err(|e| e.message_for(super::FIELD))?;
    super::browser::get(&options)
        .await
        .map_err(|why| why.message().to_owned())
}

/// A login page's passkey button, with the line that says what went wrong.
#[derive(Clone, Copy)]
struct PasskeyButton {
    running: RwSignal<bool>,
    busy: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
}

impl PasskeyButton {
    fn new() -> Self {
        Self {
            running: running(),
            busy: RwSignal::new(false),
            problem: RwSignal::new(None),
        }
    }

    /// Runs one ceremony; the button waits for it, and its failure is shown.
    fn run(self, ceremony: impl std::future::Future<Output = Result<(), String>> + 'static) {
        self.busy.set(true);
        self.problem.set(None);
        leptos::task::spawn_local(async move {
            if let Err(message) = ceremony.await {
                self.problem.set(Some(message));
            }
            self.busy.set(false);
        });
    }

    fn view(self, label: &'static str, press: impl Fn() + 'static) -> impl IntoView {
        let Self {
            running,
            busy,
            problem,
        } = self;
        view! {
            <div class="passkey-choice" hidden=move || !running.get()>
                <div role="alert" class="alert-slot">
                    {move || problem.get().map(|m| view! { <p class="alert alert-error">{m}</p> })}
                </div>
                <button type="button" class="button" on:click=move |_| press() disabled=move || busy.get()>
                    {label}
                </button>
            </div>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::default_name;

    #[test]
    fn suggested_names_follow_the_authenticator_and_stay_unique() {
        let none: Vec<String> = Vec::new();
        let on = "Passkey on Linux";
        assert_eq!(default_name(Some("platform"), &[], on, &none), on);
        assert_eq!(
            default_name(Some("cross-platform"), &["usb".into()], on, &none),
            "Security key"
        );
        assert_eq!(
            default_name(Some("cross-platform"), &["hybrid".into()], on, &none),
            "Phone"
        );
        assert_eq!(default_name(None, &[], on, &none), "Passkey");
        let taken = vec!["security key".to_owned(), "security key 2".to_owned()];
        assert_eq!(
            default_name(Some("cross-platform"), &[], on, &taken),
            "Security key 3"
        );
    }
}
