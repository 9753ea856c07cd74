//! Invitations: mine on the Accounts page, sending and managing them on an account's page,
//! and the page an invitation link opens.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{refresh_after, role_options, PageForms};
use crate::accounts::{
    done, show_invitation, AcceptInvitation, AnswerInvitation, DeclineInvitation,
    InvitationLanding, InvitationSent, InvitationView, ResendInvitation, RevokeInvitation, Role,
    Viewer,
};
use crate::ui::AuthFrame;
use crate::ui::{Field, FormAction, FormResult, FormStatus, ServerForm};

#[component]
pub(super) fn MyInvitation(
    invitation: InvitationView,
    answer: FormAction<AnswerInvitation>,
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
pub(super) fn InviteSection(
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
                            {role_options(is_owner, Role::Member)}
                        </select>
                        <p class="field-error">{move || result.field("role").get()}</p>
                    </div>
                </div>
                <button type="submit" id="send-invitation" class="button primary" disabled=move || send.pending().get()>"Send invitation"</button>
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
pub(super) fn last_sent() -> RwSignal<Option<InvitationSent>> {
    expect_context::<LastSent>().0
}

#[derive(Clone, Copy)]
pub(super) struct LastSent(pub(super) RwSignal<Option<InvitationSent>>);

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
    let row = invitation.id.to_string();
    let resend = FormAction::<ResendInvitation>::in_row(&[("invitation_id", &row)]);
    let revoke = FormAction::<RevokeInvitation>::in_row(&[("invitation_id", &row)]);
    refresh_after(
        move || resend.value().get(),
        |sent| format!("Invitation mailed to {} again.", sent.email),
    );
    refresh_after(
        move || revoke.value().get(),
        |_| "Invitation revoked.".to_owned(),
    );
    let sent = last_sent();
    Effect::new(move |_| {
        if let Some(Ok(done)) = resend.value().get() {
            sent.set(Some(done));
        }
    });
    let resend_result = FormResult::new(resend.value());
    let revoke_result = FormResult::new(revoke.value());
    let (account, id) = (account_id.to_string(), invitation.id.to_string());
    let (account2, id2) = (account.clone(), id.clone());
    let resend_id = format!("resend-{id}");
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
                    <button type="submit" id=resend_id class="button small">"Resend"</button>
                </ServerForm>
                " "
                <FormStatus result=revoke_result/>
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
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let landing = Resource::new(move || token.clone(), show_invitation);
    view! {
        <AuthFrame title="Invitation">
            {Suspend::new(async move {
                let token = params.read_untracked().get("token").unwrap_or_default();
                match landing.await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(landing) => view! { <InvitationAnswer token landing/> }.into_any(),
                }
            })}
        </AuthFrame>
    }
}

#[island(lazy)]
fn InvitationAnswer(token: String, landing: InvitationLanding) -> impl IntoView {
    crate::ui::island_hydrated();
    let accept = FormAction::<AcceptInvitation>::new();
    let decline = FormAction::<DeclineInvitation>::new();
    let accept_result = FormResult::new(accept.value());
    let decline_result = FormResult::new(decline.value());
    let logout = FormAction::<crate::session::Logout>::new();
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
        <FormStatus result=decline_result success="You declined the invitation." done=done::DECLINED/>
        <p>{intro}</p>
        <div class="actions">{choice} {decline_form}</div>
    }
}
