//! The account's members: their roles, removing them, and leaving the account.

use leptos::prelude::*;

use super::{refresh_after, role_options};
use crate::accounts::{ChangeRole, MemberView, RemoveMember, Role};
use crate::ui::{
    disclosure_keydown, disclosure_toggled, FormAction, FormResult, FormStatus, ServerForm,
};

#[component]
pub(super) fn MembersSection(
    account_id: i64,
    members: Vec<MemberView>,
    manages: bool,
    is_owner: bool,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="members-heading">
            <h2 id="members-heading">"Users"</h2>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Joined on"</th>
                    {manages.then(|| view! { <th scope="col">"Manage"</th> })}
                </tr></thead>
                <tbody>
                    {members.into_iter().map(|m| view! { <MemberRow account_id member=m manages is_owner/> }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn MemberRow(account_id: i64, member: MemberView, manages: bool, is_owner: bool) -> impl IntoView {
    let row = member.user_id.to_string();
    let change = FormAction::<ChangeRole>::in_row(&[("user_id", &row)]);
    let remove = FormAction::<RemoveMember>::in_row(&[("user_id", &row)]);
    let email = member.email.clone();
    refresh_after(
        move || change.value().get(),
        move |_| format!("Role of {email} changed."),
    );
    let email = member.email.clone();
    refresh_after(
        move || remove.value().get(),
        move |_| format!("{email} removed from the account."),
    );
    let change_result = FormResult::new(change.value());
    let remove_result = FormResult::new(remove.value());
    let (account, user) = (account_id.to_string(), member.user_id.to_string());
    let (account2, user2) = (account.clone(), user.clone());
    let select_id = format!("role-{}", member.user_id);
    let change_id = format!("change-{select_id}");
    let current = member.role;
    let can_touch = manages && (is_owner || member.role != Role::Owner) && !member.is_me;
    let (role_label, remove_question) = (
        format!("Role of {}", member.email),
        format!("Remove {} from this account?", member.email),
    );
    view! {
        <tr>
            <td>{member.name.clone()}{member.is_me.then_some(" (you)")}</td>
            <td class="email">{member.email.clone()}</td>
            <td>{member.role.label()}</td>
            <td>{member.joined.clone()}</td>
            {manages.then(|| view! {
                <td>
                    {can_touch.then(|| view! {
                        <ServerForm action=change attr:class="inline-form">
                            <FormStatus result=change_result success="Role changed."/>
                            <input type="hidden" name="account_id" value=account/>
                            <input type="hidden" name="user_id" value=user/>
                            <label class="visually-hidden" for=select_id.clone()>{role_label.clone()}</label>
                            <select id=select_id name="role">
                                {role_options(is_owner, current)}
                            </select>
                            <button type="submit" id=change_id class="button small">"Change role"</button>
                        </ServerForm>
                        <details class="device-action" open=move || remove_result.error().with(Option::is_some)
                            on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
                            <summary>"Remove"</summary>
                            <ServerForm action=remove>
                                <FormStatus result=remove_result success="Removed."/>
                                <input type="hidden" name="account_id" value=account2/>
                                <input type="hidden" name="user_id" value=user2/>
                                <p>{remove_question.clone()}</p>
                                <button type="submit" class="button danger">"Remove from account"</button>
                            </ServerForm>
                        </details>
                    })}
                </td>
            })}
        </tr>
    }
}

#[component]
pub(super) fn LeaveSection(account_id: i64, me: i64) -> impl IntoView {
    let leave = FormAction::<RemoveMember>::in_row(&[("user_id", &me.to_string())]);
    let result = FormResult::new(leave.value());
    view! {
        <section class="panel" aria-labelledby="leave-heading">
            <h2 id="leave-heading">"Leave account"</h2>
            <details class="device-action" open=move || result.error().with(Option::is_some)
                on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
                <summary>"Leave this account"</summary>
                <ServerForm action=leave>
                    <FormStatus result success="You left the account."/>
                    <input type="hidden" name="account_id" value=account_id.to_string()/>
                    <input type="hidden" name="user_id" value=me.to_string()/>
                    <p>"You will lose access to its workspaces. An account keeps at least one Owner."</p>
                    <button type="submit" class="button danger">"Leave account"</button>
                </ServerForm>
            </details>
        </section>
    }
}
