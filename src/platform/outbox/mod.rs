//! The durable outbox: every notification is a row written in the same transaction as the
//! change that causes it, and the worker (`worker`) is the only sender. Workers claim due
//! rows with a lease (and `FOR UPDATE SKIP LOCKED` on PostgreSQL), so several processes
//! share the work and a crash loses nothing. What a row of a kind becomes (a mail, a push
//! message, more rows) is decided by the handler its feature registered for that kind.

pub mod devices;
pub mod mail;
pub mod push;
mod smtp;
pub mod templates;
pub mod unsubscribe;
pub mod worker;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, UpdateMany,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use tokio::sync::Notify;

use crate::entities::outbox::{self, Channel, DeliveryStatus};

pub use outbox::Model as OutboxRow;

use crate::platform::services::Services;
use mail::OutgoingMail;
use push::PushMessage;

/// One delivery to enqueue.
pub struct NewDelivery {
    pub channel: Channel,
    pub kind: &'static str,
    pub user_id: Option<i32>,
    /// Unique per delivery; enqueueing the same key twice keeps the first row.
    pub dedupe_key: String,
    pub payload: serde_json::Value,
    /// Part of an urgent notice: goes first and is retried within seconds.
    pub urgent: bool,
}

/// Where a row stands in the queue: due rows are handed out lowest first, so retries and
/// urgent push messages never wait behind a notice's bulk e-mail.
pub mod priority {
    /// Retries, and the push messages (and fan-out) of urgent notices.
    pub const FIRST: i16 = 0;
    /// The e-mails of urgent notices.
    pub const URGENT_EMAIL: i16 = 1;
    pub const ORDINARY: i16 = 2;
}

impl NewDelivery {
    fn priority(&self) -> i16 {
        match (self.urgent, self.channel) {
            (true, Channel::Email) => priority::URGENT_EMAIL,
            (true, _) => priority::FIRST,
            (false, _) => priority::ORDINARY,
        }
    }

    fn into_row(self, now: DateTime<Utc>) -> outbox::ActiveModel {
        outbox::ActiveModel {
            priority: Set(self.priority()),
            urgent: Set(self.urgent),
            locked_by: Set(None),
            channel: Set(self.channel),
            kind: Set(self.kind.into()),
            user_id: Set(self.user_id),
            dedupe_key: Set(self.dedupe_key),
            payload: Set(self.payload),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
            ..Default::default()
        }
    }
}

/// What the worker does with the rows of one kind. Each feature registers the kinds it
/// queues (see `Handlers`), so the worker needs to know nothing about posts or digests.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Renders the mail at send time; `None` when there is nothing to send any more
    /// (recipient gone or disabled, content deleted, that kind of e-mail switched off).
    Mail(
        for<'a> fn(
            &'a Services,
            &'a OutboxRow,
        ) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>>,
    ),
    /// The push message for one device; `None` when there is nothing to send any more.
    Push(
        for<'a> fn(
            &'a Services,
            &'a OutboxRow,
        ) -> BoxFuture<'a, anyhow::Result<Option<PushMessage>>>,
    ),
    /// Work that queues more rows (e.g. one post fanned out to every recipient). It records
    /// its own row as sent (`mark_sent`) in the transaction that queues them, so it is done
    /// whole or not at all.
    Fanout(for<'a> fn(&'a Services, &'a OutboxRow) -> BoxFuture<'a, anyhow::Result<()>>),
}

impl Handler {
    fn channel(self) -> Channel {
        match self {
            Self::Mail(_) => Channel::Email,
            Self::Push(_) => Channel::Push,
            Self::Fanout(_) => Channel::Fanout,
        }
    }
}

/// The handlers of every kind of outbox row, by kind.
#[derive(Default)]
pub struct Handlers(HashMap<&'static str, Handler>);

impl Handlers {
    /// Registers the handler of `kind`; a kind is registered once.
    pub fn register(&mut self, kind: &'static str, handler: Handler) {
        let previous = self.0.insert(kind, handler);
        assert!(previous.is_none(), "outbox kind {kind} registered twice");
    }

    /// The handler of a row's kind, if it fits the row's channel.
    pub fn for_row(&self, row: &OutboxRow) -> Option<Handler> {
        self.0
            .get(row.kind.as_str())
            .copied()
            .filter(|handler| handler.channel() == row.channel)
    }
}

/// The outbox as the rest of the application sees it: its handlers, and the wake-up call
/// after new rows were committed.
#[derive(Default)]
pub struct Outbox {
    pub handlers: Handlers,
    /// This process's name on its claims (`delivery.worker_name`, or host name and port).
    pub worker_name: String,
    wakeup: Notify,
}

impl Outbox {
    pub fn new(handlers: Handlers, worker_name: String) -> Self {
        Self {
            handlers,
            worker_name,
            wakeup: Notify::new(),
        }
    }

    /// Wakes the worker: call after committing new rows.
    pub fn wake(&self) {
        self.wakeup.notify_one();
    }

    /// Waits until `wake` is called.
    pub async fn woken(&self) {
        self.wakeup.notified().await;
    }
}

/// Inserts deliveries; rows whose dedupe key exists already are left as they are.
#[tracing::instrument(skip_all, fields(count = deliveries.len()))]
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    deliveries: Vec<NewDelivery>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut rows = deliveries
        .into_iter()
        .map(|delivery| delivery.into_row(now))
        .peekable();
    while rows.peek().is_some() {
        // Well under the bind-parameter limits of SQLite and PostgreSQL.
        let batch: Vec<_> = rows.by_ref().take(500).collect();
        outbox::Entity::insert_many(batch)
            .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Queued at once, rows from which the planner needs to know the outbox is no longer small.
const BULK: usize = 500;

/// After `count` rows were queued in one go (a fan-out, a digest run): on PostgreSQL, fresh
/// planner statistics for the outbox. Until autovacuum's next analyze, a minute or more
/// later, the planner believes the queue nearly empty and answers each claim by sorting
/// every due row (30 ms per claim under load, against 0.1 ms along the queue index).
pub async fn refresh_statistics_after(db: &DatabaseConnection, count: usize) {
    if count < BULK || db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    if let Err(err) = db.execute_unprepared("ANALYZE outbox").await {
        // Only slower claims follow: the rows are queued.
        tracing::warn!(error = %err, "ANALYZE outbox failed");
    }
}

/// Moves a pending row (e.g. a scheduled post's fan-out) to be due at `due`.
pub async fn reschedule(
    conn: &impl ConnectionTrait,
    dedupe_key: &str,
    due: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(due))
        .filter(outbox::Column::DedupeKey.eq(dedupe_key))
        .filter(outbox::Column::Status.eq(DeliveryStatus::Pending))
        .exec(conn)
        .await?;
    Ok(())
}

/// A worker's claim: its name, and how long a claim holds unless renewed.
#[derive(Debug, Clone)]
pub struct Claimant {
    pub worker: String,
    pub lease: Duration,
}

/// Takes up to `limit` due rows for `claimant`, retries and urgent pushes first; no other
/// worker gets them until the lease runs out (the claimant renews it while it works).
pub async fn claim_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    claimant: &Claimant,
    limit: u64,
) -> Result<Vec<OutboxRow>, DbErr> {
    let txn = crate::platform::db::begin_write(db).await?;
    let mut query = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(DeliveryStatus::Pending))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(outbox::Column::LockedUntil.is_null())
                .add(outbox::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(outbox::Column::Priority)
        .order_by_asc(outbox::Column::NextAttemptAt)
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&txn).await?;
    if !rows.is_empty() {
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(now + claimant.lease),
            )
            .col_expr(
                outbox::Column::LockedBy,
                Expr::value(claimant.worker.clone()),
            )
            .filter(outbox::Column::Id.is_in(rows.iter().map(|row| row.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// An update that releases the claim on the rows it filters.
fn unclaim() -> UpdateMany<outbox::Entity> {
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LockedBy,
            Expr::value(Option::<String>::None),
        )
}

/// Ends a claim on rows `ids`; `counted`: the attempt counts (a throttled one does not).
fn end_attempt(ids: impl IntoIterator<Item = i32>, counted: bool) -> UpdateMany<outbox::Entity> {
    unclaim()
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(i32::from(counted)),
        )
        .filter(outbox::Column::Id.is_in(ids))
}

/// Extends the claimant's lease on rows it is still working on.
pub async fn renew_claims(
    conn: &impl ConnectionTrait,
    claimant: &Claimant,
    ids: Vec<i32>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(now + claimant.lease),
        )
        .filter(outbox::Column::Id.is_in(ids))
        .filter(outbox::Column::LockedBy.eq(claimant.worker.as_str()))
        .filter(outbox::Column::Status.eq(DeliveryStatus::Pending))
        .exec(conn)
        .await?;
    Ok(())
}

/// Hands back `worker`'s pending claims (all of them, or those in `ids`) so any worker
/// takes them at once: at shutdown for the sends not done, and at start for the claims of
/// a predecessor of the same name that died.
pub async fn release_claims(
    conn: &impl ConnectionTrait,
    worker: &str,
    ids: Option<Vec<i32>>,
) -> Result<u64, DbErr> {
    let mut update = unclaim()
        .filter(outbox::Column::LockedBy.eq(worker))
        .filter(outbox::Column::Status.eq(DeliveryStatus::Pending));
    if let Some(ids) = ids {
        update = update.filter(outbox::Column::Id.is_in(ids));
    }
    Ok(update.exec(conn).await?.rows_affected)
}

/// When the next pending row not claimed by anyone falls due, if any.
pub async fn next_due(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let next = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::NextAttemptAt)
        .filter(outbox::Column::Status.eq(DeliveryStatus::Pending))
        .filter(
            Condition::any()
                .add(outbox::Column::LockedUntil.is_null())
                .add(outbox::Column::LockedUntil.lt(now)),
        )
        .order_by_asc(outbox::Column::NextAttemptAt)
        .into_tuple::<DateTime<Utc>>()
        .one(conn)
        .await?;
    Ok(next)
}

/// Records a row as sent.
pub async fn mark_sent(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    end_attempt(ids, true)
        .col_expr(outbox::Column::Status, Expr::value(DeliveryStatus::Sent))
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .exec(conn)
        .await?;
    Ok(())
}

/// What becomes of a delivery that did not go out this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextTry {
    /// Failed: tried again at this moment, first in the queue.
    RetryAt(DateTime<Utc>),
    /// Asked to wait (429): tried again then, without counting as a failed attempt.
    WaitUntil(DateTime<Utc>),
    GiveUp,
}

/// Records an attempt that did not deliver, and what happens next.
pub async fn mark_attempt_failed(
    conn: &impl ConnectionTrait,
    id: i32,
    error: &str,
    next: NextTry,
) -> Result<(), DbErr> {
    let counted = !matches!(next, NextTry::WaitUntil(_));
    let mut update = end_attempt([id], counted).col_expr(
        outbox::Column::LastError,
        Expr::value(error.chars().take(1000).collect::<String>()),
    );
    update = match next {
        NextTry::RetryAt(at) | NextTry::WaitUntil(at) => update
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(at))
            .col_expr(outbox::Column::Priority, Expr::value(priority::FIRST)),
        NextTry::GiveUp => {
            update.col_expr(outbox::Column::Status, Expr::value(DeliveryStatus::Failed))
        }
    };
    update.exec(conn).await?;
    Ok(())
}

/// The rows whose dedupe key starts with `prefix` (e.g. every delivery of one post), oldest
/// first.
pub async fn with_key_prefix(
    conn: &impl ConnectionTrait,
    prefix: &str,
) -> Result<Vec<OutboxRow>, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::DedupeKey.starts_with(prefix))
        .order_by_asc(outbox::Column::Id)
        .all(conn)
        .await
}

/// Pending rows that are due now or leased by a worker: zero means nothing is in flight.
pub async fn in_flight(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::Status.eq(DeliveryStatus::Pending))
        .filter(
            Condition::any()
                .add(outbox::Column::NextAttemptAt.lte(now))
                .add(outbox::Column::LockedUntil.gt(now)),
        )
        .count(conn)
        .await
}

/// How many rows whose dedupe key starts with a prefix are pending, sent and failed.
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
    let rows: Vec<(DeliveryStatus, i64)> = outbox::Entity::find()
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
        match status {
            DeliveryStatus::Pending => counts.pending = count,
            DeliveryStatus::Sent => counts.sent = count,
            DeliveryStatus::Failed => counts.failed = count,
        }
    }
    Ok(counts)
}

/// The link a one-time token travels in. The token sits in the fragment, so it never
/// reaches a server log or a Referer header.
pub fn action_link(public_url: &str, path: &str, token: &str) -> String {
    format!("{}/{path}#token={token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_travel_in_the_fragment() {
        assert_eq!(
            action_link("https://school.nl/", "activate", "abc"),
            "https://school.nl/activate#token=abc"
        );
    }
}
