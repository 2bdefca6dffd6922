use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Trimmed and lower-cased: the login name.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `admin`, `teacher` or `parent` (see `domain::accounts::Role`).
    pub role: String,
    /// `nl`, `de` or `en`.
    pub language: String,
    /// `invited`, `active` or `disabled`.
    pub state: String,
    pub password_hash: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub consent_version: Option<String>,
    pub consent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
