//! Posts: teachers and admins post urgent notices, messages and news to the school or to
//! groups; parents read their feed, confirm receipt and reply; staff see who has read,
//! confirmed and replied, and (admins) how delivery went.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::{Example, multipart::Upload},
};

use super::{
    ApiTags,
    security::{Auth, CurrentUser},
    types::Done,
};
use crate::{
    delivery::CHANNEL_FANOUT,
    domain::{
        accounts::Role,
        attachments::{self, AttachmentError},
        posts::{self, Audience, PostKind, PostRuleError},
    },
    error::AppError,
    state::AppState,
    store::{
        self,
        outbox::NewDelivery,
        posts::{NewAttachment, NewPost, Post},
    },
};

pub struct PostsApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum PostKindDto {
    /// Pinned on top, pushed and e-mailed at once; cannot be switched off.
    Urgent,
    /// Pushed; e-mailed in the Wednesday digest.
    Message,
    /// E-mailed in the weekly news batch.
    News,
}

impl From<PostKindDto> for PostKind {
    fn from(kind: PostKindDto) -> Self {
        match kind {
            PostKindDto::Urgent => PostKind::Urgent,
            PostKindDto::Message => PostKind::Message,
            PostKindDto::News => PostKind::News,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct CreatePostRequest {
    pub kind: PostKindDto,
    /// To the whole school (admins only); otherwise to `group_ids`.
    #[oai(default)]
    pub to_school: bool,
    #[oai(default)]
    pub group_ids: Vec<i32>,
    pub title: String,
    pub body: String,
    /// Parents are asked to confirm that they have read it.
    #[oai(default)]
    pub ask_confirmation: bool,
    /// Parents may answer (a private thread between each parent and the staff).
    #[oai(default)]
    pub allow_replies: bool,
    /// Urgent notices only: pinned until then (default: 24 hours).
    pub pinned_until: Option<DateTime<Utc>>,
}

impl Example for CreatePostRequest {
    fn example() -> Self {
        Self {
            kind: PostKindDto::Urgent,
            to_school: false,
            group_ids: vec![1],
            title: "School closes at 12:00 today".into(),
            body: "Because of the storm warning, school closes at noon. Please pick up your child."
                .into(),
            ask_confirmation: true,
            allow_replies: false,
            pinned_until: None,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct PostResponse {
    pub id: i32,
    /// `urgent`, `message` or `news`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub author_id: Option<i32>,
    pub author_name: Option<String>,
    pub to_school: bool,
    pub group_ids: Vec<i32>,
    pub ask_confirmation: bool,
    pub allow_replies: bool,
    /// Shown on top of the feed right now.
    pub pinned: bool,
    pub pinned_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// When the caller opened it.
    pub read_at: Option<DateTime<Utc>>,
    /// When the caller confirmed receipt.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub attachments: Vec<AttachmentResponse>,
}

/// A file attached to a post; download it from `/posts/{post_id}/attachments/{id}`.
#[derive(Debug, Clone, Object)]
pub struct AttachmentResponse {
    pub id: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
}

impl From<store::posts::AttachmentInfo> for AttachmentResponse {
    fn from(info: store::posts::AttachmentInfo) -> Self {
        Self {
            id: info.id,
            file_name: info.file_name,
            content_type: info.content_type,
            size: info.size as u64,
        }
    }
}

#[derive(Debug, Multipart)]
pub struct AttachmentUpload {
    /// PDF, PNG, JPEG, GIF, WebP or an office document, at most 10 MB.
    pub file: Upload,
}

#[derive(ApiResponse)]
pub enum CreateAttachmentResponse {
    /// Attached.
    #[oai(status = 201)]
    Created(Json<AttachmentResponse>),
}

#[derive(ApiResponse)]
pub enum AttachmentDownload {
    /// The file, as a download.
    #[oai(status = 200)]
    File(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Type")] String,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(ApiResponse)]
pub enum CreatePostResponse {
    /// Posted; notifications go out in the background.
    #[oai(status = 201)]
    Created(Json<PostResponse>),
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct ReplyRequest {
    pub body: String,
    /// Staff only: the parent whose thread to answer.
    pub parent_id: Option<i32>,
}

impl Example for ReplyRequest {
    fn example() -> Self {
        Self {
            body: "Thank you, we will pick Emma up at noon.".into(),
            parent_id: None,
        }
    }
}

#[derive(Debug, Object)]
pub struct ReplyResponse {
    pub id: i32,
    /// The parent whose thread this is.
    pub parent_id: i32,
    pub author_id: Option<i32>,
    pub author_name: Option<String>,
    pub from_staff: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum CreateReplyResponse {
    /// Sent.
    #[oai(status = 201)]
    Created(Json<ReplyResponse>),
}

/// One addressed parent of one child.
#[derive(Debug, Object)]
pub struct ReceiptRow {
    pub child_id: i32,
    pub child_name: String,
    pub group_id: Option<i32>,
    pub parent_id: i32,
    pub parent_name: String,
    pub read_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub replied: bool,
}

#[derive(Debug, Object)]
pub struct ReceiptCounts {
    /// Parents the post reaches (each counted once).
    pub parents: u64,
    pub read: u64,
    pub confirmed: u64,
    pub replied: u64,
    pub not_read: u64,
    /// Parents who have not confirmed (only meaningful when confirmation is asked).
    pub not_confirmed: u64,
}

#[derive(Debug, Object)]
pub struct PostStatusResponse {
    pub post_id: i32,
    pub ask_confirmation: bool,
    pub counts: ReceiptCounts,
    /// By child, then parent.
    pub rows: Vec<ReceiptRow>,
}

#[derive(Debug, Object)]
pub struct DeliveryRow {
    /// `fanout`, `email` or `push`.
    pub channel: String,
    pub user_id: Option<i32>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct DeliveryStatusResponse {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub deliveries: Vec<DeliveryRow>,
}

#[OpenApi(prefix_path = "/posts", tag = "ApiTags::Posts")]
impl PostsApi {
    /// Post an urgent notice, message or news (teachers, admins)
    ///
    /// Teachers write to their own groups, admins to the school or any groups. Answers at
    /// once: push messages and e-mails go out in the background from a durable outbox.
    #[oai(path = "/", method = "post")]
    async fn create_post(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CreatePostRequest>,
    ) -> Result<CreatePostResponse, AppError> {
        let caller = auth.user();
        let body = body.0;
        let kind = PostKind::from(body.kind);
        let audience = if body.to_school {
            Audience::School
        } else {
            Audience::Groups(body.group_ids.clone())
        };
        let taught = if caller.role == Role::Teacher {
            store::groups::taught_by(&state.db, caller.id).await?
        } else {
            Vec::new()
        };
        posts::check_audience(caller.role, &taught, &audience).map_err(rule_error)?;
        if let Audience::Groups(groups) = &audience {
            for group_id in groups {
                if store::groups::find_by_id(&state.db, *group_id)
                    .await?
                    .is_none()
                {
                    return Err(AppError::invalid(
                        "group_ids",
                        "unknown_group",
                        format!("There is no group {group_id}."),
                    ));
                }
            }
        }
        let (title, text) = posts::clean_text(&body.title, &body.body).map_err(rule_error)?;
        let now = state.clock.now();
        let pinned_until = posts::pinned_until(kind, body.pinned_until, now).map_err(rule_error)?;
        let txn = store::begin_write(&state.db).await?;
        let post = store::posts::create(
            &txn,
            NewPost {
                kind,
                author_id: caller.id,
                audience,
                title,
                body: text,
                ask_confirmation: body.ask_confirmation,
                allow_replies: body.allow_replies,
                pinned_until,
            },
            now,
        )
        .await?;
        store::outbox::enqueue(
            &txn,
            NewDelivery {
                channel: CHANNEL_FANOUT,
                kind: "post_fanout",
                user_id: None,
                dedupe_key: format!("post:{}:fanout", post.id),
                payload: serde_json::json!({ "post_id": post.id }),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        state.outbox_wakeup.notify_one();
        let response = describe(&state, post, None).await?;
        Ok(CreatePostResponse::Created(Json(response)))
    }

    /// My feed
    ///
    /// What is addressed to the school or to a group of one of my children (staff: what they
    /// may see); pinned urgent notices first, then newest first.
    #[oai(path = "/", method = "get")]
    async fn feed(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// How many posts (1 to 200).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<Vec<PostResponse>>, AppError> {
        let caller = auth.user();
        let now = state.clock.now();
        let posts = store::posts::feed(&state.db, caller.id, caller.role, now, limit.0).await?;
        let receipts = store::posts::receipts_of_user(
            &state.db,
            caller.id,
            posts.iter().map(|p| p.id).collect(),
        )
        .await?;
        let authors = names(&state, posts.iter().filter_map(|p| p.author_id).collect()).await?;
        let mut feed = Vec::with_capacity(posts.len());
        for post in posts {
            let groups = store::posts::group_ids(&state.db, post.id).await?;
            let files = store::posts::attachments_of(&state.db, post.id).await?;
            let receipt = receipts.get(&post.id);
            feed.push(response(post, groups, files, &authors, receipt, now));
        }
        Ok(Json(feed))
    }

    /// Open a post
    ///
    /// Marks it read for the caller.
    #[oai(path = "/:id", method = "get")]
    async fn get_post(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<PostResponse>, AppError> {
        let caller = auth.user();
        let post = visible_post(&state, caller, id.0).await?;
        let now = state.clock.now();
        store::posts::mark_read(&state.db, post.id, caller.id, now).await?;
        let receipt = store::posts::receipts_of_user(&state.db, caller.id, vec![post.id])
            .await?
            .remove(&post.id);
        Ok(Json(describe(&state, post, receipt).await?))
    }

    /// Confirm receipt (parents)
    ///
    /// 409 `confirmation_not_requested` when the post does not ask for it.
    #[oai(path = "/:id/confirm", method = "post")]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, AppError> {
        let caller = auth.user();
        caller.require_role(&[Role::Parent])?;
        let post = visible_post(&state, caller, id.0).await?;
        if !post.ask_confirmation {
            return Err(AppError::conflict(
                "confirmation_not_requested",
                "This post does not ask for a confirmation.",
            ));
        }
        store::posts::confirm(&state.db, post.id, caller.id, state.clock.now()).await?;
        Ok(Done::Done)
    }

    /// Replies
    ///
    /// Parents see their own thread; staff who may manage the post see all threads, or one
    /// with `parent_id`.
    #[oai(path = "/:id/replies", method = "get")]
    async fn list_replies(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Query<Option<i32>>,
    ) -> Result<Json<Vec<ReplyResponse>>, AppError> {
        let caller = auth.user();
        let post = visible_post(&state, caller, id.0).await?;
        let thread = if caller.role == Role::Parent {
            Some(caller.id)
        } else {
            require_manager(&state, caller, &post).await?;
            parent_id.0
        };
        let replies = store::posts::replies(&state.db, post.id, thread).await?;
        let authors = names(&state, replies.iter().filter_map(|r| r.author_id).collect()).await?;
        Ok(Json(
            replies
                .into_iter()
                .map(|reply| ReplyResponse {
                    author_name: reply.author_id.and_then(|id| authors.get(&id).cloned()),
                    from_staff: reply.author_id != Some(reply.parent_id),
                    id: reply.id,
                    parent_id: reply.parent_id,
                    author_id: reply.author_id,
                    body: reply.body,
                    created_at: reply.created_at,
                })
                .collect(),
        ))
    }

    /// Reply
    ///
    /// A parent writes in their private thread (when the post allows replies); staff answer
    /// a parent's thread with `parent_id`.
    #[oai(path = "/:id/replies", method = "post")]
    async fn reply(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<ReplyRequest>,
    ) -> Result<CreateReplyResponse, AppError> {
        let caller = auth.user();
        let post = visible_post(&state, caller, id.0).await?;
        let text = body.body.trim().to_string();
        if text.is_empty() || text.chars().count() > 5000 {
            return Err(AppError::invalid(
                "body",
                "invalid_body_text",
                "A reply needs 1 to 5,000 characters.",
            ));
        }
        let thread = if caller.role == Role::Parent {
            if !post.allow_replies {
                return Err(AppError::conflict(
                    "replies_not_allowed",
                    "This post does not take replies.",
                ));
            }
            caller.id
        } else {
            require_manager(&state, caller, &post).await?;
            let parent_id = body.parent_id.ok_or_else(|| {
                AppError::invalid(
                    "parent_id",
                    "parent_required",
                    "Name the parent whose thread to answer.",
                )
            })?;
            let parent = store::users::find_by_id(&state.db, parent_id).await?;
            if parent.is_none_or(|parent| Role::parse(&parent.role) != Some(Role::Parent)) {
                return Err(AppError::invalid(
                    "parent_id",
                    "not_a_parent",
                    "There is no such parent.",
                ));
            }
            parent_id
        };
        let reply = store::posts::add_reply(
            &state.db,
            post.id,
            thread,
            caller.id,
            text,
            state.clock.now(),
        )
        .await?;
        Ok(CreateReplyResponse::Created(Json(ReplyResponse {
            author_name: Some(format!(
                "{} {}",
                caller.session.user.first_name, caller.session.user.last_name
            )),
            from_staff: caller.role != Role::Parent,
            id: reply.id,
            parent_id: reply.parent_id,
            author_id: reply.author_id,
            body: reply.body,
            created_at: reply.created_at,
        })))
    }

    /// Attach a file (staff)
    ///
    /// For the author and admins. The type is read from the content: PDF, images and office
    /// documents only (415 `file_type_not_allowed`); at most 10 MB (413).
    #[oai(path = "/:id/attachments", method = "post")]
    async fn attach(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        upload: AttachmentUpload,
    ) -> Result<CreateAttachmentResponse, AppError> {
        let caller = auth.user();
        let post = visible_post(&state, caller, id.0).await?;
        if !(caller.role == Role::Admin || post.author_id == Some(caller.id)) {
            return Err(AppError::forbidden());
        }
        let file_name =
            attachments::clean_file_name(upload.file.file_name().unwrap_or("attachment"));
        let data = upload.file.into_vec().await.map_err(|err| {
            AppError::invalid(
                "file",
                "unreadable_upload",
                format!("The upload could not be read: {err}"),
            )
        })?;
        let content_type = attachments::content_type(&data).map_err(|err| {
            let message = format!("{}.", capitalize(&err.to_string()));
            match err {
                AttachmentError::TooLarge => AppError::TooLarge {
                    code: "file_too_large",
                    message,
                },
                AttachmentError::Empty => AppError::invalid("file", "empty_file", message),
                AttachmentError::TypeNotAllowed => AppError::UnsupportedType {
                    code: "file_type_not_allowed",
                    message,
                },
            }
        })?;
        let info = store::posts::add_attachment(
            &state.db,
            post.id,
            NewAttachment {
                file_name,
                content_type,
                data,
            },
            state.clock.now(),
        )
        .await?;
        Ok(CreateAttachmentResponse::Created(Json(info.into())))
    }

    /// Download an attachment
    #[oai(path = "/:id/attachments/:attachment_id", method = "get")]
    async fn download(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
        attachment_id: Path<i32>,
    ) -> Result<AttachmentDownload, AppError> {
        let post = visible_post(&state, auth.user(), id.0).await?;
        let file = store::posts::attachment(&state.db, post.id, attachment_id.0)
            .await?
            .ok_or_else(|| AppError::not_found("attachment"))?;
        let disposition = format!(
            "attachment; filename=\"{}\"",
            file.file_name.replace(|c: char| !c.is_ascii(), "_")
        );
        Ok(AttachmentDownload::File(
            Binary(file.data),
            file.content_type,
            disposition,
        ))
    }

    /// Who has read, confirmed, replied (staff)
    ///
    /// For the author, admins and the teachers of the post's groups: per child and parent,
    /// with counts of who has and has not.
    #[oai(path = "/:id/status", method = "get")]
    async fn status(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<PostStatusResponse>, AppError> {
        let caller = auth.user();
        let post = visible_post(&state, caller, id.0).await?;
        require_manager(&state, caller, &post).await?;
        let addressed = store::posts::addressed_parents(&state.db, &post).await?;
        let receipts = store::posts::receipts_of_post(&state.db, post.id).await?;
        let replied: HashSet<i32> = store::posts::replies(&state.db, post.id, None)
            .await?
            .into_iter()
            .filter(|reply| reply.author_id == Some(reply.parent_id))
            .map(|reply| reply.parent_id)
            .collect();
        let parents: HashSet<i32> = addressed.iter().map(|a| a.parent.id).collect();
        let count =
            |test: &dyn Fn(i32) -> bool| parents.iter().filter(|id| test(**id)).count() as u64;
        let read = count(&|id| receipts.contains_key(&id));
        let confirmed = count(&|id| receipts.get(&id).is_some_and(|r| r.confirmed_at.is_some()));
        let counts = ReceiptCounts {
            parents: parents.len() as u64,
            read,
            confirmed,
            replied: count(&|id| replied.contains(&id)),
            not_read: parents.len() as u64 - read,
            not_confirmed: parents.len() as u64 - confirmed,
        };
        let rows = addressed
            .into_iter()
            .map(|a| {
                let receipt = receipts.get(&a.parent.id);
                ReceiptRow {
                    child_id: a.child.id,
                    child_name: format!("{} {}", a.child.first_name, a.child.last_name),
                    group_id: a.child.group_id,
                    parent_id: a.parent.id,
                    parent_name: format!("{} {}", a.parent.first_name, a.parent.last_name),
                    read_at: receipt.map(|r| r.read_at),
                    confirmed_at: receipt.and_then(|r| r.confirmed_at),
                    replied: replied.contains(&a.parent.id),
                }
            })
            .collect();
        Ok(Json(PostStatusResponse {
            post_id: post.id,
            ask_confirmation: post.ask_confirmation,
            counts,
            rows,
        }))
    }

    /// Delivery status (admin)
    ///
    /// Every e-mail and push message of the post, with attempts and the last error.
    #[oai(path = "/:id/deliveries", method = "get")]
    async fn deliveries(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<DeliveryStatusResponse>, AppError> {
        auth.user().require_admin()?;
        store::posts::find(&state.db, id.0)
            .await?
            .ok_or_else(|| AppError::not_found("post"))?;
        let rows = store::outbox::for_post(&state.db, id.0).await?;
        let count = |status: &str| rows.iter().filter(|row| row.status == status).count() as u64;
        Ok(Json(DeliveryStatusResponse {
            pending: count(store::outbox::STATUS_PENDING),
            sent: count(store::outbox::STATUS_SENT),
            failed: count(store::outbox::STATUS_FAILED),
            deliveries: rows
                .into_iter()
                .map(|row| DeliveryRow {
                    channel: row.channel,
                    user_id: row.user_id,
                    status: row.status,
                    attempts: row.attempts,
                    last_error: row.last_error,
                    next_attempt_at: row.next_attempt_at,
                    sent_at: row.sent_at,
                })
                .collect(),
        }))
    }
}

fn default_limit() -> u64 {
    50
}

fn rule_error(err: PostRuleError) -> AppError {
    if err.is_forbidden() {
        AppError::Forbidden {
            code: err.code(),
            message: format!("{}.", capitalize(&err.to_string())),
        }
    } else {
        AppError::invalid(
            err.field(),
            err.code(),
            format!("{}.", capitalize(&err.to_string())),
        )
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The post if the caller may see it; 404 otherwise, so existence is not revealed.
async fn visible_post(state: &AppState, caller: &CurrentUser, id: i32) -> Result<Post, AppError> {
    if !store::posts::is_visible(&state.db, id, caller.id, caller.role).await? {
        return Err(AppError::not_found("post"));
    }
    store::posts::find(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("post"))
}

/// The author, admins and teachers of the post's groups manage a post.
async fn require_manager(
    state: &AppState,
    caller: &CurrentUser,
    post: &Post,
) -> Result<(), AppError> {
    let manages = match caller.role {
        Role::Admin => true,
        Role::Teacher => {
            post.author_id == Some(caller.id)
                || store::posts::teaches_any_group(&state.db, caller.id, post.id).await?
        }
        Role::Parent => false,
    };
    if manages {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

async fn names(state: &AppState, ids: HashSet<i32>) -> Result<HashMap<i32, String>, AppError> {
    let mut names = HashMap::new();
    for id in ids {
        if let Some(user) = store::users::find_by_id(&state.db, id).await? {
            names.insert(id, format!("{} {}", user.first_name, user.last_name));
        }
    }
    Ok(names)
}

async fn describe(
    state: &AppState,
    post: Post,
    receipt: Option<store::posts::Receipt>,
) -> Result<PostResponse, AppError> {
    let groups = store::posts::group_ids(&state.db, post.id).await?;
    let files = store::posts::attachments_of(&state.db, post.id).await?;
    let authors = names(state, post.author_id.into_iter().collect()).await?;
    Ok(response(
        post,
        groups,
        files,
        &authors,
        receipt.as_ref(),
        state.clock.now(),
    ))
}

fn response(
    post: Post,
    group_ids: Vec<i32>,
    files: Vec<store::posts::AttachmentInfo>,
    authors: &HashMap<i32, String>,
    receipt: Option<&store::posts::Receipt>,
    now: DateTime<Utc>,
) -> PostResponse {
    PostResponse {
        pinned: post.pinned_until.is_some_and(|until| until > now),
        author_name: post.author_id.and_then(|id| authors.get(&id).cloned()),
        read_at: receipt.map(|r| r.read_at),
        confirmed_at: receipt.and_then(|r| r.confirmed_at),
        id: post.id,
        kind: post.kind,
        title: post.title,
        body: post.body,
        author_id: post.author_id,
        to_school: post.to_school,
        group_ids,
        ask_confirmation: post.ask_confirmation,
        allow_replies: post.allow_replies,
        pinned_until: post.pinned_until,
        created_at: post.created_at,
        attachments: files.into_iter().map(Into::into).collect(),
    }
}
