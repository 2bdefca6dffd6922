use sea_orm::entity::prelude::*;

/// A message in the private thread between one parent and the staff about a post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_replies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    /// The parent whose thread this is.
    pub parent_id: i32,
    /// Who wrote it: the parent, or a staff member answering.
    pub author_id: Option<i32>,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
