//! Teachers' notes on a child, for the child's parents.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};

use crate::entities::child_notes;

pub use child_notes::Model as Note;

/// A child's notes, newest first.
pub async fn of_child(conn: &impl ConnectionTrait, child_id: i32) -> Result<Vec<Note>, DbErr> {
    child_notes::Entity::find()
        .filter(child_notes::Column::ChildId.eq(child_id))
        .order_by_desc(child_notes::Column::CreatedAt)
        .order_by_desc(child_notes::Column::Id)
        .all(conn)
        .await
}

pub async fn find(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Note>, DbErr> {
    child_notes::Entity::find_by_id(id).one(conn).await
}

pub async fn create(
    conn: &impl ConnectionTrait,
    child_id: i32,
    author_id: i32,
    body: String,
    now: DateTime<Utc>,
) -> Result<Note, DbErr> {
    child_notes::ActiveModel {
        child_id: Set(child_id),
        author_id: Set(Some(author_id)),
        body: Set(body),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn update(
    conn: &impl ConnectionTrait,
    note: Note,
    body: String,
    now: DateTime<Utc>,
) -> Result<Note, DbErr> {
    let mut active = note.into_active_model();
    active.body = Set(body);
    active.updated_at = Set(now);
    active.update(conn).await
}

pub async fn delete(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    child_notes::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}
