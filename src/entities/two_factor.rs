use sea_orm::entity::prelude::*;

/// An account's authenticator secret for two-step login (TOTP).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "two_factor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub created_at: DateTimeUtc,
    /// None while set-up waits for the first code from the app.
    pub confirmed_at: Option<DateTimeUtc>,
    /// The last 30-second step whose code was accepted: no code works twice.
    pub last_used_step: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
