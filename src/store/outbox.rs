//! The durable outbox: every notification is a row written in the same transaction as the
//! change that causes it. Workers claim due rows with a lease (and `FOR UPDATE SKIP LOCKED`
//! on PostgreSQL), so several processes share the work and a crash loses nothing.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};

use crate::entities::outbox;

pub use outbox::Model as OutboxRow;

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_SENT: &str = "sent";
pub const STATUS_FAILED: &str = "failed";

/// One delivery to enqueue.
pub struct NewDelivery {
    pub channel: &'static str,
    pub kind: &'static str,
    pub user_id: Option<i32>,
    /// Unique per delivery; enqueueing the same key twice keeps the first row.
    pub dedupe_key: String,
    pub payload: serde_json::Value,
}

/// Inserts a delivery unless one with the same dedupe key exists. Returns true if inserted.
#[tracing::instrument(skip_all, fields(kind = delivery.kind, dedupe_key = delivery.dedupe_key))]
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    delivery: NewDelivery,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = outbox::Entity::insert(outbox::ActiveModel {
        channel: Set(delivery.channel.into()),
        kind: Set(delivery.kind.into()),
        user_id: Set(delivery.user_id),
        dedupe_key: Set(delivery.dedupe_key),
        payload: Set(delivery.payload),
        status: Set(STATUS_PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
    .exec(conn)
    .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(_)))
}

/// Inserts many deliveries; rows whose dedupe key exists already are left as they are.
pub async fn enqueue_many(
    conn: &impl ConnectionTrait,
    deliveries: Vec<NewDelivery>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for batch in deliveries.chunks(500) {
        outbox::Entity::insert_many(batch.iter().map(|delivery| outbox::ActiveModel {
            channel: Set(delivery.channel.into()),
            kind: Set(delivery.kind.into()),
            user_id: Set(delivery.user_id),
            dedupe_key: Set(delivery.dedupe_key.clone()),
            payload: Set(delivery.payload.clone()),
            status: Set(STATUS_PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
            ..Default::default()
        }))
        .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Takes up to `limit` due rows for this worker for `lease`; no other worker gets them
/// until the lease runs out.
pub async fn claim_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<OutboxRow>, DbErr> {
    let txn = super::begin_write(db).await?;
    let mut query = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(STATUS_PENDING))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(outbox::Column::LockedUntil.is_null())
                .add(outbox::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(outbox::Column::NextAttemptAt)
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&txn).await?;
    if !rows.is_empty() {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::LockedUntil, Expr::value(now + lease))
            .filter(outbox::Column::Id.is_in(rows.iter().map(|row| row.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// Records these rows as sent.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    ids: &[i32],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for batch in ids.chunks(500) {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(STATUS_SENT))
            .col_expr(outbox::Column::SentAt, Expr::value(now))
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .filter(outbox::Column::Id.is_in(batch.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up when `retry_at` is `None`.
pub async fn mark_attempt_failed(
    conn: &impl ConnectionTrait,
    id: i32,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::LastError,
            Expr::value(error.chars().take(1000).collect::<String>()),
        )
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        );
    update = match retry_at {
        Some(at) => update.col_expr(outbox::Column::NextAttemptAt, Expr::value(at)),
        None => update.col_expr(outbox::Column::Status, Expr::value(STATUS_FAILED)),
    };
    update.filter(outbox::Column::Id.eq(id)).exec(conn).await?;
    Ok(())
}

/// All rows of a user, newest first (for tests and the admin's delivery view).
pub async fn for_user(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<OutboxRow>, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::UserId.eq(user_id))
        .order_by_desc(outbox::Column::Id)
        .all(conn)
        .await
}

/// The deliveries of one post (its fan-out job and every e-mail and push message).
pub async fn for_post(conn: &impl ConnectionTrait, post_id: i32) -> Result<Vec<OutboxRow>, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::DedupeKey.starts_with(format!("post:{post_id}:")))
        .order_by_asc(outbox::Column::Id)
        .all(conn)
        .await
}

/// Pending rows that are due now or leased by a worker: zero means nothing is in flight.
pub async fn in_flight(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    outbox::Entity::find()
        .filter(outbox::Column::Status.eq(STATUS_PENDING))
        .filter(
            Condition::any()
                .add(outbox::Column::NextAttemptAt.lte(now))
                .add(outbox::Column::LockedUntil.gt(now)),
        )
        .count(conn)
        .await
}

/// How many rows whose dedupe key starts with `prefix` are pending, sent and failed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StatusCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn status_counts(
    conn: &impl ConnectionTrait,
    dedupe_prefix: &str,
) -> Result<StatusCounts, DbErr> {
    let rows: Vec<(String, i64)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Status)
        .column_as(outbox::Column::Id.count(), "count")
        .filter(outbox::Column::DedupeKey.starts_with(dedupe_prefix))
        .group_by(outbox::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let mut counts = StatusCounts::default();
    for (status, count) in rows {
        match status.as_str() {
            STATUS_PENDING => counts.pending = count,
            STATUS_SENT => counts.sent = count,
            STATUS_FAILED => counts.failed = count,
            _ => {}
        }
    }
    Ok(counts)
}
