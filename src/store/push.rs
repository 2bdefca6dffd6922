//! Push subscriptions, notification opt-outs and server key material.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};

use crate::entities::{notification_opt_outs, push_subscriptions};

pub use push_subscriptions::Model as Subscription;

/// Saves a browser's subscription for a user. The endpoint is unique: a device that
/// subscribes again (or moves to another account) keeps one row.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn upsert_subscription(
    conn: &impl ConnectionTrait,
    user_id: i32,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    now: DateTime<Utc>,
) -> Result<Subscription, DbErr> {
    let existing = push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::Endpoint.eq(endpoint))
        .one(conn)
        .await?;
    match existing {
        Some(subscription) => {
            let mut active = subscription.into_active_model();
            active.user_id = Set(user_id);
            active.p256dh = Set(p256dh.into());
            active.auth = Set(auth.into());
            active.update(conn).await
        }
        None => {
            push_subscriptions::ActiveModel {
                user_id: Set(user_id),
                endpoint: Set(endpoint.into()),
                p256dh: Set(p256dh.into()),
                auth: Set(auth.into()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await
        }
    }
}

/// Removes a user's subscription by endpoint; false when there was none.
pub async fn delete_subscription(
    conn: &impl ConnectionTrait,
    user_id: i32,
    endpoint: &str,
) -> Result<bool, DbErr> {
    let result = push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::UserId.eq(user_id))
        .filter(push_subscriptions::Column::Endpoint.eq(endpoint))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Removes a subscription the push service said is gone (404/410).
pub async fn delete_subscription_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    push_subscriptions::Entity::delete_by_id(id)
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn find_subscription(
    conn: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<Subscription>, DbErr> {
    push_subscriptions::Entity::find_by_id(id).one(conn).await
}

pub async fn subscriptions_of_users(
    conn: &impl ConnectionTrait,
    user_ids: Vec<i32>,
) -> Result<Vec<Subscription>, DbErr> {
    let mut found = Vec::new();
    for batch in user_ids.chunks(500) {
        found.extend(
            push_subscriptions::Entity::find()
                .filter(push_subscriptions::Column::UserId.is_in(batch.to_vec()))
                .order_by_asc(push_subscriptions::Column::Id)
                .all(conn)
                .await?,
        );
    }
    Ok(found)
}

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
