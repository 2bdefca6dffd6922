//! Server-wide secrets kept in the database (VAPID key, unsubscribe key), so every process
//! on one database signs with the same key.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::entities::server_keys;

/// A stored key, or the one `make` creates and stores if there is none yet. When two
/// processes race, both end up with the value that was stored first.
pub async fn key_or_create(
    conn: &impl ConnectionTrait,
    name: &str,
    make: impl FnOnce() -> anyhow::Result<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    if let Some(key) = server_keys::Entity::find_by_id(name.to_string())
        .one(conn)
        .await?
    {
        return Ok(key.value);
    }
    server_keys::Entity::insert(server_keys::ActiveModel {
        name: Set(name.into()),
        value: Set(make()?),
        created_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec(conn)
    .await?;
    let stored = server_keys::Entity::find_by_id(name.to_string())
        .one(conn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("server key {name} vanished"))?;
    Ok(stored.value)
}
