//! Accounts, workspaces and invitations. The page says what is coming until the feature lands.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountsPage() -> impl IntoView {
    view! {
        <Title text="Accounts"/>
        <h1>"Accounts"</h1>
        <section class="panel">
            <p>"Soon this page will list:"</p>
            <ul>
                <li>"every account you belong to, and the invitations you received;"</li>
                <li>"each account's information, which owners and admins can edit;"</li>
                <li>"its workspaces and their names;"</li>
                <li>"its users, and a form to invite new ones."</li>
            </ul>
        </section>
    }
}
