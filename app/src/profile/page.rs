//! The User Settings page: the profile form, then the display preferences.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{get_profile, ProfileData, SaveProfile, NAME_MAX_CHARS};
use crate::components::{Field, FormResult, FormStatus, ShellRefresh};
use crate::preferences::{PreferencesForm, SavePreferences};

#[component]
pub fn UserSettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveProfile>::new();
    let save_preferences = ServerAction::<SavePreferences>::new();
    // Refetch only after a successful save: a failed one must keep what was typed.
    let saved = RwSignal::new(0u32);
    let shell = use_context::<ShellRefresh>();
    Effect::new(move |_| {
        let profile_ok = save.value().with(|v| matches!(v, Some(Ok(_))));
        let prefs_ok = save_preferences.value().with(|v| matches!(v, Some(Ok(_))));
        if profile_ok || prefs_ok {
            saved.update(|n| *n += 1);
            if profile_ok {
                if let Some(shell) = shell {
                    shell.bump();
                }
            }
        }
    });
    let profile = Resource::new(move || saved.get(), |_| get_profile());
    let result = FormResult::new(save.value());

    view! {
        <Title text="User Settings"/>
        <h1>"User Settings"</h1>
        <section class="panel" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <FormStatus result success="Profile saved." done="profile"/>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    profile.await.map(|data| view! { <ProfileForm data save result/> })
                })}
            </Transition>
        </section>
        <section class="panel" aria-labelledby="preferences-heading">
            <h2 id="preferences-heading">"Preferences"</h2>
            <PreferencesForm action=save_preferences/>
        </section>
    }
}

#[component]
fn ProfileForm(
    data: ProfileData,
    save: ServerAction<SaveProfile>,
    result: FormResult,
) -> impl IntoView {
    view! {
        <ActionForm action=save attr:novalidate=true>
            <div class="field-row">
                <Field label="First name" name="first_name" value=data.first_name autocomplete="given-name"
                    required=true maxlength=NAME_MAX_CHARS error=result.field("first_name")/>
                <Field label="Last name" name="last_name" value=data.last_name autocomplete="family-name"
                    required=true maxlength=NAME_MAX_CHARS error=result.field("last_name")/>
            </div>
            <div class="field-row">
                <Field label="Email" name="email" input_type="email" value=data.email readonly=true
                    hint="Your email is not changeable."/>
                <Field label="Mobile number" name="mobile" input_type="tel" value=data.mobile readonly=true
                    hint="Your mobile number is not changeable."/>
            </div>
            <dl class="facts">
                <dt>"Member since"</dt>
                <dd data-testid="member-since">{data.member_since}</dd>
                <dt>"Last password change"</dt>
                <dd data-testid="password-changed">{data.password_changed}</dd>
            </dl>
            <button type="submit" class="button primary" disabled=move || save.pending().get()>"Save"</button>
        </ActionForm>
    }
}
