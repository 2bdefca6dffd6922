//! Groups (classes) and which teachers teach them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::{groups, teacher_groups};

pub use groups::Model as Group;

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<Group>, DbErr> {
    groups::Entity::find()
        .order_by_asc(groups::Column::Name)
        .all(conn)
        .await
}

pub async fn find_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Group>, DbErr> {
    groups::Entity::find_by_id(id).one(conn).await
}

#[tracing::instrument(skip_all, fields(name))]
pub async fn create(
    conn: &impl ConnectionTrait,
    name: String,
    now: DateTime<Utc>,
) -> Result<Group, DbErr> {
    groups::ActiveModel {
        name: Set(name),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

#[tracing::instrument(skip_all, fields(group_id = group.id))]
pub async fn rename(
    conn: &impl ConnectionTrait,
    group: Group,
    name: String,
) -> Result<Group, DbErr> {
    let mut active = group.into_active_model();
    active.name = Set(name);
    active.update(conn).await
}

#[tracing::instrument(skip_all, fields(group_id))]
pub async fn delete(conn: &impl ConnectionTrait, group_id: i32) -> Result<(), DbErr> {
    groups::Entity::delete_by_id(group_id).exec(conn).await?;
    Ok(())
}

/// The teachers of every group, by group.
pub async fn teachers_by_group(
    conn: &impl ConnectionTrait,
) -> Result<HashMap<i32, Vec<i32>>, DbErr> {
    let memberships: Vec<(i32, i32)> = teacher_groups::Entity::find()
        .select_only()
        .columns([
            teacher_groups::Column::GroupId,
            teacher_groups::Column::TeacherId,
        ])
        .order_by_asc(teacher_groups::Column::TeacherId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut teachers: HashMap<i32, Vec<i32>> = HashMap::new();
    for (group_id, teacher_id) in memberships {
        teachers.entry(group_id).or_default().push(teacher_id);
    }
    Ok(teachers)
}

/// Makes a teacher a member of a group; doing it twice is harmless.
#[tracing::instrument(skip_all, fields(teacher_id, group_id))]
pub async fn add_teacher(
    conn: &impl ConnectionTrait,
    group_id: i32,
    teacher_id: i32,
) -> Result<(), DbErr> {
    teacher_groups::Entity::insert(teacher_groups::ActiveModel {
        teacher_id: Set(teacher_id),
        group_id: Set(group_id),
    })
    .on_conflict_do_nothing()
    .exec(conn)
    .await?;
    Ok(())
}

/// Returns false when the teacher was not a member.
#[tracing::instrument(skip_all, fields(teacher_id, group_id))]
pub async fn remove_teacher(
    conn: &impl ConnectionTrait,
    group_id: i32,
    teacher_id: i32,
) -> Result<bool, DbErr> {
    let result = teacher_groups::Entity::delete_many()
        .filter(teacher_groups::Column::GroupId.eq(group_id))
        .filter(teacher_groups::Column::TeacherId.eq(teacher_id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}
