use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// For the whole school; otherwise for the groups in `agenda_item_groups`.
    pub to_school: bool,
    pub author_id: Option<i32>,
    pub title: String,
    pub description: String,
    pub place: String,
    /// Days and times are local, in the school's time zone.
    pub starts_on: Date,
    /// Both times `None`: all day.
    pub start_time: Option<Time>,
    pub ends_on: Date,
    pub end_time: Option<Time>,
    /// Repeats every 1 or 2 weeks until `repeat_until`.
    pub repeat_weeks: Option<i16>,
    pub repeat_until: Option<Date>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// iCalendar SEQUENCE: rises with every change.
    pub sequence: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
