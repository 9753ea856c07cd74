use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

use super::ChangePassword;
use crate::active_sessions::SessionsSection;
use crate::security_log::SecurityLogSection;
use crate::strength_meter::StrengthMeter;
use crate::sudo::AccessQuestion;
use crate::two_factor::TwoFactorSection;
use crate::ui::{Field, FormAction, FormResult, FormStatus, ServerForm};

#[component]
pub fn AuthenticationPage() -> impl IntoView {
    // Linking a device and adding a passkey are pages of their own (as on GitHub and
    // GitLab): one task in view, and only its code loaded.
    let focused = crate::two_factor::adding_a_second_factor();
    view! {
        <Title text="Authentication"/>
        <h1>"Authentication"</h1>
        <AccessQuestion/>
        {(!focused).then(|| view! { <ChangePasswordSection/> })}
        <TwoFactorSection/>
        {(!focused).then(|| view! {
            <SessionsSection/>
            <SecurityLogSection page=super::PAGE/>
        })}
    }
}

#[island(lazy)]
fn ChangePasswordSection() -> impl IntoView {
    crate::ui::island_hydrated();
    let change = FormAction::<ChangePassword>::new();
    let result = FormResult::new(change.value());
    let password = RwSignal::new(String::new());
    let form = NodeRef::<html::Form>::new();
    // Clear the fields after a change so no password lingers on the page.
    Effect::new(move |_| {
        if result.succeeded().get() {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            password.set(String::new());
        }
    });

    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <p class="muted">"Changing your password logs you out everywhere else."</p>
            <ServerForm action=change node_ref=form attr:novalidate=true>
                <FormStatus result success="Your password was changed. Other sessions were logged out." done="password"/>
                <Field label="Current password" name="current_password" input_type="password"
                    autocomplete="current-password" required=true error=result.field("current_password")/>
                <Field label="New password" name="new_password" input_type="password" autocomplete="new-password"
                    required=true error=result.field("new_password") on_input=Callback::new(move |v| password.set(v))/>
                <StrengthMeter password=password.into()/>
                <Field label="Confirm new password" name="new_password_confirmation" input_type="password"
                    autocomplete="new-password" required=true error=result.field("new_password_confirmation")/>
                <button type="submit" class="button primary" disabled=move || change.pending().get()>"Change password"</button>
            </ServerForm>
        </section>
    }
}
