//! Scheduled jobs: a registry of job handlers (the digest and the news batch today; later
//! retention and reminders), each with a cron schedule read in the school's time zone. Each
//! tick becomes one `scheduled_runs` row, taken by one process under a lease: several
//! processes on one database run each tick once, a run whose process died is resumed by
//! another, and runs of one job never overlap. A job's handler must be safe to repeat for
//! the same run (a resumed run), e.g. by queueing outbox rows with a dedupe key per run.

pub mod runs;
pub mod schedule;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use tokio::sync::watch;

use crate::entities::scheduled_runs::{RunStatus, Trigger};
use crate::platform::services::Services;
pub use runs::ScheduledRun;
use schedule::JobSchedule;

/// How long one process may work on a run before another may take it over.
const RUN_LEASE_MINUTES: i64 = 10;

/// A job's handler: does the run's work and returns how many recipients it has.
pub type RunJob = for<'a> fn(&'a Services, &'a ScheduledRun) -> BoxFuture<'a, anyhow::Result<i32>>;

/// One registered job.
pub struct Job {
    /// Stable name, stored with each run (e.g. `digest`).
    pub name: &'static str,
    pub schedule: JobSchedule,
    pub run: RunJob,
}

/// Every job of the application.
#[derive(Default)]
pub struct Jobs(Vec<Job>);

impl Jobs {
    pub fn new(jobs: Vec<Job>) -> Self {
        Self(jobs)
    }

    pub fn get(&self, name: &str) -> Option<&Job> {
        self.0.iter().find(|job| job.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Job> {
        self.0.iter()
    }
}

/// Runs every job whose latest tick (within the catch-up window) has not run yet. After
/// downtime over several ticks, only the latest one runs, once.
pub async fn run_due(services: &Services) -> anyhow::Result<Vec<ScheduledRun>> {
    let mut finished = Vec::new();
    for job in services.jobs.iter() {
        let Clear::Yes(resumed) = finish_abandoned_run(services, job).await? else {
            continue;
        };
        finished.extend(resumed);
        let now = services.clock.now();
        let catch_up = Duration::hours(services.settings.schedule.catch_up_hours.into());
        let Some(tick) = job.schedule.latest_due(now, catch_up) else {
            continue;
        };
        // Run already (or an admin's "run now" after it took its work): nothing to do, and
        // no failing insert every check.
        if runs::latest_tick(&services.db, job.name)
            .await?
            .is_some_and(|latest| latest >= tick)
        {
            continue;
        }
        let trigger = if now - tick > Duration::minutes(5) {
            Trigger::CatchUp
        } else {
            Trigger::Schedule
        };
        finished.extend(take_and_run(services, job, tick, trigger).await?);
    }
    Ok(finished)
}

/// Whether a new run of a job may start, with the abandoned run finished on the way.
enum Clear {
    Yes(Option<ScheduledRun>),
    /// Another process works on a run of the job: runs of one job never overlap.
    No,
}

/// Resumes the job's run whose process died, so its work is done before a newer run starts
/// (the database allows one unfinished run per job).
async fn finish_abandoned_run(services: &Services, job: &Job) -> anyhow::Result<Clear> {
    let Some(run) = runs::unfinished(&services.db, job.name).await? else {
        return Ok(Clear::Yes(None));
    };
    if run
        .lease_until
        .is_some_and(|until| until > services.clock.now())
    {
        return Ok(Clear::No);
    }
    Ok(
        match take_and_run(services, job, run.scheduled_for, run.triggered_by).await? {
            Some(done) => Clear::Yes(Some(done)),
            // Another process took it over a moment ago.
            None => Clear::No,
        },
    )
}

/// Runs until `shutdown` turns true: starts due runs every `schedule.check_seconds`.
pub async fn run_periodically(services: Services, mut shutdown: watch::Receiver<bool>) {
    let interval = StdDuration::from_secs(services.settings.schedule.check_seconds.into());
    loop {
        if let Err(err) = run_due(&services).await {
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

/// Runs the job now, for everything since its last run (an admin's "run now"). `None` while
/// another run of the job is in progress.
pub async fn run_now(services: &Services, job: &Job) -> anyhow::Result<Option<ScheduledRun>> {
    if let Clear::No = finish_abandoned_run(services, job).await? {
        return Ok(None);
    }
    take_and_run(services, job, services.clock.now(), Trigger::Admin).await
}

async fn take_and_run(
    services: &Services,
    job: &Job,
    tick: DateTime<Utc>,
    trigger: Trigger,
) -> anyhow::Result<Option<ScheduledRun>> {
    let now = services.clock.now();
    let lease = Duration::minutes(RUN_LEASE_MINUTES);
    let Some(run) = runs::take(&services.db, job.name, tick, trigger, now, lease).await? else {
        return Ok(None);
    };
    let recipients = (job.run)(services, &run).await?;
    let finished_at = services.clock.now();
    runs::finish(&services.db, run.id, recipients, finished_at).await?;
    services.outbox.wake();
    tracing::info!(job = job.name, tick = %tick, recipients, "scheduled run done");
    Ok(Some(ScheduledRun {
        status: RunStatus::Done,
        recipients,
        finished_at: Some(finished_at),
        lease_until: None,
        ..run
    }))
}
