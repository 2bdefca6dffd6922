//! The scheduled jobs: the digest of messages and the news batch. Each tick of a job's
//! schedule becomes one `scheduled_runs` row, taken by one process under a lease; the run
//! queues one outbox mail per parent with a dedupe key per (run, parent), so a run that is
//! resumed after a crash queues nothing twice, and the outbox sends each mail once.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

use crate::{
    digest,
    domain::schedule::Job,
    entities::users,
    state::AppState,
    store::{self, outbox::NewDelivery, scheduled_runs::ScheduledRun},
};

/// How long one process may work on a run before another may take it over.
const RUN_LEASE_MINUTES: i64 = 10;

/// Runs every job whose latest tick (within the catch-up window) has not run yet. After
/// downtime over several ticks, only the latest one runs, once.
pub async fn run_due(state: &AppState) -> anyhow::Result<Vec<ScheduledRun>> {
    let mut finished = Vec::new();
    for job in Job::ALL {
        let Clear::Yes(resumed) = finish_abandoned_run(state, job).await? else {
            continue;
        };
        finished.extend(resumed);
        let now = state.clock.now();
        let catch_up = Duration::hours(state.settings.schedule.catch_up_hours.into());
        let Some(tick) = state.settings.job_schedule(job)?.latest_due(now, catch_up) else {
            continue;
        };
        // Run already (or an admin's "run now" after it took its posts): nothing to do, and
        // no failing insert every check.
        if store::scheduled_runs::latest_tick(&state.db, job.code())
            .await?
            .is_some_and(|latest| latest >= tick)
        {
            continue;
        }
        let triggered_by = if now - tick > Duration::minutes(5) {
            "catch_up"
        } else {
            "schedule"
        };
        finished.extend(take_and_run(state, job, tick, triggered_by).await?);
    }
    Ok(finished)
}

/// Whether a new run of a job may start, with the abandoned run finished on the way.
enum Clear {
    Yes(Option<ScheduledRun>),
    /// Another process works on a run of the job: runs of one job never overlap.
    No,
}

/// Resumes the job's run whose process died, so its mails go out before a newer run starts
/// (the database allows one unfinished run per job).
async fn finish_abandoned_run(state: &AppState, job: Job) -> anyhow::Result<Clear> {
    let Some(run) = store::scheduled_runs::unfinished(&state.db, job.code()).await? else {
        return Ok(Clear::Yes(None));
    };
    if run
        .lease_until
        .is_some_and(|until| until > state.clock.now())
    {
        return Ok(Clear::No);
    }
    Ok(
        match take_and_run(state, job, run.scheduled_for, &run.triggered_by).await? {
            Some(done) => Clear::Yes(Some(done)),
            // Another process took it over a moment ago.
            None => Clear::No,
        },
    )
}

/// Runs until `shutdown` turns true: starts due runs every `schedule.check_seconds`.
pub async fn run_periodically(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let interval = StdDuration::from_secs(state.settings.schedule.check_seconds.into());
    loop {
        if let Err(err) = run_due(&state).await {
            tracing::error!(error = ?err, "scheduled run failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Runs `job` now, for everything since its last run (the admin's "run now"). `None` while
/// another run of the job is in progress.
pub async fn run_now(state: &AppState, job: Job) -> anyhow::Result<Option<ScheduledRun>> {
    if let Clear::No = finish_abandoned_run(state, job).await? {
        return Ok(None);
    }
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

/// The start of the dedupe keys of a run's mails: one key per (run, parent).
pub fn dedupe_prefix(job: Job, run_id: i32) -> String {
    format!("{}:{run_id}:", job.code())
}

/// How far back the job's first run ever looks (one period of its schedule), so installing
/// Schoolgate on a school's old data does not mail years of posts (the first run marks them
/// as covered); later runs list every post no run listed yet, however late it was saved.
pub async fn first_run_since(
    state: &AppState,
    job: Job,
    tick: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    if store::scheduled_runs::previous_done(&state.db, job.code(), tick)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    Ok(state
        .settings
        .job_schedule(job)?
        .latest_due(tick - Duration::seconds(1), Duration::days(31)))
}

/// Queues one mail per parent with something in the run's posts (those up to its tick that
/// no earlier run listed) and records the posts as listed by this run, in one transaction;
/// returns how many mails. Safe to repeat for the same run (a resumed run): the same posts,
/// and rows queued before are kept as they are.
pub async fn queue_mails(state: &AppState, job: Job, run: &ScheduledRun) -> anyhow::Result<i32> {
    let tick = run.scheduled_for;
    let since = first_run_since(state, job, tick).await?;
    let posts =
        store::posts::for_run(&state.db, job.post_kind().code(), Some(run.id), since, tick).await?;
    let post_ids: Vec<i32> = posts.iter().map(|post| post.id).collect();
    let opted_out = store::push::opted_out_users(&state.db, job.email_kind()).await?;
    let digests = digest::contents(&state.db, posts).await?;
    let deliveries: Vec<NewDelivery> = digests
        .into_values()
        .filter(|digest| !opted_out.contains(&digest.parent.id))
        .map(|digest| NewDelivery {
            channel: crate::delivery::CHANNEL_EMAIL,
            kind: job.code(),
            user_id: Some(digest.parent.id),
            dedupe_key: format!("{}{}", dedupe_prefix(job, run.id), digest.parent.id),
            payload: serde_json::json!({
                "run_id": run.id,
                "post_ids": digest.items.iter().map(|item| item.post.id).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let recipients = deliveries.len() as i32;
    let txn = store::begin_write(&state.db).await?;
    store::outbox::enqueue_many(&txn, deliveries, state.clock.now()).await?;
    store::posts::mark_included(&txn, post_ids, run.id).await?;
    if let Some(since) = since {
        // The first run's older posts are not mailed, and no later run may mail them either.
        store::posts::mark_unlisted_covered(&txn, job.post_kind().code(), since, run.id).await?;
    }
    txn.commit().await?;
    Ok(recipients)
}

/// What one parent's mail of `job` would hold if the job ran now.
pub struct Preview {
    /// Only posts after this (the job's first run); otherwise every post not mailed yet.
    pub since: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
    pub items: Vec<digest::DigestItem>,
    /// Whether the parent switched this kind of e-mail off.
    pub opted_out: bool,
    /// The mail as it would be sent; `None` when there is nothing new.
    pub mail: Option<digest::DigestMail>,
}

pub async fn preview(state: &AppState, job: Job, parent: &users::Model) -> anyhow::Result<Preview> {
    let until = state.clock.now();
    let since = first_run_since(state, job, until).await?;
    // The same computation as a real run, so the preview cannot drift from what is sent.
    let posts =
        store::posts::for_run(&state.db, job.post_kind().code(), None, since, until).await?;
    let items = digest::contents(&state.db, posts)
        .await?
        .remove(&parent.id)
        .map(|digest| digest.items)
        .unwrap_or_default();
    let opted_out = store::push::is_opted_out(&state.db, parent.id, job.email_kind()).await?;
    let mail = if items.is_empty() {
        None
    } else {
        Some(digest::render(state, job, parent, &items)?)
    };
    Ok(Preview {
        since,
        until,
        items,
        opted_out,
        mail,
    })
}
