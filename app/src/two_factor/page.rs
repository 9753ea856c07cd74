//! The two-factor section of the Authentication page: status, the linking wizard, the
//! linked devices, recovery codes and the security log.
//!
//! The wizard's step lives in the address (`?wizard=name|scan|confirm|done`), so every step
//! works without JavaScript, and a reload resumes the unfinished device (the server keeps it,
//! with its one secret, for 15 minutes).

use leptos::either::{Either, EitherOf5};
use leptos::html;
use leptos::prelude::*;

use super::{
    two_factor_overview, BeginLinking, CancelLinking, DeviceView, EventView, FinishLinking, Linked,
    PendingDevice, RegenerateRecoveryCodes, RemoveDevice, RenameDevice, TwoFactorStatus,
    DEVICE_NAME_MAX_CHARS, PAGE,
};
use crate::authentication::ConfirmAccess;
use crate::components::address::{navigate, query_param};
use crate::components::{refetched, Field, FormResult, FormStatus};
use crate::error::AppError;

/// Shared by the section's forms: the overview to refetch after a change, and the form to
/// submit again once the person has confirmed their password.
#[derive(Clone, Copy)]
struct Section {
    version: RwSignal<u32>,
    retry: RwSignal<Option<NodeRef<html::Form>>>,
}

impl Section {
    /// Refetches after a success; asks for the password when the action needs it.
    fn watch<T: Clone + Send + Sync + 'static>(
        self,
        value: impl Fn() -> Option<Result<T, AppError>> + 'static,
        form: NodeRef<html::Form>,
    ) {
        Effect::new(move |_| match value() {
            Some(Ok(_)) => self.version.update(|n| *n += 1),
            Some(Err(AppError::ReauthRequired)) => self.retry.set(Some(form)),
            _ => {}
        });
    }
}

#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let overview = Resource::new(|| (), |_| two_factor_overview());
    view! {
        <section class="panel" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor authentication"</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    overview.await.map(|data| view! { <TwoFactorPanel data/> })
                })}
            </Suspense>
        </section>
    }
}

/// The whole section is one island: its forms share the refetched overview, the wizard's
/// step and the password confirmation.
#[island(lazy)]
fn TwoFactorPanel(data: TwoFactorStatus) -> impl IntoView {
    crate::components::island_hydrated();
    let section = Section {
        version: RwSignal::new(0),
        retry: RwSignal::new(None),
    };
    provide_context(section);
    provide_context(LinkedResult(RwSignal::new(None)));
    provide_context(FreshCodes(RwSignal::new(None)));
    let overview = refetched(data, section.version, two_factor_overview);
    move || view! { <Overview data=overview.get()/> }
}

#[component]
fn Overview(data: TwoFactorStatus) -> impl IntoView {
    let enabled = !data.devices.is_empty();
    let device_count = data.devices.len();
    view! {
        <p class="status-line">
            "Status: "
            {if enabled {
                Either::Left(view! { <strong class="badge badge-on">"On"</strong> })
            } else {
                Either::Right(view! { <strong class="badge badge-off">"Off"</strong> })
            }}
            {enabled.then(|| format!(" — {device_count} linked device{}", if device_count == 1 { "" } else { "s" }))}
        </p>
        <p class="muted">
            "After your password, you will be asked for a code from an authenticator app. "
            "There are no restrictions on device linking: link as many devices as you need. "
            "We highly recommend you link multiple devices, as if the device is lost or stolen, it can't be recovered."
        </p>
        <ConfirmAccessPanel/>
        <Wizard pending=data.pending.clone() enabled/>
        <DeviceList devices=data.devices.clone()/>
        {enabled.then(|| view! { <RecoveryCodes left=data.recovery_codes_left/> })}
        <SecurityLog events=data.events.clone()/>
    }
}

/// Sudo mode: shown when a sensitive action was refused for want of a recent password check.
/// With JavaScript the refused form is sent again after "Continue".
#[component]
fn ConfirmAccessPanel() -> impl IntoView {
    let section = expect_context::<Section>();
    let confirm = ServerAction::<ConfirmAccess>::new();
    let result = FormResult::new(confirm.value());
    // Without JavaScript a refused form comes back with the error in the address.
    let error_param = query_param("__err");
    let refused_without_js = move || {
        error_param
            .read()
            .as_ref()
            .is_some_and(|e| e.contains("ReauthRequired"))
    };
    Effect::new(move |_| {
        if confirm.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(form) = section
                .retry
                .get_untracked()
                .and_then(|f| f.get_untracked())
            {
                section.retry.set(None);
                let _ = form.request_submit();
            } else {
                section.retry.set(None);
            }
        }
    });
    let open = move || section.retry.with(Option::is_some) || refused_without_js();
    view! {
        <Show when=open>
            <div class="reauth" role="group" aria-labelledby="reauth-heading">
                <h3 id="reauth-heading">"Confirm access"</h3>
                <p>"For your security, enter your password to continue."</p>
                <ActionForm action=confirm attr:novalidate=true>
                    <FormStatus result success="Thanks, you can continue."/>
                    <Field label="Password" name="password" input_type="password"
                        autocomplete="current-password" required=true error=result.field("password")/>
                    <button type="submit" class="button primary" disabled=move || confirm.pending().get()>"Continue"</button>
                </ActionForm>
            </div>
        </Show>
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

#[component]
fn Wizard(pending: Option<PendingDevice>, enabled: bool) -> impl IntoView {
    let wizard = query_param("wizard");
    let has_pending = pending.is_some();
    let step = Memo::new(move |_| {
        match (wizard.read().as_deref(), has_pending) {
            (Some("name"), _) => Step::Name,
            (Some("done"), _) => Step::Done,
            (Some("confirm"), true) => Step::Confirm,
            // A started device resumes wherever the address points.
            (_, true) => Step::Scan,
            _ => Step::Start,
        }
    });
    let pending = StoredValue::new(pending);
    let label = if enabled {
        "Link another device"
    } else {
        "Enable Two-factor authentication"
    };
    view! {
        <div class="wizard">
            {move || match step.get() {
                Step::Start => EitherOf5::A(view! {
                    <StepLink class="button primary" to=format!("{PAGE}?wizard=name")>{label}</StepLink>
                }),
                Step::Name => EitherOf5::B(view! { <NameStep/> }),
                Step::Scan => EitherOf5::C(pending.get_value().map(|p| view! { <ScanStep pending=p/> })),
                Step::Confirm => EitherOf5::D(pending.get_value().map(|p| view! { <ConfirmStep pending=p/> })),
                Step::Done => EitherOf5::E(view! { <DoneStep/> }),
            }}
        </div>
    }
}

/// A link between the wizard's steps. With JavaScript it changes the step in place, keeping
/// what the wizard holds (the new recovery codes); without, it loads the step's page.
#[component]
fn StepLink(class: &'static str, to: String, children: Children) -> impl IntoView {
    let target = to.clone();
    view! {
        <a class=class href=to on:click=move |ev| {
            ev.prevent_default();
            navigate(&target);
        }>{children()}</a>
    }
}

#[component]
fn StepHeading(number: u8, title: &'static str) -> impl IntoView {
    view! {
        <p class="wizard-progress">{format!("Step {number} of 4")}</p>
        <h3>{title}</h3>
    }
}

#[component]
fn NameStep() -> impl IntoView {
    let section = expect_context::<Section>();
    let begin = ServerAction::<BeginLinking>::new();
    let result = FormResult::new(begin.value());
    let form = NodeRef::<html::Form>::new();
    section.watch(move || begin.value().get(), form);
    Effect::new(move |_| {
        if begin.value().with(|v| matches!(v, Some(Ok(_)))) {
            navigate(&format!("{PAGE}?wizard=scan"));
        }
    });
    view! {
        <StepHeading number=1 title="Name your device"/>
        <ActionForm action=begin node_ref=form attr:novalidate=true>
            <FormStatus result success="Device created: scan the code next."/>
            <Field label="Device name" name="name" required=true autocomplete="off"
                maxlength=DEVICE_NAME_MAX_CHARS error=result.field("name")
                hint="A name you will recognise, unique among your devices, e.g. \u{201c}Work phone\u{201d}."/>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || begin.pending().get()>"Confirm"</button>
                <StepLink class="button" to=PAGE.to_owned()>"Cancel"</StepLink>
            </div>
        </ActionForm>
    }
}

#[component]
fn ScanStep(pending: PendingDevice) -> impl IntoView {
    let key = pending.setup_key.clone();
    view! {
        <StepHeading number=2 title="Scan the QR code"/>
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
            <StepLink class="button primary" to=format!("{PAGE}?wizard=confirm")>"Next"</StepLink>
            <CancelButton/>
        </div>
    }
}

#[component]
fn ConfirmStep(pending: PendingDevice) -> impl IntoView {
    let section = expect_context::<Section>();
    let finish = ServerAction::<FinishLinking>::new();
    let result = FormResult::new(finish.value());
    let form = NodeRef::<html::Form>::new();
    section.watch(move || finish.value().get(), form);
    // The recovery codes exist only in this response: keep them for the last step.
    let linked = expect_context::<LinkedResult>();
    Effect::new(move |_| {
        if let Some(Ok(done)) = finish.value().get() {
            linked.0.set(Some(done));
            navigate(&format!("{PAGE}?wizard=done"));
        }
    });
    view! {
        <StepHeading number=3 title="Enter the code"/>
        <p>{format!("Enter the code displayed in the app for \u{201c}{}\u{201d} and click Finish.", pending.name)}</p>
        <ActionForm action=finish node_ref=form attr:novalidate=true>
            <FormStatus result success="Linked."/>
            <input type="hidden" name="device_id" value=pending.id.to_string()/>
            <Field label="Code" name="code" required=true autocomplete="one-time-code"
                hint="6 digits; spaces are fine." error=result.field("code")/>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || finish.pending().get()>"Finish"</button>
                <StepLink class="button" to=format!("{PAGE}?wizard=scan")>"Back"</StepLink>
            </div>
        </ActionForm>
    }
}

/// The last finished linking, for the "done" step.
#[derive(Clone, Copy)]
struct LinkedResult(RwSignal<Option<Linked>>);

#[component]
fn DoneStep() -> impl IntoView {
    let linked = expect_context::<LinkedResult>();
    view! {
        <StepHeading number=4 title="Device linked"/>
        {move || linked.0.get().map(|l| view! {
            <p role="status" class="alert alert-success">
                {format!("\u{201c}{}\u{201d} is linked to your account.", l.name)}
            </p>
            {(!l.recovery_codes.is_empty()).then(|| view! { <NewRecoveryCodes codes=l.recovery_codes.clone()/> })}
        })}
        {move || linked.0.with(Option::is_none).then(|| view! {
            <p role="status" class="alert alert-success">"The device is linked to your account."</p>
        })}
        <StepLink class="button primary" to=PAGE.to_owned()>"Done"</StepLink>
    }
}

#[component]
fn CancelButton() -> impl IntoView {
    let cancel = ServerAction::<CancelLinking>::new();
    let section = expect_context::<Section>();
    Effect::new(move |_| {
        if cancel.value().with(|v| matches!(v, Some(Ok(_)))) {
            section.version.update(|n| *n += 1);
            navigate(PAGE);
        }
    });
    view! {
        <ActionForm action=cancel attr:class="inline">
            <button type="submit" class="button">"Cancel"</button>
        </ActionForm>
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

#[component]
fn DeviceList(devices: Vec<DeviceView>) -> impl IntoView {
    let count = devices.len();
    (!devices.is_empty()).then(|| view! {
        <h3>"Linked devices"</h3>
        <ul class="device-list">
            {devices.into_iter().map(|d| view! { <DeviceRow device=d last=count == 1/> }).collect_view()}
        </ul>
    })
}

#[component]
fn DeviceRow(device: DeviceView, last: bool) -> impl IntoView {
    let section = expect_context::<Section>();
    let rename = ServerAction::<RenameDevice>::new();
    let remove = ServerAction::<RemoveDevice>::new();
    let rename_result = FormResult::new(rename.value());
    let remove_result = FormResult::new(remove.value());
    let (rename_form, remove_form) = (NodeRef::<html::Form>::new(), NodeRef::<html::Form>::new());
    section.watch(move || rename.value().get(), rename_form);
    section.watch(move || remove.value().get(), remove_form);
    let id = device.id.to_string();
    let rename_id = id.clone();
    let input_id = format!("rename-{}", device.id);
    let name = device.name.clone();
    view! {
        <li class="device">
            <div class="device-info">
                <strong class="device-name">{device.name.clone()}</strong>
                <span class="muted">{format!("Linked on {}", device.linked_on)}</span>
                <span class="muted">{match device.last_used {
                    Some(when) => format!("Last used {when}"),
                    None => "Never used to log in".to_owned(),
                }}</span>
            </div>
            <details class="device-action">
                <summary>"Rename"</summary>
                <ActionForm action=rename node_ref=rename_form attr:novalidate=true>
                    <FormStatus result=rename_result success="Renamed."/>
                    <input type="hidden" name="device_id" value=rename_id/>
                    <Field label="New name" name="new_name" id=input_id value=name required=true
                        maxlength=DEVICE_NAME_MAX_CHARS error=rename_result.field("new_name")/>
                    <button type="submit" class="button">"Save name"</button>
                </ActionForm>
            </details>
            <details class="device-action">
                <summary>"Remove"</summary>
                <ActionForm action=remove node_ref=remove_form>
                    <FormStatus result=remove_result success="Removed."/>
                    <input type="hidden" name="device_id" value=id/>
                    <p>{format!("Remove \u{201c}{}\u{201d}? Its codes stop working at once.", device.name)}</p>
                    {last.then(|| view! {
                        <p class="alert alert-warning">
                            "This is your last device: removing it turns two-factor authentication off "
                            "and voids your recovery codes."
                        </p>
                    })}
                    <button type="submit" class="button danger">"Remove device"</button>
                </ActionForm>
            </details>
        </li>
    }
}

#[component]
fn RecoveryCodes(left: i64) -> impl IntoView {
    let section = expect_context::<Section>();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let result = FormResult::new(regenerate.value());
    let form = NodeRef::<html::Form>::new();
    section.watch(move || regenerate.value().get(), form);
    // Kept outside the refetched overview so the new codes stay on screen.
    let fresh = expect_context::<FreshCodes>();
    Effect::new(move |_| {
        if let Some(Ok(codes)) = regenerate.value().get() {
            fresh.0.set(Some(codes));
        }
    });
    view! {
        <h3>"Recovery codes"</h3>
        <p>
            {format!("{left} of 10 recovery codes left. ")}
            "Each one logs you in once in place of a code, if you lose your devices."
        </p>
        {move || fresh.0.get().map(|codes| view! { <NewRecoveryCodes codes/> })}
        <ActionForm action=regenerate node_ref=form>
            <FormStatus result success="New recovery codes created. The old ones no longer work."/>
            <button type="submit" class="button">"Regenerate"</button>
        </ActionForm>
    }
}

/// Codes shown once after they were made.
#[derive(Clone, Copy)]
struct FreshCodes(RwSignal<Option<Vec<String>>>);

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

#[component]
fn SecurityLog(events: Vec<EventView>) -> impl IntoView {
    view! {
        <h3>"Security log"</h3>
        {if events.is_empty() {
            Either::Left(view! { <p class="muted">"Nothing recorded yet."</p> })
        } else {
            Either::Right(view! {
                <table class="security-log">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"From"</th></tr></thead>
                    <tbody>
                        {events.into_iter().map(|e| view! {
                            <tr><td>{e.when}</td><td>{e.what}</td><td>{e.address.unwrap_or_default()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })
        }}
    }
}
