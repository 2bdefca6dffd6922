//! What the directory reads: the viewer's links, a group's children with their parents, the
//! parents' other groups, their contact details and the families' privacy choices.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};

use crate::entities::{
    children, parent_children,
    privacy_choices::{self, Field, Visibility},
    teacher_groups, user_contacts,
    users::{self, Role},
};
use crate::features::school::privacy::Viewer;

pub use user_contacts::Model as Contact;

/// The viewer's children, groups and co-parents (two queries for a parent, one for a
/// teacher, none for the office).
pub async fn viewer(conn: &impl ConnectionTrait, id: i32, role: Role) -> Result<Viewer, DbErr> {
    let mut viewer = Viewer {
        id,
        role: Some(role),
        ..Viewer::default()
    };
    match role {
        Role::Admin => {}
        Role::Teacher => {
            viewer.groups = teacher_groups::Entity::find()
                .select_only()
                .column(teacher_groups::Column::GroupId)
                .filter(teacher_groups::Column::TeacherId.eq(id))
                .into_tuple::<i32>()
                .all(conn)
                .await?
                .into_iter()
                .collect();
        }
        Role::Parent => {
            let own = children_of_parents(conn, vec![id]).await?;
            viewer.children = own.iter().map(|(_, child, _)| *child).collect();
            viewer.groups = own.iter().filter_map(|(_, _, group)| *group).collect();
            viewer.co_parents = parent_children::Entity::find()
                .select_only()
                .column(parent_children::Column::ParentId)
                .filter(parent_children::Column::ChildId.is_in(viewer.children.clone()))
                .filter(parent_children::Column::ParentId.ne(id))
                .into_tuple::<i32>()
                .all(conn)
                .await?
                .into_iter()
                .collect();
        }
    }
    Ok(viewer)
}

/// The children of a group, by last name and first name.
pub async fn children_of_group(
    conn: &impl ConnectionTrait,
    group_id: i32,
) -> Result<Vec<children::Model>, DbErr> {
    children::Entity::find()
        .filter(children::Column::GroupId.eq(group_id))
        .order_by_asc(children::Column::LastName)
        .order_by_asc(children::Column::FirstName)
        .all(conn)
        .await
}

/// The children of several parents with their groups: (parent, child, group).
pub async fn children_of_parents(
    conn: &impl ConnectionTrait,
    parent_ids: Vec<i32>,
) -> Result<Vec<(i32, i32, Option<i32>)>, DbErr> {
    let links: Vec<(i32, i32)> = parent_children::Entity::find()
        .select_only()
        .column(parent_children::Column::ParentId)
        .column(parent_children::Column::ChildId)
        .filter(parent_children::Column::ParentId.is_in(parent_ids))
        .into_tuple()
        .all(conn)
        .await?;
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let child_ids: HashSet<i32> = links.iter().map(|(_, child)| *child).collect();
    let groups: HashMap<i32, Option<i32>> = children::Entity::find()
        .select_only()
        .column(children::Column::Id)
        .column(children::Column::GroupId)
        .filter(children::Column::Id.is_in(child_ids))
        .into_tuple::<(i32, Option<i32>)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(links
        .into_iter()
        .map(|(parent, child)| (parent, child, groups.get(&child).copied().flatten()))
        .collect())
}

/// A parent's children, by last name and first name.
pub async fn children_of_parent(
    conn: &impl ConnectionTrait,
    parent_id: i32,
) -> Result<Vec<children::Model>, DbErr> {
    let ids: Vec<i32> = parent_children::Entity::find()
        .select_only()
        .column(parent_children::Column::ChildId)
        .filter(parent_children::Column::ParentId.eq(parent_id))
        .into_tuple()
        .all(conn)
        .await?;
    children::Entity::find()
        .filter(children::Column::Id.is_in(ids))
        .order_by_asc(children::Column::LastName)
        .order_by_asc(children::Column::FirstName)
        .all(conn)
        .await
}

/// Extra phone numbers and e-mail addresses of several users, in their order.
pub async fn contacts_of(
    conn: &impl ConnectionTrait,
    user_ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<Contact>>, DbErr> {
    let mut by_user: HashMap<i32, Vec<Contact>> = HashMap::new();
    for contact in user_contacts::Entity::find()
        .filter(user_contacts::Column::UserId.is_in(user_ids))
        .order_by_asc(user_contacts::Column::UserId)
        .order_by_asc(user_contacts::Column::Position)
        .all(conn)
        .await?
    {
        by_user.entry(contact.user_id).or_default().push(contact);
    }
    Ok(by_user)
}

/// The families' choices: per user and per child, field -> audience.
#[derive(Debug, Default)]
pub struct Choices {
    pub of_users: HashMap<i32, HashMap<Field, Visibility>>,
    pub of_children: HashMap<i32, HashMap<Field, Visibility>>,
}

impl Choices {
    pub fn of_user(&self, user_id: i32, field: Field) -> Option<Visibility> {
        self.of_users.get(&user_id)?.get(&field).copied()
    }
    pub fn of_child(&self, child_id: i32, field: Field) -> Option<Visibility> {
        self.of_children.get(&child_id)?.get(&field).copied()
    }
}

pub async fn choices(
    conn: &impl ConnectionTrait,
    user_ids: Vec<i32>,
    child_ids: Vec<i32>,
) -> Result<Choices, DbErr> {
    let mut choices = Choices::default();
    if user_ids.is_empty() && child_ids.is_empty() {
        return Ok(choices);
    }
    for row in privacy_choices::Entity::find()
        .filter(
            Condition::any()
                .add(privacy_choices::Column::UserId.is_in(user_ids))
                .add(privacy_choices::Column::ChildId.is_in(child_ids)),
        )
        .all(conn)
        .await?
    {
        let (map, id) = match (row.user_id, row.child_id) {
            (Some(user), _) => (&mut choices.of_users, user),
            (None, Some(child)) => (&mut choices.of_children, child),
            (None, None) => continue,
        };
        map.entry(id).or_default().insert(row.field, row.audience);
    }
    Ok(choices)
}

/// Whose choice it is: a parent's own field or a child's.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    User(i32),
    Child(i32),
}

/// Sets (or, with `None`, removes) a family's choice for one field.
pub async fn set_choice(
    conn: &impl ConnectionTrait,
    subject: Subject,
    field: Field,
    audience: Option<Visibility>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (user_id, child_id) = match subject {
        Subject::User(id) => (Some(id), None),
        Subject::Child(id) => (None, Some(id)),
    };
    let subject_filter = match subject {
        Subject::User(id) => privacy_choices::Column::UserId.eq(id),
        Subject::Child(id) => privacy_choices::Column::ChildId.eq(id),
    };
    let Some(audience) = audience else {
        privacy_choices::Entity::delete_many()
            .filter(subject_filter)
            .filter(privacy_choices::Column::Field.eq(field))
            .exec(conn)
            .await?;
        return Ok(());
    };
    let conflict_column = match subject {
        Subject::User(_) => privacy_choices::Column::UserId,
        Subject::Child(_) => privacy_choices::Column::ChildId,
    };
    privacy_choices::Entity::insert(privacy_choices::ActiveModel {
        user_id: Set(user_id),
        child_id: Set(child_id),
        field: Set(field),
        audience: Set(audience),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([conflict_column, privacy_choices::Column::Field])
            .update_columns([
                privacy_choices::Column::Audience,
                privacy_choices::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// How many children each group has.
pub async fn children_per_group(conn: &impl ConnectionTrait) -> Result<HashMap<i32, u64>, DbErr> {
    let rows: Vec<(Option<i32>, i64)> = children::Entity::find()
        .select_only()
        .column(children::Column::GroupId)
        .column_as(children::Column::Id.count(), "count")
        .group_by(children::Column::GroupId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(group, count)| Some((group?, u64::try_from(count).unwrap_or_default())))
        .collect())
}

/// Whose photo it is.
#[derive(Clone, Copy, Debug)]
pub enum PhotoOf {
    User(i32),
    Child(i32),
}

/// Sets or clears a user's or child's photo; false when there was nothing to clear.
pub async fn set_photo(
    conn: &impl ConnectionTrait,
    of: PhotoOf,
    key: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let clearing = key.is_none();
    let result = match of {
        PhotoOf::User(id) => {
            let mut update = users::Entity::update_many()
                .col_expr(users::Column::PhotoKey, Expr::value(key))
                .col_expr(users::Column::UpdatedAt, Expr::value(now))
                .filter(users::Column::Id.eq(id));
            if clearing {
                update = update.filter(users::Column::PhotoKey.is_not_null());
            }
            update.exec(conn).await?
        }
        PhotoOf::Child(id) => {
            let mut update = children::Entity::update_many()
                .col_expr(children::Column::PhotoKey, Expr::value(key))
                .col_expr(children::Column::UpdatedAt, Expr::value(now))
                .filter(children::Column::Id.eq(id));
            if clearing {
                update = update.filter(children::Column::PhotoKey.is_not_null());
            }
            update.exec(conn).await?
        }
    };
    Ok(result.rows_affected > 0)
}
