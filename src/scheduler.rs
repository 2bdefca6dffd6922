//! The scheduled jobs: the digest of messages and the news batch. Each tick of a job's
//! schedule becomes one `scheduled_runs` row, taken by one process under a lease; the run
//! queues one outbox mail per parent with a dedupe key per (run, parent), so a run that is
//! resumed after a crash queues nothing twice, and the outbox sends each mail once.

use chrono::{DateTime, Duration, Utc};

use crate::{
    digest,
    domain::{posts::PostKind, schedule::Job},
    state::AppState,
    store::{self, outbox::NewDelivery, scheduled_runs::ScheduledRun},
};

/// How long one process may work on a run before another may take it over.
const RUN_LEASE_MINUTES: i64 = 10;

/// Runs every job whose latest tick (within the catch-up window) has not run yet. After
/// downtime over several ticks, only the latest one runs, once.
pub async fn run_due(state: &AppState) -> anyhow::Result<Vec<ScheduledRun>> {
    let now = state.clock.now();
    let catch_up = Duration::hours(state.settings.schedule.catch_up_hours.into());
    let mut finished = Vec::new();
    for job in Job::ALL {
        let schedule = state.settings.job_schedule(job)?;
        let Some(tick) = schedule.latest_due(now, catch_up) else {
            continue;
        };
        let triggered_by = if now - tick > Duration::minutes(5) {
            "catch_up"
        } else {
            "schedule"
        };
        if let Some(run) = take_and_run(state, job, tick, triggered_by).await? {
            finished.push(run);
        }
    }
    Ok(finished)
}

/// Runs `job` now, for everything since its last run (the admin's "run now").
pub async fn run_now(state: &AppState, job: Job) -> anyhow::Result<Option<ScheduledRun>> {
    take_and_run(state, job, state.clock.now(), "admin").await
}

async fn take_and_run(
    state: &AppState,
    job: Job,
    tick: DateTime<Utc>,
    triggered_by: &str,
) -> anyhow::Result<Option<ScheduledRun>> {
    let now = state.clock.now();
    let lease = Duration::minutes(RUN_LEASE_MINUTES);
    let Some(run) =
        store::scheduled_runs::take(&state.db, job.code(), tick, triggered_by, now, lease).await?
    else {
        return Ok(None);
    };
    let recipients = queue_mails(state, job, &run).await?;
    let finished_at = state.clock.now();
    store::scheduled_runs::finish(&state.db, run.id, recipients, finished_at).await?;
    state.outbox_wakeup.notify_one();
    tracing::info!(job = job.code(), tick = %tick, recipients, "scheduled run done");
    Ok(Some(ScheduledRun {
        status: store::scheduled_runs::STATUS_DONE.into(),
        recipients,
        finished_at: Some(finished_at),
        lease_until: None,
        ..run
    }))
}

/// Queues one mail per parent with something new in the run's period; returns how many.
async fn queue_mails(state: &AppState, job: Job, run: &ScheduledRun) -> anyhow::Result<i32> {
    let (kind, opt_out_kind) = match job {
        Job::Digest => (PostKind::Message, "messages"),
        Job::NewsBatch => (PostKind::News, "news"),
    };
    let tick = run.scheduled_for;
    // The period starts where the previous run of this job ended; the first run covers one
    // period of the schedule.
    let after = match store::scheduled_runs::previous_done(&state.db, job.code(), tick).await? {
        Some(previous) => Some(previous.scheduled_for),
        None => state
            .settings
            .job_schedule(job)?
            .latest_due(tick - Duration::seconds(1), Duration::days(31)),
    };
    let opted_out = store::push::opted_out_users(&state.db, opt_out_kind).await?;
    let digests = digest::contents(&state.db, kind, after, tick).await?;
    let deliveries: Vec<NewDelivery> = digests
        .into_values()
        .filter(|digest| !opted_out.contains(&digest.parent.id))
        .map(|digest| NewDelivery {
            channel: crate::delivery::CHANNEL_EMAIL,
            kind: job.code(),
            user_id: Some(digest.parent.id),
            dedupe_key: format!("{}:{}:{}", job.code(), run.id, digest.parent.id),
            payload: serde_json::json!({
                "run_id": run.id,
                "post_ids": digest.items.iter().map(|item| item.post.id).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let recipients = deliveries.len() as i32;
    store::outbox::enqueue_many(&state.db, deliveries, state.clock.now()).await?;
    Ok(recipients)
}
