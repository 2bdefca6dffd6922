//! Devices that receive push messages: one browser push subscription each, owned by a user.
//! The endpoint is unique, so a device that subscribes again (or moves to another account)
//! keeps one row.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::push_subscriptions;

pub use push_subscriptions::Model as Device;

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
pub struct NewDevice<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
}

/// Saves a device for a user, or moves it to this user with its new keys.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn save(
    conn: &impl ConnectionTrait,
    user_id: i32,
    new: NewDevice<'_>,
    now: DateTime<Utc>,
) -> Result<Device, DbErr> {
    let existing = push_subscriptions::Entity::find()
        .filter(push_subscriptions::Column::Endpoint.eq(new.endpoint))
        .one(conn)
        .await?;
    match existing {
        Some(device) => {
            let mut active = device.into_active_model();
            active.user_id = Set(user_id);
            active.p256dh = Set(new.p256dh.into());
            active.auth = Set(new.auth.into());
            active.update(conn).await
        }
        None => {
            push_subscriptions::ActiveModel {
                user_id: Set(user_id),
                endpoint: Set(new.endpoint.into()),
                p256dh: Set(new.p256dh.into()),
                auth: Set(new.auth.into()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await
        }
    }
}

/// Keeps the `keep` newest devices of a user and removes the others.
pub async fn keep_newest(
    conn: &impl ConnectionTrait,
    user_id: i32,
    keep: u64,
) -> Result<u64, DbErr> {
    // A user has a handful of devices: skipping the newest here is simpler than OFFSET
    // without LIMIT, which SQLite does not take.
    let older: Vec<i32> = push_subscriptions::Entity::find()
        .select_only()
        .column(push_subscriptions::Column::Id)
        .filter(push_subscriptions::Column::UserId.eq(user_id))
        .order_by_desc(push_subscriptions::Column::Id)
        .into_tuple::<i32>()
        .all(conn)
        .await?
        .into_iter()
        .skip(keep as usize)
        .collect();
    if older.is_empty() {
        return Ok(0);
    }
    Ok(push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::Id.is_in(older))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Removes a user's device by endpoint; false when there was none.
pub async fn delete(
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

/// Removes every device of a user; how many there were.
pub async fn delete_all_for_user(conn: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    Ok(push_subscriptions::Entity::delete_many()
        .filter(push_subscriptions::Column::UserId.eq(user_id))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Removes a device the push service said is gone (404/410).
pub async fn delete_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    push_subscriptions::Entity::delete_by_id(id)
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn find(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Device>, DbErr> {
    push_subscriptions::Entity::find_by_id(id).one(conn).await
}

/// Every device of these users, oldest first.
pub async fn of_users(
    conn: &impl ConnectionTrait,
    user_ids: Vec<i32>,
) -> Result<Vec<Device>, DbErr> {
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
