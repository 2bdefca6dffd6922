use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub kind: PostKind,
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

/// What a post is, which decides how it reaches parents.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// Pinned on top, pushed and e-mailed at once.
    #[sea_orm(string_value = "urgent")]
    Urgent,
    /// Pushed; e-mailed in the digest.
    #[sea_orm(string_value = "message")]
    Message,
    /// E-mailed in the weekly news batch.
    #[sea_orm(string_value = "news")]
    News,
}
