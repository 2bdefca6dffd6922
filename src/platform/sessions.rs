//! Login sessions: made at login by the accounts feature, checked on every request by the
//! HTTP layer. The token is only in the client's cookie or header; the table holds its hash.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
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

/// The unexpired session for a raw token together with its user.
pub async fn find_valid(
    conn: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(sessions::Model, users::Model)>, DbErr> {
    let Some(session) = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(tokens::digest(token)))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
    else {
        return Ok(None);
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

/// Removes sessions that have expired.
pub async fn delete_expired(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}
