//! Delivery of notifications from the durable outbox. The worker is the only sender: it claims
//! due rows, renders them at send time (so one-time links are created only when mailed and
//! never stored in clear), sends, and records the outcome. Transient failures are retried
//! with exponential backoff; permanent ones are recorded as failed.

pub mod mail;
pub mod push;
pub mod templates;

use std::time::Duration as StdDuration;

use chrono::Duration;
use serde::Deserialize;
use tokio::sync::watch;

use std::collections::BTreeSet;

use futures_util::StreamExt;
use web_push::Urgency;

use crate::{
    digest,
    domain::{
        accounts::AccountState,
        language::Language,
        posts::{PostKind, PushNotice},
        schedule::Job,
        tokens::TokenPurpose,
    },
    entities::users,
    state::AppState,
    store::{
        self,
        outbox::{NewDelivery, OutboxRow},
    },
};
use mail::{OutgoingMail, SendError};
use push::PushOutcome;
use templates::MailParts;

/// Rows claimed at once.
const BATCH: u64 = 64;
/// After this many failed attempts a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;

pub const CHANNEL_EMAIL: &str = "email";
pub const CHANNEL_PUSH: &str = "push";
/// A job that turns one post into its per-recipient deliveries.
pub const CHANNEL_FANOUT: &str = "fanout";

/// The kinds of mail the outbox knows how to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    PasswordReset,
    Activation,
    UrgentNotice,
    /// A scheduled job's mail (digest, news batch); its code is the job's.
    Scheduled(Job),
}

impl MailKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::Activation => "activation",
            Self::UrgentNotice => "urgent_notice",
            Self::Scheduled(job) => job.code(),
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code {
            "password_reset" => Some(Self::PasswordReset),
            "activation" => Some(Self::Activation),
            "urgent_notice" => Some(Self::UrgentNotice),
            other => Job::parse(other).map(Self::Scheduled),
        }
    }
}

/// What one pass over the due rows did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Delay before retry number `attempt` (1-based): 30 s doubling, at most one hour.
pub fn backoff(attempt: i32) -> Duration {
    let exponent = attempt.clamp(1, 8) - 1;
    Duration::seconds((30_i64 << exponent).min(3600))
}

/// Deliveries sent at the same time by one worker.
pub const CONCURRENCY: usize = 32;

/// Sends everything that is due now, batch after batch, and reports what happened.
/// Public so tests and the CLI can drain the outbox without waiting for the worker.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        let now = state.clock.now();
        let lease = Duration::seconds(state.settings.delivery.lease_seconds.into());
        let rows = store::outbox::claim_due(&state.db, now, lease, BATCH).await?;
        if rows.is_empty() {
            return Ok(report);
        }
        let outcomes: Vec<anyhow::Result<Outcome>> = futures_util::stream::iter(rows)
            .map(|row| deliver_one(state, row))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for outcome in outcomes {
            match outcome? {
                Outcome::Sent => report.sent += 1,
                Outcome::Retrying => report.retrying += 1,
                Outcome::Failed => report.failed += 1,
            }
        }
    }
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}

/// How one attempt went, before it is recorded.
enum Attempt {
    Done,
    RetryAt(chrono::DateTime<chrono::Utc>, String),
    /// Transient trouble: retried with backoff while attempts remain.
    Transient(String),
    GiveUp(String),
}

#[tracing::instrument(skip_all, fields(outbox_id = row.id, channel = row.channel, kind = row.kind))]
async fn deliver_one(state: &AppState, row: OutboxRow) -> anyhow::Result<Outcome> {
    let attempt = match row.channel.as_str() {
        CHANNEL_EMAIL => deliver_email(state, &row).await,
        CHANNEL_PUSH => deliver_push(state, &row).await?,
        CHANNEL_FANOUT => {
            fan_out(state, &row).await?;
            Attempt::Done
        }
        other => Attempt::GiveUp(format!("unknown channel '{other}'")),
    };
    let now = state.clock.now();
    let attempt_number = row.attempts + 1;
    let (error, retry_at) = match attempt {
        Attempt::Done => {
            // Recorded at once, per message: a crash right after a send can repeat at most
            // the messages in flight, not a whole batch.
            store::outbox::mark_sent(&state.db, &[row.id], now).await?;
            return Ok(Outcome::Sent);
        }
        Attempt::RetryAt(at, error) => (error, Some(at)),
        Attempt::Transient(error) => {
            let retry_at = (attempt_number < MAX_ATTEMPTS).then(|| now + backoff(attempt_number));
            (error, retry_at)
        }
        Attempt::GiveUp(error) => (error, None),
    };
    tracing::warn!(error = %error, attempt = attempt_number, will_retry = retry_at.is_some(), "delivery failed");
    store::outbox::mark_attempt_failed(&state.db, row.id, &error, retry_at).await?;
    Ok(if retry_at.is_some() {
        Outcome::Retrying
    } else {
        Outcome::Failed
    })
}

async fn deliver_email(state: &AppState, row: &OutboxRow) -> Attempt {
    match render(state, row).await {
        Ok(Some(mail)) => match state.mailer.send(mail).await {
            Ok(()) => Attempt::Done,
            Err(SendError {
                message,
                transient: true,
            }) => Attempt::Transient(message),
            Err(SendError { message, .. }) => Attempt::GiveUp(message),
        },
        Ok(None) => Attempt::GiveUp(
            "nothing to send any more (recipient gone or disabled, content deleted, or \
             this kind of e-mail switched off)"
                .into(),
        ),
        Err(err) => Attempt::GiveUp(format!("rendering: {err:#}")),
    }
}

#[derive(Deserialize)]
struct PushPayload {
    post_id: i32,
    subscription_id: i32,
}

async fn deliver_push(state: &AppState, row: &OutboxRow) -> anyhow::Result<Attempt> {
    let payload: PushPayload = serde_json::from_value(row.payload.clone())?;
    let Some(subscription) =
        store::push::find_subscription(&state.db, payload.subscription_id).await?
    else {
        return Ok(Attempt::GiveUp("the device unsubscribed".into()));
    };
    let Some(post) = store::posts::find(&state.db, payload.post_id).await? else {
        return Ok(Attempt::GiveUp("the post was deleted".into()));
    };
    let kind = PostKind::parse(&post.kind).unwrap_or(PostKind::Message);
    let notice = PushNotice::new(post.id, kind, &post.title, &post.body);
    let (urgency, ttl) = match kind {
        PostKind::Urgent => (Urgency::High, state.settings.push.urgent_ttl_seconds),
        _ => (Urgency::Normal, state.settings.push.ttl_seconds),
    };
    Ok(
        match state
            .pusher
            .send(&subscription, &notice, urgency, ttl)
            .await
        {
            PushOutcome::Delivered => Attempt::Done,
            PushOutcome::Gone => {
                store::push::delete_subscription_by_id(&state.db, subscription.id).await?;
                Attempt::GiveUp("subscription expired (404/410): removed".into())
            }
            PushOutcome::RetryAfter(wait) => Attempt::RetryAt(
                state.clock.now() + Duration::from_std(wait).unwrap_or(Duration::seconds(60)),
                "push service asked to wait (429)".into(),
            ),
            PushOutcome::Transient(error) => Attempt::Transient(error),
            PushOutcome::Permanent(error) => Attempt::GiveUp(error),
        },
    )
}

#[derive(Deserialize)]
struct FanOutPayload {
    post_id: i32,
}

/// Turns a post into one outbox row per (recipient, channel, device). Safe to repeat after
/// a crash: the dedupe keys make rows that exist already stay as they are.
async fn fan_out(state: &AppState, row: &OutboxRow) -> anyhow::Result<()> {
    let payload: FanOutPayload = serde_json::from_value(row.payload.clone())?;
    let Some(post) = store::posts::find(&state.db, payload.post_id).await? else {
        return Ok(());
    };
    let kind = PostKind::parse(&post.kind).unwrap_or(PostKind::Message);
    let parents: BTreeSet<i32> = store::posts::addressed_parents(&state.db, &post)
        .await?
        .into_iter()
        .map(|addressed| addressed.parent.id)
        .collect();
    let mut deliveries = Vec::new();
    // Push messages first: they are the fastest way to reach a parent. News reaches
    // parents in the weekly batch, not as a push message.
    if kind != PostKind::News {
        let subscriptions =
            store::push::subscriptions_of_users(&state.db, parents.iter().copied().collect())
                .await?;
        deliveries.extend(subscriptions.into_iter().map(|subscription| NewDelivery {
            channel: CHANNEL_PUSH,
            kind: "post_push",
            user_id: Some(subscription.user_id),
            dedupe_key: format!("post:{}:push:{}", post.id, subscription.id),
            payload: serde_json::json!({ "post_id": post.id, "subscription_id": subscription.id }),
        }));
    }
    if kind == PostKind::Urgent {
        deliveries.extend(parents.iter().map(|&user_id| NewDelivery {
            channel: CHANNEL_EMAIL,
            kind: MailKind::UrgentNotice.code(),
            user_id: Some(user_id),
            dedupe_key: format!("post:{}:email:{user_id}", post.id),
            payload: serde_json::json!({ "post_id": post.id }),
        }));
    }
    let count = deliveries.len();
    store::outbox::enqueue_many(&state.db, deliveries, state.clock.now()).await?;
    tracing::info!(post_id = post.id, deliveries = count, "fanned out");
    Ok(())
}

/// Builds the mail of an outbox row, or `None` when there is nobody to send it to any more.
async fn render(state: &AppState, row: &OutboxRow) -> anyhow::Result<Option<OutgoingMail>> {
    let kind = MailKind::parse(&row.kind)
        .ok_or_else(|| anyhow::anyhow!("unknown outbox kind '{}'", row.kind))?;
    let Some(user_id) = row.user_id else {
        return Ok(None);
    };
    let Some(user) = store::users::find_by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    if AccountState::parse(&user.state) == Some(AccountState::Disabled) {
        return Ok(None);
    }
    if let MailKind::Scheduled(job) = kind {
        return scheduled_mail(state, job, &user, &row.payload).await;
    }
    let security = &state.settings.security;
    let now = state.clock.now();
    let school = &state.settings.school.name;
    let mut values = serde_json::json!({
        "first_name": user.first_name,
        "email": user.email,
        "school": school,
        "minutes": security.reset_token_minutes,
        "days": security.activation_token_days,
    });
    let token_link = |purpose, lifetime, path| async move {
        let token = store::tokens::issue(&state.db, user_id, purpose, lifetime, now).await?;
        anyhow::Ok(action_link(state.settings.public_url(), path, &token))
    };
    let link = match kind {
        MailKind::PasswordReset => {
            token_link(
                TokenPurpose::PasswordReset,
                Duration::minutes(security.reset_token_minutes),
                "reset-password",
            )
            .await?
        }
        MailKind::Activation => {
            if AccountState::parse(&user.state) != Some(AccountState::Invited) {
                return Ok(None);
            }
            token_link(
                TokenPurpose::Activation,
                Duration::days(security.activation_token_days),
                "activate",
            )
            .await?
        }
        MailKind::Scheduled(_) => unreachable!("rendered above"),
        MailKind::UrgentNotice => {
            let post_id = row.payload["post_id"].as_i64().unwrap_or_default() as i32;
            let Some(post) = store::posts::find(&state.db, post_id).await? else {
                return Ok(None);
            };
            values["title"] = post.title.into();
            values["body"] = post.body.into();
            format!("{}/posts/{post_id}", state.settings.public_url())
        }
    };
    let language = Language::parse(&user.language).unwrap_or(state.settings.default_language());
    let rendered = state.templates.render(
        kind.code(),
        language,
        school,
        values,
        MailParts {
            action_url: Some(&link),
            ..Default::default()
        },
    )?;
    Ok(Some(OutgoingMail {
        to: mailbox(&user)?,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        list_unsubscribe: None,
    }))
}

#[derive(Deserialize)]
struct ScheduledPayload {
    post_ids: Vec<i32>,
}

/// A digest or news-batch mail with the posts its run listed, read state as of now. Not
/// sent if the parent switched this kind off since the run, or every post was deleted.
async fn scheduled_mail(
    state: &AppState,
    job: Job,
    user: &users::Model,
    payload: &serde_json::Value,
) -> anyhow::Result<Option<OutgoingMail>> {
    let payload: ScheduledPayload = serde_json::from_value(payload.clone())?;
    if store::push::is_opted_out(&state.db, user.id, job.email_kind()).await? {
        return Ok(None);
    }
    let items = digest::items_now(&state.db, user.id, payload.post_ids).await?;
    if items.is_empty() {
        return Ok(None);
    }
    let rendered = digest::render(state, job, user, &items)?;
    Ok(Some(OutgoingMail {
        to: mailbox(user)?,
        subject: rendered.mail.subject,
        text: rendered.mail.text,
        html: rendered.mail.html,
        list_unsubscribe: rendered.one_click_unsubscribe_url,
    }))
}

fn mailbox(user: &users::Model) -> anyhow::Result<lettre::message::Mailbox> {
    Ok(lettre::message::Mailbox::new(
        Some(format!("{} {}", user.first_name, user.last_name)),
        user.email.parse()?,
    ))
}

/// The link a one-time token travels in. The token sits in the fragment, so it never
/// reaches a server log or a Referer header.
pub fn action_link(public_url: &str, path: &str, token: &str) -> String {
    format!("{}/{path}#token={token}", public_url.trim_end_matches('/'))
}

/// Runs until `shutdown` turns true: delivers due rows whenever woken, and at least every
/// few seconds (for retries that became due).
pub async fn run_worker(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(err) = deliver_due(&state).await {
            tracing::error!(error = ?err, "delivery pass failed");
        }
        tokio::select! {
            _ = state.outbox_wakeup.notified() => {}
            _ = tokio::time::sleep(StdDuration::from_secs(5)) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(20), Duration::seconds(3600));
    }

    #[test]
    fn tokens_travel_in_the_fragment() {
        assert_eq!(
            action_link("https://school.nl/", "activate", "abc"),
            "https://school.nl/activate#token=abc"
        );
    }
}
