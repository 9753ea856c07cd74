//! The Accounts pages: the list (with invitations to me), one account, all workspaces, and
//! the page an invitation link opens. Each page loads its data on the server and hands it to
//! one island, which fetches it again after a change. The account page's sections live with
//! what they show: the account's information, workspaces, members and invitations.

pub mod information;
pub mod invitations;
pub mod members;
pub mod workspaces;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    done, get_account, list_accounts, AccountDetails, AccountsOverview, AnswerInvitation,
    CreateAccount, CreateWorkspace, Role, SaveAccount, SendInvitation,
};
use crate::error::AppError;
use crate::ui::address::navigate;
use crate::ui::{
    done_notice, refetched, Field, FormAction, FormResult, FormStatus, Rebuilt, ServerForm,
};
use information::AccountInfoSection;
use invitations::{last_sent, InviteSection, LastSent, MyInvitation};
use members::{LeaveSection, MembersSection};
use workspaces::WorkspacesSection;

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

/// What the account's page says after each of its changes, but the account's information,
/// which its form says.
fn account_change(done: &str) -> Option<&'static str> {
    Some(match done {
        done::ACCOUNT_CREATED => "Account created.",
        done::WORKSPACE_CREATED => "Workspace created.",
        done::WORKSPACE_RENAMED => "Workspace renamed.",
        done::WORKSPACE_DELETED => "Workspace deleted.",
        done::INVITATION_SENT => "Invitation mailed.",
        done::INVITATION_RESENT => "Invitation mailed again.",
        done::INVITATION_REVOKED => "Invitation revoked.",
        done::ROLE_CHANGED => "Role changed.",
        done::MEMBER_REMOVED => "User removed from the account.",
        _ => return None,
    })
}

/// What the list of accounts says after a change there (or leaving an account), at its
/// top: the section of invitations to me is gone once the last one is answered.
fn accounts_change(done: &str) -> Option<&'static str> {
    Some(match done {
        done::ACCEPTED => "Invitation accepted.",
        done::DECLINED => "Invitation declined.",
        done::LEFT => "You left the account.",
        _ => return None,
    })
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| list_accounts());
    view! {
        <Title text="Accounts"/>
        <h1>"Accounts"</h1>
        {Suspend::new(async move { overview.await.map(|data| view! { <Accounts data/> }) })}
    }
}

#[island(lazy)]
fn Accounts(data: AccountsOverview) -> impl IntoView {
    crate::ui::island_hydrated();
    let version = RwSignal::new(0u32);
    let create = FormAction::<CreateAccount>::new();
    let answer = FormAction::<AnswerInvitation>::new();
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
        {done_notice(accounts_change)}
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
                        <FormStatus result=answer_result success="Done."/>
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
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let details = Resource::new(move || id, get_account);
    view! {
        {Suspend::new(async move {
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
    // After leaving the account, it answers with an error: show that.
    let details = refetched(Ok(details), version, move || async move {
        Ok::<_, AppError>(get_account(id).await)
    });
    let rebuilt = Rebuilt::new(details);
    provide_context(Refresh { version, rebuilt });
    provide_context(LastSent(RwSignal::new(None)));
    // The page's main forms live with the page, not with the account view that is rebuilt
    // after every change, so their confirmations stay on screen.
    let forms = PageForms {
        save: FormAction::new(),
        create_workspace: FormAction::new(),
        send: FormAction::new(),
    };
    provide_context(forms);
    refresh_after(
        move || forms.save.value().get(),
        |_| "Account information saved.".to_owned(),
    );
    refresh_after(
        move || forms.create_workspace.value().get(),
        |_| "Workspace created.".to_owned(),
    );
    refresh_after(
        move || forms.send.value().get(),
        |sent| format!("Invitation mailed to {}.", sent.email),
    );
    Effect::new(move |_| {
        if let Some(Ok(done)) = forms.send.value().get() {
            last_sent().set(Some(done));
        }
    });
    view! {
        {rebuilt.announcer()}
        {move || match details.get() {
            Ok(d) => Either::Left(view! { <Account details=d/> }),
            Err(error) => Either::Right(view! { <AccountError error/> }),
        }}
    }
}

/// The roles a form offers (Owner only to an owner), `chosen` selected unless a refused post
/// of the form chose another that is still offered.
fn role_options(is_owner: bool, chosen: Role) -> impl IntoView {
    let offered = || {
        Role::ALL
            .into_iter()
            .filter(move |r| is_owner || *r != Role::Owner)
    };
    let typed = crate::ui::refill::typed_choice("role", offered().map(Role::id));
    offered()
        .map(|r| {
            let selected = typed.as_deref().map_or(r == chosen, |t| t == r.id());
            view! { <option value=r.id() selected=selected>{r.label()}</option> }
        })
        .collect_view()
}

/// What the account page's forms share: the version that refetches the account, and the
/// announcement and focus of the view rebuilt from it.
#[derive(Clone, Copy)]
struct Refresh {
    version: RwSignal<u32>,
    rebuilt: Rebuilt,
}

#[derive(Clone, Copy)]
struct PageForms {
    save: FormAction<SaveAccount>,
    create_workspace: FormAction<CreateWorkspace>,
    send: FormAction<SendInvitation>,
}

/// Refetches the account after any successful change on its page, announces it as `said`
/// puts it, and keeps focus where the person was.
fn refresh_after<T: Send + Sync + Clone + 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + 'static,
    said: impl Fn(&T) -> String + 'static,
) {
    let refresh = expect_context::<Refresh>();
    Effect::new(move |_| {
        if let Some(Ok(done)) = value() {
            refresh.rebuilt.changed(said(&done));
            refresh.version.update(|n| *n += 1);
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
        {done_notice(account_change)}
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
