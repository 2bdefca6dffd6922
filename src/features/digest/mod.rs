//! The digest of messages (Wednesday 17:30) and the weekly news batch: scheduled jobs that
//! queue one e-mail per parent with the run's posts that reach one of their children, each
//! marked read or unread. Each post records the run that listed it, so every post is in
//! exactly one mail; a run's mails have a dedupe key per (run, parent), so a resumed run
//! queues nothing twice.

pub mod mail;
pub mod store;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, DbErr};

use crate::platform::services::Services;
use crate::{
    app::config::Settings,
    entities::{outbox::Channel, posts::PostKind, users},
    features::{notifications, posts},
    platform::{
        db,
        jobs::{self, ScheduledRun, runs, schedule::JobSchedule},
        outbox::{self, Handlers, NewDelivery},
    },
};
use store::Post;

/// The scheduled jobs of this feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// General messages since the last digest, one e-mail per parent.
    Digest,
    /// The week's news, one e-mail per parent.
    NewsBatch,
}

impl Job {
    pub const ALL: [Job; 2] = [Job::Digest, Job::NewsBatch];

    /// Its name, stored with its runs and used as its outbox kind.
    pub fn code(self) -> &'static str {
        match self {
            Self::Digest => "digest",
            Self::NewsBatch => "news_batch",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|job| job.code() == code)
    }

    /// The kind of post the job collects.
    pub fn post_kind(self) -> PostKind {
        match self {
            Self::Digest => PostKind::Message,
            Self::NewsBatch => PostKind::News,
        }
    }

    /// The kind of e-mail (as parents switch it on and off) the job sends.
    pub fn email_kind(self) -> &'static str {
        match self {
            Self::Digest => "messages",
            Self::NewsBatch => "news",
        }
    }

    /// The configuration key of its schedule, and the cron expression there.
    pub fn schedule_setting(self, settings: &Settings) -> (&'static str, &str) {
        match self {
            Self::Digest => ("schedule.digest", &settings.schedule.digest),
            Self::NewsBatch => ("schedule.news_batch", &settings.schedule.news_batch),
        }
    }

    /// When it runs, in the school's time zone.
    pub fn schedule(self, settings: &Settings) -> anyhow::Result<JobSchedule> {
        let (setting, expression) = self.schedule_setting(settings);
        Ok(settings.cron_schedule(setting, expression)?.into())
    }

    fn handler(self) -> jobs::RunJob {
        match self {
            Self::Digest => run_digest,
            Self::NewsBatch => run_news_batch,
        }
    }
}

/// The jobs, with their schedules from the settings.
pub fn jobs(settings: &Settings) -> anyhow::Result<Vec<jobs::Job>> {
    Job::ALL
        .into_iter()
        .map(|job| {
            Ok(jobs::Job {
                name: job.code(),
                schedule: job.schedule(settings)?,
                run: job.handler(),
            })
        })
        .collect()
}

/// Registers the digest and news-batch mails with the outbox.
pub fn register(handlers: &mut Handlers) {
    mail::register(handlers);
}

/// The start of the dedupe keys of a run's mails: one key per (run, parent).
pub fn dedupe_prefix(job: Job, run_id: i32) -> String {
    format!("{}:{run_id}:", job.code())
}

/// How far back the job's first run ever looks (one period of its schedule), so installing
/// Schoolgate on a school's old data does not mail years of posts (the first run marks them
/// as covered); later runs list every post no run listed yet, however late it was saved.
pub async fn first_run_since(
    services: &Services,
    job: Job,
    tick: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    if runs::previous_done(&services.db, job.code(), tick)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    Ok(job
        .schedule(&services.settings)?
        .latest_due(tick - Duration::seconds(1), Duration::days(31)))
}

/// Queues one mail per parent with something in the run's posts (those up to its tick that
/// no earlier run listed) and records the posts as listed by this run, in one transaction;
/// returns how many mails. Safe to repeat for the same run (a resumed run): the same posts,
/// and rows queued before are kept as they are.
pub async fn queue_mails(services: &Services, job: Job, run: &ScheduledRun) -> anyhow::Result<i32> {
    let tick = run.scheduled_for;
    let since = first_run_since(services, job, tick).await?;
    let posts = store::for_run(&services.db, job.post_kind(), Some(run.id), since, tick).await?;
    let post_ids: Vec<i32> = posts.iter().map(|post| post.id).collect();
    let opted_out = notifications::opted_out_users(&services.db, job.email_kind()).await?;
    let digests = contents(&services.db, posts).await?;
    let deliveries: Vec<NewDelivery> = digests
        .into_values()
        .filter(|digest| !opted_out.contains(&digest.parent.id))
        .map(|digest| NewDelivery {
            channel: Channel::Email,
            kind: job.code(),
            user_id: Some(digest.parent.id),
            dedupe_key: format!("{}{}", dedupe_prefix(job, run.id), digest.parent.id),
            payload: serde_json::json!({
                "run_id": run.id,
                "post_ids": digest.items.iter().map(|item| item.post.id).collect::<Vec<_>>(),
            }),
            urgent: false,
        })
        .collect();
    let recipients = deliveries.len() as i32;
    let txn = db::begin_write(&services.db).await?;
    outbox::enqueue(&txn, deliveries, services.clock.now()).await?;
    store::mark_included(&txn, post_ids, run.id).await?;
    if let Some(since) = since {
        // The first run's older posts are not mailed, and no later run may mail them either.
        store::mark_unlisted_covered(&txn, job.post_kind(), since, run.id).await?;
    }
    txn.commit().await?;
    outbox::refresh_statistics_after(&services.db, recipients as usize).await;
    Ok(recipients)
}

#[derive(Clone, Debug)]
pub struct DigestItem {
    pub post: Post,
    pub read: bool,
}

/// One parent's digest.
#[derive(Clone, Debug)]
pub struct ParentDigest {
    pub parent: users::Model,
    pub items: Vec<DigestItem>,
}

/// Every parent reached by one of `posts`, with those posts (in the given order, once per
/// parent even with several children addressed); parents reached by none are not in it.
/// Built per post, not per parent, so 10,000 parents cost a few queries per post.
pub async fn contents(
    conn: &impl ConnectionTrait,
    posts: Vec<Post>,
) -> Result<BTreeMap<i32, ParentDigest>, DbErr> {
    let mut digests: BTreeMap<i32, ParentDigest> = BTreeMap::new();
    for post in posts {
        let receipts = posts::receipts_of_post(conn, post.id).await?;
        for reached in posts::reached(conn, &post).await? {
            let parent_id = reached.parent.id;
            let digest = digests.entry(parent_id).or_insert_with(|| ParentDigest {
                parent: reached.parent,
                items: Vec::new(),
            });
            // A parent of two children in the group is reached twice: list the post once.
            if digest
                .items
                .last()
                .is_some_and(|item| item.post.id == post.id)
            {
                continue;
            }
            digest.items.push(DigestItem {
                post: post.clone(),
                read: receipts.contains_key(&parent_id),
            });
        }
    }
    Ok(digests)
}

/// A parent's items as they are when the mail goes out: the posts the run listed that
/// still exist and that the parent may still see (a child may have left the class since),
/// read or unread now.
pub async fn items_now(
    conn: &impl ConnectionTrait,
    parent_id: i32,
    post_ids: Vec<i32>,
    now: DateTime<Utc>,
) -> Result<Vec<DigestItem>, DbErr> {
    let posts = posts::visible_to_parent(conn, parent_id, post_ids.clone(), now).await?;
    let receipts = posts::receipts_of_user(conn, parent_id, post_ids).await?;
    Ok(posts
        .into_iter()
        .map(|post| DigestItem {
            read: receipts.contains_key(&post.id),
            post,
        })
        .collect())
}

/// What one parent's mail of `job` would hold if the job ran now.
pub struct Preview {
    /// Only posts after this (the job's first run); otherwise every post not mailed yet.
    pub since: Option<DateTime<Utc>>,
    pub until: DateTime<Utc>,
    pub items: Vec<DigestItem>,
    /// Whether the parent switched this kind of e-mail off.
    pub opted_out: bool,
    /// The mail as it would be sent; `None` when there is nothing new.
    pub mail: Option<mail::DigestMail>,
}

pub async fn preview(
    services: &Services,
    job: Job,
    parent: &users::Model,
) -> anyhow::Result<Preview> {
    let until = services.clock.now();
    let since = first_run_since(services, job, until).await?;
    // The same computation as a real run, so the preview cannot drift from what is sent.
    let posts = store::for_run(&services.db, job.post_kind(), None, since, until).await?;
    let items = contents(&services.db, posts)
        .await?
        .remove(&parent.id)
        .map(|digest| digest.items)
        .unwrap_or_default();
    let opted_out = notifications::is_opted_out(&services.db, parent.id, job.email_kind()).await?;
    let mail = if items.is_empty() {
        None
    } else {
        Some(mail::render(services, job, parent, &items)?)
    };
    Ok(Preview {
        since,
        until,
        items,
        opted_out,
        mail,
    })
}

/// Runs a job now (the admin's "run now"); `None` while another run of it is in progress.
pub async fn run_now(services: &Services, job: Job) -> anyhow::Result<Option<ScheduledRun>> {
    let registered = services
        .jobs
        .get(job.code())
        .ok_or_else(|| anyhow::anyhow!("job {} is not registered", job.code()))?;
    jobs::run_now(services, registered).await
}

fn run_digest<'a>(
    services: &'a Services,
    run: &'a ScheduledRun,
) -> BoxFuture<'a, anyhow::Result<i32>> {
    Box::pin(queue_mails(services, Job::Digest, run))
}

fn run_news_batch<'a>(
    services: &'a Services,
    run: &'a ScheduledRun,
) -> BoxFuture<'a, anyhow::Result<i32>> {
    Box::pin(queue_mails(services, Job::NewsBatch, run))
}
