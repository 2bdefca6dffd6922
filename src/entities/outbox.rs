use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub channel: Channel,
    /// What to send, e.g. `password_reset`; the worker renders it at send time.
    pub kind: String,
    pub user_id: Option<i32>,
    pub dedupe_key: String,
    pub payload: Json,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A worker's lease: while in the future, no other worker takes the row.
    pub locked_until: Option<DateTimeUtc>,
    /// The worker holding the lease (its `delivery.worker_name`).
    pub locked_by: Option<String>,
    /// Part of an urgent notice: retried by the urgent policy.
    pub urgent: bool,
    /// Place in the queue, lowest first (see `outbox::priority`).
    pub priority: i16,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// How a row is delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Channel {
    #[sea_orm(string_value = "email")]
    Email,
    /// A Web Push message to one device.
    #[sea_orm(string_value = "push")]
    Push,
    /// Work that queues more rows (one post to all its recipients).
    #[sea_orm(string_value = "fanout")]
    Fanout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliveryStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Given up: permanent failure, or out of attempts.
    #[sea_orm(string_value = "failed")]
    Failed,
}
