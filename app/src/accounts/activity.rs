//! How the account activity log reads. What it records (the stored kinds) is the data
//! layer's `Activity`.

use crate::db::accounts::activity::Activity;

/// The sentence the log shows for a stored `kind` and its `detail`.
pub fn describe(kind: &str, detail: &str) -> String {
    let Some(activity) = Activity::ALL.into_iter().find(|a| a.as_str() == kind) else {
        // A kind from a newer version: still readable.
        return kind.replace('_', " ");
    };
    match activity {
        Activity::AccountCreated => format!("Created the account \u{201c}{detail}\u{201d}"),
        Activity::AccountEdited => "Edited the account information".into(),
        Activity::WorkspaceCreated => {
            format!("Created the workspace \u{201c}{detail}\u{201d}")
        }
        Activity::WorkspaceRenamed => format!("Renamed a workspace: {detail}"),
        Activity::WorkspaceDeleted => {
            format!("Deleted the workspace \u{201c}{detail}\u{201d}")
        }
        Activity::InvitationSent => format!("Invited {detail}"),
        Activity::InvitationResent => format!("Sent the invitation to {detail} again"),
        Activity::InvitationRevoked => format!("Revoked the invitation to {detail}"),
        Activity::InvitationDeclined => format!("{detail} declined the invitation"),
        Activity::InvitationAccepted => format!("Joined: {detail}"),
        Activity::RoleChanged => format!("Changed a role: {detail}"),
        Activity::MemberRemoved => format!("Removed {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, Activity};

    #[test]
    fn every_stored_kind_reads_back_as_its_own_sentence() {
        for activity in Activity::ALL {
            let text = describe(activity.as_str(), "Ops");
            assert!(!text.contains('_'), "{activity:?} fell through: {text}");
        }
        assert_eq!(
            describe("workspace_renamed", "Ops \u{2192} Platform"),
            "Renamed a workspace: Ops \u{2192} Platform"
        );
        assert_eq!(
            describe("invitation_revoked", "ann@example.com"),
            "Revoked the invitation to ann@example.com"
        );
    }

    #[test]
    fn an_unknown_kind_is_still_readable() {
        assert_eq!(describe("account_archived", "x"), "account archived");
    }
}
