//! The Accounts pages: the list (with invitations to me), one account, all workspaces, and
//! the page an invitation link opens. Each page loads its data on the server and hands it to
//! one island, which fetches it again after a change.

use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    all_workspaces, get_account, list_accounts, show_invitation, AcceptInvitation, AccountDetails,
    AccountInfo, AccountsOverview, AnswerInvitation, ChangeRole, CreateAccount, CreateWorkspace,
    DeclineInvitation, DeleteWorkspace, InvitationLanding, InvitationSent, InvitationView,
    MemberView, RemoveMember, RenameWorkspace, ResendInvitation, RevokeInvitation, Role,
    SaveAccount, SendInvitation, Viewer, WorkspaceView,
};
use crate::error::AppError;
use crate::sign_in::AuthFrame;
use crate::ui::address::navigate;
use crate::ui::{refetched, Field, FormResult, FormStatus, ServerForm};

/// Bumps `version` whenever `value` turns into a success, so the page's data is refetched.
fn refetch_on_success(value: impl Fn() -> bool + 'static, version: RwSignal<u32>) {
    Effect::new(move |_| {
        if value() {
            version.update(|n| *n += 1);
        }
    });
}

fn ok<T>(v: &Option<Result<T, AppError>>) -> bool {
    matches!(v, Some(Ok(_)))
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| list_accounts());
    view! {
        <Title text="Accounts"/>
        <h1>"Accounts"</h1>
        <Suspense>
            {move || Suspend::new(async move { overview.await.map(|data| view! { <Accounts data/> }) })}
        </Suspense>
    }
}

#[island(lazy)]
fn Accounts(data: AccountsOverview) -> impl IntoView {
    crate::ui::island_hydrated();
    let version = RwSignal::new(0u32);
    let create = ServerAction::<CreateAccount>::new();
    let answer = ServerAction::<AnswerInvitation>::new();
    refetch_on_success(move || create.value().with(ok), version);
    refetch_on_success(move || answer.value().with(ok), version);
    let overview = refetched(data, version, list_accounts);
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/accounts/{id}"));
        }
    });
    let create_result = FormResult::new(create.value());
    let answer_result = FormResult::new(answer.value());

    view! {
        {move || {
            let data = overview.get();
            view! {
                <section class="panel" aria-labelledby="accounts-heading">
                    <h2 id="accounts-heading">"Your accounts"</h2>
                    <table class="data-table">
                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Your role"</th><th scope="col">"Members"</th><th scope="col">"Workspaces"</th></tr></thead>
                        <tbody>
                            {data.accounts.into_iter().map(|a| view! {
                                <tr>
                                    <td><a href=format!("/accounts/{}", a.id)>{a.name}</a></td>
                                    <td>{a.role.label()}</td>
                                    <td>{a.members}</td>
                                    <td>{a.workspaces}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p><a href="/workspaces">"All workspaces"</a></p>
                </section>
                {(!data.email_verified).then(|| view! {
                    <p class="muted">"Invitations sent to your email address are listed here once you have confirmed it."</p>
                })}
                {(!data.invitations.is_empty()).then(|| view! {
                    <section class="panel" aria-labelledby="invitations-heading">
                        <h2 id="invitations-heading">"Invitations for you"</h2>
                        <FormStatus result=answer_result success="Done." done="accepted"/>
                        <ul class="invitation-list">
                            {data.invitations.into_iter().map(|i| view! { <MyInvitation invitation=i answer/> }).collect_view()}
                        </ul>
                    </section>
                })}
            }
        }}
        <section class="panel" aria-labelledby="create-heading">
            <h2 id="create-heading">"Create account"</h2>
            <p class="muted">"A new account for another company or team. You will be its Owner; it starts with one workspace."</p>
            <ServerForm action=create attr:novalidate=true>
                <FormStatus result=create_result success="Account created."/>
                <Field label="Account name" name="name" required=true maxlength=100 error=create_result.field("name")/>
                <button type="submit" class="button primary">"Create account"</button>
            </ServerForm>
        </section>
    }
}

#[component]
fn MyInvitation(
    invitation: InvitationView,
    answer: ServerAction<AnswerInvitation>,
) -> impl IntoView {
    let id = invitation.id.to_string();
    let id2 = id.clone();
    view! {
        <li class="invitation">
            <p>
                <strong>{invitation.account_name}</strong>
                {format!(" — {} · invited by {} · expires {}", invitation.role.label(), invitation.invited_by, invitation.expires)}
            </p>
            <div class="actions">
                <ServerForm action=answer attr:class="inline">
                    <input type="hidden" name="invitation_id" value=id/>
                    <input type="hidden" name="accept" value="true"/>
                    <button type="submit" class="button primary">"Accept"</button>
                </ServerForm>
                <ServerForm action=answer attr:class="inline">
                    <input type="hidden" name="invitation_id" value=id2/>
                    <input type="hidden" name="accept" value="false"/>
                    <button type="submit" class="button">"Decline"</button>
                </ServerForm>
            </div>
        </li>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let details = Resource::new(move || id, get_account);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(details) => view! {
                        <Title text=details.info.name.clone()/>
                        <AccountView id details/>
                    }.into_any(),
                    Err(e) => view! {
                        <Title text="Account"/>
                        <AccountError error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountError(error: AppError) -> impl IntoView {
    view! {
        <h1>"Account"</h1>
        <p class="alert alert-error" role="alert">{error.to_string()}</p>
        <p><a href="/accounts">"Back to your accounts"</a></p>
    }
}

#[island(lazy)]
fn AccountView(id: i64, details: AccountDetails) -> impl IntoView {
    crate::ui::island_hydrated();
    let version = RwSignal::new(0u32);
    provide_context(Refresh(version));
    provide_context(LastSent(RwSignal::new(None)));
    // The page's main forms live with the page, not with the account view that is rebuilt
    // after every change, so their confirmations stay on screen.
    let forms = PageForms {
        save: ServerAction::new(),
        create_workspace: ServerAction::new(),
        send: ServerAction::new(),
    };
    provide_context(forms);
    refresh_after(move || forms.save.value().get());
    refresh_after(move || forms.create_workspace.value().get());
    refresh_after(move || forms.send.value().get());
    Effect::new(move |_| {
        if let Some(Ok(done)) = forms.send.value().get() {
            last_sent().set(Some(done));
        }
    });
    // After leaving the account, it answers with an error: show that.
    let details = refetched(Ok(details), version, move || async move {
        Ok::<_, AppError>(get_account(id).await)
    });
    move || match details.get() {
        Ok(d) => Either::Left(view! { <Account details=d/> }),
        Err(error) => Either::Right(view! { <AccountError error/> }),
    }
}

#[derive(Clone, Copy)]
struct Refresh(RwSignal<u32>);

#[derive(Clone, Copy)]
struct PageForms {
    save: ServerAction<SaveAccount>,
    create_workspace: ServerAction<CreateWorkspace>,
    send: ServerAction<SendInvitation>,
}

/// Refetch the account after any successful change on its page.
fn refresh_after<T: Send + Sync + Clone + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + 'static,
) {
    let refresh = expect_context::<Refresh>();
    Effect::new(move |_| {
        if matches!(value(), Some(Ok(_))) {
            refresh.0.update(|n| *n += 1);
        }
    });
}

#[component]
fn Account(details: AccountDetails) -> impl IntoView {
    let manages = details.my_role.manages();
    let account_id = details.id;
    let is_owner = details.my_role == Role::Owner;
    view! {
        <h1>{details.info.name.clone()}</h1>
        <p class="muted">{format!("Your role: {}", details.my_role.label())} " · " <a href="/accounts">"All accounts"</a></p>
        <AccountInfoSection account_id info=details.info.clone() manages/>
        <WorkspacesSection account_id workspaces=details.workspaces.clone() manages/>
        <MembersSection account_id members=details.members.clone() manages is_owner/>
        {manages.then(|| view! {
            <InviteSection account_id is_owner invitations=details.invitations.clone()/>
            <section class="panel" aria-labelledby="activity-heading">
                <h2 id="activity-heading">"Activity"</h2>
                <table class="data-table">
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                    <tbody>
                        {details.activity.iter().cloned().map(|a| view! { <tr><td>{a.when}</td><td>{a.who}</td><td>{a.what}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        <LeaveSection account_id me=details.members.iter().find(|m| m.is_me).map(|m| m.user_id).unwrap_or_default()/>
    }
}

#[component]
fn AccountInfoSection(account_id: i64, info: AccountInfo, manages: bool) -> impl IntoView {
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
                <button type="submit" class="button primary" disabled=move || save.pending().get()>"Save account"</button>
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

#[component]
fn WorkspacesSection(
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
                    <button type="submit" class="button">"Create workspace"</button>
                </ServerForm>
            })}
        </section>
    }
}

#[component]
fn WorkspaceRow(account_id: i64, workspace: WorkspaceView, manages: bool) -> impl IntoView {
    let rename = ServerAction::<RenameWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    refresh_after(move || rename.value().get());
    refresh_after(move || delete.value().get());
    let rename_result = FormResult::new(rename.value());
    let delete_result = FormResult::new(delete.value());
    let input_id = format!("workspace-{}", workspace.id);
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
                <details class="device-action">
                    <summary>"Rename"</summary>
                    <ServerForm action=rename attr:novalidate=true>
                        <FormStatus result=rename_result success="Renamed."/>
                        <input type="hidden" name="account_id" value=account/>
                        <input type="hidden" name="workspace_id" value=id/>
                        <Field label="New name" name="workspace_name" id=input_id value=current_name.clone()
                            required=true maxlength=100 error=rename_result.field("workspace_name")/>
                        <button type="submit" class="button">"Save name"</button>
                    </ServerForm>
                </details>
                <details class="device-action">
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
fn MembersSection(
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
    let change = ServerAction::<ChangeRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    refresh_after(move || change.value().get());
    refresh_after(move || remove.value().get());
    let change_result = FormResult::new(change.value());
    let remove_result = FormResult::new(remove.value());
    let (account, user) = (account_id.to_string(), member.user_id.to_string());
    let (account2, user2) = (account.clone(), user.clone());
    let select_id = format!("role-{}", member.user_id);
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
                                {Role::ALL.into_iter().filter(|r| is_owner || *r != Role::Owner).map(|r| view! {
                                    <option value=r.id() selected=r == current>{r.label()}</option>
                                }).collect_view()}
                            </select>
                            <button type="submit" class="button small">"Change role"</button>
                        </ServerForm>
                        <details class="device-action">
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
fn InviteSection(
    account_id: i64,
    is_owner: bool,
    invitations: Vec<InvitationView>,
) -> impl IntoView {
    let send = expect_context::<PageForms>().send;
    let result = FormResult::new(send.value());
    // A sent invitation empties the form for the next one; `SentNotice` says what was sent.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if send.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    view! {
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Add new user"</h2>
            <ServerForm action=send node_ref=form attr:novalidate=true>
                <FormStatus result/>
                <input type="hidden" name="account_id" value=account_id.to_string()/>
                <div class="field-row">
                    <Field label="Email" name="email" input_type="email" required=true error=result.field("email")/>
                    <div class="field">
                        <label for="role">"Role"</label>
                        <select id="role" name="role">
                            {Role::ALL.into_iter().filter(|r| is_owner || *r != Role::Owner).map(|r| view! {
                                <option value=r.id() selected=r == Role::Member>{r.label()}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error">{move || result.field("role").get()}</p>
                    </div>
                </div>
                <button type="submit" class="button primary" disabled=move || send.pending().get()>"Send invitation"</button>
            </ServerForm>
            <SentNotice/>
            {(!invitations.is_empty()).then(|| view! {
                <h3>"Pending invitations"</h3>
                <table class="data-table">
                    <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Invited by"</th><th scope="col">"Sent"</th><th scope="col">"Expires"</th><th scope="col">"Manage"</th></tr></thead>
                    <tbody>
                        {invitations.into_iter().map(|i| view! { <PendingRow account_id invitation=i/> }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// The last invitation sent or re-sent on this page. It lives with the page, not with the
/// refetched account view, so the notice stays on screen after the list updates.
fn last_sent() -> RwSignal<Option<InvitationSent>> {
    expect_context::<LastSent>().0
}

#[derive(Clone, Copy)]
struct LastSent(RwSignal<Option<InvitationSent>>);

#[component]
fn SentNotice() -> impl IntoView {
    let sent = last_sent();
    move || {
        sent.get().map(|s| {
            view! {
                <p class="alert alert-success" role="status">{format!("Invitation mailed to {}.", s.email)}</p>
            }
        })
    }
}

#[component]
fn PendingRow(account_id: i64, invitation: InvitationView) -> impl IntoView {
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    refresh_after(move || resend.value().get());
    refresh_after(move || revoke.value().get());
    let sent = last_sent();
    Effect::new(move |_| {
        if let Some(Ok(done)) = resend.value().get() {
            sent.set(Some(done));
        }
    });
    let resend_result = FormResult::new(resend.value());
    let (account, id) = (account_id.to_string(), invitation.id.to_string());
    let (account2, id2) = (account.clone(), id.clone());
    view! {
        <tr>
            <td class="email">{invitation.email}</td>
            <td>{invitation.role.label()}</td>
            <td>{invitation.invited_by}</td>
            <td>{invitation.sent}</td>
            <td>{invitation.expires}</td>
            <td>
                <FormStatus result=resend_result success="Sent again."/>
                <ServerForm action=resend attr:class="inline">
                    <input type="hidden" name="account_id" value=account/>
                    <input type="hidden" name="invitation_id" value=id/>
                    <button type="submit" class="button small">"Resend"</button>
                </ServerForm>
                " "
                <ServerForm action=revoke attr:class="inline">
                    <input type="hidden" name="account_id" value=account2/>
                    <input type="hidden" name="invitation_id" value=id2/>
                    <button type="submit" class="button small danger">"Revoke"</button>
                </ServerForm>
            </td>
        </tr>
    }
}

#[component]
fn LeaveSection(account_id: i64, me: i64) -> impl IntoView {
    let leave = ServerAction::<RemoveMember>::new();
    let result = FormResult::new(leave.value());
    view! {
        <section class="panel" aria-labelledby="leave-heading">
            <h2 id="leave-heading">"Leave account"</h2>
            <details class="device-action">
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

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let workspaces = Resource::new(|| (), |_| all_workspaces());
    view! {
        <Title text="Workspaces"/>
        <h1>"Workspaces"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
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
        </Transition>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let landing = Resource::new(move || token.clone(), show_invitation);
    view! {
        <AuthFrame title="Invitation">
            <Suspense>
                {move || Suspend::new(async move {
                    let token = params.read_untracked().get("token").unwrap_or_default();
                    match landing.await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(landing) => view! { <InvitationAnswer token landing/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthFrame>
    }
}

#[island(lazy)]
fn InvitationAnswer(token: String, landing: InvitationLanding) -> impl IntoView {
    crate::ui::island_hydrated();
    let accept = ServerAction::<AcceptInvitation>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let accept_result = FormResult::new(accept.value());
    let decline_result = FormResult::new(decline.value());
    let logout = ServerAction::<crate::sign_in::Logout>::new();
    let l = landing;
    let intro = format!(
        "{} invited {} to join \u{201c}{}\u{201d} as {}. The invitation expires {}.",
        l.invited_by,
        l.email,
        l.account_name,
        l.role.label(),
        l.expires
    );
    let decline_token = token.clone();
    let decline_form = view! {
        <ServerForm action=decline attr:class="inline">
            <input type="hidden" name="token" value=decline_token/>
            <button type="submit" class="button">"Decline"</button>
        </ServerForm>
    };
    let next = crate::ui::address::encode_query_value(&format!("/invitations/{token}"));
    let choice = match l.viewer {
        Viewer::Invitee => EitherOf4::A(view! {
            <ServerForm action=accept attr:class="inline">
                <input type="hidden" name="token" value=token.clone()/>
                <button type="submit" class="button primary">"Accept"</button>
            </ServerForm>
        }),
        Viewer::SignedOut { registered: false } => EitherOf4::B(view! {
            <a class="button primary" href=format!("/signup?invitation={token}")>"Sign up to accept"</a>
        }),
        Viewer::SignedOut { registered: true } => EitherOf4::C(view! {
            <a class="button primary" href=format!("/login?next={next}")>"Log in to accept"</a>
        }),
        Viewer::Other { email } => EitherOf4::D(view! {
            <p class="alert alert-warning">
                {format!("You are logged in as {email}, but this invitation is for {}. Log out, then open the link again and sign in with the invited email.", l.email)}
            </p>
            <ServerForm action=logout attr:class="inline">
                <button type="submit" class="button primary">"Log out"</button>
            </ServerForm>
        }),
    };
    view! {
        <FormStatus result=accept_result success="Welcome!"/>
        <FormStatus result=decline_result success="You declined the invitation." done="declined"/>
        <p>{intro}</p>
        <div class="actions">{choice} {decline_form}</div>
    }
}
