//! What the account activity log records. The stored `kind` is `as_str()`, so the names
//! below are part of the database's contents: add new ones, never rename old ones.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    AccountCreated,
    AccountEdited,
    WorkspaceCreated,
    WorkspaceRenamed,
    WorkspaceDeleted,
    InvitationSent,
    InvitationResent,
    InvitationRevoked,
    InvitationDeclined,
    InvitationAccepted,
    RoleChanged,
    MemberRemoved,
}

impl Activity {
    const ALL: [Activity; 12] = [
        Activity::AccountCreated,
        Activity::AccountEdited,
        Activity::WorkspaceCreated,
        Activity::WorkspaceRenamed,
        Activity::WorkspaceDeleted,
        Activity::InvitationSent,
        Activity::InvitationResent,
        Activity::InvitationRevoked,
        Activity::InvitationDeclined,
        Activity::InvitationAccepted,
        Activity::RoleChanged,
        Activity::MemberRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Activity::AccountCreated => "account_created",
            Activity::AccountEdited => "account_edited",
            Activity::WorkspaceCreated => "workspace_created",
            Activity::WorkspaceRenamed => "workspace_renamed",
            Activity::WorkspaceDeleted => "workspace_deleted",
            Activity::InvitationSent => "invitation_sent",
            Activity::InvitationResent => "invitation_resent",
            Activity::InvitationRevoked => "invitation_revoked",
            Activity::InvitationDeclined => "invitation_declined",
            Activity::InvitationAccepted => "invitation_accepted",
            Activity::RoleChanged => "role_changed",
            Activity::MemberRemoved => "member_removed",
        }
    }

    /// The sentence the log shows for a stored `kind` and its `detail`.
    pub fn describe(kind: &str, detail: &str) -> String {
        let Some(activity) = Self::ALL.into_iter().find(|a| a.as_str() == kind) else {
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
}

#[cfg(test)]
mod tests {
    use super::Activity;

    #[test]
    fn every_stored_kind_reads_back_as_its_own_sentence() {
        for activity in Activity::ALL {
            let text = Activity::describe(activity.as_str(), "Ops");
            assert!(!text.contains('_'), "{activity:?} fell through: {text}");
        }
        assert_eq!(
            Activity::describe("workspace_renamed", "Ops \u{2192} Platform"),
            "Renamed a workspace: Ops \u{2192} Platform"
        );
        assert_eq!(
            Activity::describe("invitation_revoked", "ann@example.com"),
            "Revoked the invitation to ann@example.com"
        );
    }

    #[test]
    fn an_unknown_kind_is_still_readable() {
        assert_eq!(
            Activity::describe("account_archived", "x"),
            "account archived"
        );
    }
}
