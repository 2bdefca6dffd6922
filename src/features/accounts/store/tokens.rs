//! Single-use, expiring tokens for activation and password-reset links, stored as hashes.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, sea_query::Expr,
};

use crate::{entities::one_time_tokens, features::accounts::rules::TokenPurpose, platform::tokens};

pub use one_time_tokens::Model as OneTimeToken;

/// Creates a token and returns the raw value for the link.
#[tracing::instrument(skip_all, fields(user_id, purpose = purpose.code()))]
pub async fn issue(
    conn: &impl ConnectionTrait,
    user_id: i32,
    purpose: TokenPurpose,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let token = tokens::generate();
    one_time_tokens::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.code().into()),
        token_hash: Set(tokens::digest(&token)),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// The token row for a raw token of the given purpose, used or not.
pub async fn find(
    conn: &impl ConnectionTrait,
    raw: &str,
    purpose: TokenPurpose,
) -> Result<Option<OneTimeToken>, DbErr> {
    one_time_tokens::Entity::find()
        .filter(one_time_tokens::Column::TokenHash.eq(tokens::digest(raw)))
        .filter(one_time_tokens::Column::Purpose.eq(purpose.code()))
        .one(conn)
        .await
}

/// Marks a token used, only if nobody else did so first: returns false when it was taken.
pub async fn consume(
    conn: &impl ConnectionTrait,
    token: OneTimeToken,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = one_time_tokens::Entity::update_many()
        .set(one_time_tokens::ActiveModel {
            used_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(one_time_tokens::Column::Id.eq(token.id))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends every open token of one purpose for a user (e.g. older reset links after a reset).
pub async fn expire_open(
    conn: &impl ConnectionTrait,
    user_id: i32,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    one_time_tokens::Entity::update_many()
        .col_expr(one_time_tokens::Column::ExpiresAt, Expr::value(now))
        .filter(one_time_tokens::Column::UserId.eq(user_id))
        .filter(one_time_tokens::Column::Purpose.eq(purpose.code()))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .filter(one_time_tokens::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    Ok(())
}
