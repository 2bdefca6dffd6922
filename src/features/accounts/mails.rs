//! The account e-mails the outbox sends: the activation link and the password-reset link.
//! The one-time token is made when the mail is rendered, so it is never stored in clear.

use chrono::Duration;
use futures_util::future::BoxFuture;

use super::{AccountMail, rules::TokenPurpose, store};
use crate::platform::services::Services;
use crate::{
    entities::users::AccountState,
    platform::outbox::{
        Handler, Handlers, OutboxRow, action_link,
        mail::{OutgoingMail, recipient},
    },
};

/// Registers the account e-mails with the outbox.
pub fn register(handlers: &mut Handlers) {
    handlers.register(AccountMail::Activation.kind(), Handler::Mail(activation));
    handlers.register(
        AccountMail::PasswordReset.kind(),
        Handler::Mail(password_reset),
    );
}

fn activation<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(render(services, row, AccountMail::Activation))
}

fn password_reset<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(render(services, row, AccountMail::PasswordReset))
}

async fn render(
    services: &Services,
    row: &OutboxRow,
    mail: AccountMail,
) -> anyhow::Result<Option<OutgoingMail>> {
    let Some(user) = recipient(&services.db, row).await? else {
        return Ok(None);
    };
    let security = &services.settings.security;
    let (purpose, lifetime, path) = match mail {
        AccountMail::PasswordReset => (
            TokenPurpose::PasswordReset,
            Duration::minutes(security.reset_token_minutes),
            "reset-password",
        ),
        // Activated since it was queued: the link would only say so.
        AccountMail::Activation if user.state != AccountState::Invited => return Ok(None),
        AccountMail::Activation => (
            TokenPurpose::Activation,
            Duration::days(security.activation_token_days),
            "activate",
        ),
    };
    let now = services.clock.now();
    let token = store::tokens::issue(&services.db, user.id, purpose, lifetime, now).await?;
    let link = action_link(services.settings.public_url(), path, &token);
    let values = serde_json::json!({
        "minutes": security.reset_token_minutes,
        "days": security.activation_token_days,
    });
    let school = &services.settings.school.name;
    let mail = services
        .templates
        .action_mail(school, &user, mail.kind(), values, &link)?;
    Ok(Some(mail))
}
