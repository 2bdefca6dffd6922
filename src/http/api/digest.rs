//! The scheduled e-mails, for admins: the jobs and their runs, one parent's mail as it would
//! be sent, and "run now".

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, param::Path, param::Query, payload::Json};
use sea_orm::ActiveEnum;

use crate::http::error::{AdminLookup, AdminOnly, ApiError, error_sets};
use crate::platform::services::Services;
use crate::{
    app::error::AppError,
    features::{
        accounts,
        digest::{self, Job, dedupe_prefix},
    },
    http::{ApiTags, security::Auth, state::HttpState},
    platform::{
        db::{self, Audit},
        jobs::{ScheduledRun, runs},
        outbox,
    },
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
    #[oai(nullable)]
    pub next_run_at: Option<DateTime<Utc>>,
    /// The next tick in the school's time zone, e.g. `2026-11-25T17:30:00+01:00`.
    #[oai(nullable)]
    pub next_run_local: Option<String>,
    #[oai(nullable)]
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
    #[oai(nullable)]
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
    #[oai(nullable)]
    pub since: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
    pub items: Vec<PreviewItem>,
    /// False when there is nothing new or the parent switched this kind of e-mail off.
    pub would_send: bool,
    pub opted_out: bool,
    /// The mail in the parent's language (when there is something to list).
    #[oai(nullable)]
    pub subject: Option<String>,
    #[oai(nullable)]
    pub text: Option<String>,
    #[oai(nullable)]
    pub html: Option<String>,
}

#[OpenApi(prefix_path = "/schedule", tag = "ApiTags::Schedule")]
impl ScheduleApi {
    /// The scheduled jobs, their next tick and last run (admin)
    #[oai(path = "/jobs", method = "get", operation_id = "list_jobs")]
    async fn list_jobs(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<JobResponse>>, ApiError<AdminOnly>> {
        auth.user().actor().require_admin()?;
        let settings = &state.settings;
        let zone = settings.time_zone()?;
        let now = state.clock.now();
        let mut jobs = Vec::new();
        for job in Job::ALL {
            let next = job.schedule(settings)?.next_after(now);
            let last = runs::list_of_job(&state.db, job.code(), 1)
                .await?
                .into_iter()
                .next();
            jobs.push(JobResponse {
                job: job.code().into(),
                schedule: job.schedule_setting(settings).1.into(),
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
    #[oai(path = "/runs", method = "get", operation_id = "list_runs")]
    async fn list_runs(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        /// Only this job's runs.
        job: Query<Option<JobName>>,
        /// How many runs, newest first (1 to 200).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<Vec<RunResponse>>, ApiError<AdminOnly>> {
        auth.user().actor().require_admin()?;
        let runs = match job.0 {
            Some(job) => runs::list_of_job(&state.db, Job::from(job).code(), limit.0).await?,
            None => runs::list(&state.db, limit.0).await?,
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
    #[oai(path = "/jobs/:job/run", method = "post", operation_id = "run_job_now")]
    async fn run_job_now(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        job: Path<JobName>,
    ) -> Result<Json<RunResponse>, ApiError<RunNowErrors>> {
        let caller = auth.user().actor();
        caller.require_admin()?;
        let job = Job::from(job.0);
        // Its own task: a closed browser tab must not leave the run half done or unaudited.
        let services: Services = state.services.clone();
        let admin_id = caller.id;
        let run = tokio::spawn(async move {
            let run = digest::run_now(&services, job).await?;
            if let Some(run) = &run {
                let audit = Audit::new(
                    admin_id,
                    "schedule.run_now",
                    format!("scheduled_run:{}", run.id),
                    serde_json::json!({ "job": job.code(), "recipients": run.recipients }),
                );
                db::record(&services.db, audit, services.clock.now()).await?;
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
    #[oai(
        path = "/jobs/:job/preview",
        method = "get",
        operation_id = "preview_job_mail"
    )]
    async fn preview(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        job: Path<JobName>,
        /// The parent's user id.
        parent_id: Query<i32>,
    ) -> Result<Json<PreviewResponse>, ApiError<AdminLookup>> {
        auth.user().actor().require_admin()?;
        let job = Job::from(job.0);
        let parent = accounts::find_user(&state.db, parent_id.0)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let preview = digest::preview(&state, job, &parent).await?;
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

error_sets! {
    RunNowErrors { 403 => &["forbidden_role"], 409 => &["run_in_progress"] }
}

fn default_limit() -> u64 {
    50
}

async fn run_response(state: &HttpState, run: ScheduledRun) -> Result<RunResponse, AppError> {
    let counts = match Job::parse(&run.job) {
        Some(job) => outbox::status_counts(&state.db, &dedupe_prefix(job, run.id)).await?,
        None => Default::default(),
    };
    Ok(RunResponse {
        id: run.id,
        job: run.job,
        scheduled_for: run.scheduled_for,
        status: run.status.to_value(),
        triggered_by: run.triggered_by.to_value(),
        started_at: run.started_at,
        finished_at: run.finished_at,
        recipients: run.recipients,
        sent: counts.sent,
        failed: counts.failed,
        pending: counts.pending,
    })
}
