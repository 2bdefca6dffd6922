use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What the teacher set for one child of a round; a child without a row has the defaults
/// (no note, one slot, a talk is optional).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conference_invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub round_id: i32,
    pub child_id: i32,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub double_slot: bool,
    pub need: TalkNeed,
    /// When the parents were last reminded to book.
    pub reminded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Whether the teacher needs to talk to a child's parents in this round.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
#[serde(rename_all = "snake_case")]
pub enum TalkNeed {
    /// The parents must book; those who have not are listed and reminded.
    #[sea_orm(string_value = "required")]
    Required,
    #[default]
    #[sea_orm(string_value = "optional")]
    Optional,
    /// The teacher sees no need this time; the parents may still book.
    #[sea_orm(string_value = "not_needed")]
    NotNeeded,
}
