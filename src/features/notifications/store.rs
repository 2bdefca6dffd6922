//! Notification e-mail settings in the database: which kinds a user switched off.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::notification_opt_outs;

/// The kinds of notification e-mail a user switched off.
pub async fn opt_outs(conn: &impl ConnectionTrait, user_id: i32) -> Result<Vec<String>, DbErr> {
    Ok(notification_opt_outs::Entity::find()
        .filter(notification_opt_outs::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|opt_out| opt_out.kind)
        .collect())
}

/// Whether the user switched off e-mail of `kind`.
pub async fn is_opted_out(
    conn: &impl ConnectionTrait,
    user_id: i32,
    kind: &str,
) -> Result<bool, DbErr> {
    Ok(notification_opt_outs::Entity::find()
        .filter(notification_opt_outs::Column::UserId.eq(user_id))
        .filter(notification_opt_outs::Column::Kind.eq(kind))
        .one(conn)
        .await?
        .is_some())
}

/// Everyone who switched off e-mail of `kind`.
pub async fn opted_out_users(
    conn: &impl ConnectionTrait,
    kind: &str,
) -> Result<std::collections::HashSet<i32>, DbErr> {
    Ok(notification_opt_outs::Entity::find()
        .filter(notification_opt_outs::Column::Kind.eq(kind))
        .all(conn)
        .await?
        .into_iter()
        .map(|opt_out| opt_out.user_id)
        .collect())
}

pub async fn set_opt_out(
    conn: &impl ConnectionTrait,
    user_id: i32,
    kind: &str,
    opted_out: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if opted_out {
        notification_opt_outs::Entity::insert(notification_opt_outs::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind.into()),
            created_at: Set(now),
        })
        .on_conflict_do_nothing()
        .exec(conn)
        .await?;
    } else {
        notification_opt_outs::Entity::delete_by_id((user_id, kind.to_string()))
            .exec(conn)
            .await?;
    }
    Ok(())
}
