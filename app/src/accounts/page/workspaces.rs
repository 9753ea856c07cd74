//! The account's workspaces section, and the page of all workspaces of all my accounts.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{refresh_after, PageForms};
use crate::accounts::{all_workspaces, DeleteWorkspace, RenameWorkspace, WorkspaceView};
use crate::ui::{
    disclosure_keydown, disclosure_toggled, Field, FormAction, FormResult, FormStatus, ServerForm,
};

#[component]
pub(super) fn WorkspacesSection(
    account_id: i64,
    workspaces: Vec<WorkspaceView>,
    manages: bool,
) -> impl IntoView {
    let create = expect_context::<PageForms>().create_workspace;
    let result = FormResult::new(create.value());
    view! {
        <section class="panel" aria-labelledby="workspaces-heading">
            <h2 id="workspaces-heading">"Workspaces"</h2>
            <ul class="workspace-list">
                {workspaces.into_iter().map(|w| view! { <WorkspaceRow account_id workspace=w manages/> }).collect_view()}
            </ul>
            {manages.then(|| view! {
                <ServerForm action=create attr:novalidate=true>
                    <FormStatus result success="Workspace created."/>
                    <input type="hidden" name="account_id" value=account_id.to_string()/>
                    <Field label="Workspace name" name="workspace_name" required=true maxlength=100 error=result.field("workspace_name")/>
                    <button type="submit" id="create-workspace" class="button">"Create workspace"</button>
                </ServerForm>
            })}
        </section>
    }
}

#[component]
fn WorkspaceRow(account_id: i64, workspace: WorkspaceView, manages: bool) -> impl IntoView {
    let row = workspace.id.to_string();
    let rename = FormAction::<RenameWorkspace>::in_row(&[("workspace_id", &row)]);
    let delete = FormAction::<DeleteWorkspace>::in_row(&[("workspace_id", &row)]);
    refresh_after(
        move || rename.value().get(),
        |_| "Workspace renamed.".to_owned(),
    );
    refresh_after(
        move || delete.value().get(),
        |_| "Workspace deleted.".to_owned(),
    );
    let rename_result = FormResult::new(rename.value());
    let delete_result = FormResult::new(delete.value());
    let input_id = format!("workspace-{}", workspace.id);
    let save_id = format!("save-{input_id}");
    let (account, id) = (account_id.to_string(), workspace.id.to_string());
    let (account2, id2) = (account.clone(), id.clone());
    let (current_name, delete_question) = (
        workspace.name.clone(),
        format!(
            "Delete the workspace \u{201c}{}\u{201d}? This cannot be undone.",
            workspace.name
        ),
    );
    view! {
        <li class="workspace">
            <strong class="workspace-name">{workspace.name.clone()}</strong>
            <span class="muted">{format!(" created {}", workspace.created)}</span>
            {manages.then(|| view! {
                // Open when refused, so the message shows next to the field also after a post
                // without JavaScript, which reloads the page.
                <details class="device-action" open=move || rename_result.error().with(Option::is_some)
                    on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
                    <summary>"Rename"</summary>
                    <ServerForm action=rename attr:novalidate=true>
                        <FormStatus result=rename_result success="Renamed."/>
                        <input type="hidden" name="account_id" value=account/>
                        <input type="hidden" name="workspace_id" value=id/>
                        <Field label="New name" name="workspace_name" id=input_id value=current_name.clone()
                            required=true maxlength=100 error=rename_result.field("workspace_name")/>
                        <button type="submit" id=save_id class="button">"Save name"</button>
                    </ServerForm>
                </details>
                <details class="device-action" open=move || delete_result.error().with(Option::is_some)
                    on:toggle=disclosure_toggled on:keydown=disclosure_keydown>
                    <summary>"Delete"</summary>
                    <ServerForm action=delete>
                        <FormStatus result=delete_result success="Deleted."/>
                        <input type="hidden" name="account_id" value=account2/>
                        <input type="hidden" name="workspace_id" value=id2/>
                        <p>{delete_question.clone()}</p>
                        <button type="submit" class="button danger">"Delete workspace"</button>
                    </ServerForm>
                </details>
            })}
        </li>
    }
}

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let workspaces = Resource::new(|| (), |_| all_workspaces());
    view! {
        <Title text="Workspaces"/>
        <h1>"Workspaces"</h1>
        {Suspend::new(async move {
            workspaces.await.map(|list| {
                let mut groups: Vec<(i64, String, Vec<WorkspaceView>)> = Vec::new();
                for w in list {
                    match groups.last_mut() {
                        Some((id, _, items)) if *id == w.account_id => items.push(w),
                        _ => groups.push((w.account_id, w.account_name.clone(), vec![w])),
                    }
                }
                groups.into_iter().map(|(id, name, items)| view! {
                    <section class="panel">
                        <h2><a href=format!("/accounts/{id}")>{name}</a></h2>
                        <ul class="workspace-list">
                            {items.into_iter().map(|w| view! {
                                <li class="workspace"><strong class="workspace-name">{w.name}</strong><span class="muted">{format!(" created {}", w.created)}</span></li>
                            }).collect_view()}
                        </ul>
                    </section>
                }).collect_view()
            })
        })}
    }
}
