//! The outbox worker, the only sender: it claims due rows, asks the handler registered for
//! each row's kind what to send (rendered at send time, so one-time links are made only when
//! mailed and never stored in clear), sends it, and records the outcome. Transient failures
//! are retried with exponential backoff; permanent ones are recorded as failed.

use std::{collections::HashSet, time::Duration as StdDuration};

use chrono::{DateTime, Duration, Utc};
use tokio::{
    sync::{mpsc, oneshot, watch},
    task::JoinSet,
    time::Instant,
};

use super::{
    Claimant, Handler, NextTry, OutboxRow, claim_due, devices, mail::SendError,
    mark_attempt_failed, mark_sent, next_due, push::PushOutcome, release_claims, renew_claims,
};
use crate::{app::config::RetryPolicy, entities::outbox::Channel, platform::services::Services};

/// Deliveries sent at the same time by one worker.
pub const CONCURRENCY: usize = 32;
/// How often a worker with room looks for deliveries that fell due while it was sending.
const TOP_UP: StdDuration = StdDuration::from_millis(100);
/// The longest the worker sleeps with nothing due: rows other processes queue without
/// waking this one are picked up within this time.
const IDLE_POLL: StdDuration = StdDuration::from_secs(5);

/// What one pass over the due rows did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Delay before retry number `attempt` (1-based) under `policy`: `first_seconds` doubling
/// up to `max_seconds`, then +-20% jitter so a school's devices do not retry in lockstep.
pub fn backoff(policy: &RetryPolicy, attempt: i32) -> Duration {
    let doubled = policy.first_seconds * 2f64.powi(attempt.clamp(1, 30) - 1);
    let jitter = 0.8 + 0.4 * fastrand::f64();
    let seconds = doubled.min(policy.max_seconds) * jitter;
    Duration::milliseconds((seconds * 1000.0) as i64)
}

/// The retry policy of a row: by channel, urgent or not.
fn policy_of<'a>(services: &'a Services, row: &OutboxRow) -> &'a RetryPolicy {
    let retry = &services.settings.delivery.retry;
    match (row.urgent, row.channel) {
        (true, Channel::Email) => &retry.urgent_email,
        (true, _) => &retry.urgent_push,
        (false, Channel::Email) => &retry.email,
        (false, _) => &retry.push,
    }
}

/// This process's claim on rows.
fn claimant(services: &Services) -> Claimant {
    Claimant {
        worker: services.outbox.worker_name.clone(),
        lease: Duration::seconds(services.settings.delivery.lease_seconds.into()),
    }
}

/// Sends everything that is due now and reports what happened. Public so tests and the
/// command line can drain the outbox without waiting for the worker.
pub async fn deliver_due(services: &Services) -> anyhow::Result<DeliveryReport> {
    let (_never, stop) = watch::channel(false);
    deliver_until_stopped(services, stop).await
}

/// Keeps up to `CONCURRENCY` deliveries in flight, claiming more (retries and urgent pushes
/// first) whenever half of them are done and every `TOP_UP` while there is room, so a retry
/// that falls due during a big send goes out at once; renews its claims while it works.
/// Returns when nothing more is due; once `stop` turns true it claims nothing more, and
/// after `delivery.shutdown_seconds` hands back what is not done for the next process.
async fn deliver_until_stopped(
    services: &Services,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<DeliveryReport> {
    let claimant = claimant(services);
    let sent_log = SentLog::start(services);
    let mut report = DeliveryReport::default();
    // Each send is a task of its own: it goes on while this loop waits for the database.
    let mut in_flight = JoinSet::new();
    let mut held: HashSet<i32> = HashSet::new();
    let mut renewal = tokio::time::interval((claimant.lease / 3).to_std()?);
    renewal.tick().await;
    let grace = StdDuration::from_secs(services.settings.delivery.shutdown_seconds.into());
    let mut stop_by: Option<Instant> = None;
    let mut top_up = tokio::time::interval(TOP_UP);
    top_up.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Whether the last claim took all there was: then the next claim waits for the top-up
    // tick (a claim per finished send would cost more than the sends).
    let mut drained = false;
    let mut topping_up = false;
    loop {
        if stop_by.is_none() && *stop.borrow() {
            stop_by = Some(Instant::now() + grace);
        }
        let room = CONCURRENCY - in_flight.len();
        let wanted = in_flight.is_empty() || topping_up || (!drained && room >= CONCURRENCY / 2);
        topping_up = false;
        if stop_by.is_none() && room > 0 && wanted {
            let rows =
                claim_due(&services.db, services.clock.now(), &claimant, room as u64).await?;
            drained = rows.len() < room;
            for row in rows {
                held.insert(row.id);
                let (services, sent_log) = (services.clone(), sent_log.clone());
                in_flight
                    .spawn(async move { (row.id, deliver_one(&services, &sent_log, row).await) });
            }
        }
        if in_flight.is_empty() {
            return Ok(report);
        }
        let deadline = stop_by.unwrap_or_else(|| Instant::now() + StdDuration::from_secs(86_400));
        tokio::select! {
            Some(joined) = in_flight.join_next() => {
                let Ok((id, outcome)) = joined else {
                    // Its row stays claimed until the lease runs out, then it is tried again.
                    tracing::error!("a delivery task panicked");
                    continue;
                };
                held.remove(&id);
                match outcome {
                    Ok(Outcome::Sent) => report.sent += 1,
                    Ok(Outcome::Retrying) => report.retrying += 1,
                    Ok(Outcome::Failed) => report.failed += 1,
                    // Left claimed: tried again once the lease runs out.
                    Err(err) => tracing::error!(outbox_id = id, error = ?err, "delivery not recorded"),
                }
            }
            _ = top_up.tick() => topping_up = true,
            _ = renewal.tick() => {
                let ids = held.iter().copied().collect();
                renew_claims(&services.db, &claimant, ids, services.clock.now()).await?;
            }
            _ = stop.changed(), if stop_by.is_none() => {}
            _ = tokio::time::sleep_until(deadline), if stop_by.is_some() => {
                // Sends still under way are dropped; their rows go back to the queue, so
                // at most these are sent twice.
                in_flight.abort_all();
                let handed_back = release_claims(&services.db, &claimant.worker, Some(held.into_iter().collect())).await?;
                tracing::warn!(handed_back, "stopped with deliveries under way: handed back");
                return Ok(report);
            }
        }
    }
}

/// Records sends as done. A send waits until its row is marked sent, so a crash or stop
/// repeats at most the sends in flight; but the rows that finish while one update runs
/// share the next update, instead of one commit per message (on PostgreSQL a commit per
/// push cost more than the push).
#[derive(Clone)]
struct SentLog(mpsc::UnboundedSender<(i32, oneshot::Sender<bool>)>);

impl SentLog {
    fn start(services: &Services) -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel::<(i32, oneshot::Sender<bool>)>();
        let services = services.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(CONCURRENCY);
            while receiver.recv_many(&mut batch, CONCURRENCY).await > 0 {
                let ids: Vec<i32> = batch.iter().map(|(id, _)| *id).collect();
                let recorded = mark_sent(&services.db, ids, services.clock.now()).await;
                if let Err(err) = &recorded {
                    tracing::error!(error = %err, "marking deliveries as sent failed");
                }
                for (_, done) in batch.drain(..) {
                    let _ = done.send(recorded.is_ok());
                }
            }
        });
        Self(sender)
    }

    async fn record(&self, id: i32) -> anyhow::Result<()> {
        let (done, recorded) = oneshot::channel();
        self.0
            .send((id, done))
            .map_err(|_| anyhow::anyhow!("the sent log has stopped"))?;
        anyhow::ensure!(recorded.await?, "marking as sent failed");
        Ok(())
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
    /// Recorded as done by its handler (a fan-out, in its own transaction).
    Recorded,
    /// Asked to wait until then (429): no failure.
    WaitUntil(DateTime<Utc>, String),
    /// Transient trouble: retried with backoff until the policy's deadline.
    Transient(String),
    GiveUp(String),
}

const NOTHING_TO_SEND: &str = "nothing to send any more (recipient gone or disabled, content \
     deleted, or this kind of e-mail switched off)";

#[tracing::instrument(skip_all, fields(outbox_id = row.id, channel = ?row.channel, kind = row.kind))]
async fn deliver_one(
    services: &Services,
    sent_log: &SentLog,
    row: OutboxRow,
) -> anyhow::Result<Outcome> {
    let attempt = match services.outbox.handlers.for_row(&row) {
        Some(Handler::Mail(render)) => deliver_email(services, render(services, &row).await).await,
        Some(Handler::Push(render)) => match render(services, &row).await? {
            Some(message) => deliver_push(services, message).await?,
            None => Attempt::GiveUp(NOTHING_TO_SEND.into()),
        },
        Some(Handler::Fanout(work)) => match work(services, &row).await {
            Ok(()) => Attempt::Recorded,
            Err(err) => Attempt::Transient(format!("{err:#}")),
        },
        None => Attempt::GiveUp(format!(
            "no handler for kind '{}' on channel {:?}",
            row.kind, row.channel
        )),
    };
    let now = services.clock.now();
    let (error, next) = match attempt {
        Attempt::Recorded => return Ok(Outcome::Sent),
        Attempt::Done => {
            sent_log.record(row.id).await?;
            return Ok(Outcome::Sent);
        }
        Attempt::WaitUntil(at, error) => (error, next_try(services, &row, at, false)),
        Attempt::Transient(error) => {
            let at = now + backoff(policy_of(services, &row), row.attempts + 1);
            (error, next_try(services, &row, at, true))
        }
        Attempt::GiveUp(error) => (error, NextTry::GiveUp),
    };
    let will_retry = next != NextTry::GiveUp;
    tracing::warn!(error = %error, attempt = row.attempts + 1, will_retry, "delivery failed");
    mark_attempt_failed(&services.db, row.id, &error, next).await?;
    Ok(if will_retry {
        Outcome::Retrying
    } else {
        Outcome::Failed
    })
}

/// Tried again at `at` unless that is past the policy's deadline for the row; `failed`:
/// the attempt counts as a failure (a throttled one does not).
fn next_try(services: &Services, row: &OutboxRow, at: DateTime<Utc>, failed: bool) -> NextTry {
    let policy = policy_of(services, row);
    let deadline = row.created_at + Duration::seconds(policy.give_up_after_seconds.into());
    match (at > deadline, failed) {
        (true, _) => NextTry::GiveUp,
        (false, true) => NextTry::RetryAt(at),
        (false, false) => NextTry::WaitUntil(at),
    }
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
        PushOutcome::RetryAfter(wait) => Attempt::WaitUntil(
            services.clock.now() + Duration::from_std(wait).unwrap_or(Duration::seconds(60)),
            "push service asked to wait (429)".into(),
        ),
        PushOutcome::Transient(error) => Attempt::Transient(error),
        PushOutcome::Permanent(error) => Attempt::GiveUp(error),
    })
}

/// Runs until `shutdown` turns true: first takes back the claims a dead predecessor of the
/// same name left, then delivers due rows whenever woken or when the next row falls due
/// (at least every few seconds, for rows other processes queue). On shutdown it stops
/// claiming at once and is done within `delivery.shutdown_seconds`.
pub async fn run(services: Services, mut shutdown: watch::Receiver<bool>) {
    let worker = services.outbox.worker_name.clone();
    match release_claims(&services.db, &worker, None).await {
        Ok(0) => {}
        Ok(taken_back) => {
            tracing::warn!(taken_back, %worker, "took back the claims of a previous run")
        }
        Err(err) => tracing::error!(error = ?err, "taking back earlier claims failed"),
    }
    loop {
        if let Err(err) = deliver_until_stopped(&services, shutdown.clone()).await {
            tracing::error!(error = ?err, "delivery pass failed");
        }
        if *shutdown.borrow() {
            return;
        }
        let wait = until_next_due(&services).await;
        tokio::select! {
            _ = services.outbox.woken() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// How long to sleep: until the next row falls due (a retry in 2 s goes out then, not at
/// the next poll), at least a moment and at most `IDLE_POLL`.
async fn until_next_due(services: &Services) -> StdDuration {
    let now = services.clock.now();
    match next_due(&services.db, now).await {
        Ok(Some(due)) => (due - now)
            .to_std()
            .unwrap_or_default()
            .clamp(StdDuration::from_millis(20), IDLE_POLL),
        Ok(None) => IDLE_POLL,
        Err(err) => {
            tracing::error!(error = ?err, "looking for the next due delivery failed");
            IDLE_POLL
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_policy_maximum() {
        let urgent = RetryPolicy {
            first_seconds: 1.5,
            max_seconds: 120.0,
            give_up_after_seconds: 21_600,
        };
        for _ in 0..100 {
            let first = backoff(&urgent, 1).num_milliseconds();
            assert!((1200..=1800).contains(&first), "{first}");
            let third = backoff(&urgent, 3).num_milliseconds();
            assert!((4800..=7200).contains(&third), "{third}");
            let late = backoff(&urgent, 20).num_milliseconds();
            assert!((96_000..=144_000).contains(&late), "{late}");
        }
    }
}
