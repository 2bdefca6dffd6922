//! The outbox worker, the only sender: it claims due rows, asks the handler registered for
//! each row's kind what to send (rendered at send time, so one-time links are made only when
//! mailed and never stored in clear), sends it, and records the outcome. Transient failures
//! are retried with exponential backoff; permanent ones are recorded as failed.

use std::time::Duration as StdDuration;

use chrono::Duration;
use futures_util::StreamExt;
use tokio::sync::watch;

use super::{
    Handler, OutboxRow, claim_due, devices, mail::SendError, mark_attempt_failed, mark_sent,
    push::PushOutcome,
};
use crate::platform::services::Services;

/// Rows claimed at once.
const BATCH: u64 = 64;
/// After this many failed attempts a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// Deliveries sent at the same time by one worker.
pub const CONCURRENCY: usize = 32;

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

/// Sends everything that is due now, batch after batch, and reports what happened.
/// Public so tests and the command line can drain the outbox without waiting for the worker.
pub async fn deliver_due(services: &Services) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        let now = services.clock.now();
        let lease = Duration::seconds(services.settings.delivery.lease_seconds.into());
        let rows = claim_due(&services.db, now, lease, BATCH).await?;
        if rows.is_empty() {
            return Ok(report);
        }
        let outcomes: Vec<anyhow::Result<Outcome>> = futures_util::stream::iter(rows)
            .map(|row| deliver_one(services, row))
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

const NOTHING_TO_SEND: &str = "nothing to send any more (recipient gone or disabled, content \
     deleted, or this kind of e-mail switched off)";

#[tracing::instrument(skip_all, fields(outbox_id = row.id, channel = ?row.channel, kind = row.kind))]
async fn deliver_one(services: &Services, row: OutboxRow) -> anyhow::Result<Outcome> {
    let attempt = match services.outbox.handlers.for_row(&row) {
        Some(Handler::Mail(render)) => deliver_email(services, render(services, &row).await).await,
        Some(Handler::Push(render)) => match render(services, &row).await? {
            Some(message) => deliver_push(services, message).await?,
            None => Attempt::GiveUp(NOTHING_TO_SEND.into()),
        },
        Some(Handler::Fanout(work)) => {
            work(services, &row).await?;
            Attempt::Done
        }
        None => Attempt::GiveUp(format!(
            "no handler for kind '{}' on channel {:?}",
            row.kind, row.channel
        )),
    };
    let now = services.clock.now();
    let attempt_number = row.attempts + 1;
    let (error, retry_at) = match attempt {
        Attempt::Done => {
            // Recorded at once, per message: a crash right after a send can repeat at most
            // the messages in flight, not a whole batch.
            mark_sent(&services.db, row.id, now).await?;
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
    mark_attempt_failed(&services.db, row.id, &error, retry_at).await?;
    Ok(if retry_at.is_some() {
        Outcome::Retrying
    } else {
        Outcome::Failed
    })
}

async fn deliver_email(
    services: &Services,
    rendered: anyhow::Result<Option<super::mail::OutgoingMail>>,
) -> Attempt {
    match rendered {
        Ok(Some(mail)) => match services.mailer.send(mail).await {
            Ok(()) => Attempt::Done,
            Err(SendError {
                message,
                transient: true,
            }) => Attempt::Transient(message),
            Err(SendError { message, .. }) => Attempt::GiveUp(message),
        },
        Ok(None) => Attempt::GiveUp(NOTHING_TO_SEND.into()),
        Err(err) => Attempt::GiveUp(format!("rendering: {err:#}")),
    }
}

async fn deliver_push(
    services: &Services,
    message: super::push::PushMessage,
) -> anyhow::Result<Attempt> {
    let Some(device) = devices::find(&services.db, message.subscription_id).await? else {
        return Ok(Attempt::GiveUp("the device unsubscribed".into()));
    };
    Ok(match services.pusher.send(&device, &message).await {
        PushOutcome::Delivered => Attempt::Done,
        PushOutcome::Gone => {
            devices::delete_by_id(&services.db, device.id).await?;
            Attempt::GiveUp("subscription expired (404/410): removed".into())
        }
        PushOutcome::RetryAfter(wait) => Attempt::RetryAt(
            services.clock.now() + Duration::from_std(wait).unwrap_or(Duration::seconds(60)),
            "push service asked to wait (429)".into(),
        ),
        PushOutcome::Transient(error) => Attempt::Transient(error),
        PushOutcome::Permanent(error) => Attempt::GiveUp(error),
    })
}

/// Runs until `shutdown` turns true: delivers due rows whenever woken, and at least every
/// few seconds (for retries that became due).
pub async fn run(services: Services, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(err) = deliver_due(&services).await {
            tracing::error!(error = ?err, "delivery pass failed");
        }
        tokio::select! {
            _ = services.outbox.woken() => {}
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
}
