//! Posting and reading: publish, the feed, open a post, confirm receipt.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::Example,
};
use sea_orm::ActiveEnum;

use super::{ManagedPostErrors, attachments::AttachmentResponse};
use crate::http::error::{ApiError, Lookup, error_sets};
use crate::{
    entities::posts::PostKind,
    features::posts::{self, PostRequest, PostView},
    http::types::{PostBodyText, TitleText},
    http::{ApiTags, security::Auth, state::HttpState, types::Done},
    platform::audience::Audience,
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
    pub title: TitleText,
    pub body: PostBodyText,
    /// Parents are asked to confirm that they have read it.
    #[oai(default)]
    pub ask_confirmation: bool,
    /// Parents may answer (a private thread between each parent and the staff).
    #[oai(default)]
    pub allow_replies: bool,
    /// Urgent notices only: pinned until then (default: 24 hours from when it goes out).
    #[oai(nullable)]
    pub pinned_until: Option<DateTime<Utc>>,
    /// Send it later, at this moment (at most 90 days ahead); left out, it goes now. Until
    /// then only its author and admins see it, and they may change or delete it.
    #[oai(nullable)]
    pub publish_at: Option<DateTime<Utc>>,
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
            publish_at: None,
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
    #[oai(nullable)]
    pub author_id: Option<i32>,
    #[oai(nullable)]
    pub author_name: Option<String>,
    pub to_school: bool,
    pub group_ids: Vec<i32>,
    pub ask_confirmation: bool,
    pub allow_replies: bool,
    /// Shown on top of the feed right now.
    pub pinned: bool,
    #[oai(nullable)]
    pub pinned_until: Option<DateTime<Utc>>,
    /// When it went out, or goes out while `scheduled`.
    pub created_at: DateTime<Utc>,
    /// Waits to go out at `created_at` (only its author and admins see it).
    pub scheduled: bool,
    /// When the caller opened it.
    #[oai(nullable)]
    pub read_at: Option<DateTime<Utc>>,
    /// When the caller confirmed receipt.
    #[oai(nullable)]
    pub confirmed_at: Option<DateTime<Utc>>,
    pub attachments: Vec<AttachmentResponse>,
}

#[derive(ApiResponse)]
pub enum CreatePostResponse {
    /// Posted; notifications go out in the background.
    #[oai(status = 201)]
    Created(Json<PostResponse>),
}

/// A post's new title or text; what is left out stays.
#[derive(Debug, Object)]
#[oai(example)]
pub struct UpdatePostRequest {
    #[oai(nullable)]
    pub title: Option<TitleText>,
    #[oai(nullable)]
    pub body: Option<PostBodyText>,
    /// A scheduled post only: send it at this moment instead.
    #[oai(nullable)]
    pub publish_at: Option<DateTime<Utc>>,
}

impl Example for UpdatePostRequest {
    fn example() -> Self {
        Self {
            title: Some("School closes at 11:30 today".into()),
            body: None,
            publish_at: None,
        }
    }
}

/// An audience to count before posting.
#[derive(Debug, Object)]
#[oai(example)]
pub struct AudienceRequest {
    /// The whole school (admins only); otherwise `group_ids`.
    #[oai(default)]
    pub to_school: bool,
    #[oai(default)]
    pub group_ids: Vec<i32>,
}

impl Example for AudienceRequest {
    fn example() -> Self {
        Self {
            to_school: false,
            group_ids: vec![1],
        }
    }
}

/// Whom a post to that audience would reach now.
#[derive(Debug, Object)]
pub struct ReachResponse {
    pub parents: u64,
    pub children: u64,
}

#[OpenApi(prefix_path = "/posts", tag = "ApiTags::Posts")]
impl PostsApi {
    /// Change a post (its author, admins)
    ///
    /// A new title or text (what is left out stays). A published urgent notice is pushed
    /// again to every device of its parents, its title starting with "Updated:" in their
    /// language. A scheduled post may also get a new `publish_at`.
    #[oai(path = "/:id", method = "patch", operation_id = "update_post")]
    async fn update_post(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<UpdatePostRequest>,
    ) -> Result<Json<PostResponse>, ApiError<UpdatePostErrors>> {
        let body = body.0;
        let edit = posts::PostEdit {
            title: body.title.map(Into::into),
            body: body.body.map(Into::into),
            publish_at: body.publish_at,
        };
        let post = posts::edit(&state, &auth.user().actor(), id.0, edit).await?;
        Ok(Json(response(&state, post)))
    }

    /// Delete a post (its author, admins)
    ///
    /// Removes it from every feed at once, with its receipts, conversations and attachments.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_post")]
    async fn delete_post(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedPostErrors>> {
        posts::delete(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// Count an audience (teachers, admins)
    ///
    /// How many parents and children a post to the school or to these groups would reach,
    /// with the same checks as posting: the app asks "send to N parents?" with it.
    #[oai(path = "/reach", method = "post", operation_id = "count_reach")]
    async fn reach(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<AudienceRequest>,
    ) -> Result<Json<ReachResponse>, ApiError<ReachErrors>> {
        let audience = if body.to_school {
            Audience::School
        } else {
            Audience::Groups(body.0.group_ids)
        };
        let reach = posts::reach(&state, &auth.user().actor(), &audience).await?;
        Ok(Json(ReachResponse {
            parents: reach.parents as u64,
            children: reach.children as u64,
        }))
    }

    /// Post an urgent notice, message or news (teachers, admins)
    ///
    /// Teachers write to their own groups, admins to the school or any groups. Answers at
    /// once: push messages and e-mails go out in the background from a durable outbox.
    #[oai(path = "/", method = "post", operation_id = "create_post")]
    async fn create_post(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<CreatePostRequest>,
    ) -> Result<CreatePostResponse, ApiError<CreatePostErrors>> {
        let body = body.0;
        let request = PostRequest {
            kind: body.kind.into(),
            audience: if body.to_school {
                Audience::School
            } else {
                Audience::Groups(body.group_ids)
            },
            title: body.title.into(),
            body: body.body.into(),
            ask_confirmation: body.ask_confirmation,
            allow_replies: body.allow_replies,
            pinned_until: body.pinned_until,
            publish_at: body.publish_at,
        };
        let post = posts::publish(&state, &auth.user().actor(), request).await?;
        Ok(CreatePostResponse::Created(Json(response(&state, post))))
    }

    /// My feed
    ///
    /// What is addressed to the school or to a group of one of my children (staff: what they
    /// may see), a page at a time: the first page has the pinned urgent notices on top, then
    /// `limit` posts newest first. For the next page pass the `id` of the page's last post as
    /// `before`; a page with fewer than `limit` unpinned posts is the last.
    #[oai(path = "/", method = "get", operation_id = "list_posts")]
    async fn feed(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        /// How many posts (1 to 200), pinned ones not counted.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
        /// The last post of the previous page.
        before: Query<Option<i32>>,
        /// Only news (true), everything but news (false); both when left out.
        news: Query<Option<bool>>,
    ) -> Result<Json<Vec<PostResponse>>, ApiError<FeedErrors>> {
        let actor = auth.user().actor();
        let feed = posts::feed(&state, &actor, limit.0, before.0, news.0).await?;
        Ok(Json(
            feed.into_iter()
                .map(|post| response(&state, post))
                .collect(),
        ))
    }

    /// Open a post
    ///
    /// Marks it read for the caller when asked by an API client (Bearer token) or by the app
    /// (its `X-Schoolgate-App` header); a plain GET with the session cookie, such as a link
    /// or an image on another site could send, changes nothing. `POST /posts/{id}/read`
    /// marks it read explicitly.
    #[oai(path = "/:id", method = "get", operation_id = "get_post")]
    async fn get_post(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        /// Sent by the app with every request.
        #[oai(name = "X-Schoolgate-App")]
        app: Header<Option<String>>,
    ) -> Result<Json<PostResponse>, ApiError<Lookup>> {
        let mark_read = matches!(auth, Auth::Bearer(_)) || app.0.is_some();
        let post = posts::open(&state, &auth.user().actor(), id.0, mark_read).await?;
        Ok(Json(response(&state, post)))
    }

    /// Mark a post read
    #[oai(path = "/:id/read", method = "post", operation_id = "mark_read")]
    async fn mark_read(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<Lookup>> {
        posts::open(&state, &auth.user().actor(), id.0, true).await?;
        Ok(Done::Done)
    }

    /// Confirm receipt (parents)
    ///
    /// 409 `confirmation_not_requested` when the post does not ask for it.
    #[oai(path = "/:id/confirm", method = "post", operation_id = "confirm")]
    async fn confirm(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ConfirmErrors>> {
        posts::confirm(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }
}

error_sets! {
    FeedErrors { 400 => &["unknown_cursor"] }
    UpdatePostErrors {
        400 => &["invalid_title", "invalid_body_text", "publish_at_in_past", "publish_at_too_far"],
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["already_published"],
    }
    ReachErrors {
        400 => &["no_audience", "too_many_groups", "unknown_group"],
        403 => &["forbidden_role", "school_audience_needs_admin", "not_own_group"],
    }
    CreatePostErrors {
        400 => &[
            "invalid_title",
            "invalid_body_text",
            "no_audience",
            "too_many_groups",
            "unknown_group",
            "pinned_not_urgent",
            "pinned_in_past",
            "pinned_too_long",
            "publish_at_in_past",
            "publish_at_too_far",
        ],
        403 => &["forbidden_role", "school_audience_needs_admin", "not_own_group"],
    }
    ConfirmErrors {
        403 => &["forbidden_role"],
        404 => &["not_found"],
        409 => &["confirmation_not_requested"],
    }
}

fn default_limit() -> u64 {
    50
}

fn response(state: &HttpState, view: PostView) -> PostResponse {
    let now = state.clock.now();
    let pinned = view.is_pinned(now);
    let scheduled = view.is_scheduled(now);
    let post = view.post;
    PostResponse {
        pinned,
        scheduled,
        author_name: view.author_name,
        read_at: view.receipt.as_ref().map(|r| r.read_at),
        confirmed_at: view.receipt.and_then(|r| r.confirmed_at),
        id: post.id,
        kind: post.kind.to_value(),
        title: post.title,
        body: post.body,
        author_id: post.author_id,
        to_school: post.to_school,
        group_ids: view.group_ids,
        ask_confirmation: post.ask_confirmation,
        allow_replies: post.allow_replies,
        pinned_until: post.pinned_until,
        created_at: post.created_at,
        attachments: view.attachments.into_iter().map(Into::into).collect(),
    }
}
