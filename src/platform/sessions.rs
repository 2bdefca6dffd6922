//! Login sessions: made at login by the accounts feature, checked on every request by the
//! HTTP layer. The token is only in the client's cookie or header; the table holds its hash.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::{
    entities::{sessions, users},
    platform::tokens,
};

/// A new session: the raw token goes to the client, never to the database.
pub struct IssuedSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn create(
    conn: &impl ConnectionTrait,
    user_id: i32,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<IssuedSession, DbErr> {
    let token = tokens::generate();
    let csrf_token = tokens::generate();
    let expires_at = now + lifetime;
    sessions::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(tokens::digest(&token)),
        csrf_token: Set(csrf_token.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(IssuedSession {
        token,
        csrf_token,
        expires_at,
    })
}

/// How often a used session's `last_seen_at` is written: the idle timeout is counted in
/// days, so an hour's precision saves a write on nearly every request.
const TOUCH_EVERY: Duration = Duration::hours(1);

/// Whether a session last marked used at `last_seen_at` is due to be marked again; a cached
/// session that is must be looked up (and so marked) again.
pub fn due_for_touch(last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    last_seen_at <= now - TOUCH_EVERY
}

/// The session for a raw token together with its user, unless it expired or was unused for
/// `idle`. Marks it used.
pub async fn find_valid(
    conn: &impl ConnectionTrait,
    token: &str,
    idle: Duration,
    now: DateTime<Utc>,
) -> Result<Option<(sessions::Model, users::Model)>, DbErr> {
    let Some(session) = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(tokens::digest(token)))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .filter(sessions::Column::LastSeenAt.gt(now - idle))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let session = if due_for_touch(session.last_seen_at, now) {
        let mut touched = session.into_active_model();
        touched.last_seen_at = Set(now);
        touched.update(conn).await?
    } else {
        session
    };
    let user = users::Entity::find_by_id(session.user_id).one(conn).await?;
    Ok(user.map(|user| (session, user)))
}

pub async fn delete(conn: &impl ConnectionTrait, session_id: i32) -> Result<(), DbErr> {
    sessions::Entity::delete_by_id(session_id)
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user, except `keep` (the caller's own) when given.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn delete_all_for_user(
    conn: &impl ConnectionTrait,
    user_id: i32,
    keep: Option<i32>,
) -> Result<u64, DbErr> {
    let mut query = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(sessions::Column::Id.ne(keep));
    }
    Ok(query.exec(conn).await?.rows_affected)
}

/// Removes sessions that have expired or were unused for `idle`.
pub async fn delete_expired(
    conn: &impl ConnectionTrait,
    idle: Duration,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(sessions::Entity::delete_many()
        .filter(
            Condition::any()
                .add(sessions::Column::ExpiresAt.lte(now))
                .add(sessions::Column::LastSeenAt.lte(now - idle)),
        )
        .exec(conn)
        .await?
        .rows_affected)
}
