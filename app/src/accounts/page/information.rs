//! The account information section: a form for Owners and Admins, facts for everyone else.

use leptos::either::Either;
use leptos::prelude::*;

use super::PageForms;
use crate::accounts::AccountInfo;
use crate::ui::{Field, FormResult, FormStatus, ServerForm};

#[component]
pub(super) fn AccountInfoSection(
    account_id: i64,
    info: AccountInfo,
    manages: bool,
) -> impl IntoView {
    let save = expect_context::<PageForms>().save;
    let result = FormResult::new(save.value());
    let body = if manages {
        Either::Left(view! {
            <ServerForm action=save attr:novalidate=true>
                <FormStatus result success="Account information saved." done="account"/>
                <input type="hidden" name="account_id" value=account_id.to_string()/>
                <Field label="Account name" name="name" value=info.name required=true maxlength=100 error=result.field("name")/>
                <Field label="Company name" name="company_name" value=info.company_name maxlength=100 autocomplete="organization" error=result.field("company_name")/>
                <div class="field-row">
                    <Field label="Contact email" name="contact_email" input_type="email" value=info.contact_email error=result.field("contact_email")/>
                    <Field label="Phone" name="phone" input_type="tel" value=info.phone hint="International form, e.g. +49 30 1234567." error=result.field("phone")/>
                </div>
                <Field label="Address" name="address" value=info.address maxlength=300 autocomplete="street-address" error=result.field("address")/>
                <div class="field-row">
                    <Field label="Country" name="country" value=info.country maxlength=2 hint="Two-letter code, e.g. DE, FR, US." error=result.field("country")/>
                    <Field label="Tax ID" name="tax_id" value=info.tax_id maxlength=32 error=result.field("tax_id")/>
                </div>
                <button type="submit" id="save-account" class="button primary" disabled=move || save.pending().get()>"Save account"</button>
            </ServerForm>
        })
    } else {
        let row = |label: &'static str, value: String| {
            view! {
                <dt>{label}</dt><dd>{if value.is_empty() { "—".to_owned() } else { value }}</dd>
            }
        };
        Either::Right(view! {
            <dl class="facts">
                {row("Account name", info.name)}
                {row("Company name", info.company_name)}
                {row("Contact email", info.contact_email)}
                {row("Phone", info.phone)}
                {row("Address", info.address)}
                {row("Country", info.country)}
                {row("Tax ID", info.tax_id)}
            </dl>
        })
    };
    view! {
        <section class="panel" aria-labelledby="info-heading">
            <h2 id="info-heading">"Account information"</h2>
            {body}
        </section>
    }
}
