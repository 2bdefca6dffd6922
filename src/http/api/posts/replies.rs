//! Reply threads: a parent's private thread with the staff, per post.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::Example,
};

use super::ManagedPostErrors;
use crate::http::error::{ApiError, error_sets};
use crate::{
    features::posts::{self, ReplyView},
    http::types::ReplyText,
    http::{ApiTags, security::Auth, state::HttpState},
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
    /// with `parent_id`.
    #[oai(path = "/:id/replies", method = "get", operation_id = "list_replies")]
    async fn list_replies(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        parent_id: Query<Option<i32>>,
    ) -> Result<Json<Vec<ReplyResponse>>, ApiError<ManagedPostErrors>> {
        let replies = posts::replies(&state, &auth.user().actor(), id.0, parent_id.0).await?;
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
