//! The preferences form with its live preview. The preview runs in the browser on every
//! keystroke or choice, through the same formatter the server renders timestamps with.

use std::sync::Arc;
use std::time::Duration;

use leptos::either::Either;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use super::{list_timezones, PreferencesData, SavePreferences, SAMPLE_INSTANT};
use crate::display::format::{DateFormat, TimeFormat};
use crate::display::Preferences;
use crate::ui::{events, FormAction, FormResult, FormStatus, ServerForm};

/// How many suggestions the zone filter shows at once.
const MAX_SUGGESTIONS: usize = 12;

/// How long the preview must stay the same before a screen reader is told about it.
const PREVIEW_ANNOUNCE_PAUSE_MS: u64 = 1000;

#[island(lazy)]
pub fn PreferencesForm(data: PreferencesData) -> impl IntoView {
    crate::ui::island_hydrated();
    let action = FormAction::<SavePreferences>::new();
    let result = FormResult::new(action.value());
    // Times elsewhere on the page are shown in these preferences.
    Effect::new(move |_| {
        if result.succeeded().get() {
            events::announce(events::PROFILE_CHANGED);
        }
    });
    view! {
        <FormStatus result success="Preferences saved." done="preferences"/>
        <PreferencesFields data action result/>
    }
}

/// Lower-cased with `_` and `/` as spaces, so "new york" finds America/New_York. Zone names
/// are ASCII, so ASCII case folding finds them all (and keeps Unicode case tables out of the
/// WASM).
fn searchable(s: &str) -> String {
    s.to_ascii_lowercase().replace(['_', '/'], " ")
}

/// A zone name with its [`searchable`] form, computed once when the list arrives.
type ZoneList = Arc<Vec<(String, String)>>;

fn zone_list(names: Vec<String>) -> ZoneList {
    Arc::new(
        names
            .into_iter()
            .map(|n| {
                let s = searchable(&n);
                (n, s)
            })
            .collect(),
    )
}

fn zone_matches(zones: &[(String, String)], query: &str) -> Vec<String> {
    let query = searchable(query.trim());
    if query.is_empty() {
        return Vec::new();
    }
    zones
        .iter()
        .filter(|(_, s)| s.contains(&query))
        .take(MAX_SUGGESTIONS)
        .map(|(name, _)| name.clone())
        .collect()
}

/// The zone the browser itself runs in, offered as a suggestion.
fn browser_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()?
            .as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[component]
fn PreferencesFields(
    data: PreferencesData,
    action: FormAction<SavePreferences>,
    result: FormResult,
) -> impl IntoView {
    let PreferencesData {
        saved,
        now: server_now,
    } = data;
    // The list of zones arrives after hydration, from a response the browser caches; the
    // server does not put 600 names into every page. Until it is here, the saved zone is the
    // one known to be valid.
    let zones = RwSignal::new(None::<ZoneList>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(names) = list_timezones().await {
                zones.set(Some(zone_list(names)));
            }
        });
    });
    let saved_zone = saved.timezone.clone();
    // After a refusal of a post without JavaScript the form, and its preview, start from what
    // was sent (only the server knows it: the browser keeps what the page shows).
    let zone = RwSignal::new(action.kept("timezone").unwrap_or(saved.timezone.clone()));
    let date_format = RwSignal::new(
        action
            .kept("date_format")
            .and_then(|id| DateFormat::from_id(&id))
            .unwrap_or(saved.date_format),
    );
    let time_format = RwSignal::new(
        action
            .kept("time_format")
            .and_then(|id| TimeFormat::from_id(&id))
            .unwrap_or(saved.time_format),
    );
    // Starts at the server's clock so the first render is identical on both sides; every
    // change takes the browser's clock.
    let now = RwSignal::new(server_now);
    let touch = move || now.set(crate::clock::now_unix());

    let suggestions_open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let matches = Memo::new(move |_| {
        if !suggestions_open.get() {
            return Vec::new();
        }
        zones.with(|zs| {
            zs.as_ref()
                .map(|zs| zone_matches(zs, &zone.get()))
                .unwrap_or_default()
        })
    });
    let zone_known = Memo::new(move |_| {
        zone.with(|z| {
            let z = z.trim();
            zones.with(|zs| match zs {
                Some(zs) => zs.iter().any(|(name, _)| name == z),
                None => z == saved_zone,
            })
        })
    });
    let show_list =
        move || suggestions_open.get() && !matches.with(Vec::is_empty) && !zone_known.get();

    let browser = RwSignal::new(None::<String>);
    Effect::new(move |_| browser.set(browser_zone()));
    let suggestion = move || {
        browser
            .get()
            .filter(|b| {
                zones.with(|zs| zs.as_ref().is_some_and(|zs| zs.iter().any(|(n, _)| n == b)))
            })
            .filter(|b| *b != zone.get())
    };

    let choose = move |z: String| {
        zone.set(z);
        suggestions_open.set(false);
        active.set(None);
        touch();
    };
    let on_zone_keydown = move |ev: KeyboardEvent| {
        let count = matches.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                suggestions_open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                suggestions_open.set(true);
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" if show_list() => {
                if let Some(z) = active
                    .get_untracked()
                    .and_then(|i| matches.with_untracked(|m| m.get(i).cloned()))
                {
                    ev.prevent_default();
                    choose(z);
                }
            }
            "Escape" => suggestions_open.set(false),
            _ => {}
        }
    };

    let preview = move || {
        let prefs = Preferences {
            timezone: zone.get().trim().to_owned(),
            date_format: date_format.get(),
            time_format: time_format.get(),
        };
        zone_known
            .get()
            .then(|| (prefs.show(now.get()), prefs.show(SAMPLE_INSTANT)))
    };
    // What a screen reader hears of the preview: once the person pauses, not on every
    // keystroke (the preview itself follows each one).
    let announced = RwSignal::new(String::new());
    let pause = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |started: Option<()>| {
        let text = match preview() {
            Some((now_text, sample_text)) => {
                format!("Preview: now {now_text}; sample {sample_text}")
            }
            None => "Preview: choose a known time zone.".to_owned(),
        };
        if let Some(handle) = pause.get_value() {
            handle.clear();
        }
        // Not on the page's load: nothing has changed yet.
        if started.is_some() {
            let handle = set_timeout_with_handle(
                move || announced.set(text),
                Duration::from_millis(PREVIEW_ANNOUNCE_PAUSE_MS),
            );
            pause.set_value(handle.ok());
        }
    });
    // Created once here, not inside the closures below: a signal made in a reactive closure
    // belongs to that closure's run and is disposed with it.
    let timezone_error = result.field("timezone");
    let date_error = result.field("date_format");
    let time_error = result.field("time_format");
    let zone_error = move || {
        timezone_error.get().or_else(|| {
            (!zone_known.get() && !zone.with(|z| z.trim().is_empty()) && !show_list()).then(|| {
                "Not a time zone we know yet: keep typing or pick one from the list.".to_owned()
            })
        })
    };

    view! {
        <ServerForm action attr:novalidate=true>
            <div class="field combobox" class:field-invalid=move || zone_error().is_some()>
                <label for="timezone">"Display timezone"</label>
                <input
                    id="timezone"
                    name="timezone"
                    type="text"
                    role="combobox"
                    autocomplete="off"
                    spellcheck="false"
                    aria-autocomplete="list"
                    aria-controls="timezone-options"
                    aria-expanded=move || show_list().to_string()
                    aria-activedescendant=move || active.get().filter(|_| show_list()).map(|i| format!("timezone-option-{i}"))
                    aria-describedby="timezone-error"
                    value=zone.get_untracked()
                    prop:value=move || zone.get()
                    on:input=move |ev| {
                        zone.set(event_target_value(&ev));
                        suggestions_open.set(true);
                        active.set(None);
                        touch();
                    }
                    on:focus=move |_| suggestions_open.set(true)
                    on:blur=move |_| suggestions_open.set(false)
                    on:keydown=on_zone_keydown
                />
                <ul id="timezone-options" role="listbox" aria-label="Time zones" class="listbox" hidden=move || !show_list()>
                    <For
                        each=move || matches.get().into_iter().enumerate()
                        key=|(i, z)| (*i, z.clone())
                        children=move |(i, z)| {
                            let label = z.clone();
                            view! {
                                <li
                                    id=format!("timezone-option-{i}")
                                    role="option"
                                    aria-selected=move || (active.get() == Some(i)).to_string()
                                    // mousedown, not click: it comes before the input's blur.
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        choose(z.clone());
                                    }
                                >
                                    {label}
                                </li>
                            }
                        }
                    />
                </ul>
                {move || suggestion().map(|b| {
                    let text = format!("Use my browser's time zone ({b})");
                    view! {
                        <button type="button" class="button link" on:click=move |_| choose(b.clone())>{text}</button>
                    }
                })}
                <p class="field-error" id="timezone-error">{zone_error}</p>
            </div>
            <div class="field-row">
                <div class="field" class:field-invalid=move || date_error.get().is_some()>
                    <label for="date_format">"Date format"</label>
                    <select
                        id="date_format"
                        name="date_format"
                        aria-describedby="date_format-error"
                        on:change=move |ev| {
                            if let Some(f) = DateFormat::from_id(&event_target_value(&ev)) {
                                date_format.set(f);
                                touch();
                            }
                        }
                    >
                        {DateFormat::ALL.into_iter().map(|f| view! {
                            <option value=f.id() selected=date_format.get_untracked() == f>{f.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="date_format-error">{move || date_error.get()}</p>
                </div>
                <div class="field" class:field-invalid=move || time_error.get().is_some()>
                    <label for="time_format">"Time format"</label>
                    <select
                        id="time_format"
                        name="time_format"
                        aria-describedby="time_format-error"
                        on:change=move |ev| {
                            if let Some(f) = TimeFormat::from_id(&event_target_value(&ev)) {
                                time_format.set(f);
                                touch();
                            }
                        }
                    >
                        {TimeFormat::ALL.into_iter().map(|f| view! {
                            <option value=f.id() selected=time_format.get_untracked() == f>{f.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" id="time_format-error">{move || time_error.get()}</p>
                </div>
            </div>
            <section class="preview" aria-labelledby="preview-heading">
                <h3 id="preview-heading">"Preview"</h3>
                <p class="visually-hidden" aria-live="polite" data-testid="preview-announced">{move || announced.get()}</p>
                {move || match preview() {
                    Some((now_text, sample_text)) => Either::Left(view! {
                        <dl class="facts">
                            <dt>"Now"</dt>
                            <dd data-testid="preview-now">{now_text}</dd>
                            <dt>"Sample (14 July 2026, 16:45:30 UTC)"</dt>
                            <dd data-testid="preview-sample">{sample_text}</dd>
                        </dl>
                    }),
                    None => Either::Right(view! { <p class="muted">"Choose a known time zone to see the preview."</p> }),
                }}
            </section>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>"Save preferences"</button>
        </ServerForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_ignores_case_slashes_and_underscores() {
        let zones = zone_list(
            [
                "America/New_York",
                "Europe/Berlin",
                "Pacific/Auckland",
                "America/North_Dakota/New_Salem",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert_eq!(zone_matches(&zones, "new york"), ["America/New_York"]);
        assert_eq!(zone_matches(&zones, "BERL"), ["Europe/Berlin"]);
        assert_eq!(zone_matches(&zones, "america/n").len(), 2);
        assert!(zone_matches(&zones, "  ").is_empty());
    }
}
