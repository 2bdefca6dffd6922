//! Posts, their audience, receipts (read/confirmed) and reply threads, and the visibility
//! rule: `visibility_condition` is the one place that decides which posts a user sees.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, Query},
};

use crate::{
    domain::{
        accounts::{AccountState, Role},
        posts::{Audience, PostKind},
    },
    entities::{
        attachments, children, parent_children, post_groups, post_receipts, post_replies, posts,
        teacher_groups, users,
    },
};

pub use post_receipts::Model as Receipt;
pub use post_replies::Model as Reply;
pub use posts::Model as Post;

pub struct NewPost {
    pub kind: PostKind,
    pub author_id: i32,
    pub audience: Audience,
    pub title: String,
    pub body: String,
    pub ask_confirmation: bool,
    pub allow_replies: bool,
    pub pinned_until: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all, fields(kind = new.kind.code()))]
pub async fn create(
    conn: &impl ConnectionTrait,
    new: NewPost,
    now: DateTime<Utc>,
) -> Result<Post, DbErr> {
    let post = posts::ActiveModel {
        kind: Set(new.kind.code().into()),
        author_id: Set(Some(new.author_id)),
        to_school: Set(new.audience == Audience::School),
        title: Set(new.title),
        body: Set(new.body),
        ask_confirmation: Set(new.ask_confirmation),
        allow_replies: Set(new.allow_replies),
        pinned_until: Set(new.pinned_until),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    if let Audience::Groups(groups) = new.audience {
        let unique: HashSet<i32> = groups.into_iter().collect();
        post_groups::Entity::insert_many(unique.into_iter().map(|group_id| {
            post_groups::ActiveModel {
                post_id: Set(post.id),
                group_id: Set(group_id),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(post)
}

pub async fn find(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Post>, DbErr> {
    posts::Entity::find_by_id(id).one(conn).await
}

/// The posts with these ids that still exist and that the parent may see now, oldest first.
pub async fn visible_to_parent(
    conn: &impl ConnectionTrait,
    parent_id: i32,
    ids: Vec<i32>,
) -> Result<Vec<Post>, DbErr> {
    let visible = visibility_condition(conn, parent_id, Role::Parent).await?;
    posts::Entity::find()
        .filter(posts::Column::Id.is_in(ids))
        .filter(visible)
        .order_by_asc(posts::Column::CreatedAt)
        .order_by_asc(posts::Column::Id)
        .all(conn)
        .await
}

pub async fn group_ids(conn: &impl ConnectionTrait, post_id: i32) -> Result<Vec<i32>, DbErr> {
    post_groups::Entity::find()
        .select_only()
        .column(post_groups::Column::GroupId)
        .filter(post_groups::Column::PostId.eq(post_id))
        .into_tuple()
        .all(conn)
        .await
}

/// The groups of a parent's children.
pub async fn groups_of_parent(
    conn: &impl ConnectionTrait,
    parent_id: i32,
) -> Result<Vec<i32>, DbErr> {
    let groups: Vec<Option<i32>> = children::Entity::find()
        .select_only()
        .column(children::Column::GroupId)
        .filter(
            children::Column::Id.in_subquery(
                Query::select()
                    .column(parent_children::Column::ChildId)
                    .from(parent_children::Entity)
                    .and_where(parent_children::Column::ParentId.eq(parent_id))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(conn)
        .await?;
    Ok(groups
        .into_iter()
        .flatten()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect())
}

/// Which posts a user sees: admins all; teachers the school's, their groups' and their own;
/// parents the school's and those of their children's groups.
pub async fn visibility_condition(
    conn: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
) -> Result<Condition, DbErr> {
    let groups = match role {
        Role::Admin => return Ok(Condition::all()),
        Role::Teacher => super::groups::taught_by(conn, user_id).await?,
        Role::Parent => groups_of_parent(conn, user_id).await?,
    };
    let mut visible = Condition::any().add(posts::Column::ToSchool.eq(true)).add(
        posts::Column::Id.in_subquery(
            Query::select()
                .column(post_groups::Column::PostId)
                .from(post_groups::Entity)
                .and_where(post_groups::Column::GroupId.is_in(groups))
                .to_owned(),
        ),
    );
    if role == Role::Teacher {
        visible = visible.add(posts::Column::AuthorId.eq(user_id));
    }
    Ok(visible)
}

/// The feed: pinned urgent notices first (newest first), then everything else newest first.
pub async fn feed(
    conn: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Post>, DbErr> {
    let visible = visibility_condition(conn, user_id, role).await?;
    let mut posts = posts::Entity::find()
        .filter(visible)
        .order_by_desc(posts::Column::CreatedAt)
        .order_by_desc(posts::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    // Stable: pinned notices keep their newest-first order, and so does the rest.
    posts.sort_by_key(|post| post.pinned_until.is_none_or(|until| until <= now));
    Ok(posts)
}

pub async fn is_visible(
    conn: &impl ConnectionTrait,
    post_id: i32,
    user_id: i32,
    role: Role,
) -> Result<bool, DbErr> {
    let visible = visibility_condition(conn, user_id, role).await?;
    Ok(posts::Entity::find_by_id(post_id)
        .filter(visible)
        .one(conn)
        .await?
        .is_some())
}

/// Records that a user opened a post (the first time counts).
pub async fn mark_read(
    conn: &impl ConnectionTrait,
    post_id: i32,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    post_receipts::Entity::insert(post_receipts::ActiveModel {
        post_id: Set(post_id),
        user_id: Set(user_id),
        read_at: Set(now),
        confirmed_at: Set(None),
    })
    .on_conflict_do_nothing()
    .exec(conn)
    .await?;
    Ok(())
}

/// Records a confirmation of receipt (and the read, if it was not yet).
pub async fn confirm(
    conn: &impl ConnectionTrait,
    post_id: i32,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    mark_read(conn, post_id, user_id, now).await?;
    post_receipts::Entity::update_many()
        .col_expr(post_receipts::Column::ConfirmedAt, Expr::value(now))
        .filter(post_receipts::Column::PostId.eq(post_id))
        .filter(post_receipts::Column::UserId.eq(user_id))
        .filter(post_receipts::Column::ConfirmedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// One user's receipts for some posts.
pub async fn receipts_of_user(
    conn: &impl ConnectionTrait,
    user_id: i32,
    post_ids: Vec<i32>,
) -> Result<HashMap<i32, Receipt>, DbErr> {
    Ok(post_receipts::Entity::find()
        .filter(post_receipts::Column::UserId.eq(user_id))
        .filter(post_receipts::Column::PostId.is_in(post_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|receipt| (receipt.post_id, receipt))
        .collect())
}

pub async fn receipts_of_post(
    conn: &impl ConnectionTrait,
    post_id: i32,
) -> Result<HashMap<i32, Receipt>, DbErr> {
    Ok(post_receipts::Entity::find()
        .filter(post_receipts::Column::PostId.eq(post_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|receipt| (receipt.user_id, receipt))
        .collect())
}

pub async fn add_reply(
    conn: &impl ConnectionTrait,
    post_id: i32,
    parent_id: i32,
    author_id: i32,
    body: String,
    now: DateTime<Utc>,
) -> Result<Reply, DbErr> {
    post_replies::ActiveModel {
        post_id: Set(post_id),
        parent_id: Set(parent_id),
        author_id: Set(Some(author_id)),
        body: Set(body),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Replies of a post, of one parent's thread or of all threads, oldest first.
pub async fn replies(
    conn: &impl ConnectionTrait,
    post_id: i32,
    parent_id: Option<i32>,
) -> Result<Vec<Reply>, DbErr> {
    let mut query = post_replies::Entity::find().filter(post_replies::Column::PostId.eq(post_id));
    if let Some(parent_id) = parent_id {
        query = query.filter(post_replies::Column::ParentId.eq(parent_id));
    }
    query.order_by_asc(post_replies::Column::Id).all(conn).await
}

/// A parent the post is addressed to, through one child.
#[derive(Debug, Clone)]
pub struct AddressedParent {
    pub parent: users::Model,
    pub child: children::Model,
}

/// Every (parent, child) pair the post reaches: parents (not disabled) linked to a child
/// in the school or in one of the post's groups.
pub async fn addressed_parents(
    conn: &impl ConnectionTrait,
    post: &Post,
) -> Result<Vec<AddressedParent>, DbErr> {
    let mut children_query = children::Entity::find();
    if !post.to_school {
        let groups = group_ids(conn, post.id).await?;
        children_query = children_query.filter(children::Column::GroupId.is_in(groups));
    }
    let children: HashMap<i32, children::Model> = children_query
        .all(conn)
        .await?
        .into_iter()
        .map(|child| (child.id, child))
        .collect();
    let mut links = Vec::new();
    for batch in children.keys().copied().collect::<Vec<_>>().chunks(500) {
        links.extend(
            parent_children::Entity::find()
                .filter(parent_children::Column::ChildId.is_in(batch.to_vec()))
                .all(conn)
                .await?,
        );
    }
    let parent_ids: HashSet<i32> = links.iter().map(|link| link.parent_id).collect();
    let mut parents = HashMap::new();
    for batch in parent_ids.into_iter().collect::<Vec<_>>().chunks(500) {
        for parent in users::Entity::find()
            .filter(users::Column::Id.is_in(batch.to_vec()))
            .filter(users::Column::State.ne(AccountState::Disabled.code()))
            .all(conn)
            .await?
        {
            parents.insert(parent.id, parent);
        }
    }
    let mut addressed: Vec<AddressedParent> = links
        .into_iter()
        .filter_map(|link| {
            Some(AddressedParent {
                parent: parents.get(&link.parent_id)?.clone(),
                child: children.get(&link.child_id)?.clone(),
            })
        })
        .collect();
    addressed.sort_by(|a, b| {
        (&a.child.last_name, &a.child.first_name, &a.parent.last_name).cmp(&(
            &b.child.last_name,
            &b.child.first_name,
            &b.parent.last_name,
        ))
    });
    Ok(addressed)
}

/// Whether a teacher teaches any of the post's groups.
pub async fn teaches_any_group(
    conn: &impl ConnectionTrait,
    teacher_id: i32,
    post_id: i32,
) -> Result<bool, DbErr> {
    let groups = group_ids(conn, post_id).await?;
    Ok(teacher_groups::Entity::find()
        .filter(teacher_groups::Column::TeacherId.eq(teacher_id))
        .filter(teacher_groups::Column::GroupId.is_in(groups))
        .one(conn)
        .await?
        .is_some())
}

/// A file to attach.
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

pub async fn add_attachment(
    conn: &impl ConnectionTrait,
    post_id: i32,
    new: NewAttachment,
    now: DateTime<Utc>,
) -> Result<AttachmentInfo, DbErr> {
    let size = new.data.len() as i32;
    let stored = attachments::ActiveModel {
        post_id: Set(post_id),
        file_name: Set(new.file_name),
        content_type: Set(new.content_type.into()),
        size: Set(size),
        data: Set(new.data),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(AttachmentInfo {
        id: stored.id,
        file_name: stored.file_name,
        content_type: stored.content_type,
        size: stored.size,
    })
}

/// An attachment without its content.
#[derive(Debug, Clone)]
pub struct AttachmentInfo {
    pub id: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
}

/// The attachments of a post, without their content.
pub async fn attachments_of(
    conn: &impl ConnectionTrait,
    post_id: i32,
) -> Result<Vec<AttachmentInfo>, DbErr> {
    let rows: Vec<(i32, String, String, i32)> = attachments::Entity::find()
        .select_only()
        .columns([
            attachments::Column::Id,
            attachments::Column::FileName,
            attachments::Column::ContentType,
            attachments::Column::Size,
        ])
        .filter(attachments::Column::PostId.eq(post_id))
        .order_by_asc(attachments::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, file_name, content_type, size)| AttachmentInfo {
            id,
            file_name,
            content_type,
            size,
        })
        .collect())
}

/// One attachment of a post, with its content.
pub async fn attachment(
    conn: &impl ConnectionTrait,
    post_id: i32,
    id: i32,
) -> Result<Option<attachments::Model>, DbErr> {
    attachments::Entity::find_by_id(id)
        .filter(attachments::Column::PostId.eq(post_id))
        .one(conn)
        .await
}

/// The posts of `kind` a run at `until` lists: created up to `until` and not listed by an
/// earlier run (those `run` listed already count, for a resumed run); with `since`, only
/// those created after it. Oldest first.
pub async fn for_run(
    conn: &impl ConnectionTrait,
    kind: &str,
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
    kind: &str,
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
