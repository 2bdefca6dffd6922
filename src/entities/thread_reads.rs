use sea_orm::entity::prelude::*;

/// How far one reader has read the reply thread of one parent on one post.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "thread_reads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: i32,
    /// The parent whose thread this is.
    #[sea_orm(primary_key, auto_increment = false)]
    pub parent_id: i32,
    /// The newest reply this reader has seen.
    pub read_up_to: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
