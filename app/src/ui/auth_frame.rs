//! The frame of the pages people see signed out: sign-up, login, password reset, email
//! verification and the invitation link. The signed-in frame is `crate::shell`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::ThemeToggle;

#[component]
pub fn AuthFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <header class="topbar">
            <a class="brand" href="/">{crate::product_name()}</a>
            <div class="topbar-end">
                <ThemeToggle/>
            </div>
        </header>
        <main id="main" class="auth-page">
            <div class="card">
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}
