use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A family's answer for one child and one use of photos.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photo_consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub child_id: i32,
    pub purpose: ConsentPurpose,
    pub granted: bool,
    /// The year the school year of the answer starts in.
    pub school_year: i32,
    pub decided_by: Option<i32>,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What photos of a child may be used for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// The app's photo albums, seen by the parents of the group or school.
    #[sea_orm(string_value = "albums")]
    Albums,
    /// The school's public website.
    #[sea_orm(string_value = "website")]
    Website,
    /// The newsletter and printed material (yearbook, brochure).
    #[sea_orm(string_value = "print")]
    Print,
}
