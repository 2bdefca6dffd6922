//! Authenticator secrets and recovery codes.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use crate::entities::{recovery_codes, two_factor};

pub use two_factor::Model as TwoFactor;

pub async fn find(conn: &impl ConnectionTrait, user_id: i32) -> Result<Option<TwoFactor>, DbErr> {
    two_factor::Entity::find_by_id(user_id).one(conn).await
}

/// Whether the account logs in with a second step.
pub async fn is_on(conn: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    Ok(find(conn, user_id)
        .await?
        .is_some_and(|found| found.confirmed_at.is_some()))
}

/// Starts (or starts over) a set-up with a new secret, not yet confirmed.
pub async fn save_pending(
    conn: &impl ConnectionTrait,
    user_id: i32,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = two_factor::ActiveModel {
        user_id: Set(user_id),
        secret: Set(secret.to_string()),
        created_at: Set(now),
        confirmed_at: Set(None),
        last_used_step: Set(0),
    };
    two_factor::Entity::insert(row)
        .on_conflict(
            OnConflict::column(two_factor::Column::UserId)
                .update_columns([
                    two_factor::Column::Secret,
                    two_factor::Column::CreatedAt,
                    two_factor::Column::ConfirmedAt,
                    two_factor::Column::LastUsedStep,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn confirm(
    conn: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    two_factor::Entity::update_many()
        .col_expr(two_factor::Column::ConfirmedAt, Expr::value(now))
        .filter(two_factor::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records `step` as used, unless it (or a later one) was: false when the code was used
/// already. One conditional update, so two logins racing with one code cannot both win.
pub async fn use_step(conn: &impl ConnectionTrait, user_id: i32, step: i64) -> Result<bool, DbErr> {
    let result = two_factor::Entity::update_many()
        .col_expr(two_factor::Column::LastUsedStep, Expr::value(step))
        .filter(two_factor::Column::UserId.eq(user_id))
        .filter(two_factor::Column::LastUsedStep.lt(step))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Removes the secret and the recovery codes.
pub async fn delete(conn: &impl ConnectionTrait, user_id: i32) -> Result<bool, DbErr> {
    delete_recovery_codes(conn, user_id).await?;
    let result = two_factor::Entity::delete_by_id(user_id).exec(conn).await?;
    Ok(result.rows_affected > 0)
}

pub async fn delete_recovery_codes(conn: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn save_recovery_codes(
    conn: &impl ConnectionTrait,
    user_id: i32,
    code_hashes: Vec<String>,
) -> Result<(), DbErr> {
    let rows = code_hashes
        .into_iter()
        .map(|code_hash| recovery_codes::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(code_hash),
            used_at: Set(None),
            ..Default::default()
        });
    recovery_codes::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Uses up an unused recovery code of the user; false when there is none with this hash.
pub async fn use_recovery_code(
    conn: &impl ConnectionTrait,
    user_id: i32,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(now))
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::CodeHash.eq(code_hash))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn unused_recovery_codes(
    conn: &impl ConnectionTrait,
    user_id: i32,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .count(conn)
        .await
}
