use sea_orm::entity::prelude::*;

/// A slot taken by a booking, or blocked by the teacher (`booking_id` None). Unique per
/// slot: the database refuses a second claim, however close in time two requests come.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conference_claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slot_id: i32,
    pub round_id: i32,
    pub booking_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
