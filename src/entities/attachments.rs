use sea_orm::entity::prelude::*;

/// A file attached to a post; its bytes are in the file store under `file_key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    /// The uploaded name, cleaned for use in a download header.
    pub file_name: String,
    /// Decided from the file's content, never from what the uploader claimed.
    pub content_type: String,
    pub size: i32,
    /// `files.key`; `None` only while its bytes still wait in `attachment_blobs` (attached
    /// before the file store existed, until the server moves them at start).
    pub file_key: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
