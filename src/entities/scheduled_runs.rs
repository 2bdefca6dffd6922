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
    pub status: RunStatus,
    pub triggered_by: Trigger,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RunStatus {
    /// Being worked on, or left by a process that died (then resumed by another).
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "done")]
    Done,
}

/// What started a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Trigger {
    /// Its tick came.
    #[sea_orm(string_value = "schedule")]
    Schedule,
    /// Made up at start for a tick missed while no server ran.
    #[sea_orm(string_value = "catch_up")]
    CatchUp,
    /// An admin's "run now".
    #[sea_orm(string_value = "admin")]
    Admin,
}
