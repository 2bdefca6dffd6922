//! The school's structure: groups (classes) and their teachers, children and the links
//! between parents and children (with the read-only flag). Parents see and edit their own
//! children (unless read-only), teachers see their groups' children, admins manage all.

pub mod notes;
pub mod privacy;
pub mod rules;
/// The import checks child IDs by the same rule.
pub use rules::MAX_CHILD_ID;
pub mod store;

use std::collections::HashMap;

use crate::platform::services::Services;
use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::Role,
    features::accounts::{self, User},
    platform::{db::AuditedWrite, text},
};
pub use rules::ChildAccess;
use rules::{ChildRelation, EmergencyContact, child_access, validate_contacts};
pub use store::{
    children::{Child, ChildChange, NewChild, ParentLink},
    groups::Group,
};

/// A child and what the caller may do with its data.
pub struct ChildView {
    pub child: Child,
    pub group_name: Option<String>,
    pub access: ChildAccess,
    /// The caller is a parent of the child.
    pub is_parent: bool,
    /// The caller teaches the child's group.
    pub teaches_group: bool,
    /// The caller is family or the office: sees all of the child's data.
    pub family_or_office: bool,
}

/// The children the caller may see: parents their own, teachers their groups', admins all.
pub async fn list_children(services: &Services, actor: &Actor) -> Result<Vec<ChildView>, AppError> {
    let children = store::children::visible_children(&services.db, actor.id, actor.role).await?;
    let own_links: HashMap<i32, bool> = if actor.role == Role::Parent {
        store::children::links_of_children(
            &services.db,
            children.iter().map(|child| child.id).collect(),
        )
        .await?
        .into_iter()
        .filter(|link| link.parent_id == actor.id)
        .map(|link| (link.child_id, link.read_only))
        .collect()
    } else {
        HashMap::new()
    };
    let names = group_names(services).await?;
    Ok(children
        .into_iter()
        .map(|child| {
            // Every listed child is linked (parents) or in a taught group (teachers).
            let relation = ChildRelation {
                parent_link: own_links.get(&child.id).copied(),
                teaches_group: actor.role == Role::Teacher,
            };
            view(child, &names, actor, relation)
        })
        .collect())
}

/// One child the caller may see; 404 otherwise, so the answer does not reveal whether the
/// child exists.
pub async fn get_child(services: &Services, actor: &Actor, id: i32) -> Result<ChildView, AppError> {
    let (child, relation) = visible_child(services, actor, id).await?;
    Ok(view(child, &group_names(services).await?, actor, relation))
}

/// A child the caller may change (its parents unless read-only, the office): 404 when the
/// caller may not see it, 403 `read_only` when they may only see it (teachers too).
pub async fn writable_child(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<(), AppError> {
    if get_child(services, actor, child_id).await?.access == ChildAccess::Write {
        Ok(())
    } else {
        Err(AppError::forbidden_with(
            "read_only",
            "You may see but not change this child's data.",
        ))
    }
}

/// A change to a child's data as asked for: parents change emergency contacts, admins also
/// names and group. Checked in `update_child` after the caller's rights.
#[derive(Default)]
pub struct ChildUpdate {
    pub emergency_contacts: Option<Vec<EmergencyContact>>,
    pub first_name: Option<String>,
    /// An empty prefix removes it.
    pub name_prefix: Option<String>,
    pub last_name: Option<String>,
    pub group_id: Option<i32>,
    pub birthday: Option<chrono::NaiveDate>,
}

pub async fn update_child(
    services: &Services,
    actor: &Actor,
    id: i32,
    update: ChildUpdate,
) -> Result<ChildView, AppError> {
    let (child, relation) = visible_child(services, actor, id).await?;
    if child_access(actor.role, relation) != ChildAccess::Write {
        return Err(AppError::forbidden_with(
            "read_only",
            "You may see but not change this child's data.",
        ));
    }
    let today = services.clock.now().date_naive();
    let birthday = update
        .birthday
        .map(|date| rules::birthday(date, today))
        .transpose()?;
    let admin_fields = update.first_name.is_some()
        || update.name_prefix.is_some()
        || update.last_name.is_some()
        || update.group_id.is_some();
    if admin_fields && !actor.is_admin() {
        return Err(AppError::forbidden_with(
            "admin_only_field",
            "Only the school office changes names and groups.",
        ));
    }
    if let Some(group_id) = update.group_id {
        ensure_group_exists(services, group_id).await?;
    }
    let change = ChildChange {
        first_name: update
            .first_name
            .map(|name| text::name("first_name", &name))
            .transpose()?,
        name_prefix: update
            .name_prefix
            .map(|prefix| text::name_prefix(&prefix))
            .transpose()?,
        last_name: update
            .last_name
            .map(|name| text::name("last_name", &name))
            .transpose()?,
        group_id: update.group_id.map(Some),
        emergency_contacts: update
            .emergency_contacts
            .map(|contacts| {
                validate_contacts(contacts).map_err(|err| {
                    AppError::invalid_at(err.field(), "invalid_emergency_contact", err.to_string())
                })
            })
            .transpose()?,
        birthday,
    };
    // Every change to a child's data is on record: who, which fields, when (parents' and
    // teachers' as well as the office's).
    let fields: Vec<&str> = [
        ("first_name", change.first_name.is_some()),
        ("name_prefix", change.name_prefix.is_some()),
        ("last_name", change.last_name.is_some()),
        ("group_id", change.group_id.is_some()),
        ("emergency_contacts", change.emergency_contacts.is_some()),
        ("birthday", change.birthday.is_some()),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    let write = AuditedWrite::begin(services, actor.id, "child.update").await?;
    let child = store::children::update(write.txn(), child, change, write.now()).await?;
    let details = serde_json::json!({ "fields": fields, "by_role": actor.role });
    write.commit(format!("child:{}", child.id), details).await?;
    let names = group_names(services).await?;
    Ok(view(child, &names, actor, relation))
}

/// Adds a child (admins). 409 `child_id_taken` when the child ID exists.
pub async fn create_child(
    services: &Services,
    actor: &Actor,
    new: NewChild,
) -> Result<ChildView, AppError> {
    actor.require_admin()?;
    let external_id = rules::child_id(&new.external_id)?;
    if let Some(group_id) = new.group_id {
        ensure_group_exists(services, group_id).await?;
    }
    let new = NewChild {
        external_id,
        first_name: text::name("first_name", &new.first_name)?,
        name_prefix: new
            .name_prefix
            .as_deref()
            .map(text::name_prefix)
            .transpose()?
            .flatten(),
        last_name: text::name("last_name", &new.last_name)?,
        group_id: new.group_id,
    };
    let write = AuditedWrite::begin(services, actor.id, "child.create").await?;
    let child = store::children::create(write.txn(), new, write.now())
        .await
        .map_err(|err| match AppError::from(err) {
            AppError::Conflict { .. } => AppError::conflict(
                "child_id_taken",
                "A child with this child ID exists already.",
            ),
            other => other,
        })?;
    let details = serde_json::json!({ "external_id": child.external_id });
    write.commit(format!("child:{}", child.id), details).await?;
    let names = group_names(services).await?;
    let relation = ChildRelation {
        parent_link: None,
        teaches_group: false,
    };
    Ok(view(child, &names, actor, relation))
}

/// Removes a child (admins).
pub async fn delete_child(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let child = find_child(services, actor, id).await?;
    let write = AuditedWrite::begin(services, actor.id, "child.delete").await?;
    store::children::delete(write.txn(), child.id).await?;
    let details = serde_json::json!({ "external_id": child.external_id });
    write.commit(format!("child:{}", child.id), details).await?;
    Ok(())
}

/// A child's parents with their links (admins).
pub async fn list_parents(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<Vec<(ParentLink, User)>, AppError> {
    let child = find_child(services, actor, child_id).await?;
    let links = store::children::links_of_child(&services.db, child.id).await?;
    let mut parents = accounts::find_users(
        &services.db,
        links.iter().map(|link| link.parent_id).collect(),
    )
    .await?;
    Ok(links
        .into_iter()
        .filter_map(|link| {
            let parent = parents.remove(&link.parent_id)?;
            Some((link, parent))
        })
        .collect())
}

/// Links a parent to a child, or sets the read-only flag of the link (admins).
pub async fn link_parent(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    parent_id: i32,
    read_only: bool,
) -> Result<(), AppError> {
    let child = find_child(services, actor, child_id).await?;
    let parent =
        accounts::find_with_role(&services.db, parent_id, Role::Parent, "parent_id").await?;
    let write = AuditedWrite::begin(services, actor.id, "child.link_parent").await?;
    store::children::upsert_link(write.txn(), parent.id, child.id, read_only, write.now()).await?;
    let details = serde_json::json!({ "parent_id": parent.id, "read_only": read_only });
    write.commit(format!("child:{}", child.id), details).await?;
    Ok(())
}

/// Unlinks a parent from a child (admins).
pub async fn unlink_parent(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    parent_id: i32,
) -> Result<(), AppError> {
    actor.require_admin()?;
    let write = AuditedWrite::begin(services, actor.id, "child.unlink_parent").await?;
    if !store::children::remove_link(write.txn(), parent_id, child_id).await? {
        return Err(AppError::not_found("link"));
    }
    let details = serde_json::json!({ "parent_id": parent_id });
    write.commit(format!("child:{child_id}"), details).await?;
    Ok(())
}

/// A group with its teachers.
pub struct GroupView {
    pub group: Group,
    pub teacher_ids: Vec<i32>,
}

/// Every group with its teachers; anyone logged in sees them.
pub async fn list_groups(services: &Services) -> Result<Vec<GroupView>, AppError> {
    let mut teachers = store::groups::teachers_by_group(&services.db).await?;
    Ok(store::groups::list(&services.db)
        .await?
        .into_iter()
        .map(|group| GroupView {
            teacher_ids: teachers.remove(&group.id).unwrap_or_default(),
            group,
        })
        .collect())
}

/// Adds a group (admins). 409 `group_name_taken`.
pub async fn create_group(
    services: &Services,
    actor: &Actor,
    name: &str,
) -> Result<GroupView, AppError> {
    actor.require_admin()?;
    let name = text::name("name", name)?;
    let write = AuditedWrite::begin(services, actor.id, "group.create").await?;
    let group = store::groups::create(write.txn(), name, write.now())
        .await
        .map_err(name_taken)?;
    let details = serde_json::json!({ "name": group.name });
    write.commit(format!("group:{}", group.id), details).await?;
    group_view(services, group).await
}

/// Renames a group (admins). 409 `group_name_taken`.
pub async fn rename_group(
    services: &Services,
    actor: &Actor,
    id: i32,
    name: &str,
) -> Result<GroupView, AppError> {
    actor.require_admin()?;
    let name = text::name("name", name)?;
    let group = find_group(services, actor, id).await?;
    let write = AuditedWrite::begin(services, actor.id, "group.rename").await?;
    let group = store::groups::rename(write.txn(), group, name)
        .await
        .map_err(name_taken)?;
    let details = serde_json::json!({ "name": group.name });
    write.commit(format!("group:{}", group.id), details).await?;
    group_view(services, group).await
}

/// Removes a group (admins); its children stay, without a group.
pub async fn delete_group(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let group = find_group(services, actor, id).await?;
    let write = AuditedWrite::begin(services, actor.id, "group.delete").await?;
    store::groups::delete(write.txn(), group.id).await?;
    let details = serde_json::json!({ "name": group.name });
    write.commit(format!("group:{}", group.id), details).await?;
    Ok(())
}

/// Makes a teacher a member of a group (admins); doing it twice is harmless.
pub async fn add_teacher(
    services: &Services,
    actor: &Actor,
    group_id: i32,
    teacher_id: i32,
) -> Result<(), AppError> {
    let group = find_group(services, actor, group_id).await?;
    let teacher =
        accounts::find_with_role(&services.db, teacher_id, Role::Teacher, "teacher_id").await?;
    let write = AuditedWrite::begin(services, actor.id, "group.add_teacher").await?;
    store::groups::add_teacher(write.txn(), group.id, teacher.id).await?;
    let details = serde_json::json!({ "teacher_id": teacher.id });
    write.commit(format!("group:{}", group.id), details).await?;
    Ok(())
}

/// Removes a teacher from a group (admins).
pub async fn remove_teacher(
    services: &Services,
    actor: &Actor,
    group_id: i32,
    teacher_id: i32,
) -> Result<(), AppError> {
    actor.require_admin()?;
    let write = AuditedWrite::begin(services, actor.id, "group.remove_teacher").await?;
    if !store::groups::remove_teacher(write.txn(), group_id, teacher_id).await? {
        return Err(AppError::not_found("group membership"));
    }
    let details = serde_json::json!({ "teacher_id": teacher_id });
    write.commit(format!("group:{group_id}"), details).await?;
    Ok(())
}

/// Whether a group exists; the error names `group_id` when it does not.
pub async fn ensure_group_exists(services: &Services, group_id: i32) -> Result<(), AppError> {
    store::groups::find_by_id(&services.db, group_id)
        .await?
        .map(|_| ())
        .ok_or_else(|| {
            AppError::invalid(
                "group_id",
                "unknown_group",
                "There is no group with this id.",
            )
        })
}

/// Every group, by name (for features that show groups their own way).
pub async fn groups(services: &Services) -> Result<Vec<Group>, AppError> {
    Ok(store::groups::list(&services.db).await?)
}

pub async fn find_group_by_id(services: &Services, id: i32) -> Result<Option<Group>, AppError> {
    Ok(store::groups::find_by_id(&services.db, id).await?)
}

/// The teachers of every group, by group.
pub async fn teachers_by_group(services: &Services) -> Result<HashMap<i32, Vec<i32>>, AppError> {
    Ok(store::groups::teachers_by_group(&services.db).await?)
}

/// The parent links of several children.
pub async fn parent_links(
    services: &Services,
    child_ids: Vec<i32>,
) -> Result<Vec<ParentLink>, AppError> {
    Ok(store::children::links_of_children(&services.db, child_ids).await?)
}

pub async fn find_child_by_id(services: &Services, id: i32) -> Result<Option<Child>, AppError> {
    Ok(store::children::find_by_id(&services.db, id).await?)
}

/// Every group's name, by id.
pub async fn group_names(services: &Services) -> Result<HashMap<i32, String>, AppError> {
    Ok(store::groups::list(&services.db)
        .await?
        .into_iter()
        .map(|group| (group.id, group.name))
        .collect())
}

async fn visible_child(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<(Child, ChildRelation), AppError> {
    let child = store::children::find_by_id(&services.db, child_id)
        .await?
        .ok_or_else(|| AppError::not_found("child"))?;
    let relation = store::children::relation(&services.db, actor.id, &child).await?;
    match child_access(actor.role, relation) {
        ChildAccess::None => Err(AppError::not_found("child")),
        _ => Ok((child, relation)),
    }
}

/// A child, for admins' changes.
async fn find_child(services: &Services, actor: &Actor, id: i32) -> Result<Child, AppError> {
    actor.require_admin()?;
    store::children::find_by_id(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("child"))
}

/// A group, for admins' changes.
async fn find_group(services: &Services, actor: &Actor, id: i32) -> Result<Group, AppError> {
    actor.require_admin()?;
    store::groups::find_by_id(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("group"))
}

async fn group_view(services: &Services, group: Group) -> Result<GroupView, AppError> {
    let teacher_ids = store::groups::teachers_by_group(&services.db)
        .await?
        .remove(&group.id)
        .unwrap_or_default();
    Ok(GroupView { group, teacher_ids })
}

fn name_taken(err: sea_orm::DbErr) -> AppError {
    match AppError::from(err) {
        AppError::Conflict { .. } => {
            AppError::conflict("group_name_taken", "A group with this name exists already.")
        }
        other => other,
    }
}

fn view(
    child: Child,
    group_names: &HashMap<i32, String>,
    actor: &Actor,
    relation: ChildRelation,
) -> ChildView {
    let is_parent = actor.role == Role::Parent && relation.parent_link.is_some();
    ChildView {
        group_name: child.group_id.and_then(|id| group_names.get(&id).cloned()),
        child,
        access: child_access(actor.role, relation),
        is_parent,
        teaches_group: actor.role == Role::Teacher && relation.teaches_group,
        family_or_office: is_parent || actor.role == Role::Admin,
    }
}
