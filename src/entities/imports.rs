use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    /// A UUID: import ids are handed around in URLs.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `parents` or `children`.
    pub kind: String,
    pub file_name: String,
    /// `previewed` or `applied`.
    pub status: String,
    /// Digest of the data the plan was computed against (see `domain::import`).
    pub fingerprint: String,
    /// The planned changes and problems, as JSON.
    pub plan: Json,
    pub counts: Json,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub applied_by: Option<i32>,
    pub applied_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
