//! Import records, the snapshots import plans are computed against, and applying a plan.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::{
    entities::{
        children, groups, imports, parent_children,
        users::{self, AccountState, Language, Role},
    },
    features::imports::rules::{FieldChange, children as child_import, parents as parent_import},
};

pub use imports::Model as ImportRecord;

pub const STATUS_PREVIEWED: &str = "previewed";
pub const STATUS_APPLIED: &str = "applied";

/// Rows per multi-row INSERT: well under the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 500;

/// Everything a parent import is planned against: all accounts, children and links.
pub async fn parent_snapshot(
    conn: &impl ConnectionTrait,
) -> Result<parent_import::Snapshot, DbErr> {
    let mut snapshot = parent_import::Snapshot::default();
    for user in users::Entity::find().all(conn).await? {
        snapshot.accounts.insert(
            user.email.clone(),
            parent_import::KnownAccount {
                id: user.id,
                is_parent: user.role == Role::Parent,
                email: user.email,
                first_name: user.first_name,
                name_prefix: user.name_prefix,
                last_name: user.last_name,
                address: user.address,
                phone: user.phone,
            },
        );
    }
    let group_names = group_names(conn).await?;
    for child in children::Entity::find().all(conn).await? {
        snapshot.children.insert(
            child.external_id.clone(),
            parent_import::KnownChild {
                id: child.id,
                name: child.full_name(),
                external_id: child.external_id,
                last_name: child.last_name,
                group: child.group_id.and_then(|id| group_names.get(&id).cloned()),
            },
        );
    }
    let links: Vec<(i32, i32)> = parent_children::Entity::find()
        .select_only()
        .columns([
            parent_children::Column::ParentId,
            parent_children::Column::ChildId,
        ])
        .into_tuple()
        .all(conn)
        .await?;
    snapshot.links = links.into_iter().collect();
    Ok(snapshot)
}

/// Everything a children import is planned against: all children and groups.
pub async fn child_snapshot(conn: &impl ConnectionTrait) -> Result<child_import::Snapshot, DbErr> {
    let group_names = group_names(conn).await?;
    let mut snapshot = child_import::Snapshot {
        groups: group_names.values().cloned().collect(),
        ..Default::default()
    };
    for child in children::Entity::find().all(conn).await? {
        snapshot.children.insert(
            child.external_id,
            child_import::KnownChild {
                id: child.id,
                first_name: child.first_name,
                name_prefix: child.name_prefix,
                last_name: child.last_name,
                group: child.group_id.and_then(|id| group_names.get(&id).cloned()),
            },
        );
    }
    Ok(snapshot)
}

async fn group_names(conn: &impl ConnectionTrait) -> Result<HashMap<i32, String>, DbErr> {
    Ok(groups::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|group| (group.id, group.name))
        .collect())
}

/// A previewed import to store.
pub struct NewImport {
    pub kind: &'static str,
    pub file_name: String,
    pub fingerprint: String,
    pub plan: serde_json::Value,
    pub counts: serde_json::Value,
    pub created_by: i32,
}

#[tracing::instrument(skip_all, fields(kind = new.kind))]
pub async fn save_preview(
    conn: &impl ConnectionTrait,
    new: NewImport,
    now: DateTime<Utc>,
) -> Result<ImportRecord, DbErr> {
    imports::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        kind: Set(new.kind.into()),
        file_name: Set(new.file_name),
        status: Set(STATUS_PREVIEWED.into()),
        fingerprint: Set(new.fingerprint),
        plan: Set(new.plan),
        counts: Set(new.counts),
        created_by: Set(Some(new.created_by)),
        created_at: Set(now),
        applied_by: Set(None),
        applied_at: Set(None),
    }
    .insert(conn)
    .await
}

pub async fn find(conn: &impl ConnectionTrait, id: &str) -> Result<Option<ImportRecord>, DbErr> {
    imports::Entity::find_by_id(id.to_string()).one(conn).await
}

/// The newest imports first, without their plans.
pub async fn recent(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<ImportRecord>, DbErr> {
    imports::Entity::find()
        .order_by_desc(imports::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Marks a previewed import applied; false when it was applied already (by anyone).
pub async fn mark_applied(
    conn: &impl ConnectionTrait,
    id: &str,
    actor_id: i32,
    counts: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = imports::Entity::update_many()
        .col_expr(imports::Column::Status, Expr::value(STATUS_APPLIED))
        .col_expr(imports::Column::AppliedBy, Expr::value(actor_id))
        .col_expr(imports::Column::AppliedAt, Expr::value(now))
        .col_expr(imports::Column::Counts, Expr::value(counts))
        .filter(imports::Column::Id.eq(id))
        .filter(imports::Column::Status.eq(STATUS_PREVIEWED))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Creates, updates and links what a parent plan says; new accounts are invited, in the
/// file's language for them or else `language`. Returns the e-mail -> id of every account in the plan.
#[tracing::instrument(skip_all, fields(create = plan.create.len(), update = plan.update.len()))]
pub async fn apply_parent_plan(
    conn: &impl ConnectionTrait,
    plan: &parent_import::ParentPlan,
    unlink_missing: bool,
    language: Language,
    now: DateTime<Utc>,
) -> Result<HashMap<String, i32>, DbErr> {
    for batch in plan.create.chunks(BATCH) {
        users::Entity::insert_many(batch.iter().map(|record| users::ActiveModel {
            email: Set(record.email.clone()),
            first_name: Set(record.first_name.clone()),
            name_prefix: Set(record.name_prefix.clone()),
            last_name: Set(record.last_name.clone()),
            role: Set(Role::Parent),
            language: Set(record.language.unwrap_or(language)),
            state: Set(AccountState::Invited),
            password_hash: Set(None),
            address: Set(record.address.clone()),
            phone: Set(record.phone.clone()),
            consent_version: Set(None),
            consent_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(conn)
        .await?;
    }
    let mut ids = HashMap::new();
    let emails: Vec<&String> = plan
        .create
        .iter()
        .map(|record| &record.email)
        .chain(plan.update.iter().map(|update| &update.email))
        .chain(plan.links_to_add.iter().map(|link| &link.email))
        .collect();
    for batch in emails.chunks(BATCH) {
        let found: Vec<(i32, String)> = users::Entity::find()
            .select_only()
            .columns([users::Column::Id, users::Column::Email])
            .filter(users::Column::Email.is_in(batch.iter().map(|email| email.as_str())))
            .into_tuple()
            .all(conn)
            .await?;
        ids.extend(found.into_iter().map(|(id, email)| (email, id)));
    }
    for update in &plan.update {
        let mut query = users::Entity::update_many()
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(update.user_id));
        for FieldChange { field, new, .. } in &update.changes {
            let column = match field.as_str() {
                "first_name" => users::Column::FirstName,
                "name_prefix" => users::Column::NamePrefix,
                "last_name" => users::Column::LastName,
                "address" => users::Column::Address,
                "phone" => users::Column::Phone,
                _ => continue,
            };
            query = query.col_expr(column, Expr::value(new.clone()));
        }
        query.exec(conn).await?;
    }
    let links: Vec<parent_children::ActiveModel> = plan
        .links_to_add
        .iter()
        .filter_map(|link| {
            let parent_id = link.parent_id.or_else(|| ids.get(&link.email).copied())?;
            Some(parent_children::ActiveModel {
                parent_id: Set(parent_id),
                child_id: Set(link.child_id),
                read_only: Set(false),
                created_at: Set(now),
            })
        })
        .collect();
    for batch in links.chunks(BATCH) {
        parent_children::Entity::insert_many(batch.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    if unlink_missing {
        for link in &plan.links_missing {
            if let Some(parent_id) = link.parent_id {
                parent_children::Entity::delete_by_id((parent_id, link.child_id))
                    .exec(conn)
                    .await?;
            }
        }
    }
    Ok(ids)
}

/// Creates groups and children and updates children as a children plan says.
#[tracing::instrument(skip_all, fields(create = plan.create.len(), update = plan.update.len()))]
pub async fn apply_child_plan(
    conn: &impl ConnectionTrait,
    plan: &child_import::ChildPlan,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for name in &plan.groups_to_create {
        groups::ActiveModel {
            name: Set(name.clone()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    let group_ids: HashMap<String, i32> = groups::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|group| (group.name, group.id))
        .collect();
    let group_id =
        |name: &Option<String>| name.as_ref().and_then(|name| group_ids.get(name).copied());
    for batch in plan.create.chunks(BATCH) {
        children::Entity::insert_many(batch.iter().map(|record| children::ActiveModel {
            external_id: Set(record.external_id.clone()),
            first_name: Set(record.first_name.clone()),
            name_prefix: Set(record.name_prefix.clone()),
            last_name: Set(record.last_name.clone()),
            group_id: Set(group_id(&record.group)),
            emergency_contacts: Set(serde_json::json!([])),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(conn)
        .await?;
    }
    for update in &plan.update {
        let mut query = children::Entity::update_many()
            .col_expr(children::Column::UpdatedAt, Expr::value(now))
            .filter(children::Column::Id.eq(update.child_id));
        for FieldChange { field, new, .. } in &update.changes {
            query = match field.as_str() {
                "first_name" => {
                    query.col_expr(children::Column::FirstName, Expr::value(new.clone()))
                }
                "name_prefix" => {
                    query.col_expr(children::Column::NamePrefix, Expr::value(new.clone()))
                }
                "last_name" => query.col_expr(children::Column::LastName, Expr::value(new.clone())),
                "group" => query.col_expr(children::Column::GroupId, Expr::value(group_id(new))),
                _ => query,
            };
        }
        query.exec(conn).await?;
    }
    Ok(())
}

/// Ids of the accounts with these e-mails that are still invited.
pub async fn invited_accounts(
    conn: &impl ConnectionTrait,
    emails: &[String],
) -> Result<Vec<users::Model>, DbErr> {
    let mut found = Vec::new();
    for batch in emails.chunks(BATCH) {
        found.extend(
            users::Entity::find()
                .filter(users::Column::Email.is_in(batch.iter().map(String::as_str)))
                .filter(users::Column::State.eq(AccountState::Invited))
                .order_by_asc(users::Column::LastName)
                .order_by_asc(users::Column::FirstName)
                .all(conn)
                .await?,
        );
    }
    Ok(found)
}

/// First names of each parent's children (e.g. for "news about Emma, Noah").
pub async fn children_first_names(
    conn: &impl ConnectionTrait,
    parent_ids: &[i32],
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut names: HashMap<i32, Vec<String>> = HashMap::new();
    for batch in parent_ids.chunks(BATCH) {
        let links: Vec<(i32, i32)> = parent_children::Entity::find()
            .select_only()
            .columns([
                parent_children::Column::ParentId,
                parent_children::Column::ChildId,
            ])
            .filter(parent_children::Column::ParentId.is_in(batch.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        let child_names: HashMap<i32, String> = children::Entity::find()
            .select_only()
            .columns([children::Column::Id, children::Column::FirstName])
            .filter(children::Column::Id.is_in(links.iter().map(|(_, child)| *child)))
            .into_tuple::<(i32, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        for (parent, child) in links {
            if let Some(name) = child_names.get(&child) {
                names.entry(parent).or_default().push(name.clone());
            }
        }
    }
    Ok(names)
}
