use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `urgent`, `message` or `news`.
    pub kind: String,
    pub author_id: Option<i32>,
    /// Addressed to the whole school; otherwise to the groups in `post_groups`.
    pub to_school: bool,
    pub title: String,
    pub body: String,
    pub ask_confirmation: bool,
    pub allow_replies: bool,
    /// Urgent notices stay pinned on top of the feed until then.
    pub pinned_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The digest or news-batch run that mailed this post (messages and news only).
    pub included_in_run: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
