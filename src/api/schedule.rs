//! The scheduled e-mails: admins see the jobs and their runs, preview one parent's mail and
//! start a job now; anyone with a link from such a mail can switch that kind of mail off.

use chrono::{DateTime, Utc};
use poem::web::{Data, RemoteAddr};
use poem_openapi::{Enum, Object, OpenApi, param::Path, param::Query, payload::Json};

use super::{ApiTags, security::Auth, types::client_ip};
use crate::{
    domain::schedule::Job,
    error::AppError,
    scheduler,
    state::AppState,
    store::{self, scheduled_runs::ScheduledRun},
};

pub struct ScheduleApi;

/// A scheduled job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum JobName {
    /// General messages since the last digest (default Wednesday 17:30).
    Digest,
    /// The week's news (default Friday 16:00).
    NewsBatch,
}

impl From<JobName> for Job {
    fn from(name: JobName) -> Self {
        match name {
            JobName::Digest => Job::Digest,
            JobName::NewsBatch => Job::NewsBatch,
        }
    }
}

#[derive(Debug, Object)]
pub struct JobResponse {
    /// `digest` or `news_batch`.
    pub job: String,
    /// Cron expression (seconds first) in `time_zone`.
    pub schedule: String,
    pub time_zone: String,
    /// The next tick (UTC).
    pub next_run_at: Option<DateTime<Utc>>,
    /// The next tick in the school's time zone, e.g. `2026-11-25T17:30:00+01:00`.
    pub next_run_local: Option<String>,
    pub last_run: Option<RunResponse>,
}

#[derive(Debug, Object)]
pub struct RunResponse {
    pub id: i32,
    pub job: String,
    /// The tick the run stands for (for a manual run: when it was started).
    pub scheduled_for: DateTime<Utc>,
    /// `running` or `done`.
    pub status: String,
    /// `schedule`, `catch_up` (made up after downtime) or `admin`.
    pub triggered_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Parents a mail was queued for.
    pub recipients: i32,
    /// Of those mails: sent, failed for good, still waiting (or being retried).
    pub sent: i64,
    pub failed: i64,
    pub pending: i64,
}

#[derive(Debug, Object)]
pub struct PreviewItem {
    pub post_id: i32,
    pub title: String,
    pub unread: bool,
}

#[derive(Debug, Object)]
pub struct PreviewResponse {
    pub job: String,
    pub parent_id: i32,
    /// The mail lists posts up to `until` that no earlier mail listed; for a job's first
    /// run only those after `since`.
    pub since: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
    pub items: Vec<PreviewItem>,
    /// False when there is nothing new or the parent switched this kind of e-mail off.
    pub would_send: bool,
    pub opted_out: bool,
    /// The mail in the parent's language (when there is something to list).
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

#[derive(Debug, Object)]
pub struct UnsubscribedResponse {
    /// The kind of e-mail that is now off: `messages` (the digest) or `news`.
    pub kind: String,
}

#[OpenApi(prefix_path = "/schedule", tag = "ApiTags::Schedule")]
impl ScheduleApi {
    /// The scheduled jobs, their next tick and last run (admin)
    #[oai(path = "/jobs", method = "get")]
    async fn list_jobs(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> Result<Json<Vec<JobResponse>>, AppError> {
        auth.user().require_admin()?;
        let settings = &state.settings;
        let zone = settings.time_zone()?;
        let now = state.clock.now();
        let mut jobs = Vec::new();
        for job in Job::ALL {
            let schedule = settings.job_schedule(job)?;
            let next = schedule.next_after(now);
            let last = store::scheduled_runs::list_of_job(&state.db, job.code(), 1)
                .await?
                .into_iter()
                .next();
            jobs.push(JobResponse {
                job: job.code().into(),
                schedule: settings.job_expression(job).1.into(),
                time_zone: zone.name().into(),
                next_run_at: next,
                next_run_local: next.map(|at| at.with_timezone(&zone).to_rfc3339()),
                last_run: match last {
                    Some(run) => Some(run_response(&state, run).await?),
                    None => None,
                },
            });
        }
        Ok(Json(jobs))
    }

    /// Recent runs with their delivery counts (admin)
    #[oai(path = "/runs", method = "get")]
    async fn list_runs(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Only this job's runs.
        job: Query<Option<JobName>>,
        /// How many runs, newest first (1 to 200).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<Vec<RunResponse>>, AppError> {
        auth.user().require_admin()?;
        let runs = match job.0 {
            Some(job) => {
                store::scheduled_runs::list_of_job(&state.db, Job::from(job).code(), limit.0)
                    .await?
            }
            None => store::scheduled_runs::list(&state.db, limit.0).await?,
        };
        let mut responses = Vec::with_capacity(runs.len());
        for run in runs {
            responses.push(run_response(&state, run).await?);
        }
        Ok(Json(responses))
    }

    /// Run a job now (admin)
    ///
    /// Lists every post no earlier run listed and queues the mails at once; the next
    /// scheduled run lists only what came after. The run goes on even if the request is
    /// dropped. Error `run_in_progress` (409) while another run of the job is going.
    #[oai(path = "/jobs/:job/run", method = "post")]
    async fn run_job_now(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        job: Path<JobName>,
    ) -> Result<Json<RunResponse>, AppError> {
        let caller = auth.user();
        caller.require_admin()?;
        let job = Job::from(job.0);
        // Its own task: a closed browser tab must not leave the run half done or unaudited.
        let task_state = state.clone();
        let admin_id = caller.id;
        let run = tokio::spawn(async move {
            let run = scheduler::run_now(&task_state, job).await?;
            if let Some(run) = &run {
                store::audit::record(
                    &task_state.db,
                    Some(admin_id),
                    "schedule.run_now",
                    format!("scheduled_run:{}", run.id),
                    serde_json::json!({ "job": job.code(), "recipients": run.recipients }),
                    task_state.clock.now(),
                )
                .await?;
            }
            anyhow::Ok(run)
        })
        .await
        .map_err(anyhow::Error::from)??
        .ok_or_else(|| {
            AppError::conflict(
                "run_in_progress",
                "This job is running already; try again when it is done.",
            )
        })?;
        Ok(Json(run_response(&state, run).await?))
    }

    /// Preview one parent's mail of a job as if it ran now (admin)
    #[oai(path = "/jobs/:job/preview", method = "get")]
    async fn preview(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        job: Path<JobName>,
        /// The parent's user id.
        parent_id: Query<i32>,
    ) -> Result<Json<PreviewResponse>, AppError> {
        auth.user().require_admin()?;
        let job = Job::from(job.0);
        let parent = store::users::find_by_id(&state.db, parent_id.0)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let preview = scheduler::preview(&state, job, &parent).await?;
        let mail = preview.mail.map(|mail| mail.mail);
        Ok(Json(PreviewResponse {
            job: job.code().into(),
            parent_id: parent.id,
            since: preview.since,
            until: preview.until,
            would_send: mail.is_some() && !preview.opted_out,
            opted_out: preview.opted_out,
            items: preview
                .items
                .into_iter()
                .map(|item| PreviewItem {
                    post_id: item.post.id,
                    title: item.post.title,
                    unread: !item.read,
                })
                .collect(),
            subject: mail.as_ref().map(|mail| mail.subject.clone()),
            text: mail.as_ref().map(|mail| mail.text.clone()),
            html: mail.map(|mail| mail.html),
        }))
    }
}

pub struct UnsubscribeApi;

#[OpenApi(tag = "ApiTags::Schedule")]
impl UnsubscribeApi {
    /// Switch a kind of e-mail off from the link in that e-mail (no login)
    ///
    /// The one-click target of the digest's and news batch's `List-Unsubscribe` header
    /// (RFC 8058: mail programs POST `List-Unsubscribe=One-Click`; the body is not needed).
    /// The token names one parent and one kind of e-mail and switches off only that; urgent
    /// notices cannot be switched off. Error: `invalid_unsubscribe_link` (400).
    #[oai(path = "/unsubscribe", method = "post")]
    async fn unsubscribe(
        &self,
        state: Data<&AppState>,
        remote: &RemoteAddr,
        /// From the link in the e-mail.
        #[oai(validator(max_length = 200))]
        token: Query<String>,
    ) -> Result<Json<UnsubscribedResponse>, AppError> {
        let invalid = || {
            AppError::invalid(
                "token",
                "invalid_unsubscribe_link",
                "This unsubscribe link is not valid. Switch e-mails off in the app under \
                 My account instead.",
            )
        };
        // Valid links are not limited: one-click unsubscribes of many parents come from the
        // few addresses of their mail providers. Only invalid links count, against guessing.
        let Some(wanted) = state.unsubscribe_links.verify(&token.0) else {
            state.rate_limits.check_client(client_ip(remote))?;
            return Err(invalid());
        };
        // Clicking again (or a mail scanner replaying the POST) writes nothing.
        if store::push::is_opted_out(&state.db, wanted.user_id, &wanted.kind).await? {
            return Ok(Json(UnsubscribedResponse { kind: wanted.kind }));
        }
        let txn = store::begin_write(&state.db).await?;
        if store::users::find_by_id(&txn, wanted.user_id)
            .await?
            .is_none()
        {
            return Err(invalid());
        }
        let now = state.clock.now();
        store::push::set_opt_out(&txn, wanted.user_id, &wanted.kind, true, now).await?;
        store::audit::record(
            &txn,
            Some(wanted.user_id),
            "notifications.unsubscribe_link",
            format!("user:{}", wanted.user_id),
            serde_json::json!({ "kind": wanted.kind }),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(Json(UnsubscribedResponse { kind: wanted.kind }))
    }
}

fn default_limit() -> u64 {
    50
}

async fn run_response(state: &AppState, run: ScheduledRun) -> Result<RunResponse, AppError> {
    let counts = match Job::parse(&run.job) {
        Some(job) => {
            store::outbox::status_counts(&state.db, &scheduler::dedupe_prefix(job, run.id)).await?
        }
        None => Default::default(),
    };
    Ok(RunResponse {
        id: run.id,
        job: run.job,
        scheduled_for: run.scheduled_for,
        status: run.status,
        triggered_by: run.triggered_by,
        started_at: run.started_at,
        finished_at: run.finished_at,
        recipients: run.recipients,
        sent: counts.sent,
        failed: counts.failed,
        pending: counts.pending,
    })
}
