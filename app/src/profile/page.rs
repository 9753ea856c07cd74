//! The User Settings page: the profile form, then the display preferences. The page is
//! server-rendered; each form is an island.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{get_profile, ProfileData, SaveProfile, NAME_MAX_CHARS};
use crate::preferences::{get_preferences, PreferencesForm};
use crate::ui::{events, refetched, Field, FormAction, FormResult, FormStatus, ServerForm};

#[component]
pub fn UserSettingsPage() -> impl IntoView {
    let profile = Resource::new(|| (), |_| get_profile());
    let preferences = Resource::new(|| (), |_| get_preferences());
    view! {
        <Title text="User Settings"/>
        <h1>"User Settings"</h1>
        {Suspend::new(async move {
            let (profile, preferences) = (profile.await, preferences.await);
            view! {
                <section class="panel" aria-labelledby="profile-heading">
                    <h2 id="profile-heading">"Profile"</h2>
                    {profile.map(|data| view! { <ProfileSection data/> })}
                </section>
                <section class="panel" aria-labelledby="preferences-heading">
                    <h2 id="preferences-heading">"Preferences"</h2>
                    {preferences.map(|data| view! { <PreferencesForm data/> })}
                </section>
            }
        })}
    }
}

#[island]
fn ProfileSection(data: ProfileData) -> impl IntoView {
    crate::ui::island_hydrated();
    let save = FormAction::<SaveProfile>::new();
    let result = FormResult::new(save.value());
    // Fetched again after a save here (the stored, trimmed names) or of the preferences
    // (the dates below are shown in them); a failed save keeps what was typed.
    let version = RwSignal::new(0u32);
    let data = refetched(data, version, get_profile);
    events::on(events::PROFILE_CHANGED, move || version.update(|n| *n += 1));
    Effect::new(move |_| {
        if result.succeeded().get() {
            events::announce(events::PROFILE_CHANGED);
        }
    });

    view! {
        <FormStatus result success="Profile saved." done="profile"/>
        {move || {
            let data = data.get();
            view! {
                <ServerForm action=save attr:novalidate=true>
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
                </ServerForm>
            }
        }}
    }
}
