//! The audit log of admin actions: who did what to which object, when.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder,
    QuerySelect,
};

use crate::entities::audit_log;

pub use audit_log::Model as AuditEntry;

pub async fn record(
    conn: &impl ConnectionTrait,
    actor_id: Option<i32>,
    action: &str,
    target: String,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor_id: Set(actor_id),
        action: Set(action.into()),
        target: Set(target),
        details: Set(details),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The newest entries first.
pub async fn recent(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<AuditEntry>, DbErr> {
    audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
