//! Changing the login address: the new address gets a confirmation link; the login changes
//! only when it is opened, and the old address is then told. Whether the new address belongs
//! to another account is never said to the one who asks: that address's mailbox gets a mail
//! saying nothing was changed instead of a link.

use chrono::Duration;
use futures_util::future::BoxFuture;
use lettre::message::Mailbox;

use super::{EmailAddress, ProfileChange, own_account, store};
use crate::{
    app::error::AppError,
    entities::{outbox::Channel, users::AccountState},
    platform::{
        db,
        outbox::{
            self, Handler, Handlers, NewDelivery, OutboxRow, action_link,
            mail::{OutgoingMail, recipient},
            templates::MailParts,
        },
        services::Services,
    },
};

/// How long a confirmation link works.
pub const LINK_HOURS: i64 = 24;

const CONFIRM_MAIL: &str = "email_change";
const CHANGED_MAIL: &str = "email_changed";

pub fn register(handlers: &mut Handlers) {
    handlers.register(CONFIRM_MAIL, Handler::Mail(confirmation_mail));
    handlers.register(CHANGED_MAIL, Handler::Mail(changed_mail));
}

/// Asks for a new login address: a link goes to it (an earlier open request ends). The
/// caller's current password is checked by the caller of this function. The same answer
/// whether the address is free or taken.
pub async fn request(
    services: &Services,
    user_id: i32,
    new_email: &EmailAddress,
) -> Result<String, AppError> {
    let user = own_account(services, user_id).await?;
    if new_email.as_str() == user.email {
        return Err(AppError::invalid(
            "new_email",
            "same_email",
            "This is your login address already.",
        ));
    }
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    store::email_changes::cancel_open(&txn, user.id, now).await?;
    let change = store::email_changes::create(
        &txn,
        user.id,
        new_email.as_str(),
        now,
        now + Duration::hours(LINK_HOURS),
    )
    .await?;
    outbox::enqueue(
        &txn,
        vec![NewDelivery {
            channel: Channel::Email,
            kind: CONFIRM_MAIL,
            user_id: Some(user.id),
            dedupe_key: format!("{CONFIRM_MAIL}:{}", change.id),
            payload: serde_json::json!({ "change_id": change.id }),
            urgent: false,
        }],
        now,
    )
    .await?;
    txn.commit().await?;
    services.outbox.wake();
    Ok(change.new_email)
}

/// Ends the caller's open request; its link stops working.
pub async fn cancel(services: &Services, user_id: i32) -> Result<(), AppError> {
    let now = services.clock.now();
    if store::email_changes::cancel_open(&services.db, user_id, now).await? == 0 {
        return Err(AppError::not_found("e-mail change"));
    }
    Ok(())
}

/// Opens a confirmation link: the login address becomes the new one and the old address is
/// told. Returns the account's id and its new address.
pub async fn confirm(services: &Services, raw_token: &str) -> Result<(i32, String), AppError> {
    let now = services.clock.now();
    let change = store::email_changes::find_by_token(&services.db, raw_token.trim())
        .await?
        .ok_or_else(super::token_invalid)?;
    if change.confirmed_at.is_some() || change.cancelled_at.is_some() {
        return Err(super::token_used());
    }
    if change.expires_at <= now {
        return Err(AppError::gone(
            "token_expired",
            "This link has expired. Ask for the change again in the app.",
        ));
    }
    let txn = db::begin_write(&services.db).await?;
    let user = store::users::find_by_id(&txn, change.user_id)
        .await?
        .filter(|user| user.state != AccountState::Disabled)
        .ok_or_else(super::token_invalid)?;
    let new_email: EmailAddress = change
        .new_email
        .parse()
        .map_err(|_| super::token_invalid())?;
    if store::users::find_by_email(&txn, &new_email)
        .await?
        .is_some_and(|other| other.id != user.id)
    {
        return Err(taken());
    }
    if !store::email_changes::confirm(&txn, change.id, now).await? {
        return Err(super::token_used());
    }
    let old_email = user.email.clone();
    let user_id = user.id;
    let profile = ProfileChange {
        email: Some(new_email.as_str().to_string()),
        ..ProfileChange::default()
    };
    store::users::update_profile(&txn, user, profile, now)
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict { .. } => taken(),
            other => other,
        })?;
    // The old address's reset links must not reach the account any more.
    store::tokens::expire_open(
        &txn,
        user_id,
        super::rules::TokenPurpose::PasswordReset,
        now,
    )
    .await?;
    outbox::enqueue(
        &txn,
        vec![NewDelivery {
            channel: Channel::Email,
            kind: CHANGED_MAIL,
            user_id: Some(user_id),
            dedupe_key: format!("{CHANGED_MAIL}:{}", change.id),
            payload: serde_json::json!({ "old_email": old_email, "new_email": new_email.as_str() }),
            urgent: false,
        }],
        now,
    )
    .await?;
    txn.commit().await?;
    services.outbox.wake();
    Ok((user_id, new_email.as_str().to_string()))
}

fn taken() -> AppError {
    AppError::conflict(
        "email_taken",
        "This address belongs to another account, so it cannot be your login. Nothing was \
         changed.",
    )
}

fn confirmation_mail<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(user) = recipient(&services.db, row).await? else {
            return Ok(None);
        };
        let change_id = row.payload["change_id"].as_i64().unwrap_or_default() as i32;
        let Some(change) = store::email_changes::find(&services.db, change_id).await? else {
            return Ok(None);
        };
        let now = services.clock.now();
        if change.confirmed_at.is_some()
            || change.cancelled_at.is_some()
            || change.expires_at <= now
        {
            return Ok(None);
        }
        let new_email: EmailAddress = change.new_email.parse()?;
        let taken = store::users::find_by_email(&services.db, &new_email)
            .await?
            .is_some_and(|other| other.id != user.id);
        let school = &services.settings.school.name;
        let values = serde_json::json!({
            "first_name": user.first_name,
            "email": user.email,
            "new_email": change.new_email,
            "school": school,
            "hours": LINK_HOURS,
        });
        let (kind, link) = if taken {
            ("email_change_taken", None)
        } else {
            let token = store::email_changes::issue_token(&services.db, change.id).await?;
            let link = action_link(services.settings.public_url(), "confirm-email", &token);
            (CONFIRM_MAIL, Some(link))
        };
        let rendered = services.templates.render(
            kind,
            user.language,
            school,
            values,
            MailParts {
                action_url: link.as_deref(),
                ..Default::default()
            },
        )?;
        Ok(Some(OutgoingMail {
            to: Mailbox::new(Some(user.full_name()), new_email.as_str().parse()?),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            list_unsubscribe: None,
            attachments: Vec::new(),
        }))
    })
}

fn changed_mail<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(user) = recipient(&services.db, row).await? else {
            return Ok(None);
        };
        let old_email = row.payload["old_email"].as_str().unwrap_or_default();
        let school = &services.settings.school.name;
        let values = serde_json::json!({
            "first_name": user.first_name,
            "old_email": old_email,
            "new_email": row.payload["new_email"],
            "school": school,
        });
        let rendered = services.templates.render(
            CHANGED_MAIL,
            user.language,
            school,
            values,
            MailParts::default(),
        )?;
        Ok(Some(OutgoingMail {
            to: Mailbox::new(Some(user.full_name()), old_email.parse()?),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            list_unsubscribe: None,
            attachments: Vec::new(),
        }))
    })
}
