use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a family chose for one field: of a parent (`user_id`) or of a child (`child_id`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_choices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub child_id: Option<i32>,
    pub field: Field,
    pub audience: Visibility,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Who may see a field, from narrowest to widest.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[sea_orm(string_value = "nobody")]
    Nobody,
    /// Teachers and the school office.
    #[sea_orm(string_value = "staff")]
    Staff,
    /// Also the parents of children in the same group.
    #[sea_orm(string_value = "group_parents")]
    GroupParents,
    /// Also every parent of the school.
    #[sea_orm(string_value = "school_parents")]
    SchoolParents,
}

/// A field of a parent or a child that a family decides on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "snake_case")]
pub enum Field {
    #[sea_orm(string_value = "parent_phone")]
    ParentPhone,
    #[sea_orm(string_value = "parent_email")]
    ParentEmail,
    #[sea_orm(string_value = "parent_address")]
    ParentAddress,
    #[sea_orm(string_value = "parent_photo")]
    ParentPhoto,
    #[sea_orm(string_value = "child_photo")]
    ChildPhoto,
    #[sea_orm(string_value = "child_birthday")]
    ChildBirthday,
    /// The child's name in the groups directory.
    #[sea_orm(string_value = "child_name")]
    ChildName,
}
