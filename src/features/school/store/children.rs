//! Children, their parent links (with the read-only flag) and the visibility rule for
//! children: `visible_children` is the one query every child reader uses.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    entities::{children, parent_children, teacher_groups, users::Role},
    features::school::rules::{ChildRelation, EmergencyContact},
};

pub use children::Model as Child;
pub use parent_children::Model as ParentLink;

pub struct NewChild {
    pub external_id: String,
    pub first_name: String,
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub group_id: Option<i32>,
}

pub async fn find_by_id(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Child>, DbErr> {
    children::Entity::find_by_id(id).one(conn).await
}

#[tracing::instrument(skip_all, fields(external_id = new.external_id))]
pub async fn create(
    conn: &impl ConnectionTrait,
    new: NewChild,
    now: DateTime<Utc>,
) -> Result<Child, DbErr> {
    children::ActiveModel {
        external_id: Set(new.external_id),
        first_name: Set(new.first_name),
        name_prefix: Set(new.name_prefix),
        last_name: Set(new.last_name),
        group_id: Set(new.group_id),
        emergency_contacts: Set(serde_json::json!([])),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Changes to a child; `None` leaves a field as it is.
#[derive(Default)]
pub struct ChildChange {
    pub first_name: Option<String>,
    pub name_prefix: Option<Option<String>>,
    pub last_name: Option<String>,
    pub group_id: Option<Option<i32>>,
    pub emergency_contacts: Option<Vec<EmergencyContact>>,
    pub birthday: Option<chrono::NaiveDate>,
}

#[tracing::instrument(skip_all, fields(child_id = child.id))]
pub async fn update(
    conn: &impl ConnectionTrait,
    child: Child,
    change: ChildChange,
    now: DateTime<Utc>,
) -> Result<Child, DbErr> {
    let mut active = child.into_active_model();
    if let Some(first_name) = change.first_name {
        active.first_name = Set(first_name);
    }
    if let Some(name_prefix) = change.name_prefix {
        active.name_prefix = Set(name_prefix);
    }
    if let Some(last_name) = change.last_name {
        active.last_name = Set(last_name);
    }
    if let Some(group_id) = change.group_id {
        active.group_id = Set(group_id);
    }
    if let Some(contacts) = change.emergency_contacts {
        active.emergency_contacts =
            Set(serde_json::to_value(contacts).expect("contacts serialize to JSON"));
    }
    if let Some(birthday) = change.birthday {
        active.birthday = Set(Some(birthday));
    }
    active.updated_at = Set(now);
    active.update(conn).await
}

#[tracing::instrument(skip_all, fields(child_id))]
pub async fn delete(conn: &impl ConnectionTrait, child_id: i32) -> Result<(), DbErr> {
    children::Entity::delete_by_id(child_id).exec(conn).await?;
    Ok(())
}

/// The children a user may see: all for admins, linked ones for parents, those in taught
/// groups for teachers. Ordered by group, last name, first name.
pub async fn visible_children(
    conn: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
) -> Result<Vec<Child>, DbErr> {
    let mut query = children::Entity::find();
    match role {
        Role::Admin => {}
        Role::Parent => {
            let linked: Vec<i32> = parent_children::Entity::find()
                .select_only()
                .column(parent_children::Column::ChildId)
                .filter(parent_children::Column::ParentId.eq(user_id))
                .into_tuple()
                .all(conn)
                .await?;
            query = query.filter(children::Column::Id.is_in(linked));
        }
        Role::Teacher => {
            let groups: Vec<i32> = teacher_groups::Entity::find()
                .select_only()
                .column(teacher_groups::Column::GroupId)
                .filter(teacher_groups::Column::TeacherId.eq(user_id))
                .into_tuple()
                .all(conn)
                .await?;
            query = query.filter(children::Column::GroupId.is_in(groups));
        }
    }
    query
        .order_by_asc(children::Column::GroupId)
        .order_by_asc(children::Column::LastName)
        .order_by_asc(children::Column::FirstName)
        .all(conn)
        .await
}

/// How a user is related to a child (parent link, teacher of its group).
pub async fn relation(
    conn: &impl ConnectionTrait,
    user_id: i32,
    child: &Child,
) -> Result<ChildRelation, DbErr> {
    let parent_link = parent_children::Entity::find_by_id((user_id, child.id))
        .one(conn)
        .await?
        .map(|link| link.read_only);
    let teaches_group = match child.group_id {
        Some(group_id) => teacher_groups::Entity::find_by_id((user_id, group_id))
            .one(conn)
            .await?
            .is_some(),
        None => false,
    };
    Ok(ChildRelation {
        parent_link,
        teaches_group,
    })
}

/// The parent links of one child.
pub async fn links_of_child(
    conn: &impl ConnectionTrait,
    child_id: i32,
) -> Result<Vec<ParentLink>, DbErr> {
    parent_children::Entity::find()
        .filter(parent_children::Column::ChildId.eq(child_id))
        .order_by_asc(parent_children::Column::ParentId)
        .all(conn)
        .await
}

/// The parent links of several children at once.
pub async fn links_of_children(
    conn: &impl ConnectionTrait,
    child_ids: Vec<i32>,
) -> Result<Vec<ParentLink>, DbErr> {
    parent_children::Entity::find()
        .filter(parent_children::Column::ChildId.is_in(child_ids))
        .all(conn)
        .await
}

/// Links a parent to a child, or changes the read-only flag of an existing link.
#[tracing::instrument(skip_all, fields(parent_id, child_id, read_only))]
pub async fn upsert_link(
    conn: &impl ConnectionTrait,
    parent_id: i32,
    child_id: i32,
    read_only: bool,
    now: DateTime<Utc>,
) -> Result<ParentLink, DbErr> {
    match parent_children::Entity::find_by_id((parent_id, child_id))
        .one(conn)
        .await?
    {
        Some(link) if link.read_only == read_only => Ok(link),
        Some(link) => {
            let mut active = link.into_active_model();
            active.read_only = Set(read_only);
            active.update(conn).await
        }
        None => {
            parent_children::ActiveModel {
                parent_id: Set(parent_id),
                child_id: Set(child_id),
                read_only: Set(read_only),
                created_at: Set(now),
            }
            .insert(conn)
            .await
        }
    }
}

/// Returns false when there was no such link.
#[tracing::instrument(skip_all, fields(parent_id, child_id))]
pub async fn remove_link(
    conn: &impl ConnectionTrait,
    parent_id: i32,
    child_id: i32,
) -> Result<bool, DbErr> {
    let result = parent_children::Entity::delete_many()
        .filter(
            Condition::all()
                .add(parent_children::Column::ParentId.eq(parent_id))
                .add(parent_children::Column::ChildId.eq(child_id)),
        )
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Emergency contacts as stored; an unreadable value counts as none.
pub fn emergency_contacts(child: &Child) -> Vec<EmergencyContact> {
    serde_json::from_value(child.emergency_contacts.clone()).unwrap_or_default()
}
