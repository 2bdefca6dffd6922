use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A phone number or e-mail address of a user beyond the main ones, with its label.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub kind: ContactKind,
    pub label: ContactLabel,
    pub value: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    #[sea_orm(string_value = "phone")]
    Phone,
    #[sea_orm(string_value = "email")]
    Email,
}

/// What a phone number or address is for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ContactLabel {
    #[sea_orm(string_value = "mobile")]
    Mobile,
    #[sea_orm(string_value = "work")]
    Work,
    #[sea_orm(string_value = "home")]
    Home,
    #[sea_orm(string_value = "other")]
    Other,
}
