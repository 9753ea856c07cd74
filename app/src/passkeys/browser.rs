//! The browser's WebAuthn API: `navigator.credentials.create/get` through web-sys, with the
//! JSON forms of WebAuthn Level 3. `PublicKeyCredential.parseCreationOptionsFromJSON` /
//! `parseRequestOptionsFromJSON` read the server's options and the credential's `toJSON()` is
//! the answer, so the browser side does no base64 or CBOR work of its own. Those three (and
//! conditional mediation) are reached through `js_sys::Reflect`: web-sys has them only behind
//! its unstable-API flag.

/// Why the browser gave no credential, in words for the person.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No WebAuthn, or not the JSON forms of it (browsers before 2025).
    Unsupported,
    /// The person closed the dialog, or it timed out; browsers do not tell the two apart.
    Cancelled,
    /// The authenticator already holds a passkey of this account for this site.
    AlreadyLinked,
    /// The page's address does not match the site's passkey settings.
    WrongSite,
    /// Stopped by the page itself (the autofill request, when a button starts another).
    Aborted,
    Other,
}

impl Failure {
    pub fn message(self) -> &'static str {
        match self {
            Failure::Unsupported => {
                "This browser does not support passkeys. Use a current browser, or sign in another way."
            }
            Failure::Cancelled => {
                "The passkey dialog was closed or timed out, so nothing was saved. Try again when you are ready."
            }
            Failure::AlreadyLinked => {
                "This authenticator already holds a passkey for your account. Use another one, or keep the one you have."
            }
            Failure::WrongSite => {
                "The browser refused: this page's address does not match the site's passkey settings."
            }
            Failure::Aborted => "The passkey request was stopped.",
            Failure::Other => "The passkey could not be used. Try again, or sign in another way.",
        }
    }
}

/// A credential the browser made: its answer as JSON, and what kind of authenticator holds it,
/// where the browser tells: `"platform"` or `"cross-platform"`, and how it is reached
/// (`"internal"`, `"usb"`, `"hybrid"` for a phone...).
pub struct Created {
    pub response: String,
    pub attachment: Option<String>,
    pub transports: Vec<String>,
}

#[cfg(feature = "hydrate")]
mod imp {
    use std::future::Future;

    use js_sys::{Array, Function, Object, Reflect, JSON};
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        AbortController, CredentialCreationOptions, CredentialRequestOptions, CredentialsContainer,
    };

    use super::{Created, Failure};

    fn get_field(target: &JsValue, name: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn call(target: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, Failure> {
        let method: Function = get_field(target, name)
            .and_then(|m| m.dyn_into().ok())
            .ok_or(Failure::Unsupported)?;
        let args: Array = args.iter().copied().collect();
        method.apply(target, &args).map_err(|_| Failure::Other)
    }

    fn api() -> Result<(JsValue, CredentialsContainer), Failure> {
        let class =
            get_field(&js_sys::global(), "PublicKeyCredential").ok_or(Failure::Unsupported)?;
        // Absent outside secure contexts (plain http on anything but localhost).
        get_field(&window().navigator(), "credentials").ok_or(Failure::Unsupported)?;
        Ok((class, window().navigator().credentials()))
    }

    /// `{"publicKey": …}` as the server sent it, its inner options read by the browser.
    fn options(class: &JsValue, parser: &str, json: &str) -> Result<Object, Failure> {
        let sent = JSON::parse(json).map_err(|_| Failure::Other)?;
        let inner = get_field(&sent, "publicKey").ok_or(Failure::Other)?;
        let parsed = call(class, parser, &[&inner])?;
        let options = Object::new();
        set(&options, "publicKey", &parsed);
        Ok(options)
    }

    fn set(target: &Object, name: &str, value: &JsValue) {
        let _ = Reflect::set(target, &JsValue::from_str(name), value);
    }

    fn failure(error: &JsValue) -> Failure {
        match get_field(error, "name")
            .and_then(|n| n.as_string())
            .as_deref()
        {
            Some("NotAllowedError") => Failure::Cancelled,
            Some("InvalidStateError") => Failure::AlreadyLinked,
            Some("SecurityError") => Failure::WrongSite,
            Some("AbortError") => Failure::Aborted,
            Some("NotSupportedError") => Failure::Unsupported,
            _ => Failure::Other,
        }
    }

    async fn settle(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, Failure> {
        let promise = promise.map_err(|e| failure(&e))?;
        let credential = JsFuture::from(promise).await.map_err(|e| failure(&e))?;
        if credential.is_null() || credential.is_undefined() {
            return Err(Failure::Cancelled);
        }
        Ok(credential)
    }

    fn to_json(credential: &JsValue) -> Result<(String, JsValue), Failure> {
        let plain = call(credential, "toJSON", &[])?;
        let text = JSON::stringify(&plain)
            .map_err(|_| Failure::Other)?
            .as_string()
            .ok_or(Failure::Other)?;
        Ok((text, plain))
    }

    pub async fn create(options_json: &str) -> Result<Created, Failure> {
        let (class, credentials) = api()?;
        let options: CredentialCreationOptions =
            options(&class, "parseCreationOptionsFromJSON", options_json)?.unchecked_into();
        let credential = settle(credentials.create_with_options(&options)).await?;
        let (response, plain) = to_json(&credential)?;
        let attachment = get_field(&plain, "authenticatorAttachment").and_then(|a| a.as_string());
        let transports = get_field(&plain, "response")
            .and_then(|r| get_field(&r, "transports"))
            .map(|t| {
                Array::from(&t)
                    .iter()
                    .filter_map(|t| t.as_string())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Created {
            response,
            attachment,
            transports,
        })
    }

    pub async fn get(options_json: &str) -> Result<String, Failure> {
        assertion(options_json, None).await
    }

    async fn assertion(
        options_json: &str,
        autofill: Option<&web_sys::AbortSignal>,
    ) -> Result<String, Failure> {
        let (class, credentials) = api()?;
        let options: CredentialRequestOptions =
            options(&class, "parseRequestOptionsFromJSON", options_json)?.unchecked_into();
        if let Some(signal) = autofill {
            set(&options, "mediation", &JsValue::from_str("conditional"));
            options.set_signal(signal);
        }
        let credential = settle(credentials.get_with_options(&options)).await?;
        to_json(&credential).map(|(text, _)| text)
    }

    /// Whether the browser offers passkeys in its autofill.
    async fn autofill_available() -> bool {
        let Ok((class, _)) = api() else {
            return false;
        };
        if get_field(&class, "parseRequestOptionsFromJSON").is_none() {
            return false;
        }
        let Ok(promise) = call(&class, "isConditionalMediationAvailable", &[]) else {
            return false;
        };
        JsFuture::from(js_sys::Promise::from(promise))
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// The request behind the browser's autofill of passkeys: it waits until the person picks
    /// one there, or until the page stops it to open a dialog of its own.
    #[derive(Clone, Copy)]
    pub struct Autofill(StoredValue<Option<AbortController>, LocalStorage>);

    impl Autofill {
        pub fn new() -> Self {
            Self(StoredValue::new_local(None))
        }

        /// Where the browser can: fetches `options` and waits for the person's pick, which
        /// goes to `then`. Silent otherwise: the page's own button remains.
        pub fn offer<O, F>(self, options: O, then: impl FnOnce(String) -> F + 'static)
        where
            O: Future<Output = Option<String>> + 'static,
            F: Future<Output = ()> + 'static,
        {
            leptos::task::spawn_local(async move {
                if !autofill_available().await {
                    return;
                }
                let Some(options) = options.await else {
                    return;
                };
                let Ok(controller) = AbortController::new() else {
                    return;
                };
                let signal = controller.signal();
                self.0.set_value(Some(controller));
                if let Ok(response) = assertion(&options, Some(&signal)).await {
                    then(response).await;
                }
            });
        }

        pub fn stop(self) {
            if let Some(controller) = self.0.try_update_value(Option::take).flatten() {
                controller.abort();
            }
        }
    }
}

#[cfg(feature = "hydrate")]
pub use imp::{create, get, Autofill};

/// On the server an island renders its first state only; none of this runs there.
#[cfg(not(feature = "hydrate"))]
mod imp {
    use std::future::Future;

    use super::{Created, Failure};

    pub async fn create(_options_json: &str) -> Result<Created, Failure> {
        Err(Failure::Unsupported)
    }

    pub async fn get(_options_json: &str) -> Result<String, Failure> {
        Err(Failure::Unsupported)
    }

    #[derive(Clone, Copy)]
    pub struct Autofill;

    impl Autofill {
        pub fn new() -> Self {
            Self
        }

        pub fn offer<O, F>(self, _options: O, _then: impl FnOnce(String) -> F + 'static)
        where
            O: Future<Output = Option<String>> + 'static,
            F: Future<Output = ()> + 'static,
        {
        }

        pub fn stop(self) {}
    }
}

#[cfg(not(feature = "hydrate"))]
pub use imp::{create, get, Autofill};
