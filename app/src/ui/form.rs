//! Form building blocks shared by every settings area: labelled fields with their error
//! next to them, and the announced success/error line of a form.

use std::ops::Deref;

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::client::browser::BrowserClient;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::{Encoding, FromRes, PostUrl};
use leptos::server_fn::error::{FromServerFnError, IntoAppError, ServerFnErrorErr};
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::response::browser::BrowserResponse;
use leptos::server_fn::response::ClientRes;
use leptos::server_fn::{ContentType, Http, ServerFn};

use crate::error::AppError;

/// The action behind a [`ServerForm`]: it posts the form's fields to server function `S` as
/// they are, url-encoded, as the browser does without JavaScript, and keeps the result.
/// Leptos' `ServerAction` takes `S`'s typed arguments instead, so its form decodes the fields
/// into them and encodes them again (serde_qs both ways): that code, and a decoder and encoder
/// per server function, were in every island's WASM. The server decodes the post either way.
pub struct FormAction<S: ServerFn> {
    inner: Action<String, Result<S::Output, S::Error>>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormAction<S> {}

impl<S: ServerFn> Deref for FormAction<S> {
    type Target = Action<String, Result<S::Output, S::Error>>;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<S, Out> FormAction<S>
where
    S: ServerFn<Protocol = Http<PostUrl, Out>, Client = BrowserClient> + 'static,
    S::Output: FromRes<Out, BrowserResponse, S::Error> + Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    Out: Encoding + 'static,
{
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self::refused_if(|_| true)
    }

    /// For a form repeated per row (a device, a workspace), which `fields` (its hidden ones)
    /// tell apart: a refusal after a post without JavaScript shows in the row that sent it,
    /// known from the fields kept for it ([`super::refill`]); without them, in every row.
    pub fn in_row(fields: &[(&str, &str)]) -> Self {
        Self::refused_if(|typed| {
            typed.is_none_or(|typed| {
                fields
                    .iter()
                    .all(|(name, value)| typed.get(name) == Some(value))
            })
        })
    }

    /// What the person typed into field `name` of this form, if the page shows its refusal
    /// of a post without JavaScript ([`super::refill`]): for a form that starts its own
    /// state from it (a preview). Always `None` in the browser.
    pub fn kept(&self, name: &str) -> Option<String> {
        #[cfg(feature = "ssr")]
        {
            refused(*self)
                .then(|| super::refill::for_form(S::PATH))
                .flatten()
                .and_then(|typed| typed.get(name).map(str::to_owned))
        }
        #[cfg(not(feature = "ssr"))]
        {
            let _ = name;
            None
        }
    }

    fn refused_if(_this_form: impl FnOnce(Option<&super::refill::Typed>) -> bool) -> Self {
        // A post without JavaScript that failed comes back to the page with its error. Only
        // the server has it (the router provides it, and islands run without one), so the
        // browser's WASM leaves out its decoder.
        #[cfg(feature = "ssr")]
        let failed = use_context::<leptos::server::ServerActionError>().and_then(|error| {
            (error.path() == S::PATH && _this_form(super::refill::for_form(S::PATH).as_ref())).then(
                || {
                    Err(
                        leptos::server_fn::error::ServerFnUrlError::<S::Error>::decode_err(
                            error.err(),
                        ),
                    )
                },
            )
        });
        #[cfg(not(feature = "ssr"))]
        let failed = None;
        Self {
            inner: Action::new_with_value(failed, |fields: &String| post::<S, Out>(fields.clone())),
        }
    }
}

/// What `S`'s own client does after encoding its arguments: post, then decode the answer or
/// the error, and follow a redirect the server function asked for.
async fn post<S, Out>(fields: String) -> Result<S::Output, S::Error>
where
    S: ServerFn<Protocol = Http<PostUrl, Out>, Client = BrowserClient>,
    S::Output: FromRes<Out, BrowserResponse, S::Error>,
    Out: Encoding + 'static,
{
    let request =
        BrowserRequest::try_new_post(S::url(), PostUrl::CONTENT_TYPE, Out::CONTENT_TYPE, fields)?;
    let response = <BrowserClient as Client<S::Error>>::send(request).await?;
    let status = ClientRes::<S::Error>::status(&response);
    let location = ClientRes::<S::Error>::location(&response);
    let redirected =
        (300..=399).contains(&status) || ClientRes::<S::Error>::has_redirect(&response);
    if (400..=599).contains(&status) {
        let body = ClientRes::<S::Error>::try_into_bytes(response).await?;
        return Err(S::Error::de(body));
    }
    let output = S::Output::from_res(response).await?;
    if redirected {
        leptos::server_fn::redirect::call_redirect_hook(&location);
    }
    Ok(output)
}

/// The submitted form's fields, url-encoded, with the button that sent it.
fn encoded_fields(ev: &SubmitEvent) -> Result<String, String> {
    let fields = leptos::form::form_data_from_event(ev).map_err(|e| e.to_string())?;
    // Leptos adds the submitting button even without a name, as `=`; the browser's own post
    // leaves such a button out.
    fields.delete("");
    let encoded = leptos::web_sys::UrlSearchParams::new_with_str_sequence_sequence(&fields)
        .map_err(|_| "The form could not be read.".to_owned())?;
    Ok(encoded.to_string().into())
}

/// A form that posts to a server function: a plain post without JavaScript; with it, a fetch
/// whose result lands in `action`. It does what Leptos' `ActionForm` does, but keeps its
/// children's type: `ActionForm` takes `Children`, boxed as `AnyView`, which keeps every
/// render path of them (async hydration included) in each island's WASM, about a tenth of
/// the Authentication page's islands. A server function's `redirect` is a page load: the
/// hook for it is set once, in `frontend`'s `hydrate`, before any island runs.
#[component]
pub fn ServerForm<ServFn, Out, C>(
    action: FormAction<ServFn>,
    /// For a form an island sends again (after a password check, say).
    #[prop(optional)]
    node_ref: Option<NodeRef<html::Form>>,
    children: TypedChildren<C>,
) -> impl IntoView
where
    ServFn: ServerFn<Protocol = Http<PostUrl, Out>, Client = BrowserClient> + 'static,
    ServFn::Output: FromRes<Out, BrowserResponse, ServFn::Error> + Send + Sync + 'static,
    ServFn::Error: Send + Sync + 'static,
    Out: Encoding + 'static,
    C: IntoView + 'static,
{
    let on_submit = move |ev: SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        super::focus::remember_submit();
        match encoded_fields(&ev) {
            Ok(fields) => {
                action.dispatch(fields);
            }
            // Only a form the browser cannot read gets here.
            Err(err) => action.value().set(Some(Err(
                ServerFnErrorErr::Serialization(err).into_app_error()
            ))),
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
            {with_typed(ServFn::PATH, refused(action), children)}
        </form>
    }
}

/// Whether the page shows this form's refusal (of a post without JavaScript).
#[cfg(feature = "ssr")]
fn refused<S: ServerFn>(action: FormAction<S>) -> bool
where
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    action
        .value()
        .with_untracked(|value| matches!(value, Some(Err(_))))
}

#[cfg(not(feature = "ssr"))]
fn refused<S: ServerFn>(_action: FormAction<S>) -> bool {
    false
}

/// The form's children, given what the form had typed if the page shows its refusal
/// ([`super::refill`]): in a context of their own, which the page's other forms do not see.
#[cfg(feature = "ssr")]
fn with_typed<C: IntoView + 'static>(
    path: &str,
    refused: bool,
    children: TypedChildren<C>,
) -> impl IntoView {
    use leptos::context::{Provider, ProviderProps};
    use leptos::either::Either;
    match refused.then(|| super::refill::for_form(path)).flatten() {
        None => Either::Left(children.into_inner()()),
        Some(typed) => Either::Right(Provider(
            ProviderProps::builder()
                .value(super::refill::FormTyped(typed))
                .children(children)
                .build(),
        )),
    }
}

/// The browser never refills a form: it keeps what the server rendered.
#[cfg(not(feature = "ssr"))]
fn with_typed<C: IntoView + 'static>(
    _path: &str,
    _refused: bool,
    children: TypedChildren<C>,
) -> impl IntoView {
    children.into_inner()()
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

/// What a page loaded after a change says (`?done=`, as `says` reads it), in a status region.
/// Focus starts there, so that it is read first.
pub fn done_notice(says: impl Fn(&str) -> Option<&'static str>) -> impl IntoView {
    let text = super::address::query_param("done")
        .get_untracked()
        .as_deref()
        .and_then(says);
    view! {
        <div role="status" class="alert-slot">
            {text.map(|text| view! { <p class="alert alert-success" tabindex="-1" autofocus>{text}</p> })}
        </div>
    }
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
    // Never a password, nor what the server decides.
    let refill = !readonly && input_type != "password";
    let value = refill
        .then(|| super::refill::typed(name))
        .flatten()
        .or(value);
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
