use sea_orm::entity::prelude::*;

/// A round of parent-teacher conferences for one group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conference_rounds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub group_id: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub location: String,
    pub video_link: String,
    pub slot_minutes: i32,
    /// Parents see the round and may book from then on.
    pub opens_at: DateTimeUtc,
    /// Parents may book, cancel and move until then; None: until the planning is closed.
    pub deadline_at: Option<DateTimeUtc>,
    /// The planning is closed: bookings are final.
    pub closed_at: Option<DateTimeUtc>,
    pub author_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
