//! Pending changes of the login address. The link's token is made when the mail is written
//! and only its SHA-256 is kept here.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};

use crate::{entities::email_changes, platform::tokens};

pub use email_changes::Model as EmailChange;

pub async fn create(
    conn: &impl ConnectionTrait,
    user_id: i32,
    new_email: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<EmailChange, DbErr> {
    email_changes::ActiveModel {
        user_id: Set(user_id),
        new_email: Set(new_email.to_owned()),
        token_hash: Set(None),
        created_at: Set(now),
        expires_at: Set(expires_at),
        confirmed_at: Set(None),
        cancelled_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find(conn: &impl ConnectionTrait, id: i32) -> Result<Option<EmailChange>, DbErr> {
    email_changes::Entity::find_by_id(id).one(conn).await
}

/// The change a link's raw token belongs to.
pub async fn find_by_token(
    conn: &impl ConnectionTrait,
    raw: &str,
) -> Result<Option<EmailChange>, DbErr> {
    email_changes::Entity::find()
        .filter(email_changes::Column::TokenHash.eq(tokens::digest(raw)))
        .one(conn)
        .await
}

/// The user's open change (neither confirmed, cancelled nor expired), if any.
pub async fn open_of_user(
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<EmailChange>, DbErr> {
    email_changes::Entity::find()
        .filter(email_changes::Column::UserId.eq(user_id))
        .filter(email_changes::Column::ConfirmedAt.is_null())
        .filter(email_changes::Column::CancelledAt.is_null())
        .filter(email_changes::Column::ExpiresAt.gt(now))
        .order_by_desc(email_changes::Column::Id)
        .one(conn)
        .await
}

/// Makes a new token for the change's link and keeps its hash; an earlier link stops working.
pub async fn issue_token(conn: &impl ConnectionTrait, id: i32) -> Result<String, DbErr> {
    let token = tokens::generate();
    email_changes::Entity::update_many()
        .col_expr(
            email_changes::Column::TokenHash,
            Expr::value(tokens::digest(&token)),
        )
        .filter(email_changes::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(token)
}

/// Cancels the user's open changes (a newer request, or the user, ends them).
pub async fn cancel_open(
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(email_changes::Entity::update_many()
        .col_expr(email_changes::Column::CancelledAt, Expr::value(now))
        .filter(email_changes::Column::UserId.eq(user_id))
        .filter(email_changes::Column::ConfirmedAt.is_null())
        .filter(email_changes::Column::CancelledAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Marks the change confirmed, only if it is still open: false when someone was first.
pub async fn confirm(
    conn: &impl ConnectionTrait,
    id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(email_changes::Entity::update_many()
        .col_expr(email_changes::Column::ConfirmedAt, Expr::value(now))
        .filter(email_changes::Column::Id.eq(id))
        .filter(email_changes::Column::ConfirmedAt.is_null())
        .filter(email_changes::Column::CancelledAt.is_null())
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}
