//! How a post reaches parents, as outbox handlers: a fan-out job turns a published post into
//! one row per (recipient, channel, device); urgent notices and messages are pushed to every
//! device, urgent notices are also e-mailed at once; news waits for the weekly batch.

use std::collections::BTreeSet;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::{
    Reply,
    rules::{AnswerNotice, PushNotice},
    store,
};
use crate::platform::services::Services;
use crate::{
    entities::{outbox::Channel, posts::PostKind, users::Language},
    platform::{
        audience, db,
        outbox::{
            self, Handler, Handlers, NewDelivery, OutboxRow, devices,
            mail::{OutgoingMail, recipient},
            push::{PushMessage, Urgency},
        },
    },
};

const FANOUT: &str = "post_fanout";
const PUSH: &str = "post_push";
const URGENT_MAIL: &str = "urgent_notice";
const ANSWER_PUSH: &str = "answer_push";
const REMINDER_MAIL: &str = "confirmation_reminder";
const UPDATE_PUSH: &str = "post_update_push";

/// Registers the post deliveries with the outbox.
pub fn register(handlers: &mut Handlers) {
    handlers.register(FANOUT, Handler::Fanout(fan_out));
    handlers.register(PUSH, Handler::Push(push_message));
    handlers.register(URGENT_MAIL, Handler::Mail(urgent_mail));
    handlers.register(ANSWER_PUSH, Handler::Push(answer_message));
    handlers.register(REMINDER_MAIL, Handler::Mail(reminder_mail));
    handlers.register(UPDATE_PUSH, Handler::Push(update_message));
}

/// Every delivery of a post has a dedupe key starting with this.
pub fn dedupe_prefix(post_id: i32) -> String {
    format!("post:{post_id}:")
}

/// The job that fans a newly published post out; queued with the post.
pub fn fan_out_job(post: &super::Post) -> NewDelivery {
    NewDelivery {
        channel: Channel::Fanout,
        kind: FANOUT,
        user_id: None,
        dedupe_key: fan_out_key(post.id),
        payload: serde_json::json!({ "post_id": post.id }),
        urgent: post.kind == PostKind::Urgent,
    }
}

/// The dedupe key of a post's fan-out job.
pub fn fan_out_key(post_id: i32) -> String {
    format!("{}fanout", dedupe_prefix(post_id))
}

/// A push message to every device of `parents` that urgent notice `post` was changed.
pub async fn update_pushes(
    conn: &impl sea_orm::ConnectionTrait,
    post: &super::Post,
    parents: &[i32],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<NewDelivery>, sea_orm::DbErr> {
    let prefix = format!(
        "{}update:{}:",
        dedupe_prefix(post.id),
        now.timestamp_millis()
    );
    Ok(devices::of_users(conn, parents.to_vec())
        .await?
        .into_iter()
        .map(|device| NewDelivery {
            channel: Channel::Push,
            kind: UPDATE_PUSH,
            user_id: Some(device.user_id),
            dedupe_key: format!("{prefix}push:{}", device.id),
            payload: serde_json::json!({ "post_id": post.id, "subscription_id": device.id }),
            urgent: true,
        })
        .collect())
}

/// "Updated:" before the title, in the recipient's language.
fn updated_title(language: Language, title: &str) -> String {
    let word = match language {
        Language::Nl => "Bijgewerkt",
        Language::De => "Aktualisiert",
        Language::En => "Updated",
    };
    format!("{word}: {title}")
}

fn update_message<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<PushMessage>>> {
    Box::pin(async move {
        let Some(mut message) = push_message(services, row).await? else {
            return Ok(None);
        };
        let Some(user) = recipient(&services.db, row).await? else {
            return Ok(None);
        };
        for payload in [&mut message.payload, &mut message.minimal_payload] {
            let title = payload["title"].as_str().unwrap_or_default().to_string();
            payload["title"] = updated_title(user.language, &title).into();
        }
        Ok(Some(message))
    })
}

/// Every delivery of a reminder to confirm a post starts with this.
pub fn reminder_prefix(post_id: i32) -> String {
    format!("{}reminder:", dedupe_prefix(post_id))
}

/// A reminder to confirm `post`: its push message again to every device of `parents`, and
/// an e-mail to each. `now` tells this reminder's deliveries from earlier ones.
pub async fn reminders(
    conn: &impl sea_orm::ConnectionTrait,
    post: &super::Post,
    parents: &[i32],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<NewDelivery>, sea_orm::DbErr> {
    let prefix = format!("{}{}:", reminder_prefix(post.id), now.timestamp_millis());
    let devices = devices::of_users(conn, parents.to_vec()).await?;
    let pushes = devices.into_iter().map(|device| NewDelivery {
        channel: Channel::Push,
        kind: PUSH,
        user_id: Some(device.user_id),
        dedupe_key: format!("{prefix}push:{}", device.id),
        payload: serde_json::json!({ "post_id": post.id, "subscription_id": device.id }),
        urgent: post.kind == PostKind::Urgent,
    });
    let mails = parents.iter().map(|&user_id| NewDelivery {
        channel: Channel::Email,
        kind: REMINDER_MAIL,
        user_id: Some(user_id),
        dedupe_key: format!("{prefix}email:{user_id}"),
        payload: serde_json::json!({ "post_id": post.id }),
        urgent: post.kind == PostKind::Urgent,
    });
    Ok(pushes.chain(mails).collect())
}

fn reminder_mail<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(post_mail(services, row, REMINDER_MAIL, true))
}

/// A push message to every device of the parent whose thread a member of staff answered.
pub async fn answer_pushes(
    conn: &impl sea_orm::ConnectionTrait,
    answer: &Reply,
) -> Result<Vec<NewDelivery>, sea_orm::DbErr> {
    let prefix = dedupe_prefix(answer.post_id);
    Ok(devices::of_users(conn, vec![answer.parent_id])
        .await?
        .into_iter()
        .map(|device| NewDelivery {
            channel: Channel::Push,
            kind: ANSWER_PUSH,
            user_id: Some(device.user_id),
            dedupe_key: format!("{prefix}answer:{}:push:{}", answer.id, device.id),
            payload: serde_json::json!({ "reply_id": answer.id, "subscription_id": device.id }),
            urgent: false,
        })
        .collect())
}

#[derive(Deserialize)]
struct AnswerPayload {
    reply_id: i32,
    subscription_id: i32,
}

fn answer_message<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<PushMessage>>> {
    Box::pin(async move {
        let payload: AnswerPayload = serde_json::from_value(row.payload.clone())?;
        let Some(answer) = store::find_reply(&services.db, payload.reply_id).await? else {
            return Ok(None);
        };
        let Some(post) = store::find(&services.db, answer.post_id).await? else {
            return Ok(None);
        };
        let author = answer.author_id.unwrap_or_default();
        let names = store::names_of(&services.db, vec![author]).await?;
        let author_name = names.get(&author).map(String::as_str).unwrap_or_default();
        let notice = AnswerNotice::new(post.id, &post.title, author_name, &answer.body);
        Ok(Some(PushMessage {
            subscription_id: payload.subscription_id,
            payload: notice.to_payload(),
            minimal_payload: notice.minimal().to_payload(),
            topic: Some(format!("answer-{}", post.id)),
            urgency: Urgency::Normal,
            ttl_seconds: services.settings.push.ttl_seconds,
        }))
    })
}

#[derive(Deserialize)]
struct PostPayload {
    post_id: i32,
}

#[derive(Deserialize)]
struct PushPayload {
    post_id: i32,
    subscription_id: i32,
}

fn fan_out<'a>(services: &'a Services, row: &'a OutboxRow) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(fan_out_post(services, row))
}

/// Turns a post into one outbox row per (recipient, channel, device), all or nothing: the
/// rows and the fan-out job's own "sent" are one transaction, so a crash half-way leaves no
/// half-done fan-out behind, and the next worker does it whole at once.
async fn fan_out_post(services: &Services, row: &OutboxRow) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let payload: PostPayload = serde_json::from_value(row.payload.clone())?;
    let Some(post) = store::find(&services.db, payload.post_id).await? else {
        return Ok(());
    };
    let post_audience = store::audience(&services.db, &post).await?;
    let parents: BTreeSet<i32> = audience::parents_reached(&services.db, &post_audience)
        .await?
        .into_iter()
        .map(|reached| reached.parent.id)
        .collect();
    let prefix = dedupe_prefix(post.id);
    let mut deliveries = Vec::new();
    // Push messages first: they are the fastest way to reach a parent. News reaches
    // parents in the weekly batch, not as a push message.
    let urgent = post.kind == PostKind::Urgent;
    if post.kind != PostKind::News {
        let devices = devices::of_users(&services.db, parents.iter().copied().collect()).await?;
        deliveries.extend(devices.into_iter().map(|device| NewDelivery {
            channel: Channel::Push,
            kind: PUSH,
            user_id: Some(device.user_id),
            dedupe_key: format!("{prefix}push:{}", device.id),
            payload: serde_json::json!({ "post_id": post.id, "subscription_id": device.id }),
            urgent,
        }));
    }
    if urgent {
        deliveries.extend(parents.iter().map(|&user_id| NewDelivery {
            channel: Channel::Email,
            kind: URGENT_MAIL,
            user_id: Some(user_id),
            dedupe_key: format!("{prefix}email:{user_id}"),
            payload: serde_json::json!({ "post_id": post.id }),
            urgent,
        }));
    }
    let count = deliveries.len();
    let looked_up = started.elapsed();
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    outbox::enqueue(&txn, deliveries, now).await?;
    outbox::mark_sent(&txn, [row.id], now).await?;
    txn.commit().await?;
    outbox::refresh_statistics_after(&services.db, count).await;
    tracing::info!(
        post_id = post.id,
        deliveries = count,
        lookup_ms = looked_up.as_millis(),
        total_ms = started.elapsed().as_millis(),
        "fanned out"
    );
    Ok(())
}

fn push_message<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<PushMessage>>> {
    Box::pin(async move {
        let payload: PushPayload = serde_json::from_value(row.payload.clone())?;
        let Some(post) = store::find(&services.db, payload.post_id).await? else {
            return Ok(None);
        };
        let notice = PushNotice::new(post.id, post.kind, &post.title, &post.body);
        let push = &services.settings.push;
        let (urgency, ttl_seconds) = match post.kind {
            PostKind::Urgent => (Urgency::High, push.urgent_ttl_seconds),
            _ => (Urgency::Normal, push.ttl_seconds),
        };
        Ok(Some(PushMessage {
            subscription_id: payload.subscription_id,
            payload: notice.to_payload(),
            minimal_payload: notice.minimal().to_payload(),
            topic: Some(format!("post-{}", post.id)),
            urgency,
            ttl_seconds,
        }))
    })
}

fn urgent_mail<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(post_mail(services, row, URGENT_MAIL, false))
}

/// The e-mail `template` about the row's post to the row's parent, linking to the post;
/// `unless_confirmed`: not to a parent who has confirmed it since it was queued (reminders).
async fn post_mail(
    services: &Services,
    row: &OutboxRow,
    template: &str,
    unless_confirmed: bool,
) -> anyhow::Result<Option<OutgoingMail>> {
    let Some(user) = recipient(&services.db, row).await? else {
        return Ok(None);
    };
    let payload: PostPayload = serde_json::from_value(row.payload.clone())?;
    let Some(post) = store::find(&services.db, payload.post_id).await? else {
        return Ok(None);
    };
    if unless_confirmed {
        let receipt = store::receipts_of_user(&services.db, user.id, vec![post.id]).await?;
        if receipt
            .get(&post.id)
            .is_some_and(|r| r.confirmed_at.is_some())
        {
            return Ok(None);
        }
    }
    let settings = &services.settings;
    let link = format!("{}/posts/{}", settings.public_url(), post.id);
    let values = serde_json::json!({ "title": post.title, "body": post.body });
    let mail =
        services
            .templates
            .action_mail(&settings.school.name, &user, template, values, &link)?;
    Ok(Some(mail))
}
