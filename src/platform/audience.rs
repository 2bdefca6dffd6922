//! Who is addressed, and who sees what: an item (a post; later agenda items, documents,
//! albums) is addressed to the whole school or to some groups (classes). The one visibility
//! rule: admins see everything; teachers what is addressed to the school or to a group they
//! teach; parents what is addressed to the school or to a group of one of their children.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::Query,
};

use crate::{
    app::{
        actor::Actor,
        error::{AppError, sentence},
    },
    entities::{
        children, groups, parent_children, teacher_groups,
        users::{self, AccountState, Role},
    },
};

/// Whom an item is addressed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    School,
    Groups(Vec<i32>),
}

/// Why an author may not address an audience.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressingError {
    #[error("name at least one group, or address the whole school")]
    NoGroups,
    #[error("only the school office writes to the whole school")]
    SchoolNeedsAdmin,
    #[error("you do not teach group {0}")]
    NotOwnGroup(i32),
    #[error("parents do not write to groups or the school")]
    NotStaff,
    #[error("name at most {MAX_GROUPS} groups; for more, address the whole school")]
    TooManyGroups,
}

/// The most groups one item is addressed to.
pub const MAX_GROUPS: usize = 100;

impl From<AddressingError> for AppError {
    fn from(err: AddressingError) -> Self {
        let code = match err {
            AddressingError::NoGroups => {
                return AppError::invalid("group_ids", "no_audience", sentence(&err));
            }
            AddressingError::TooManyGroups => {
                return AppError::invalid("group_ids", "too_many_groups", sentence(&err));
            }
            AddressingError::SchoolNeedsAdmin => "school_audience_needs_admin",
            AddressingError::NotOwnGroup(_) => "not_own_group",
            AddressingError::NotStaff => "forbidden_role",
        };
        AppError::forbidden_with(code, sentence(&err))
    }
}

/// Teachers address their own groups; admins the school or any group; parents nobody.
pub fn check_audience(
    role: Role,
    taught: &[i32],
    audience: &Audience,
) -> Result<(), AddressingError> {
    match (role, audience) {
        (Role::Parent, _) => Err(AddressingError::NotStaff),
        (_, Audience::Groups(groups)) if groups.is_empty() => Err(AddressingError::NoGroups),
        (_, Audience::Groups(groups)) if groups.len() > MAX_GROUPS => {
            Err(AddressingError::TooManyGroups)
        }
        (Role::Admin, _) => Ok(()),
        (Role::Teacher, Audience::School) => Err(AddressingError::SchoolNeedsAdmin),
        (Role::Teacher, Audience::Groups(groups)) => groups
            .iter()
            .find(|group| !taught.contains(group))
            .map_or(Ok(()), |group| Err(AddressingError::NotOwnGroup(*group))),
    }
}

/// Whether `actor` may address `audience` (`check_audience`), and its groups exist (400
/// `unknown_group` naming the first that does not).
pub async fn check_addressing(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    audience: &Audience,
) -> Result<(), AppError> {
    let taught = if actor.role == Role::Teacher {
        groups_taught_by(conn, actor.id).await?
    } else {
        Vec::new()
    };
    check_audience(actor.role, &taught, audience)?;
    if let Audience::Groups(wanted) = audience {
        let existing: HashSet<i32> = groups::Entity::find()
            .select_only()
            .column(groups::Column::Id)
            .filter(groups::Column::Id.is_in(wanted.clone()))
            .into_tuple::<i32>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        if let Some(missing) = wanted.iter().find(|id| !existing.contains(id)) {
            return Err(AppError::invalid(
                "group_ids",
                "unknown_group",
                format!("There is no group {missing}."),
            ));
        }
    }
    Ok(())
}

/// The groups whose items a user sees besides the school's; `None` for admins, who see
/// everything.
pub async fn groups_seen_by(
    conn: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
) -> Result<Option<Vec<i32>>, DbErr> {
    Ok(match role {
        Role::Admin => None,
        Role::Teacher => Some(groups_taught_by(conn, user_id).await?),
        Role::Parent => Some(groups_of_children(conn, user_id).await?),
    })
}

/// The groups a teacher teaches.
pub async fn groups_taught_by(
    conn: &impl ConnectionTrait,
    teacher_id: i32,
) -> Result<Vec<i32>, DbErr> {
    teacher_groups::Entity::find()
        .select_only()
        .column(teacher_groups::Column::GroupId)
        .filter(teacher_groups::Column::TeacherId.eq(teacher_id))
        .into_tuple()
        .all(conn)
        .await
}

/// The groups of a parent's children, each once.
pub async fn groups_of_children(
    conn: &impl ConnectionTrait,
    parent_id: i32,
) -> Result<Vec<i32>, DbErr> {
    let groups: Vec<Option<i32>> = children::Entity::find()
        .select_only()
        .column(children::Column::GroupId)
        .filter(
            children::Column::Id.in_subquery(
                Query::select()
                    .column(parent_children::Column::ChildId)
                    .from(parent_children::Entity)
                    .and_where(parent_children::Column::ParentId.eq(parent_id))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(conn)
        .await?;
    Ok(groups
        .into_iter()
        .flatten()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect())
}

/// How a kind of item records its audience: a `to_school` flag on the item and a table
/// linking items to groups.
#[derive(Clone, Copy, Debug)]
pub struct Addressing<Item: ColumnTrait, Link: ColumnTrait> {
    /// The item's id column.
    pub id: Item,
    /// The item's "to the whole school" flag.
    pub to_school: Item,
    /// The link table's item column.
    pub link_item: Link,
    /// The link table's group column.
    pub link_group: Link,
}

impl<Item: ColumnTrait, Link: ColumnTrait> Addressing<Item, Link> {
    /// Items addressed to the school or to one of `groups`.
    pub fn reaching(&self, groups: Vec<i32>) -> Condition {
        Condition::any().add(self.to_school.eq(true)).add(
            self.id.in_subquery(
                Query::select()
                    .column(self.link_item)
                    .from(self.link_item.entity_name())
                    .and_where(self.link_group.is_in(groups))
                    .to_owned(),
            ),
        )
    }

    /// The items `user_id` may see; everything for admins.
    pub async fn visible_to(
        &self,
        conn: &impl ConnectionTrait,
        user_id: i32,
        role: Role,
    ) -> Result<Condition, DbErr> {
        Ok(match groups_seen_by(conn, user_id, role).await? {
            None => Condition::all(),
            Some(groups) => self.reaching(groups),
        })
    }
}

/// A parent an audience reaches, through one child.
#[derive(Debug, Clone)]
pub struct ReachedParent {
    pub parent: users::Model,
    pub child: children::Model,
}

/// Every (parent, child) pair an audience reaches: parents (not disabled) linked to a child
/// of the school or of one of the groups, ordered by child and parent name.
pub async fn parents_reached(
    conn: &impl ConnectionTrait,
    audience: &Audience,
) -> Result<Vec<ReachedParent>, DbErr> {
    let mut children_query = children::Entity::find();
    if let Audience::Groups(groups) = audience {
        children_query = children_query.filter(children::Column::GroupId.is_in(groups.clone()));
    }
    let children: HashMap<i32, children::Model> = children_query
        .all(conn)
        .await?
        .into_iter()
        .map(|child| (child.id, child))
        .collect();
    let mut links = Vec::new();
    for batch in children.keys().copied().collect::<Vec<_>>().chunks(500) {
        links.extend(
            parent_children::Entity::find()
                .filter(parent_children::Column::ChildId.is_in(batch.to_vec()))
                .all(conn)
                .await?,
        );
    }
    let parent_ids: HashSet<i32> = links.iter().map(|link| link.parent_id).collect();
    let mut parents = HashMap::new();
    for batch in parent_ids.into_iter().collect::<Vec<_>>().chunks(500) {
        for parent in users::Entity::find()
            .filter(users::Column::Id.is_in(batch.to_vec()))
            .filter(users::Column::State.ne(AccountState::Disabled))
            .all(conn)
            .await?
        {
            parents.insert(parent.id, parent);
        }
    }
    let mut reached: Vec<ReachedParent> = links
        .into_iter()
        .filter_map(|link| {
            Some(ReachedParent {
                parent: parents.get(&link.parent_id)?.clone(),
                child: children.get(&link.child_id)?.clone(),
            })
        })
        .collect();
    reached.sort_by(|a, b| {
        (&a.child.last_name, &a.child.first_name, &a.parent.last_name).cmp(&(
            &b.child.last_name,
            &b.child.first_name,
            &b.parent.last_name,
        ))
    });
    Ok(reached)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teachers_address_their_own_groups_only() {
        assert_eq!(
            check_audience(Role::Teacher, &[1, 2], &Audience::Groups(vec![2])),
            Ok(())
        );
        assert_eq!(
            check_audience(Role::Teacher, &[1], &Audience::Groups(vec![1, 3])),
            Err(AddressingError::NotOwnGroup(3))
        );
        assert_eq!(
            check_audience(Role::Teacher, &[1], &Audience::School),
            Err(AddressingError::SchoolNeedsAdmin)
        );
        assert_eq!(check_audience(Role::Admin, &[], &Audience::School), Ok(()));
        assert_eq!(
            check_audience(Role::Admin, &[], &Audience::Groups(vec![])),
            Err(AddressingError::NoGroups)
        );
        assert_eq!(
            check_audience(Role::Parent, &[], &Audience::School),
            Err(AddressingError::NotStaff)
        );
        assert_eq!(
            check_audience(Role::Admin, &[], &Audience::Groups((0..101).collect())),
            Err(AddressingError::TooManyGroups)
        );
    }
}
