//! Posts in the database: the post and its groups, receipts (read, confirmed), reply
//! threads and attachments. Which posts a user sees is `platform::audience`'s rule, applied
//! to posts by `visible_to` (plus a teacher's own posts).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::{
    entities::{
        attachment_blobs, attachments, full_name, post_groups, post_receipts, post_replies,
        posts::{self, PostKind},
        teacher_groups, thread_reads, users,
        users::Role,
    },
    platform::audience::{Addressing, Audience},
};

pub use post_receipts::Model as Receipt;
pub use post_replies::Model as Reply;
pub use posts::Model as Post;

/// How posts record their audience.
const ADDRESSING: Addressing<posts::Column, post_groups::Column> = Addressing {
    id: posts::Column::Id,
    to_school: posts::Column::ToSchool,
    link_item: post_groups::Column::PostId,
    link_group: post_groups::Column::GroupId,
};

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

#[tracing::instrument(skip_all, fields(kind = ?new.kind))]
/// Writes a post that appears at `publish_at` (now, or later when it is scheduled).
pub async fn create(
    conn: &impl ConnectionTrait,
    new: NewPost,
    publish_at: DateTime<Utc>,
) -> Result<Post, DbErr> {
    let post = posts::ActiveModel {
        kind: Set(new.kind),
        author_id: Set(Some(new.author_id)),
        to_school: Set(new.audience == Audience::School),
        title: Set(new.title),
        body: Set(new.body),
        ask_confirmation: Set(new.ask_confirmation),
        allow_replies: Set(new.allow_replies),
        pinned_until: Set(new.pinned_until),
        created_at: Set(publish_at),
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

/// Which posts a user sees at `now`: admins all, scheduled ones included; teachers their
/// own and the school's and their groups' published ones; parents the published ones of the
/// school and of their children's groups.
async fn visible_to(
    conn: &impl ConnectionTrait,
    user_id: i32,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Condition, DbErr> {
    let addressed = ADDRESSING.visible_to(conn, user_id, role).await?;
    if role == Role::Admin {
        return Ok(addressed);
    }
    let published = Condition::all()
        .add(addressed)
        .add(posts::Column::CreatedAt.lte(now));
    Ok(if role == Role::Teacher {
        Condition::any()
            .add(published)
            .add(posts::Column::AuthorId.eq(user_id))
    } else {
        published
    })
}

/// The posts with these ids that still exist and that the parent may see now, oldest first.
pub async fn visible_to_parent(
    conn: &impl ConnectionTrait,
    parent_id: i32,
    ids: Vec<i32>,
    now: DateTime<Utc>,
) -> Result<Vec<Post>, DbErr> {
    posts::Entity::find()
        .filter(posts::Column::Id.is_in(ids))
        .filter(visible_to(conn, parent_id, Role::Parent, now).await?)
        .order_by_asc(posts::Column::CreatedAt)
        .order_by_asc(posts::Column::Id)
        .all(conn)
        .await
}

/// The newest `limit` posts a user sees, newest first.
/// One page of the posts a user sees, newest first, without the ones pinned at `now` (the
/// feed puts those on top of its first page). `after`: the last post of the previous page;
/// `news`: only news (true), everything but news (false), or all (None).
pub async fn page_visible(
    conn: &impl ConnectionTrait,
    reader: (i32, Role),
    page: FeedPage<'_>,
) -> Result<Vec<Post>, DbErr> {
    let unpinned = Condition::any()
        .add(posts::Column::PinnedUntil.is_null())
        .add(posts::Column::PinnedUntil.lte(page.now));
    let mut query = posts::Entity::find()
        .filter(visible_to(conn, reader.0, reader.1, page.now).await?)
        .filter(unpinned)
        .filter(kind_filter(page.news));
    if let Some(after) = page.after {
        query = query.filter(
            Condition::any()
                .add(posts::Column::CreatedAt.lt(after.created_at))
                .add(
                    Condition::all()
                        .add(posts::Column::CreatedAt.eq(after.created_at))
                        .add(posts::Column::Id.lt(after.id)),
                ),
        );
    }
    query
        .order_by_desc(posts::Column::CreatedAt)
        .order_by_desc(posts::Column::Id)
        .limit(page.limit)
        .all(conn)
        .await
}

/// Which page of the feed to read.
pub struct FeedPage<'a> {
    pub limit: u64,
    pub after: Option<&'a Post>,
    pub news: Option<bool>,
    pub now: DateTime<Utc>,
}

/// The posts a user sees that are pinned at `now`, newest first.
pub async fn pinned_visible(
    conn: &impl ConnectionTrait,
    reader: (i32, Role),
    news: Option<bool>,
    now: DateTime<Utc>,
) -> Result<Vec<Post>, DbErr> {
    posts::Entity::find()
        .filter(visible_to(conn, reader.0, reader.1, now).await?)
        .filter(posts::Column::PinnedUntil.gt(now))
        .filter(kind_filter(news))
        .order_by_desc(posts::Column::CreatedAt)
        .order_by_desc(posts::Column::Id)
        .all(conn)
        .await
}

fn kind_filter(news: Option<bool>) -> Condition {
    match news {
        Some(true) => Condition::all().add(posts::Column::Kind.eq(PostKind::News)),
        Some(false) => Condition::all().add(posts::Column::Kind.ne(PostKind::News)),
        None => Condition::all(),
    }
}

pub async fn is_visible(
    conn: &impl ConnectionTrait,
    post_id: i32,
    reader: (i32, Role),
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(posts::Entity::find_by_id(post_id)
        .filter(visible_to(conn, reader.0, reader.1, now).await?)
        .one(conn)
        .await?
        .is_some())
}

/// The groups of several posts, by post.
pub async fn groups_of(
    conn: &impl ConnectionTrait,
    post_ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<i32>>, DbErr> {
    let rows: Vec<(i32, i32)> = post_groups::Entity::find()
        .select_only()
        .columns([post_groups::Column::PostId, post_groups::Column::GroupId])
        .filter(post_groups::Column::PostId.is_in(post_ids))
        .order_by_asc(post_groups::Column::GroupId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut groups: HashMap<i32, Vec<i32>> = HashMap::new();
    for (post_id, group_id) in rows {
        groups.entry(post_id).or_default().push(group_id);
    }
    Ok(groups)
}

/// Whom a post is addressed to.
pub async fn audience(conn: &impl ConnectionTrait, post: &Post) -> Result<Audience, DbErr> {
    Ok(if post.to_school {
        Audience::School
    } else {
        Audience::Groups(
            groups_of(conn, vec![post.id])
                .await?
                .remove(&post.id)
                .unwrap_or_default(),
        )
    })
}

/// Full names of users, by id.
pub async fn names_of(
    conn: &impl ConnectionTrait,
    user_ids: Vec<i32>,
) -> Result<HashMap<i32, String>, DbErr> {
    let rows: Vec<(i32, String, Option<String>, String)> = users::Entity::find()
        .select_only()
        .columns([
            users::Column::Id,
            users::Column::FirstName,
            users::Column::NamePrefix,
            users::Column::LastName,
        ])
        .filter(users::Column::Id.is_in(user_ids))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, first, prefix, last)| (id, full_name(&first, prefix.as_deref(), &last)))
        .collect())
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

/// One user's receipts for some posts, by post.
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

/// Every receipt of one post, by user.
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

pub async fn find_reply(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Reply>, DbErr> {
    post_replies::Entity::find_by_id(id).one(conn).await
}

/// Changes a post's title and text.
pub async fn update_text(
    conn: &impl ConnectionTrait,
    post: Post,
    title: String,
    body: String,
) -> Result<Post, DbErr> {
    let mut change: posts::ActiveModel = post.into();
    change.title = Set(title);
    change.body = Set(body);
    change.update(conn).await
}

/// Moves a scheduled post to `publish_at`; an urgent notice's pinned time moves with it.
pub async fn reschedule(
    conn: &impl ConnectionTrait,
    post: Post,
    publish_at: DateTime<Utc>,
) -> Result<Post, DbErr> {
    let shift = publish_at - post.created_at;
    let pinned_until = post.pinned_until.map(|until| until + shift);
    let mut change: posts::ActiveModel = post.into();
    change.created_at = Set(publish_at);
    change.pinned_until = Set(pinned_until);
    change.update(conn).await
}

/// Deletes a post; its groups, receipts, replies and attachments go with it (the files
/// they pointed at are left to the janitor).
pub async fn delete(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    posts::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Every reply in the threads of one parent (a parent's conversations), oldest first.
pub async fn replies_in_threads_of(
    conn: &impl ConnectionTrait,
    parent_id: i32,
) -> Result<Vec<Reply>, DbErr> {
    post_replies::Entity::find()
        .filter(post_replies::Column::ParentId.eq(parent_id))
        .order_by_asc(post_replies::Column::Id)
        .all(conn)
        .await
}

/// The replies of the threads active since `since` (staff conversations), oldest first.
pub async fn replies_since(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<Reply>, DbErr> {
    let active: Vec<i32> = post_replies::Entity::find()
        .select_only()
        .column(post_replies::Column::PostId)
        .filter(post_replies::Column::CreatedAt.gte(since))
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    post_replies::Entity::find()
        .filter(post_replies::Column::PostId.is_in(active))
        .order_by_asc(post_replies::Column::Id)
        .all(conn)
        .await
}

/// How far `user_id` has read each thread: (post, parent) to the newest reply seen.
pub async fn threads_read_by(
    conn: &impl ConnectionTrait,
    user_id: i32,
) -> Result<HashMap<(i32, i32), i32>, DbErr> {
    Ok(thread_reads::Entity::find()
        .filter(thread_reads::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|read| ((read.post_id, read.parent_id), read.read_up_to))
        .collect())
}

/// Records that `user_id` has seen the thread up to reply `up_to` (never moves back).
pub async fn mark_thread_read(
    conn: &impl ConnectionTrait,
    user_id: i32,
    post_id: i32,
    parent_id: i32,
    up_to: i32,
) -> Result<(), DbErr> {
    thread_reads::Entity::insert(thread_reads::ActiveModel {
        user_id: Set(user_id),
        post_id: Set(post_id),
        parent_id: Set(parent_id),
        read_up_to: Set(up_to),
    })
    .on_conflict_do_nothing()
    .exec(conn)
    .await?;
    thread_reads::Entity::update_many()
        .col_expr(thread_reads::Column::ReadUpTo, Expr::value(up_to))
        .filter(thread_reads::Column::UserId.eq(user_id))
        .filter(thread_reads::Column::PostId.eq(post_id))
        .filter(thread_reads::Column::ParentId.eq(parent_id))
        .filter(thread_reads::Column::ReadUpTo.lt(up_to))
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether a teacher teaches any of the post's groups.
pub async fn teaches_any_group(
    conn: &impl ConnectionTrait,
    teacher_id: i32,
    post_id: i32,
) -> Result<bool, DbErr> {
    let groups = groups_of(conn, vec![post_id])
        .await?
        .remove(&post_id)
        .unwrap_or_default();
    Ok(teacher_groups::Entity::find()
        .filter(teacher_groups::Column::TeacherId.eq(teacher_id))
        .filter(teacher_groups::Column::GroupId.is_in(groups))
        .one(conn)
        .await?
        .is_some())
}

/// A file to attach, already in the file store.
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub size: i32,
    pub file_key: String,
}

pub async fn add_attachment(
    conn: &impl ConnectionTrait,
    post_id: i32,
    new: NewAttachment,
    now: DateTime<Utc>,
) -> Result<AttachmentInfo, DbErr> {
    let stored = attachments::ActiveModel {
        post_id: Set(post_id),
        file_name: Set(new.file_name),
        content_type: Set(new.content_type.into()),
        size: Set(new.size),
        file_key: Set(Some(new.file_key)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(AttachmentInfo {
        id: stored.id,
        post_id,
        file_name: stored.file_name,
        content_type: stored.content_type,
        size: stored.size,
    })
}

/// An attachment without its content.
#[derive(Debug, Clone)]
pub struct AttachmentInfo {
    pub id: i32,
    pub post_id: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
}

/// The attachments of several posts without their content, by post, oldest first.
pub async fn attachments_of(
    conn: &impl ConnectionTrait,
    post_ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<AttachmentInfo>>, DbErr> {
    let rows: Vec<(i32, i32, String, String, i32)> = attachments::Entity::find()
        .select_only()
        .columns([
            attachments::Column::Id,
            attachments::Column::PostId,
            attachments::Column::FileName,
            attachments::Column::ContentType,
            attachments::Column::Size,
        ])
        .filter(attachments::Column::PostId.is_in(post_ids))
        .order_by_asc(attachments::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_post: HashMap<i32, Vec<AttachmentInfo>> = HashMap::new();
    for (id, post_id, file_name, content_type, size) in rows {
        by_post.entry(post_id).or_default().push(AttachmentInfo {
            id,
            post_id,
            file_name,
            content_type,
            size,
        });
    }
    Ok(by_post)
}

/// One attachment of a post.
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

/// The bytes of an attachment made before the file store existed, while they wait to be
/// moved there.
pub async fn stored_bytes(
    conn: &impl ConnectionTrait,
    attachment_id: i32,
) -> Result<Option<Vec<u8>>, DbErr> {
    Ok(attachment_blobs::Entity::find_by_id(attachment_id)
        .one(conn)
        .await?
        .map(|blob| blob.data))
}

/// Up to `limit` attachments whose bytes still wait in the database.
pub async fn waiting_in_database(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<i32>, DbErr> {
    attachment_blobs::Entity::find()
        .select_only()
        .column(attachment_blobs::Column::AttachmentId)
        .order_by_asc(attachment_blobs::Column::AttachmentId)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// Points the attachment at its file in the store and drops its bytes from the database;
/// false when another process did so first.
pub async fn moved_to_file_store(
    conn: &impl ConnectionTrait,
    attachment_id: i32,
    file_key: &str,
) -> Result<bool, DbErr> {
    let moved = attachments::Entity::update_many()
        .col_expr(attachments::Column::FileKey, Expr::value(file_key))
        .filter(attachments::Column::Id.eq(attachment_id))
        .filter(attachments::Column::FileKey.is_null())
        .exec(conn)
        .await?;
    attachment_blobs::Entity::delete_by_id(attachment_id)
        .exec(conn)
        .await?;
    Ok(moved.rows_affected == 1)
}
