//! Notifications a user controls: the devices that get push messages, which kinds of e-mail
//! arrive (urgent notices always do), and the one-click unsubscribe links in subscription
//! mail that work without logging in.

pub mod rules;
pub mod store;

use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::Role,
    platform::{
        db::{self, AuditedWrite},
        outbox::{
            devices::{self, Device, NewDevice},
            unsubscribe::EMAIL_KINDS,
        },
    },
};

use crate::platform::services::Services;
pub use store::{is_opted_out, opted_out_users};

/// Subscribes a device of the caller. Only endpoints of known push services are accepted,
/// so the server cannot be made to call internal hosts.
pub async fn subscribe_device(
    services: &Services,
    actor: &Actor,
    new: NewDevice<'_>,
) -> Result<Device, AppError> {
    let push = &services.settings.push;
    rules::check_endpoint(new.endpoint, &push.allowed_hosts, push.allow_insecure)
        .map_err(|err| AppError::invalid("endpoint", "endpoint_not_allowed", format!("{err}.")))?;
    if !rules::valid_subscription_keys(new.p256dh, new.auth) {
        return Err(AppError::invalid(
            "keys",
            "invalid_subscription_keys",
            "The subscription keys are not a P-256 key and a 16-byte secret.",
        ));
    }
    let txn = db::begin_write(&services.db).await?;
    let device = devices::save(&txn, actor.id, new, services.clock.now()).await?;
    // A phone that is reinstalled or a browser that is reset subscribes anew: the oldest
    // subscriptions beyond the limit are the ones no longer used.
    devices::keep_newest(&txn, actor.id, push.max_devices_per_user.into()).await?;
    txn.commit().await?;
    Ok(device)
}

/// Removes one of the caller's devices.
pub async fn unsubscribe_device(
    services: &Services,
    actor: &Actor,
    endpoint: &str,
) -> Result<(), AppError> {
    if devices::delete(&services.db, actor.id, endpoint).await? {
        Ok(())
    } else {
        Err(AppError::not_found("subscription"))
    }
}

/// One kind of notification e-mail and whether the user gets it.
pub struct EmailSetting {
    pub kind: &'static str,
    pub enabled: bool,
    /// False for urgent notices: they always arrive.
    pub can_change: bool,
}

/// The user's e-mail settings, one per kind. Notice e-mails go to parents only: staff have
/// none to set (their e-mails are about their account).
pub async fn email_settings(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<EmailSetting>, AppError> {
    if actor.role != Role::Parent {
        return Ok(Vec::new());
    }
    let opted_out = store::opt_outs(&services.db, actor.id).await?;
    Ok(EMAIL_KINDS
        .iter()
        .map(|&(kind, can_change)| EmailSetting {
            kind,
            enabled: !opted_out.iter().any(|o| o == kind),
            can_change,
        })
        .collect())
}

/// Switches a kind of e-mail on or off for a parent. Urgent notices cannot be switched off
/// (409 `urgent_always_on`); an unknown kind, or any kind for staff, is 404.
pub async fn set_email_setting(
    services: &Services,
    actor: &Actor,
    kind: &str,
    enabled: bool,
) -> Result<Vec<EmailSetting>, AppError> {
    let user_id = actor.id;
    let known = EMAIL_KINDS.iter().find(|(known, _)| *known == kind);
    match known.filter(|_| actor.role == Role::Parent) {
        None => return Err(AppError::not_found("notification kind")),
        Some((_, false)) if !enabled => {
            return Err(AppError::conflict(
                "urgent_always_on",
                "Urgent notices always arrive; they cannot be switched off.",
            ));
        }
        Some((_, false)) => {}
        Some(_) => {
            store::set_opt_out(&services.db, user_id, kind, !enabled, services.clock.now()).await?
        }
    }
    email_settings(services, actor).await
}

/// Switches off the kind of e-mail an unsubscribe link names, for the parent it names.
/// `None` when the link is not valid (not ours, older than a year, or made for another
/// address). Clicking again (or a mail scanner replaying the POST) writes nothing.
pub async fn unsubscribe_by_link(
    services: &Services,
    token: &str,
) -> Result<Option<String>, AppError> {
    let links = &services.unsubscribe_links;
    let Some(wanted) = links.claim(token) else {
        return Ok(None);
    };
    let Some(user) = crate::features::accounts::find_user(&services.db, wanted.user_id).await?
    else {
        return Ok(None);
    };
    if !links.verify(&wanted, &user.email, services.clock.now()) {
        return Ok(None);
    }
    if store::is_opted_out(&services.db, user.id, &wanted.kind).await? {
        return Ok(Some(wanted.kind));
    }
    let write = AuditedWrite::begin(services, user.id, "notifications.unsubscribe_link").await?;
    store::set_opt_out(write.txn(), user.id, &wanted.kind, true, write.now()).await?;
    let details = serde_json::json!({ "kind": wanted.kind });
    write.commit(format!("user:{}", user.id), details).await?;
    Ok(Some(wanted.kind))
}
