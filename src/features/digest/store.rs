//! Which posts a digest or news-batch run lists: each post records the run that listed it,
//! so every post is in exactly one run's mail.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};

use crate::entities::posts::{self, PostKind};

pub use posts::Model as Post;

/// The posts of `kind` a run at `until` lists: created up to `until` and not listed by an
/// earlier run (those `run` listed already count, for a resumed run); with `since`, only
/// those created after it. Oldest first.
pub async fn for_run(
    conn: &impl ConnectionTrait,
    kind: PostKind,
    run: Option<i32>,
    since: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> Result<Vec<Post>, DbErr> {
    let mut not_listed = Condition::any().add(posts::Column::IncludedInRun.is_null());
    if let Some(run) = run {
        not_listed = not_listed.add(posts::Column::IncludedInRun.eq(run));
    }
    let mut query = posts::Entity::find()
        .filter(posts::Column::Kind.eq(kind))
        .filter(posts::Column::CreatedAt.lte(until))
        .filter(not_listed);
    if let Some(since) = since {
        query = query.filter(posts::Column::CreatedAt.gt(since));
    }
    query
        .order_by_asc(posts::Column::CreatedAt)
        .order_by_asc(posts::Column::Id)
        .all(conn)
        .await
}

/// Records the posts of `kind` up to `until` that no run listed as covered by `run`
/// without mailing them: what a school had before the job's first run.
pub async fn mark_unlisted_covered(
    conn: &impl ConnectionTrait,
    kind: PostKind,
    until: DateTime<Utc>,
    run: i32,
) -> Result<(), DbErr> {
    posts::Entity::update_many()
        .col_expr(posts::Column::IncludedInRun, Expr::value(run))
        .filter(posts::Column::Kind.eq(kind))
        .filter(posts::Column::CreatedAt.lte(until))
        .filter(posts::Column::IncludedInRun.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that `run` listed these posts: no later run lists them again.
pub async fn mark_included(
    conn: &impl ConnectionTrait,
    ids: Vec<i32>,
    run: i32,
) -> Result<(), DbErr> {
    for batch in ids.chunks(500) {
        posts::Entity::update_many()
            .col_expr(posts::Column::IncludedInRun, Expr::value(run))
            .filter(posts::Column::Id.is_in(batch.to_vec()))
            .exec(conn)
            .await?;
    }
    Ok(())
}
