use sea_orm::entity::prelude::*;

/// One run of a scheduled job for one tick of its schedule (unique per job and tick).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub job: String,
    /// The tick of the schedule this run stands for (a manual run: when it was asked for).
    pub scheduled_for: DateTimeUtc,
    /// `running` or `done`.
    pub status: String,
    /// `schedule`, `catch_up` or `admin`.
    pub triggered_by: String,
    /// While in the future, one process works on the run; after it, another may resume it.
    pub lease_until: Option<DateTimeUtc>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// Parents the run queued a mail for.
    pub recipients: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
