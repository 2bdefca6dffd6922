//! Runs of scheduled jobs. A run is a row unique per (job, tick): whichever process inserts
//! it runs it under a lease; a run whose process died is taken over once the lease ran out.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, sea_query::Expr,
};

use crate::entities::scheduled_runs::{self, RunStatus, Trigger};

pub use scheduled_runs::Model as ScheduledRun;

/// Takes the run of `job` for `tick` for this process: inserts it, or takes over an
/// unfinished run whose lease ran out. `None` when the run is done or another process
/// holds it.
pub async fn take(
    db: &DatabaseConnection,
    job: &str,
    tick: DateTime<Utc>,
    trigger: Trigger,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<ScheduledRun>, DbErr> {
    let inserted = scheduled_runs::Entity::insert(scheduled_runs::ActiveModel {
        job: Set(job.into()),
        scheduled_for: Set(tick),
        status: Set(RunStatus::Running),
        triggered_by: Set(trigger),
        lease_until: Set(Some(now + lease)),
        started_at: Set(now),
        finished_at: Set(None),
        recipients: Set(0),
        ..Default::default()
    })
    .exec(db)
    .await;
    let inserted = match inserted {
        Ok(_) => true,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => false,
        Err(err) => return Err(err),
    };
    if !inserted {
        // A conditional update decides between processes racing for an abandoned run.
        let taken_over = scheduled_runs::Entity::update_many()
            .col_expr(
                scheduled_runs::Column::LeaseUntil,
                Expr::value(Some(now + lease)),
            )
            .filter(scheduled_runs::Column::Job.eq(job))
            .filter(scheduled_runs::Column::ScheduledFor.eq(tick))
            .filter(scheduled_runs::Column::Status.eq(RunStatus::Running))
            .filter(
                Condition::any()
                    .add(scheduled_runs::Column::LeaseUntil.is_null())
                    .add(scheduled_runs::Column::LeaseUntil.lt(now)),
            )
            .exec(db)
            .await?;
        if taken_over.rows_affected == 0 {
            return Ok(None);
        }
    }
    scheduled_runs::Entity::find()
        .filter(scheduled_runs::Column::Job.eq(job))
        .filter(scheduled_runs::Column::ScheduledFor.eq(tick))
        .one(db)
        .await
}

/// Records the run as done with the number of parents it queued mail for.
pub async fn finish(
    conn: &impl ConnectionTrait,
    run_id: i32,
    recipients: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    scheduled_runs::Entity::update_many()
        .col_expr(scheduled_runs::Column::Status, Expr::value(RunStatus::Done))
        .col_expr(scheduled_runs::Column::Recipients, Expr::value(recipients))
        .col_expr(scheduled_runs::Column::FinishedAt, Expr::value(Some(now)))
        .col_expr(
            scheduled_runs::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(scheduled_runs::Column::Id.eq(run_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The latest run of `job` before `tick` that finished: the next run covers what came after.
pub async fn previous_done(
    conn: &impl ConnectionTrait,
    job: &str,
    tick: DateTime<Utc>,
) -> Result<Option<ScheduledRun>, DbErr> {
    scheduled_runs::Entity::find()
        .filter(scheduled_runs::Column::Job.eq(job))
        .filter(scheduled_runs::Column::Status.eq(RunStatus::Done))
        .filter(scheduled_runs::Column::ScheduledFor.lt(tick))
        .order_by_desc(scheduled_runs::Column::ScheduledFor)
        .limit(1)
        .one(conn)
        .await
}

/// The job's run that is not done (being worked on, or left by a process that died); the
/// database allows one at a time.
pub async fn unfinished(
    conn: &impl ConnectionTrait,
    job: &str,
) -> Result<Option<ScheduledRun>, DbErr> {
    scheduled_runs::Entity::find()
        .filter(scheduled_runs::Column::Job.eq(job))
        .filter(scheduled_runs::Column::Status.eq(RunStatus::Running))
        .one(conn)
        .await
}

/// The tick of the job's latest run, whatever its state.
pub async fn latest_tick(
    conn: &impl ConnectionTrait,
    job: &str,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(scheduled_runs::Entity::find()
        .filter(scheduled_runs::Column::Job.eq(job))
        .order_by_desc(scheduled_runs::Column::ScheduledFor)
        .limit(1)
        .one(conn)
        .await?
        .map(|run| run.scheduled_for))
}

/// The job's runs, newest first.
pub async fn list_of_job(
    conn: &impl ConnectionTrait,
    job: &str,
    limit: u64,
) -> Result<Vec<ScheduledRun>, DbErr> {
    scheduled_runs::Entity::find()
        .filter(scheduled_runs::Column::Job.eq(job))
        .order_by_desc(scheduled_runs::Column::ScheduledFor)
        .order_by_desc(scheduled_runs::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Newest runs first.
pub async fn list(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<ScheduledRun>, DbErr> {
    scheduled_runs::Entity::find()
        .order_by_desc(scheduled_runs::Column::ScheduledFor)
        .order_by_desc(scheduled_runs::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
