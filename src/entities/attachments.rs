use sea_orm::entity::prelude::*;

/// A file attached to a post.
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
    pub data: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
