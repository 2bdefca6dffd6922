//! Documents: folders of the school and of groups, seen by the audience rule (parents: the
//! school's and their children's groups'; teachers: the school's and their groups'; admins:
//! all). Teachers keep their groups' folders, admins all. Files go through the file store,
//! their type read from the content; a new version keeps the document's id and link.

pub mod store;

use std::collections::HashMap;

use bytes::Bytes;
use chrono::Duration;
use futures_util::stream::BoxStream;
use tokio::io::AsyncRead;

use crate::{
    app::{actor::Actor, error::AppError},
    entities::users::Role,
    platform::{
        audience::{self, Audience},
        db,
        files::{FileError, FileReference, FileStore, types},
        services::Services,
        text,
    },
};
use store::StoredVersion;
pub use store::{Document, Folder};

/// A document counts as new this long after its (latest) upload.
const NEW_FOR_DAYS: i64 = 14;
/// The longest document title, in characters.
pub const MAX_TITLE: usize = 200;

/// The column that points at the file store, for its janitor.
pub const FILE_REFERENCES: &[FileReference] = &[FileReference {
    table: "documents",
    column: "file_key",
}];

/// A folder with its documents as one reader sees them.
pub struct FolderView {
    pub folder: Folder,
    pub documents: Vec<DocumentView>,
    /// The reader may add documents, new versions, and delete.
    pub may_manage: bool,
}

pub struct DocumentView {
    pub document: Document,
    /// Uploaded (or replaced) in the last two weeks.
    pub is_new: bool,
}

/// The folders the reader sees, the school's first, each with its documents newest first.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<FolderView>, AppError> {
    let reader = Reader::of(services, actor).await?;
    let folders = store::folders(&services.db, reader.visible()).await?;
    let mut by_folder: HashMap<i32, Vec<Document>> = HashMap::new();
    for document in store::documents_in(
        &services.db,
        folders.iter().map(|folder| folder.id).collect(),
    )
    .await?
    {
        by_folder
            .entry(document.folder_id)
            .or_default()
            .push(document);
    }
    let now = services.clock.now();
    Ok(folders
        .into_iter()
        .map(|folder| FolderView {
            may_manage: reader.may_manage(&folder),
            documents: by_folder
                .remove(&folder.id)
                .unwrap_or_default()
                .into_iter()
                .map(|document| DocumentView {
                    is_new: now - document.updated_at < Duration::days(NEW_FOR_DAYS),
                    document,
                })
                .collect(),
            folder,
        })
        .collect())
}

/// Makes a folder: of the school (admins) or of a group (its teachers, admins).
pub async fn create_folder(
    services: &Services,
    actor: &Actor,
    group_id: Option<i32>,
    name: &str,
) -> Result<FolderView, AppError> {
    let audience = match group_id {
        Some(group) => Audience::Groups(vec![group]),
        None => Audience::School,
    };
    audience::check_addressing(&services.db, actor, &audience).await?;
    let name = text::name("name", name)?;
    let write = db::AuditedWrite::begin(services, actor.id, "documents.folder_create").await?;
    let folder = store::create_folder(write.txn(), group_id, name, write.now()).await?;
    write
        .commit(format!("folder:{}", folder.id), serde_json::json!({}))
        .await?;
    Ok(FolderView {
        folder,
        documents: Vec::new(),
        may_manage: true,
    })
}

/// Deletes a folder with its documents (their files go with the janitor's next round).
pub async fn delete_folder(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let folder = managed_folder(services, actor, id).await?;
    let write = db::AuditedWrite::begin(services, actor.id, "documents.folder_delete").await?;
    store::delete_folder(write.txn(), folder.id).await?;
    let details = serde_json::json!({ "name": folder.name });
    write.commit(format!("folder:{id}"), details).await?;
    Ok(())
}

/// Adds a document to a folder: streamed into the file store, its type read from its first
/// bytes (PDF, images, office documents, plain text), at most `files.max_document_bytes`.
/// Without a title, the file's name is its title.
pub async fn upload(
    services: &Services,
    actor: &Actor,
    folder_id: i32,
    title: Option<&str>,
    file_name: &str,
    body: impl AsyncRead + Unpin + Send,
) -> Result<DocumentView, AppError> {
    let folder = managed_folder(services, actor, folder_id).await?;
    let title = clean_title(title, file_name)?;
    let (txn, file) = store_file(services, file_name, body).await?;
    let now = services.clock.now();
    let document = store::add_document(&txn, folder.id, title, actor.id, file, now).await?;
    txn.commit().await?;
    Ok(DocumentView {
        document,
        is_new: true,
    })
}

/// A new version of a document: its file is replaced, its id (and so its link) stays.
pub async fn replace(
    services: &Services,
    actor: &Actor,
    id: i32,
    file_name: &str,
    body: impl AsyncRead + Unpin + Send,
) -> Result<DocumentView, AppError> {
    let document = managed_document(services, actor, id).await?;
    let (txn, file) = store_file(services, file_name, body).await?;
    let document = store::replace_file(&txn, document, file, services.clock.now()).await?;
    txn.commit().await?;
    Ok(DocumentView {
        document,
        is_new: true,
    })
}

pub async fn delete(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let document = managed_document(services, actor, id).await?;
    let write = db::AuditedWrite::begin(services, actor.id, "documents.delete").await?;
    store::delete_document(write.txn(), document.id).await?;
    let details = serde_json::json!({ "title": document.title });
    write.commit(format!("document:{id}"), details).await?;
    Ok(())
}

/// A document to send: its name, type and size, and its bytes as a stream.
pub struct DocumentFile {
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, FileError>>,
}

/// A document the reader may see, streamed from the file store.
pub async fn download(
    services: &Services,
    actor: &Actor,
    id: i32,
) -> Result<DocumentFile, AppError> {
    let (document, _) = visible_document(services, actor, id).await?;
    let file = services
        .files
        .get(&services.db, &document.file_key)
        .await?
        .ok_or_else(|| AppError::internal(format!("document {id}: its file is missing")))?;
    Ok(DocumentFile {
        file_name: document.file_name,
        content_type: document.content_type,
        size: file.file.size,
        body: file.body,
    })
}

/// Stores an upload and records it in a transaction the caller finishes.
async fn store_file(
    services: &Services,
    file_name: &str,
    body: impl AsyncRead + Unpin + Send,
) -> Result<(sea_orm::DatabaseTransaction, StoredVersion), AppError> {
    let max_bytes = services.settings.files.max_document_bytes;
    let (object, content_type) = services
        .files
        .put_accepted(body, max_bytes, types::document_type)
        .await?;
    let txn = db::begin_write(&services.db).await?;
    FileStore::record(&txn, &object, content_type, services.clock.now()).await?;
    let file = StoredVersion {
        file_name: types::stored_name(file_name, content_type),
        content_type,
        size: i64::try_from(object.size).unwrap_or(i64::MAX),
        file_key: object.key,
    };
    Ok((txn, file))
}

/// A title from the request, or the file's name without its extension.
fn clean_title(title: Option<&str>, file_name: &str) -> Result<String, AppError> {
    let cleaned = types::clean_file_name(file_name);
    let fallback = cleaned
        .rsplit_once('.')
        .map_or(cleaned.as_str(), |(stem, _)| stem);
    let title = title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(fallback);
    if title.chars().count() > MAX_TITLE || title.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "title",
            "invalid_title",
            format!("A title has 1 to {MAX_TITLE} characters on one line."),
        ));
    }
    Ok(title.to_string())
}

async fn managed_folder(services: &Services, actor: &Actor, id: i32) -> Result<Folder, AppError> {
    let reader = Reader::of(services, actor).await?;
    let folder = store::folder(&services.db, id, reader.visible())
        .await?
        .ok_or_else(|| AppError::not_found("folder"))?;
    if reader.may_manage(&folder) {
        Ok(folder)
    } else {
        Err(AppError::forbidden())
    }
}

async fn visible_document(
    services: &Services,
    actor: &Actor,
    id: i32,
) -> Result<(Document, bool), AppError> {
    let reader = Reader::of(services, actor).await?;
    let not_found = || AppError::not_found("document");
    let document = store::document(&services.db, id)
        .await?
        .ok_or_else(not_found)?;
    let folder = store::folder(&services.db, document.folder_id, reader.visible())
        .await?
        .ok_or_else(not_found)?;
    Ok((document, reader.may_manage(&folder)))
}

async fn managed_document(
    services: &Services,
    actor: &Actor,
    id: i32,
) -> Result<Document, AppError> {
    match visible_document(services, actor, id).await? {
        (document, true) => Ok(document),
        (_, false) => Err(AppError::forbidden()),
    }
}

/// Which folders a user sees (`None`: all) and which groups they teach.
struct Reader {
    role: Role,
    groups: Option<Vec<i32>>,
}

impl Reader {
    async fn of(services: &Services, actor: &Actor) -> Result<Self, AppError> {
        Ok(Self {
            role: actor.role,
            groups: audience::groups_seen_by(&services.db, actor.id, actor.role).await?,
        })
    }

    fn visible(&self) -> sea_orm::Condition {
        store::folders_of(self.groups.clone())
    }

    /// Admins keep every folder; teachers their groups' (the groups they see are those they
    /// teach); parents none.
    fn may_manage(&self, folder: &Folder) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Teacher => folder
                .group_id
                .is_some_and(|group| self.groups.as_ref().is_some_and(|g| g.contains(&group))),
            Role::Parent => false,
        }
    }
}
