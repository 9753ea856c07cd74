//! Form building blocks shared by every settings area: labelled fields with their error
//! next to them, and the announced success/error line of a form.

use leptos::ev::SubmitEvent;
use leptos::form::FromFormData;
use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::error::{IntoAppError, ServerFnErrorErr};
use leptos::server_fn::{Http, ServerFn};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A form that posts to a server function: a plain post without JavaScript; with it, a fetch
/// whose result lands in `action`. It does what Leptos' `ActionForm` does, but keeps its
/// children's type: `ActionForm` takes `Children`, boxed as `AnyView`, which keeps every
/// render path of them (async hydration included) in each island's WASM, about a tenth of
/// the Authentication page's islands. A server function's `redirect` is a page load: the
/// hook for it is set once, in `frontend`'s `hydrate`, before any island runs.
#[component]
pub fn ServerForm<ServFn, OutputProtocol, C>(
    action: ServerAction<ServFn>,
    /// For a form an island sends again (after a password check, say).
    #[prop(optional)]
    node_ref: Option<NodeRef<html::Form>>,
    children: TypedChildren<C>,
) -> impl IntoView
where
    ServFn: DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, OutputProtocol>>
        + Clone
        + Send
        + Sync
        + 'static,
    ServFn::Output: Send + Sync + 'static,
    ServFn::Error: Send + Sync + 'static,
    C: IntoView + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        super::focus::remember_submit();
        match ServFn::from_event(&ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            // Only a form whose fields do not match its server function gets here.
            Err(err) => {
                action.value().set(Some(Err(
                    ServerFnErrorErr::Serialization(err.to_string()).into_app_error()
                )))
            }
        }
    };
    // Focus stays where the person was, also when the button was disabled while it was sent.
    Effect::new(move |was_pending: Option<bool>| {
        let pending = action.pending().get();
        if was_pending == Some(true) && !pending {
            request_animation_frame(super::focus::after_submit);
        }
        pending
    });
    view! {
        <form action=ServFn::url() method="post" node_ref=node_ref.unwrap_or_default() on:submit=on_submit>
            {children.into_inner()()}
        </form>
    }
}

/// The last result of a server action, split into what forms show.
#[derive(Clone, Copy)]
pub struct FormResult {
    error: Signal<Option<AppError>>,
    succeeded: Signal<bool>,
}

impl FormResult {
    pub fn new<T>(value: MappedSignal<Option<Result<T, AppError>>>) -> Self
    where
        T: Send + Sync + 'static,
    {
        Self {
            error: Signal::derive(move || {
                value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
            }),
            succeeded: Signal::derive(move || value.with(|v| matches!(v, Some(Ok(_))))),
        }
    }

    /// The message for one field, if the last attempt had one.
    pub fn field(self, name: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.error
                .with(|e| e.as_ref().and_then(|e| e.field_message(name)))
        })
    }

    /// The last attempt's error, if it failed.
    pub fn error(self) -> Signal<Option<AppError>> {
        self.error
    }

    pub fn succeeded(self) -> Signal<bool> {
        self.succeeded
    }
}

/// Data an island got with its props (rendered by the server), fetched again in the browser
/// each time `version` is bumped, after a form changed it. A failed fetch keeps what is shown.
pub fn refetched<T, E, Fut>(
    initial: T,
    version: RwSignal<u32>,
    fetch: impl Fn() -> Fut + 'static,
) -> RwSignal<T>
where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, E>> + 'static,
{
    let data = RwSignal::new(initial);
    // Effects run only in the browser; the first run just starts tracking.
    Effect::new(move |started: Option<()>| {
        version.track();
        if started.is_some() {
            let fetching = fetch();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = fetching.await {
                    data.set(fresh);
                }
            });
        }
    });
    data
}

/// After a successful form post without JavaScript the browser reloads the page, which has
/// no action result to show; so the server sends it back with `?done=<what>` and the page
/// announces the success from that. With JavaScript (a fetch) nothing changes.
#[cfg(feature = "ssr")]
pub fn confirm_plain_post(done: &str) {
    let Some(parts) = plain_post() else {
        return;
    };
    let path = crate::request::referring_page(&parts.headers)
        .map(|p| p.split(['?', '#']).next().unwrap_or(p))
        .unwrap_or("/settings");
    leptos_axum::redirect(&format!(
        "{}?done={done}",
        crate::ui::address::safe_next(path)
    ));
}

/// Where a form post without JavaScript goes next, when that is not the page it came from
/// (the next step of a wizard). With JavaScript the page moves on by itself. Returns whether
/// it was such a post, whose response the page will not see.
#[cfg(feature = "ssr")]
pub fn redirect_plain_post(to: &str) -> bool {
    let plain = plain_post().is_some();
    if plain {
        leptos_axum::redirect(to);
    }
    plain
}

/// The request, if it is a browser's form post without JavaScript (it accepts HTML).
#[cfg(feature = "ssr")]
fn plain_post() -> Option<http::request::Parts> {
    let parts = use_context::<http::request::Parts>()?;
    crate::request::is_plain_post(&parts.headers).then_some(parts)
}

/// One line announcing the outcome of a form: `role="alert"` for errors, `role="status"`
/// for success. Both regions are always present so screen readers pick up changes.
/// `done` names the form for [`confirm_plain_post`]. Without `success` the caller announces
/// success itself.
#[component]
pub fn FormStatus(
    result: FormResult,
    #[prop(optional, into)] success: Option<String>,
    #[prop(optional)] done: Option<&'static str>,
) -> impl IntoView {
    let error = result.error;
    let done_param = super::address::query_param("done");
    let confirmed = move || done.is_some_and(|d| done_param.read().as_deref() == Some(d));
    view! {
        <div class="form-status">
            <div role="alert" class="alert-slot">
                {move || {
                    error.get().map(|e| {
                        let login_link = matches!(e, AppError::Unauthorized)
                            .then(|| view! { " " <a href="/login">"Log in"</a> });
                        view! { <p class="alert alert-error">{e.to_string()} {login_link}</p> }
                    })
                }}
            </div>
            <div role="status" class="alert-slot">
                {move || {
                    let shown = result.succeeded.get() || (confirmed() && error.with(Option::is_none));
                    success.clone().filter(|_| shown).map(|text| view! { <p class="alert alert-success">{text}</p> })
                }}
            </div>
        </div>
    }
}

/// A labelled input. The `name` is the server function's argument name, so errors come back
/// keyed by it, and also the element id unless `id` is given (for forms repeated per row).
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(optional, into)] id: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional, into)] on_input: Option<Callback<String>>,
    /// The first field of a step or form that opens by itself: focused when shown.
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_owned());
    let input = NodeRef::<html::Input>::new();
    if autofocus {
        super::focus_when_shown(input);
    }
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = hint.is_some();
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field-hint" id=hint_id>{h}</p> })}
            <input
                node_ref=input
                id=id
                name=name
                autofocus=autofocus
                type=input_type
                value=value
                autocomplete=autocomplete
                readonly=readonly
                required=required
                maxlength=maxlength
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                on:input=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(event_target_value(&ev));
                    }
                }
            />
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}
