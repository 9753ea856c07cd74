//! The two-factor section of the Authentication page: status, the linking wizard, the
//! linked devices, recovery codes and the security log.
//!
//! The server renders the section; only its forms are islands, each loaded by the pages that
//! show it: the wizard (once it is started), a device's rename and remove forms, and the
//! recovery codes. A change that alters what the server rendered (a device renamed or
//! removed, the wizard finished or cancelled) loads the page again.
//!
//! The wizard's step lives in the address (`?wizard=name|scan|confirm|done`), so every step
//! works without JavaScript, and a reload resumes the unfinished device (the server keeps it,
//! with its one secret, for 15 minutes).

use leptos::either::{Either, EitherOf3, EitherOf5};
use leptos::html;
use leptos::prelude::*;

use super::{
    two_factor_overview, BeginLinking, CancelLinking, DeviceView, FactorKind, FinishLinking,
    Linked, PendingDevice, RegenerateRecoveryCodes, RemoveFactor, RenameFactor, ShownOnce,
    TwoFactorStatus, DEVICE_NAME_MAX_CHARS, PAGE,
};
use crate::passkeys::{self, AddPasskeyPanel, PasskeyView};
use crate::sudo::{AccessClock, AccessTimer, ConfirmAccessPanel, Reauth};
use crate::ui::address::{load, navigate, query_param};
use crate::ui::{
    disclosure_keydown, disclosure_toggled, done_notice, focus_when_shown, Field, FormAction,
    FormResult, FormStatus, ServerForm,
};

/// What a page load after a change announces (`?done=`), with or without JavaScript.
pub const DONE_RENAMED: &str = "device-renamed";
pub const DONE_REMOVED: &str = "device-removed";
/// The recovery codes' heading: where "Regenerate" without JavaScript comes back to.
pub const RECOVERY_CODES_ID: &str = "recovery-codes";

#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let overview = Resource::new(|| (), |_| two_factor_overview());
    view! {
        <section class="panel" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor authentication"</h2>
            {Suspend::new(async move {
                overview.await.map(|data| view! { <Overview data/> })
            })}
        </section>
    }
}

/// Rendered on the server only.
#[component]
fn Overview(data: TwoFactorStatus) -> impl IntoView {
    let enabled = !data.devices.is_empty() || !data.passkeys.is_empty();
    let notice = done_notice(|done| match done {
        DONE_RENAMED => Some("Device renamed."),
        DONE_REMOVED => Some("Device removed."),
        passkeys::DONE_ADDED => Some("Passkey added."),
        passkeys::DONE_RENAMED => Some("Passkey renamed."),
        passkeys::DONE_REMOVED => Some("Passkey removed."),
        _ => None,
    });
    // The wizard's code is loaded only once it is started (a link to its first step).
    let wizard_started = query_param("wizard").get_untracked().is_some() || data.pending.is_some();
    let ShownOnce {
        linked,
        mut recovery_codes,
    } = data.shown_once;
    // A device linked without JavaScript: its wizard shows the last step. Should the address
    // have lost the step, its codes still show, with the others.
    let linked = match linked {
        Some(l) if !wizard_started => {
            recovery_codes = recovery_codes.or(Some(l.recovery_codes).filter(|c| !c.is_empty()));
            None
        }
        linked => linked,
    };
    let start_label = start_label(enabled);
    let adding_passkey =
        query_param("passkey").get_untracked().as_deref() == Some(passkeys::STEP_ADD);
    let passkey_names = data
        .passkeys
        .iter()
        .map(|p| p.name.to_lowercase())
        .collect();
    view! {
        {notice}
        // Linking or adding is a page of its own, whose last step says what changed; a status
        // here would be the one from before it.
        {(!adding_a_second_factor()).then(|| view! { <p class="status-line">
            "Status: "
            {if enabled {
                Either::Left(view! { <strong class="badge badge-on">"On"</strong> })
            } else {
                Either::Right(view! { <strong class="badge badge-off">"Off"</strong> })
            }}
            {enabled.then(|| format!(" \u{2014} {}", counted(data.devices.len(), data.passkeys.len())))}
        </p> })}
        <p class="muted">
            "After your password, you will be asked for a code from an authenticator app, or for a passkey. "
            "There are no restrictions on device linking: link as many devices and passkeys as you need. "
            "We highly recommend you link more than one, as if a device is lost or stolen, it can't be recovered."
        </p>
        {if wizard_started {
            Either::Left(view! { <LinkWizard pending=data.pending.clone() linked enabled access=data.access/> })
        } else {
            Either::Right(view! {
                <div class="wizard">
                    <a class="button primary" href=format!("{PAGE}?wizard=name")>{start_label}</a>
                </div>
            })
        }}
        {(!adding_a_second_factor()).then(|| view! {
            <SecondFactorList devices=data.devices.clone() passkeys=data.passkeys.clone()/>
        })}
        // One thing at a time: while a device is being linked, adding a passkey waits (and
        // the wizard's page does not load the passkey island).
        {(!wizard_started).then(|| view! {
            <AddPasskeySection available=data.passkeys_available adding=adding_passkey names=passkey_names/>
        })}
        {(enabled && !adding_a_second_factor()).then(|| view! {
            <h3 id=RECOVERY_CODES_ID>"Recovery codes"</h3>
            <RecoveryCodes left=data.recovery_codes_left shown_once=recovery_codes/>
        })}
    }
}

/// Whether the address is a step of linking a device or of adding a passkey: a page of its
/// own, without the lists and the other sections.
pub fn adding_a_second_factor() -> bool {
    query_param("wizard").get_untracked().is_some()
        || query_param("passkey").get_untracked().as_deref() == Some(passkeys::STEP_ADD)
}

/// Passkeys' part of the section. "Add a passkey" is a link to its own page state, as the
/// wizard's start is: only that state loads the passkey island.
#[component]
fn AddPasskeySection(available: bool, adding: bool, names: Vec<String>) -> impl IntoView {
    let control = if !available {
        EitherOf3::A(view! { <p class="alert alert-info">{passkeys::NEEDS_DOMAIN}</p> })
    } else if adding {
        EitherOf3::B(view! { <AddPasskeyPanel names/> })
    } else {
        EitherOf3::C(view! {
            <a class="button" href=format!("{PAGE}?passkey={}#passkeys-heading", passkeys::STEP_ADD)>
                "Add a passkey"
            </a>
        })
    };
    view! {
        <h3 id="passkeys-heading">"Passkeys"</h3>
        <p class="muted">
            "A passkey or security key signs you in with your fingerprint, face, screen lock or key, "
            "and cannot be phished. It also serves as your second step after the password."
        </p>
        {available.then(|| view! {
            <noscript><p class="alert alert-info">{passkeys::NEEDS_JAVASCRIPT}</p></noscript>
        })}
        {control}
    }
}

/// "1 linked device and 2 passkeys".
fn counted(apps: usize, keys: usize) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (apps, keys) {
        (a, 0) => plural(a, "linked device", "linked devices"),
        (0, k) => plural(k, "passkey", "passkeys"),
        (a, k) => format!(
            "{} and {}",
            plural(a, "linked device", "linked devices"),
            plural(k, "passkey", "passkeys")
        ),
    }
}

fn start_label(enabled: bool) -> &'static str {
    if enabled {
        "Link another device"
    } else {
        "Enable Two-factor authentication"
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Start,
    Name,
    Scan,
    Confirm,
    Done,
}

impl Step {
    /// Its number and title: the progress line and the step's heading say them.
    fn numbered(self) -> Option<(u8, &'static str)> {
        match self {
            Step::Start => None,
            Step::Name => Some((1, "Name your device")),
            Step::Scan => Some((2, "Scan the QR code")),
            Step::Confirm => Some((3, "Enter the code")),
            Step::Done => Some((4, "Device linked")),
        }
    }
}

/// The linking wizard, one island: its steps change in place, so the recovery codes the
/// last step shows (they exist only in the finishing response) stay in memory.
#[island(lazy)]
fn LinkWizard(
    pending: Option<PendingDevice>,
    /// The device linked by a form posted without JavaScript (the last step).
    linked: Option<Linked>,
    enabled: bool,
    access: AccessClock,
) -> impl IntoView {
    crate::ui::island_hydrated();
    let start_label = start_label(enabled);
    let reauth = Reauth::new();
    provide_context(reauth);
    let pending = RwSignal::new(pending);
    provide_context(pending);
    provide_context(LinkedResult(RwSignal::new(linked)));
    let wizard = query_param("wizard");
    let step = Memo::new(move |_| {
        let has_pending = pending.with(Option::is_some);
        match (wizard.read().as_deref(), has_pending) {
            (Some("name"), _) => Step::Name,
            (Some("done"), _) => Step::Done,
            (Some("confirm"), true) => Step::Confirm,
            // A started device resumes wherever the address points.
            (_, true) => Step::Scan,
            _ => Step::Start,
        }
    });
    let needs_access =
        Signal::derive(move || matches!(step.get(), Step::Name | Step::Scan | Step::Confirm));
    // One line that stays while the steps change in place, so each change is announced once.
    let progress = move || {
        step.get()
            .numbered()
            .map(|(number, title)| format!("Step {number} of 4: {title}"))
    };
    view! {
        <ConfirmAccessPanel reauth/>
        <AccessTimer clock=access reauth active=needs_access/>
        <div class="wizard">
            <p class="wizard-progress" role="status">{progress}</p>
            {move || match step.get() {
                // Only reached by cancelling in place: focus returns to what started it.
                Step::Start => EitherOf5::A(view! {
                    <StepLink class="button primary" to=format!("{PAGE}?wizard=name") label=start_label focused=true/>
                }),
                Step::Name => EitherOf5::B(view! { <NameStep/> }),
                Step::Scan => EitherOf5::C(pending.get().map(|p| view! { <ScanStep pending=p/> })),
                Step::Confirm => EitherOf5::D(pending.get().map(|p| view! { <ConfirmStep pending=p/> })),
                Step::Done => EitherOf5::E(view! { <DoneStep/> }),
            }}
        </div>
    }
}

/// A link between the wizard's steps. With JavaScript it changes the step in place, keeping
/// what the wizard holds (the new recovery codes); without, it loads the step's page.
#[component]
fn StepLink(
    class: &'static str,
    to: String,
    label: &'static str,
    /// Takes focus when shown.
    #[prop(optional)]
    focused: bool,
) -> impl IntoView {
    let target = to.clone();
    let link = NodeRef::<html::A>::new();
    if focused {
        focus_when_shown(link);
    }
    view! {
        <a class=class href=to node_ref=link on:click=move |ev| {
            ev.prevent_default();
            navigate(&target);
        }>{label}</a>
    }
}

/// A step's title. A step without a field to start with takes focus here when it opens.
#[component]
fn StepHeading(step: Step, #[prop(optional)] focused: bool) -> impl IntoView {
    let title = step.numbered().map(|(_, title)| title);
    let heading = NodeRef::<html::H3>::new();
    if focused {
        focus_when_shown(heading);
    }
    view! { <h3 node_ref=heading tabindex=focused.then_some("-1")>{title}</h3> }
}

#[component]
fn NameStep() -> impl IntoView {
    let reauth = expect_context::<Reauth>();
    let pending = expect_context::<RwSignal<Option<PendingDevice>>>();
    let begin = FormAction::<BeginLinking>::new();
    let result = FormResult::new(begin.value());
    let form = NodeRef::<html::Form>::new();
    reauth.watch(result, form);
    Effect::new(move |_| {
        if let Some(Ok(started)) = begin.value().get() {
            pending.set(Some(started));
            navigate(&format!("{PAGE}?wizard=scan"));
        }
    });
    view! {
        <StepHeading step=Step::Name/>
        <ServerForm action=begin node_ref=form attr:novalidate=true>
            <FormStatus result success="Device created: scan the code next."/>
            <Field label="Device name" name="name" required=true autocomplete="off" autofocus=true
                maxlength=DEVICE_NAME_MAX_CHARS error=result.field("name")
                hint="A name you will recognise, unique among your devices, e.g. \u{201c}Work phone\u{201d}."/>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || begin.pending().get()>"Confirm"</button>
                <StepLink class="button" to=PAGE.to_owned() label="Cancel"/>
            </div>
        </ServerForm>
    }
}

#[component]
fn ScanStep(pending: PendingDevice) -> impl IntoView {
    let key = pending.setup_key.clone();
    view! {
        <StepHeading step=Step::Scan focused=true/>
        <ol class="wizard-steps">
            <li>
                "Download an authenticator app: Google Authenticator, Microsoft Authenticator, "
                "KeePassXC or Psono."
            </li>
            <li>{format!("Scan this QR code with the app for \u{201c}{}\u{201d}, or enter the setup key manually.", pending.name)}</li>
        </ol>
        <img class="qr-code" src=pending.qr_code alt="QR code" width="200" height="200"/>
        <h4>"Setup key"</h4>
        <p class="setup-key">
            <code id="setup-key">{pending.setup_key}</code>
            " "
            <CopyButton text=key.replace(' ', "")/>
        </p>
        <p class="note">
            "Save this key in a safe place: if the device is lost, entering it into a new app "
            "restores code generation, and you can then link a new device."
        </p>
        <div class="actions">
            <StepLink class="button primary" to=format!("{PAGE}?wizard=confirm") label="Next"/>
            <CancelButton/>
        </div>
    }
}

#[component]
fn ConfirmStep(pending: PendingDevice) -> impl IntoView {
    let reauth = expect_context::<Reauth>();
    let finish = FormAction::<FinishLinking>::new();
    let result = FormResult::new(finish.value());
    let form = NodeRef::<html::Form>::new();
    reauth.watch(result, form);
    // The recovery codes exist only in this response: keep them for the last step.
    let linked = expect_context::<LinkedResult>();
    Effect::new(move |_| {
        if let Some(Ok(done)) = finish.value().get() {
            linked.0.set(Some(done));
            navigate(&format!("{PAGE}?wizard=done"));
        }
    });
    view! {
        <StepHeading step=Step::Confirm/>
        <p>{format!("Enter the code displayed in the app for \u{201c}{}\u{201d} and click Finish.", pending.name)}</p>
        <ServerForm action=finish node_ref=form attr:novalidate=true>
            <FormStatus result success="Linked."/>
            <input type="hidden" name="device_id" value=pending.id.to_string()/>
            <Field label="Code" name="code" required=true autocomplete="one-time-code" autofocus=true
                hint="6 digits; spaces are fine." error=result.field("code")/>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || finish.pending().get()>"Finish"</button>
                <StepLink class="button" to=format!("{PAGE}?wizard=scan") label="Back"/>
            </div>
        </ServerForm>
    }
}

/// The last finished linking, for the "done" step.
#[derive(Clone, Copy)]
struct LinkedResult(RwSignal<Option<Linked>>);

#[component]
fn DoneStep() -> impl IntoView {
    let linked = expect_context::<LinkedResult>();
    view! {
        <StepHeading step=Step::Done focused=true/>
        {move || linked.0.get().map(|l| view! {
            <p class="alert alert-success">
                {format!("\u{201c}{}\u{201d} is linked to your account. ", l.name)}
                "Two-factor authentication is on."
            </p>
            {(!l.recovery_codes.is_empty()).then(|| view! { <NewRecoveryCodes codes=l.recovery_codes.clone()/> })}
        })}
        {move || linked.0.with(Option::is_none).then(|| view! {
            <p class="alert alert-success">"The device is linked to your account. Two-factor authentication is on."</p>
        })}
        // A page load: the list of devices and the status are the server's.
        <a class="button primary" href=PAGE>"Done"</a>
    }
}

#[component]
fn CancelButton() -> impl IntoView {
    let cancel = FormAction::<CancelLinking>::new();
    Effect::new(move |_| {
        if cancel.value().with(|v| matches!(v, Some(Ok(_)))) {
            load(PAGE);
        }
    });
    view! {
        <ServerForm action=cancel attr:class="inline">
            <button type="submit" class="button">"Cancel"</button>
        </ServerForm>
    }
}

#[component]
fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(text);
    view! {
        <button type="button" class="button small" on:click=move |_| {
            #[cfg(feature = "hydrate")]
            {
                let clipboard = window().navigator().clipboard();
                let _ = clipboard.write_text(&text.get_value());
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = text;
        }>"Copy"</button>
        <span role="status" class="copied">{move || copied.get().then_some("Copied")}</span>
    }
}

/// The person's second factors, authenticator apps and passkeys in one list. Rendered on the
/// server; each row's forms are an island.
#[component]
fn SecondFactorList(devices: Vec<DeviceView>, passkeys: Vec<PasskeyView>) -> impl IntoView {
    let last = devices.len() + passkeys.len() == 1;
    (!devices.is_empty() || !passkeys.is_empty()).then(|| {
        view! {
            <h3>"Your authenticator apps and passkeys"</h3>
            <ul class="device-list">
                {devices.into_iter().map(|d| factor_row(
                    "Authenticator app",
                    d.name.clone(),
                    format!("Linked on {}", d.linked_on),
                    d.last_used,
                    view! { <FactorActions kind=FactorKind::App id=d.id name=d.name last/> },
                )).collect_view()}
                {passkeys.into_iter().map(|p| factor_row(
                    "Passkey",
                    p.name.clone(),
                    format!("Added on {}", p.added_on),
                    p.last_used,
                    view! { <FactorActions kind=FactorKind::Passkey id=p.id name=p.name last/> },
                )).collect_view()}
            </ul>
        }
    })
}

/// One row of [`SecondFactorList`].
fn factor_row(
    kind: &'static str,
    name: String,
    linked: String,
    last_used: Option<String>,
    actions: impl IntoView,
) -> impl IntoView {
    let used = match last_used {
        Some(when) => format!("Last used {when}"),
        None => "Never used to log in".to_owned(),
    };
    view! {
        <li class="device">
            <div class="device-info">
                <strong class="device-name">{name}</strong>
                <span class="device-kind">{kind}</span>
                <span class="muted">{linked}</span>
                <span class="muted">{used}</span>
            </div>
            {actions}
        </li>
    }
}

/// A second factor's "Rename" and "Remove", each an in-place form; one island for both kinds.
/// Removing needs a recent password check; removing the last second factor says first that it
/// turns two-factor off.
#[island(lazy)]
fn FactorActions(kind: FactorKind, id: i64, name: String, last: bool) -> impl IntoView {
    crate::ui::island_hydrated();
    let reauth = Reauth::new();
    let (kind_value, rename_id, question, remove_label, done) = match kind {
        FactorKind::App => (
            "app",
            format!("rename-{id}"),
            format!("Remove \u{201c}{name}\u{201d}? Its codes stop working at once."),
            "Remove device",
            (DONE_RENAMED, DONE_REMOVED),
        ),
        FactorKind::Passkey => (
            "passkey",
            format!("rename-passkey-{id}"),
            format!("Remove \u{201c}{name}\u{201d}? It stops signing in at once."),
            "Remove passkey",
            (passkeys::DONE_RENAMED, passkeys::DONE_REMOVED),
        ),
    };
    let row = [("kind", kind_value), ("id", &id.to_string())];
    let rename = FormAction::<RenameFactor>::in_row(&row);
    let remove = FormAction::<RemoveFactor>::in_row(&row);
    let rename_result = FormResult::new(rename.value());
    let remove_result = FormResult::new(remove.value());
    let remove_form = NodeRef::<html::Form>::new();
    reauth.watch(remove_result, remove_form);
    Effect::new(move |_| {
        if rename_result.succeeded().get() {
            load(&format!("{PAGE}?done={}", done.0));
        } else if remove_result.succeeded().get() {
            load(&format!("{PAGE}?done={}", done.1));
        }
    });
    view! {
        <ConfirmAccessPanel reauth/>
        // Open when refused, so the message shows next to the field also after a post
        // without JavaScript, which reloads the page.
        <details class="device-action" open=move || rename_result.error().with(Option::is_some)
            on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
            <summary>"Rename"</summary>
            <ServerForm action=rename attr:novalidate=true>
                <FormStatus result=rename_result/>
                <input type="hidden" name="kind" value=kind_value/>
                <input type="hidden" name="id" value=id.to_string()/>
                <Field label="New name" name="new_name" id=rename_id value=name required=true
                    maxlength=DEVICE_NAME_MAX_CHARS error=rename_result.field("new_name")/>
                <button type="submit" class="button">"Save name"</button>
            </ServerForm>
        </details>
        <details class="device-action" open=move || remove_result.error().with(Option::is_some)
            on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
            <summary>"Remove"</summary>
            <ServerForm action=remove node_ref=remove_form>
                <FormStatus result=remove_result/>
                <input type="hidden" name="kind" value=kind_value/>
                <input type="hidden" name="id" value=id.to_string()/>
                <p>{question}</p>
                {last.then(|| view! {
                    <p class="alert alert-warning">
                        "This is your last second factor: removing it turns two-factor authentication off "
                        "and voids your recovery codes."
                    </p>
                })}
                <button type="submit" class="button danger">{remove_label}</button>
            </ServerForm>
        </details>
    }
}

#[island(lazy)]
fn RecoveryCodes(
    left: i64,
    /// Codes made by "Regenerate" posted without JavaScript, shown by the page it came back to.
    shown_once: Option<Vec<String>>,
) -> impl IntoView {
    crate::ui::island_hydrated();
    let reauth = Reauth::new();
    let regenerate = FormAction::<RegenerateRecoveryCodes>::new();
    let result = FormResult::new(regenerate.value());
    let form = NodeRef::<html::Form>::new();
    reauth.watch(result, form);
    let shown_once = StoredValue::new(shown_once);
    let fresh = move || {
        regenerate
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| shown_once.get_value())
    };
    let left = move || if fresh().is_some() { 10 } else { left };
    view! {
        <ConfirmAccessPanel reauth/>
        <p>
            {move || format!("{} of 10 recovery codes left. ", left())}
            "Each one logs you in once in place of a code, if you lose your devices."
        </p>
        {move || fresh().map(|codes| view! { <NewRecoveryCodes codes/> })}
        <ServerForm action=regenerate node_ref=form>
            <FormStatus result success="New recovery codes created. The old ones no longer work."/>
            <button type="submit" class="button">"Regenerate"</button>
        </ServerForm>
    }
}

/// Codes shown once after they were made.
#[component]
fn NewRecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = codes.join("\n");
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        text.replace('\n', "%0A")
    );
    view! {
        <div class="recovery-codes">
            <p class="alert alert-warning">
                "Save these recovery codes now: they are shown only once. Each works once, in place of a code."
            </p>
            <ul class="codes" aria-label="Your recovery codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <div class="actions">
                <CopyButton text/>
                <a class="button small" href=download download="recovery-codes.txt">"Download"</a>
            </div>
        </div>
    }
}
