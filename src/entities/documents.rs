use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub folder_id: i32,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// The file store's key of the current version.
    pub file_key: String,
    /// 1 for the first upload, raised by each new version.
    pub version: i32,
    pub author_id: Option<i32>,
    pub created_at: DateTimeUtc,
    /// When the current version was uploaded.
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
