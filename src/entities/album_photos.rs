use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One photo of an album: the upload until the background job has made its thumbnail and
/// display copy.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "album_photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub album_id: i32,
    pub uploader_id: Option<i32>,
    pub position: i32,
    pub status: PhotoStatus,
    /// Why processing failed (an error code).
    pub failure: Option<String>,
    pub file_name: String,
    pub upload_key: Option<String>,
    pub original_key: Option<String>,
    pub thumb_key: Option<String>,
    pub display_key: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub display_bytes: i32,
    pub thumb_bytes: i32,
    pub no_recognisable_children: bool,
    pub attempts: i32,
    pub lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
#[serde(rename_all = "snake_case")]
pub enum PhotoStatus {
    /// Uploaded, waiting for (or in) processing.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "ready")]
    Ready,
    /// Could not be processed (`failure` says why); the uploader may send it again.
    #[sea_orm(string_value = "failed")]
    Failed,
}
