//! Posts: teachers and admins post urgent notices, messages and news to the school or to
//! groups; parents read their feed, confirm receipt and reply in a private thread; staff see
//! who has read, confirmed and replied, and admins how delivery went. Publishing writes the
//! post and its fan-out job in one transaction; the outbox does the rest (`notify`).

pub mod conversations;
pub mod notify;
pub mod rules;
pub mod store;

use std::collections::HashSet;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream::BoxStream};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use tokio::io::AsyncRead;

use crate::features::directory;
use crate::features::school::privacy::Field;
use crate::platform::files::types as attachment_rules;
use crate::platform::services::Services;
use crate::{
    app::{actor::Actor, error::AppError},
    entities::{attachments, outbox::Channel, posts::PostKind, users::Role},
    platform::{
        audience::{self, Audience, ReachedParent},
        db,
        files::{FileError, FileReference, FileStore},
        outbox::{self, OutboxRow},
    },
};
pub use conversations::{Thread, conversations};
pub use store::{AttachmentInfo, NewAttachment, NewPost, Post, Receipt, Reply};

/// A post as one reader sees it: with its groups, author, attachments and the reader's
/// receipt.
pub struct PostView {
    pub post: Post,
    pub group_ids: Vec<i32>,
    pub author_name: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
    pub receipt: Option<Receipt>,
}

impl PostView {
    /// Shown on top of the feed right now.
    pub fn is_pinned(&self, now: DateTime<Utc>) -> bool {
        self.post.pinned_until.is_some_and(|until| until > now)
    }

    /// Waits to go out: only its author and admins see it yet.
    pub fn is_scheduled(&self, now: DateTime<Utc>) -> bool {
        is_scheduled(&self.post, now)
    }
}

/// A post's `created_at` is when it appears: in the future while it is scheduled.
fn is_scheduled(post: &Post, now: DateTime<Utc>) -> bool {
    post.created_at > now
}

/// What an author asks to post.
pub struct PostRequest {
    pub kind: PostKind,
    pub audience: Audience,
    pub title: String,
    pub body: String,
    pub ask_confirmation: bool,
    pub allow_replies: bool,
    pub pinned_until: Option<DateTime<Utc>>,
    /// Send it later, at this moment; `None` sends it now.
    pub publish_at: Option<DateTime<Utc>>,
}

/// Publishes a post: checks who may address whom, then writes the post, its groups and its
/// fan-out job in one transaction. Answers at once; the outbox sends the rest. A scheduled
/// post is written with its fan-out due at `publish_at`; until then only its author and
/// admins see it, and an urgent notice's pinned time starts then.
#[tracing::instrument(skip_all, fields(actor_id = actor.id, kind = ?request.kind))]
pub async fn publish(
    services: &Services,
    actor: &Actor,
    request: PostRequest,
) -> Result<PostView, AppError> {
    check_addressing(services, actor, &request.audience).await?;
    let (title, body) = rules::clean_text(&request.title, &request.body)?;
    let publish_at = rules::publish_moment(request.publish_at, services.clock.now())?;
    let pinned_until = rules::pinned_until(request.kind, request.pinned_until, publish_at)?;
    let txn = db::begin_write(&services.db).await?;
    let post = store::create(
        &txn,
        NewPost {
            kind: request.kind,
            author_id: actor.id,
            audience: request.audience,
            title,
            body,
            ask_confirmation: request.ask_confirmation,
            allow_replies: request.allow_replies,
            pinned_until,
        },
        publish_at,
    )
    .await?;
    outbox::enqueue(&txn, vec![notify::fan_out_job(&post)], publish_at).await?;
    txn.commit().await?;
    services.outbox.wake();
    Ok(describe(&services.db, vec![post], actor.id)
        .await?
        .remove(0))
}

/// What an author may change after publishing (what is left out stays).
pub struct PostEdit {
    pub title: Option<String>,
    pub body: Option<String>,
    /// A scheduled post only: send it at this moment instead.
    pub publish_at: Option<DateTime<Utc>>,
}

/// Changes a post's title or text, or when a scheduled post goes out (its author and
/// admins). A published urgent notice is pushed again as "updated" to every device of the
/// parents it reaches, in the same transaction; a scheduled one goes out as changed.
pub async fn edit(
    services: &Services,
    actor: &Actor,
    id: i32,
    edit: PostEdit,
) -> Result<PostView, AppError> {
    let post = visible_post(services, actor, id).await?;
    require_author(actor, &post)?;
    let (title, body) = rules::clean_text(
        edit.title.as_deref().unwrap_or(&post.title),
        edit.body.as_deref().unwrap_or(&post.body),
    )?;
    let now = services.clock.now();
    let scheduled = is_scheduled(&post, now);
    let publish_at = match edit.publish_at {
        None => None,
        Some(_) if !scheduled => {
            return Err(AppError::conflict(
                "already_published",
                "This post has gone out already, so its time cannot change.",
            ));
        }
        Some(at) => Some(rules::publish_moment(Some(at), now)?),
    };
    let details = serde_json::json!({
        "title_changed": title != post.title,
        "body_changed": body != post.body,
        "publish_at": publish_at,
    });
    let write = db::AuditedWrite::begin(services, actor.id, "post.edit").await?;
    let mut post = store::update_text(write.txn(), post, title, body).await?;
    if let Some(at) = publish_at {
        post = store::reschedule(write.txn(), post, at).await?;
        outbox::reschedule(write.txn(), &notify::fan_out_key(post.id), at).await?;
    }
    if post.kind == PostKind::Urgent && !scheduled {
        let parents: Vec<i32> = reached(write.txn(), &post)
            .await?
            .into_iter()
            .map(|pair| pair.parent.id)
            .collect::<std::collections::BTreeSet<i32>>()
            .into_iter()
            .collect();
        let pushes = notify::update_pushes(write.txn(), &post, &parents, write.now()).await?;
        outbox::enqueue(write.txn(), pushes, write.now()).await?;
    }
    write.commit(format!("post:{}", post.id), details).await?;
    services.outbox.wake();
    Ok(describe(&services.db, vec![post], actor.id)
        .await?
        .remove(0))
}

/// Deletes a post for everyone (its author and admins): it leaves every feed at once, with
/// its receipts, conversations and attachments. Deliveries not yet sent find it gone and
/// send nothing.
pub async fn delete(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    let post = visible_post(services, actor, id).await?;
    require_author(actor, &post)?;
    let write = db::AuditedWrite::begin(services, actor.id, "post.delete").await?;
    store::delete(write.txn(), post.id).await?;
    let details = serde_json::json!({ "title": post.title, "kind": post.kind });
    write.commit(format!("post:{}", post.id), details).await?;
    Ok(())
}

/// Only a post's author and admins change it, attach files or delete it.
fn require_author(actor: &Actor, post: &Post) -> Result<(), AppError> {
    if actor.is_admin() || post.author_id == Some(actor.id) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// Whether the actor may address `audience` (teachers their own groups, admins any or the
/// school), and its groups exist.
async fn check_addressing(
    services: &Services,
    actor: &Actor,
    audience: &Audience,
) -> Result<(), AppError> {
    audience::check_addressing(&services.db, actor, audience).await
}

/// Whom a post would reach.
pub struct Reach {
    pub parents: usize,
    pub children: usize,
}

/// How many parents (and children) a post to `audience` would reach: what the author is
/// asked to confirm before an urgent notice goes out.
pub async fn reach(
    services: &Services,
    actor: &Actor,
    audience: &Audience,
) -> Result<Reach, AppError> {
    check_addressing(services, actor, audience).await?;
    let reached = audience::parents_reached(&services.db, audience).await?;
    let parents: HashSet<i32> = reached.iter().map(|pair| pair.parent.id).collect();
    let children: HashSet<i32> = reached.iter().map(|pair| pair.child.id).collect();
    Ok(Reach {
        parents: parents.len(),
        children: children.len(),
    })
}

/// What is addressed to the school or to a group of one of the reader's children (staff:
/// what they may see), a page at a time: the first page has the pinned urgent notices on
/// top, then `limit` posts newest first; the next page starts after post `before`. `news`
/// narrows it to news (true) or to everything else (false). A constant number of queries.
pub async fn feed(
    services: &Services,
    actor: &Actor,
    limit: u64,
    before: Option<i32>,
    news: Option<bool>,
) -> Result<Vec<PostView>, AppError> {
    let now = services.clock.now();
    let reader = (actor.id, actor.role);
    let after = match before {
        Some(id) => Some(visible_post(services, actor, id).await.map_err(|_| {
            AppError::invalid(
                "before",
                "unknown_cursor",
                "`before` must be the id of a post of the feed (the last one of a page).",
            )
        })?),
        None => None,
    };
    let page = store::FeedPage {
        limit,
        after: after.as_ref(),
        news,
        now,
    };
    let mut posts = if before.is_none() {
        store::pinned_visible(&services.db, reader, news, now).await?
    } else {
        Vec::new()
    };
    posts.extend(store::page_visible(&services.db, reader, page).await?);
    Ok(describe(&services.db, posts, actor.id).await?)
}

/// Opens a post; with `mark_read` (the reader asked for it, not merely a link), records that
/// they read it.
pub async fn open(
    services: &Services,
    actor: &Actor,
    id: i32,
    mark_read: bool,
) -> Result<PostView, AppError> {
    let post = visible_post(services, actor, id).await?;
    if mark_read {
        store::mark_read(&services.db, post.id, actor.id, services.clock.now()).await?;
    }
    Ok(describe(&services.db, vec![post], actor.id)
        .await?
        .remove(0))
}

/// Confirms receipt (parents). 409 `confirmation_not_requested` when the post does not ask.
pub async fn confirm(services: &Services, actor: &Actor, id: i32) -> Result<(), AppError> {
    actor.require_role(&[Role::Parent])?;
    let post = visible_post(services, actor, id).await?;
    if !post.ask_confirmation {
        return Err(AppError::conflict(
            "confirmation_not_requested",
            "This post does not ask for a confirmation.",
        ));
    }
    store::confirm(&services.db, post.id, actor.id, services.clock.now()).await?;
    Ok(())
}

/// Written by the parent whose thread it is (not by staff answering).
pub fn written_by_parent(reply: &Reply) -> bool {
    reply.author_id == Some(reply.parent_id)
}

/// A reply with its author's name.
pub struct ReplyView {
    pub reply: Reply,
    pub author_name: Option<String>,
}

impl ReplyView {
    /// Written by staff rather than by the parent whose thread it is.
    pub fn from_staff(&self) -> bool {
        !written_by_parent(&self.reply)
    }
}

/// The replies to a post: a parent sees their own thread; staff who manage the post see the
/// threads of the families in their care (`in_care_of`), all or one parent's. With
/// `mark_read` (read in the app), one thread shown is marked read for the reader.
pub async fn replies(
    services: &Services,
    actor: &Actor,
    id: i32,
    parent_id: Option<i32>,
    mark_read: bool,
) -> Result<Vec<ReplyView>, AppError> {
    let post = visible_post(services, actor, id).await?;
    let replies = if actor.role == Role::Parent {
        let own = store::replies(&services.db, post.id, Some(actor.id)).await?;
        if mark_read {
            conversations::mark_seen(services, actor, post.id, actor.id, &own).await?;
        }
        own
    } else {
        let in_care: HashSet<i32> = in_care_of(services, actor, &post)
            .await?
            .into_iter()
            .map(|reached| reached.parent.id)
            .collect();
        let thread = store::replies(&services.db, post.id, parent_id)
            .await?
            .into_iter()
            .filter(|reply| in_care.contains(&reply.parent_id))
            .collect::<Vec<_>>();
        if let (Some(parent_id), true) = (parent_id, mark_read) {
            conversations::mark_seen(services, actor, post.id, parent_id, &thread).await?;
        }
        thread
    };
    let authors: HashSet<i32> = replies.iter().filter_map(|r| r.author_id).collect();
    let names = store::names_of(&services.db, authors.into_iter().collect()).await?;
    Ok(replies
        .into_iter()
        .map(|reply| ReplyView {
            author_name: reply.author_id.and_then(|id| names.get(&id).cloned()),
            reply,
        })
        .collect())
}

/// Writes a reply: a parent in their private thread (when the post allows replies); staff
/// who manage the post in the thread of `parent_id`.
pub async fn reply(
    services: &Services,
    actor: &Actor,
    id: i32,
    body: &str,
    parent_id: Option<i32>,
) -> Result<Reply, AppError> {
    let post = visible_post(services, actor, id).await?;
    let text = rules::clean_reply(body)?;
    let thread = if actor.role == Role::Parent {
        if !post.allow_replies {
            return Err(AppError::conflict(
                "replies_not_allowed",
                "This post does not take replies.",
            ));
        }
        actor.id
    } else {
        let in_care = in_care_of(services, actor, &post).await?;
        let parent_id = parent_id.ok_or_else(|| {
            AppError::invalid(
                "parent_id",
                "parent_required",
                "Name the parent whose thread to answer.",
            )
        })?;
        let is_parent = crate::features::accounts::find_user(&services.db, parent_id)
            .await?
            .is_some_and(|user| user.role == Role::Parent);
        if !is_parent {
            return Err(AppError::invalid(
                "parent_id",
                "not_a_parent",
                "There is no such parent.",
            ));
        }
        // Only parents the post reaches (and, for a teacher, through one of their groups)
        // have a thread.
        if !in_care.iter().any(|reached| reached.parent.id == parent_id) {
            return Err(AppError::invalid(
                "parent_id",
                "not_addressed",
                "The post does not reach this parent, so they have no thread on it.",
            ));
        }
        parent_id
    };
    // The message, that its writer has seen the thread so far, and for an answer from staff
    // the parent's push messages: together or not at all.
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    let reply = store::add_reply(&txn, post.id, thread, actor.id, text, now).await?;
    store::mark_thread_read(&txn, actor.id, post.id, thread, reply.id).await?;
    if actor.role != Role::Parent {
        let answers = notify::answer_pushes(&txn, &reply).await?;
        outbox::enqueue(&txn, answers, now).await?;
    }
    txn.commit().await?;
    services.outbox.wake();
    Ok(reply)
}

/// Attaches a file to a post (its author and admins): streamed into the file store, its
/// type read from its first bytes, then recorded with the attachment in one transaction.
pub async fn attach(
    services: &Services,
    actor: &Actor,
    id: i32,
    file_name: &str,
    body: impl AsyncRead + Unpin + Send,
) -> Result<AttachmentInfo, AppError> {
    let post = visible_post(services, actor, id).await?;
    require_author(actor, &post)?;
    let (object, content_type) = services
        .files
        .put_accepted(
            body,
            services.settings.files.max_attachment_bytes,
            attachment_rules::content_type,
        )
        .await?;
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    FileStore::record(&txn, &object, content_type, now).await?;
    let new = NewAttachment {
        file_name: attachment_rules::stored_name(file_name, content_type),
        content_type,
        size: i32::try_from(object.size).unwrap_or(i32::MAX),
        file_key: object.key,
    };
    let info = store::add_attachment(&txn, post.id, new, now).await?;
    txn.commit().await?;
    Ok(info)
}

/// An attachment to send: its name, type and size, and its bytes as a stream.
pub struct AttachmentFile {
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, FileError>>,
}

/// One attachment of a post the reader may see, streamed from the file store (or, for one
/// made before the file store existed and not moved yet, from the database).
pub async fn download(
    services: &Services,
    actor: &Actor,
    id: i32,
    attachment_id: i32,
) -> Result<AttachmentFile, AppError> {
    let post = visible_post(services, actor, id).await?;
    let attachment = store::attachment(&services.db, post.id, attachment_id)
        .await?
        .ok_or_else(|| AppError::not_found("attachment"))?;
    let (size, body) = match &attachment.file_key {
        Some(key) => {
            let file = services
                .files
                .get(&services.db, key)
                .await?
                .ok_or_else(|| {
                    AppError::internal(format!("attachment {attachment_id}: file {key} is missing"))
                })?;
            (file.file.size, file.body)
        }
        None => {
            let bytes = store::stored_bytes(&services.db, attachment.id)
                .await?
                .ok_or_else(|| {
                    AppError::internal(format!("attachment {attachment_id} has no bytes"))
                })?;
            let size = bytes.len() as u64;
            (
                size,
                futures_util::stream::once(async { Ok(Bytes::from(bytes)) }).boxed(),
            )
        }
    };
    Ok(AttachmentFile {
        file_name: attachment.file_name,
        content_type: attachment.content_type,
        size,
        body,
    })
}

/// The column that points at the file store, for its janitor.
pub const FILE_REFERENCES: &[FileReference] = &[FileReference {
    table: "attachments",
    column: "file_key",
}];

/// Moves the bytes of attachments made before the file store existed into it, one at a
/// time; returns how many. Safe beside other processes doing the same: each attachment is
/// moved once, and a lost race leaves only an object the janitor removes.
pub async fn move_stored_attachments(services: &Services) -> Result<usize, AppError> {
    let mut moved = 0;
    loop {
        let waiting = store::waiting_in_database(&services.db, 100).await?;
        if waiting.is_empty() {
            return Ok(moved);
        }
        for attachment_id in waiting {
            let (Some(bytes), Some(attachment)) = (
                store::stored_bytes(&services.db, attachment_id).await?,
                attachments::Entity::find_by_id(attachment_id)
                    .one(&services.db)
                    .await?,
            ) else {
                continue;
            };
            let object = services.files.put(&bytes[..], u64::MAX).await?;
            let now = services.clock.now();
            let txn = db::begin_write(&services.db).await?;
            FileStore::record(&txn, &object, &attachment.content_type, now).await?;
            if store::moved_to_file_store(&txn, attachment_id, &object.key).await? {
                txn.commit().await?;
                moved += 1;
            } else {
                drop(txn);
                services.files.discard(object).await?;
            }
        }
    }
}

/// Who a post reached and what they did, by child and parent.
pub struct PostStatus {
    pub post: Post,
    pub reached: Vec<ReachedParent>,
    pub receipts: std::collections::HashMap<i32, Receipt>,
    /// Parents who wrote in their thread.
    pub replied: HashSet<i32>,
    /// The post's push messages and e-mails to the parents in `reached` (reminders too).
    pub deliveries: Vec<OutboxRow>,
    /// When the last reminder to confirm went out.
    pub reminded_at: Option<DateTime<Utc>>,
    /// Parents whose phone number the caller may see (as their family shares it).
    pub phone_shown: HashSet<i32>,
}

/// Who has read, confirmed and replied: for the author and admins, every family the post
/// reaches; for a teacher of some of the post's groups, the families of those groups.
pub async fn status(services: &Services, actor: &Actor, id: i32) -> Result<PostStatus, AppError> {
    let post = visible_post(services, actor, id).await?;
    let reached = in_care_of(services, actor, &post).await?;
    let receipts = store::receipts_of_post(&services.db, post.id).await?;
    let replied = store::replies(&services.db, post.id, None)
        .await?
        .into_iter()
        .filter(written_by_parent)
        .map(|reply| reply.parent_id)
        .collect();
    let in_care: HashSet<i32> = reached.iter().map(|pair| pair.parent.id).collect();
    let all = deliveries_of(&services.db, post.id).await?;
    let reminded_at = last_reminder(&all, post.id);
    let deliveries = all
        .into_iter()
        .filter(|row| row.user_id.is_some_and(|id| in_care.contains(&id)))
        .collect();
    let phone_shown = directory::may_see_parent_field(
        services,
        actor,
        in_care.into_iter().collect(),
        Field::ParentPhone,
    )
    .await?;
    Ok(PostStatus {
        post,
        reached,
        receipts,
        replied,
        deliveries,
        reminded_at,
        phone_shown,
    })
}

/// How long after a reminder the next one may go out: parents are asked, not pestered.
const REMIND_AGAIN_AFTER_MINUTES: i64 = 15;

/// Who a reminder reached.
pub struct Reminder {
    pub parents: usize,
    pub push_messages: usize,
    pub emails: usize,
}

/// Asks the parents in the actor's care who have not confirmed a post to confirm it: a push
/// message to each of their devices and an e-mail each, through the outbox. Only for posts
/// that ask for confirmation, and at most once per 15 minutes.
pub async fn remind(services: &Services, actor: &Actor, id: i32) -> Result<Reminder, AppError> {
    let post = visible_post(services, actor, id).await?;
    let reached = in_care_of(services, actor, &post).await?;
    let now = services.clock.now();
    if is_scheduled(&post, now) {
        return Err(AppError::conflict(
            "not_published_yet",
            "This post has not gone out yet, so there is nobody to remind.",
        ));
    }
    if !post.ask_confirmation {
        return Err(AppError::conflict(
            "no_confirmation_asked",
            "This post does not ask for confirmation, so there is nobody to remind.",
        ));
    }
    let previous = deliveries_of(&services.db, post.id).await?;
    if let Some(last) = last_reminder(&previous, post.id)
        && now < last + chrono::Duration::minutes(REMIND_AGAIN_AFTER_MINUTES)
    {
        return Err(AppError::conflict(
            "reminded_recently",
            format!(
                "A reminder went out less than {REMIND_AGAIN_AFTER_MINUTES} minutes ago; wait a little."
            ),
        ));
    }
    let receipts = store::receipts_of_post(&services.db, post.id).await?;
    let waiting: Vec<i32> = reached
        .iter()
        .map(|pair| pair.parent.id)
        .filter(|id| receipts.get(id).is_none_or(|r| r.confirmed_at.is_none()))
        .collect::<std::collections::BTreeSet<i32>>()
        .into_iter()
        .collect();
    let deliveries = notify::reminders(&services.db, &post, &waiting, now).await?;
    let reminder = Reminder {
        parents: waiting.len(),
        push_messages: deliveries
            .iter()
            .filter(|d| d.channel == Channel::Push)
            .count(),
        emails: deliveries
            .iter()
            .filter(|d| d.channel == Channel::Email)
            .count(),
    };
    outbox::enqueue(&services.db, deliveries, now).await?;
    services.outbox.wake();
    Ok(reminder)
}

fn last_reminder(deliveries: &[OutboxRow], post_id: i32) -> Option<DateTime<Utc>> {
    let prefix = notify::reminder_prefix(post_id);
    deliveries
        .iter()
        .filter(|row| row.dedupe_key.starts_with(&prefix))
        .map(|row| row.created_at)
        .max()
}

/// Every e-mail and push message of a post with attempts and last error (admins).
pub async fn deliveries(
    services: &Services,
    actor: &Actor,
    id: i32,
) -> Result<Vec<OutboxRow>, AppError> {
    actor.require_admin()?;
    store::find(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("post"))?;
    Ok(deliveries_of(&services.db, id).await?)
}

/// A post's fan-out job and every e-mail and push message it queued, oldest first.
pub async fn deliveries_of(
    conn: &impl ConnectionTrait,
    post_id: i32,
) -> Result<Vec<OutboxRow>, DbErr> {
    outbox::with_key_prefix(conn, &notify::dedupe_prefix(post_id)).await
}

/// Every (parent, child) pair a post reaches.
pub async fn reached(
    conn: &impl ConnectionTrait,
    post: &Post,
) -> Result<Vec<ReachedParent>, DbErr> {
    let audience = store::audience(conn, post).await?;
    audience::parents_reached(conn, &audience).await
}

pub use store::{receipts_of_post, receipts_of_user, visible_to_parent};

/// Describes posts for one reader with four more queries, whatever their number.
async fn describe(
    conn: &impl ConnectionTrait,
    posts: Vec<Post>,
    reader_id: i32,
) -> Result<Vec<PostView>, DbErr> {
    let ids: Vec<i32> = posts.iter().map(|post| post.id).collect();
    let authors: HashSet<i32> = posts.iter().filter_map(|post| post.author_id).collect();
    let mut groups = store::groups_of(conn, ids.clone()).await?;
    let mut files = store::attachments_of(conn, ids.clone()).await?;
    let mut receipts = store::receipts_of_user(conn, reader_id, ids).await?;
    let names = store::names_of(conn, authors.into_iter().collect()).await?;
    Ok(posts
        .into_iter()
        .map(|post| PostView {
            group_ids: groups.remove(&post.id).unwrap_or_default(),
            attachments: files.remove(&post.id).unwrap_or_default(),
            receipt: receipts.remove(&post.id),
            author_name: post.author_id.and_then(|id| names.get(&id).cloned()),
            post,
        })
        .collect())
}

/// The post if the caller may see it; 404 otherwise, so existence is not revealed.
async fn visible_post(services: &Services, actor: &Actor, id: i32) -> Result<Post, AppError> {
    let reader = (actor.id, actor.role);
    if !store::is_visible(&services.db, id, reader, services.clock.now()).await? {
        return Err(AppError::not_found("post"));
    }
    store::find(&services.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("post"))
}

/// The (parent, child) pairs of a post whose threads and receipts a member of staff sees:
/// every pair for admins and the author; for a teacher of some of the post's groups, the
/// pairs reached through a child in a group they teach (replies are private between a family
/// and the staff of its child's group). Refused for anyone else.
async fn in_care_of(
    services: &Services,
    actor: &Actor,
    post: &Post,
) -> Result<Vec<ReachedParent>, AppError> {
    require_manager(services, actor, post).await?;
    let reached = reached(&services.db, post).await?;
    if actor.is_admin() || post.author_id == Some(actor.id) {
        return Ok(reached);
    }
    let taught: HashSet<i32> = audience::groups_taught_by(&services.db, actor.id)
        .await?
        .into_iter()
        .collect();
    Ok(reached
        .into_iter()
        .filter(|pair| {
            pair.child
                .group_id
                .is_some_and(|group| taught.contains(&group))
        })
        .collect())
}

/// The author, admins and teachers of the post's groups manage a post.
async fn require_manager(services: &Services, actor: &Actor, post: &Post) -> Result<(), AppError> {
    let manages = match actor.role {
        Role::Admin => true,
        Role::Teacher => {
            post.author_id == Some(actor.id)
                || store::teaches_any_group(&services.db, actor.id, post.id).await?
        }
        Role::Parent => false,
    };
    if manages {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}
