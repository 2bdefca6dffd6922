use sea_orm::entity::prelude::*;

/// A stored file: its bytes are in the file store's backend under `key`
/// (`platform::files`). Other tables point at `key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "files")]
pub struct Model {
    /// 32 lower-case hex digits (a random UUID), also the object's name in the backend.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// In bytes.
    pub size: i64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Decided by the caller from the bytes, never from what the uploader claimed.
    pub content_type: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
