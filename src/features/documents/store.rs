//! Document folders and documents in the database; the files are in the file store.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};

use crate::entities::{document_folders, documents};

pub use document_folders::Model as Folder;
pub use documents::Model as Document;

/// Folders of the school, and of `groups` (`None`: of every group).
pub fn folders_of(groups: Option<Vec<i32>>) -> Condition {
    match groups {
        None => Condition::all(),
        Some(groups) => Condition::any()
            .add(document_folders::Column::GroupId.is_null())
            .add(document_folders::Column::GroupId.is_in(groups)),
    }
}

/// The folders `visible` lets through, the school's first, then by name.
pub async fn folders(
    conn: &impl ConnectionTrait,
    visible: Condition,
) -> Result<Vec<Folder>, DbErr> {
    let mut folders = document_folders::Entity::find()
        .filter(visible)
        .order_by_asc(document_folders::Column::Name)
        .all(conn)
        .await?;
    folders.sort_by_key(|folder| folder.group_id.is_some());
    Ok(folders)
}

pub async fn folder(
    conn: &impl ConnectionTrait,
    id: i32,
    visible: Condition,
) -> Result<Option<Folder>, DbErr> {
    document_folders::Entity::find_by_id(id)
        .filter(visible)
        .one(conn)
        .await
}

/// The documents of some folders, newest first.
pub async fn documents_in(
    conn: &impl ConnectionTrait,
    folder_ids: Vec<i32>,
) -> Result<Vec<Document>, DbErr> {
    documents::Entity::find()
        .filter(documents::Column::FolderId.is_in(folder_ids))
        .order_by_desc(documents::Column::UpdatedAt)
        .order_by_desc(documents::Column::Id)
        .all(conn)
        .await
}

pub async fn document(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Document>, DbErr> {
    documents::Entity::find_by_id(id).one(conn).await
}

pub async fn create_folder(
    conn: &impl ConnectionTrait,
    group_id: Option<i32>,
    name: String,
    now: DateTime<Utc>,
) -> Result<Folder, DbErr> {
    document_folders::ActiveModel {
        group_id: Set(group_id),
        name: Set(name),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn delete_folder(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    document_folders::Entity::delete_by_id(id)
        .exec(conn)
        .await?;
    Ok(())
}

/// A stored file as a document version: its name, type, size and file-store key.
pub struct StoredVersion {
    pub file_name: String,
    pub content_type: &'static str,
    pub size: i64,
    pub file_key: String,
}

pub async fn add_document(
    conn: &impl ConnectionTrait,
    folder_id: i32,
    title: String,
    author_id: i32,
    file: StoredVersion,
    now: DateTime<Utc>,
) -> Result<Document, DbErr> {
    documents::ActiveModel {
        folder_id: Set(folder_id),
        title: Set(title),
        file_name: Set(file.file_name),
        content_type: Set(file.content_type.into()),
        size: Set(file.size),
        file_key: Set(file.file_key),
        version: Set(1),
        author_id: Set(Some(author_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Replaces a document's file with a new version (same id, version raised); the old file
/// is no longer referenced, and the file store's janitor removes it.
pub async fn replace_file(
    conn: &impl ConnectionTrait,
    document: Document,
    file: StoredVersion,
    now: DateTime<Utc>,
) -> Result<Document, DbErr> {
    let version = document.version + 1;
    let mut row = document.into_active_model();
    row.file_name = Set(file.file_name);
    row.content_type = Set(file.content_type.into());
    row.size = Set(file.size);
    row.file_key = Set(file.file_key);
    row.version = Set(version);
    row.updated_at = Set(now);
    row.update(conn).await
}

pub async fn delete_document(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    documents::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}
