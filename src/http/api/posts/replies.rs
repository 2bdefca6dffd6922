//! Reply threads: a parent's private thread with the staff, per post, and the list of a
//! reader's conversations with what is new in them.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::Example,
};

use super::ManagedPostErrors;
use crate::http::error::{ApiError, error_sets};
use crate::{
    features::posts::{self, ReplyView, Thread},
    http::types::ReplyText,
    http::{ApiTags, security::Auth, state::HttpState},
    platform::text::shorten,
};

pub struct RepliesApi;

#[derive(Debug, Object)]
#[oai(example)]
pub struct ReplyRequest {
    pub body: ReplyText,
    /// Staff only: the parent whose thread to answer.
    #[oai(nullable)]
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
    #[oai(nullable)]
    pub author_id: Option<i32>,
    #[oai(nullable)]
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

#[OpenApi(prefix_path = "/posts", tag = "ApiTags::Posts")]
impl RepliesApi {
    /// Replies
    ///
    /// Parents see their own thread; staff who may manage the post see all threads, or one
    /// with `parent_id`. Read by an API client (Bearer) or the app (`X-Schoolgate-App`), the
    /// one thread shown counts as read for the caller.
    #[oai(path = "/:id/replies", method = "get", operation_id = "list_replies")]
    async fn list_replies(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Query<Option<i32>>,
        /// Sent by the app with every request.
        #[oai(name = "X-Schoolgate-App")]
        app: Header<Option<String>>,
    ) -> Result<Json<Vec<ReplyResponse>>, ApiError<ManagedPostErrors>> {
        let mark_read = matches!(auth, Auth::Bearer(_)) || app.0.is_some();
        let actor = auth.user().actor();
        let replies = posts::replies(&state, &actor, id.0, parent_id.0, mark_read).await?;
        Ok(Json(replies.into_iter().map(Into::into).collect()))
    }

    /// Reply
    ///
    /// A parent writes in their private thread (when the post allows replies); staff answer
    /// a parent's thread with `parent_id`.
    #[oai(path = "/:id/replies", method = "post", operation_id = "reply")]
    async fn reply(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<ReplyRequest>,
    ) -> Result<CreateReplyResponse, ApiError<ReplyErrors>> {
        let caller = auth.user();
        let reply = posts::reply(&state, &caller.actor(), id.0, &body.body, body.parent_id).await?;
        let user = &caller.session.user;
        let view = ReplyView {
            reply,
            author_name: Some(user.full_name()),
        };
        Ok(CreateReplyResponse::Created(Json(view.into())))
    }
}

/// The caller's conversations.
pub struct ConversationsApi;

#[derive(Debug, Object)]
pub struct ConversationsResponse {
    /// Messages from the other side the caller has not read yet, over all conversations.
    pub unread: u32,
    /// Unread first, then the most recent first.
    pub threads: Vec<ThreadResponse>,
}

/// One parent's thread on one post.
#[derive(Debug, Object)]
pub struct ThreadResponse {
    pub post_id: i32,
    pub post_title: String,
    /// The parent whose thread this is (answer with this `parent_id`).
    pub parent_id: i32,
    pub parent_name: String,
    /// For staff: the parent's children the post reaches.
    pub child_names: Vec<String>,
    /// The newest message, shortened to one line.
    pub last_message: String,
    pub last_from_staff: bool,
    #[oai(nullable)]
    pub last_author_name: Option<String>,
    pub last_at: DateTime<Utc>,
    pub messages: u32,
    pub unread: u32,
}

#[OpenApi(tag = "ApiTags::Posts")]
impl ConversationsApi {
    /// Conversations
    ///
    /// A parent's threads with the staff, or, for staff, the threads of the families in their
    /// care on the posts they manage (active in the last 120 days; with `post_id`, all threads
    /// of that post). Unread first.
    #[oai(
        path = "/conversations",
        method = "get",
        operation_id = "list_conversations"
    )]
    async fn list_conversations(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        post_id: Query<Option<i32>>,
    ) -> Result<Json<ConversationsResponse>, ApiError<ManagedPostErrors>> {
        let threads = posts::conversations(&state, &auth.user().actor(), post_id.0).await?;
        let unread = threads.iter().map(|thread| thread.unread).sum::<usize>();
        Ok(Json(ConversationsResponse {
            unread: count(unread),
            threads: threads.into_iter().map(Into::into).collect(),
        }))
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<Thread> for ThreadResponse {
    fn from(thread: Thread) -> Self {
        Self {
            post_id: thread.post_id,
            post_title: thread.post_title,
            parent_id: thread.parent_id,
            parent_name: thread.parent_name,
            child_names: thread.child_names,
            last_message: shorten(&thread.last.body, 140),
            last_from_staff: !posts::written_by_parent(&thread.last),
            last_author_name: thread.last_author_name,
            last_at: thread.last.created_at,
            messages: count(thread.messages),
            unread: count(thread.unread),
        }
    }
}

error_sets! {
    ReplyErrors {
        400 => &["invalid_body_text", "parent_required", "not_a_parent", "not_addressed"],
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["replies_not_allowed"],
    }
}

impl From<ReplyView> for ReplyResponse {
    fn from(view: ReplyView) -> Self {
        let from_staff = view.from_staff();
        let reply = view.reply;
        Self {
            author_name: view.author_name,
            from_staff,
            id: reply.id,
            parent_id: reply.parent_id,
            author_id: reply.author_id,
            body: reply.body,
            created_at: reply.created_at,
        }
    }
}
