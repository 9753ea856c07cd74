//! The words of every mail. Links are absolute, built from `server.public_url` (never from a
//! request's Host header), and every mail says what to do if it was not expected.

use super::NewMail;
use crate::db::users::User;
use crate::session::ClientInfo;
use crate::state::Settings;

/// "24 hours", "1 hour", "7 days", "90 minutes".
pub fn duration_text(secs: i64) -> String {
    // Up to two days in hours: "24 hours" reads better than "1 day" for a link's life.
    let (n, unit) = if secs >= 2 * 86_400 && secs % 86_400 == 0 {
        (secs / 86_400, "day")
    } else if secs >= 3_600 && secs % 3_600 == 0 {
        (secs / 3_600, "hour")
    } else {
        ((secs + 59) / 60, "minute")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

pub fn verify_email_link(settings: &Settings, token: &str) -> String {
    format!("{}/verify-email/{token}", settings.public_url)
}

/// The Sessions list on the Authentication page.
pub fn sessions_link(settings: &Settings) -> String {
    format!("{}/settings/authentication#sessions", settings.public_url)
}

pub fn password_reset_link(settings: &Settings, token: &str) -> String {
    format!("{}/password-reset/{token}", settings.public_url)
}

pub fn invitation_link(settings: &Settings, token: &str) -> String {
    format!("{}/invitations/{token}", settings.public_url)
}

pub fn verify_email(settings: &Settings, user: &User, token: &str) -> NewMail {
    let product = &settings.product_name;
    NewMail {
        kind: "verify_email",
        to: user.email.clone(),
        subject: format!("Confirm your email address for {product}"),
        body: format!(
            "Hello {name},\n\n\
             please confirm that {email} is your email address by opening this link:\n\n\
             {link}\n\n\
             The link works once and expires in {valid}. If you did not sign up for {product}, \
             ignore this mail: nobody can use the address on {product} until it is confirmed.\n",
            name = user.first_name,
            email = user.email,
            link = verify_email_link(settings, token),
            valid = duration_text(settings.verification_ttl_secs),
        ),
    }
}

pub fn password_reset(settings: &Settings, user: &User, token: &str) -> NewMail {
    let product = &settings.product_name;
    NewMail {
        kind: "password_reset",
        to: user.email.clone(),
        subject: format!("Reset your {product} password"),
        body: format!(
            "Hello {name},\n\n\
             someone asked to reset the password of your {product} account ({email}). To choose \
             a new password, open this link:\n\n\
             {link}\n\n\
             The link works once and expires in {valid}. Resetting the password logs you out \
             everywhere; two-factor authentication stays on.\n\n\
             If you did not ask for this, ignore this mail: your password stays as it is.\n",
            name = user.first_name,
            email = user.email,
            link = password_reset_link(settings, token),
            valid = duration_text(settings.reset_ttl_secs),
        ),
    }
}

pub struct Invitation<'a> {
    pub to: &'a str,
    pub inviter: &'a str,
    pub account: &'a str,
    pub role: &'a str,
    pub token: &'a str,
}

pub fn invitation(settings: &Settings, invitation: &Invitation<'_>) -> NewMail {
    let product = &settings.product_name;
    NewMail {
        kind: "invitation",
        to: invitation.to.to_owned(),
        subject: format!(
            "{} invited you to {} on {product}",
            invitation.inviter, invitation.account
        ),
        body: format!(
            "Hello,\n\n\
             {inviter} invited you to join the account \"{account}\" on {product} as {role}.\n\n\
             Accept or decline here:\n{link}\n\n\
             The link works once and expires in {valid}. If you did not expect this, ignore this \
             mail.\n",
            inviter = invitation.inviter,
            account = invitation.account,
            role = invitation.role,
            link = invitation_link(settings, invitation.token),
            valid = duration_text(settings.invitation_ttl_secs),
        ),
    }
}

/// A security notification: `what` happened to the account (a sentence such as "Your
/// password was changed."), at `now` in the person's own zone and formats, from `client`.
pub fn security_notice(
    settings: &Settings,
    user: &User,
    subject: &str,
    what: &str,
    now: i64,
    client: &ClientInfo,
) -> NewMail {
    let product = &settings.product_name;
    NewMail {
        kind: "security_notice",
        to: user.email.clone(),
        subject: format!("{product}: {subject}"),
        body: format!(
            "Hello {name},\n\n\
             {what}\n\n\
             When: {when} ({zone})\n\
             From: {address}, {browser}\n\n\
             If this was you, there is nothing to do.\n\n\
             If it was not you, someone else may be signed in to your account: reset your \
             password at {reset} and check your two-factor devices and SSH keys at \
             {authentication}.\n",
            name = user.first_name,
            when = user.preferences.show(now),
            zone = user.preferences.timezone,
            address = client.address(),
            browser = client.browser(),
            reset = format_args!("{}/password-reset", settings.public_url),
            authentication = format_args!("{}/settings/authentication", settings.public_url),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::duration_text;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(24 * 3600), "24 hours");
        assert_eq!(duration_text(3600), "1 hour");
        assert_eq!(duration_text(2 * 3600), "2 hours");
        assert_eq!(duration_text(7 * 86_400), "7 days");
        assert_eq!(duration_text(90 * 60), "90 minutes");
        assert_eq!(duration_text(1), "1 minute");
    }
}
