use sea_orm::entity::prelude::*;

/// A child who can be recognised on a photo.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photo_tags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub photo_id: i32,
    pub child_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
