use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "children")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The child ID from the school administration system: the import key.
    pub external_id: String,
    pub first_name: String,
    /// "van der", "de", "von": written before the last name, not sorted by.
    pub name_prefix: Option<String>,
    pub last_name: String,
    pub group_id: Option<i32>,
    /// JSON array of `domain::children::EmergencyContact`.
    pub emergency_contacts: Json,
    pub birthday: Option<Date>,
    /// The file store's key of the child's photo (a square JPEG).
    pub photo_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The name as written: "Anke van der Berg".
    pub fn full_name(&self) -> String {
        super::full_name(
            &self.first_name,
            self.name_prefix.as_deref(),
            &self.last_name,
        )
    }
}
