//! Teachers' notes on a child: the group's teachers write, the child's parents read.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json, types::Example};

use crate::http::error::{ApiError, Lookup, error_sets};
use crate::{
    features::school::notes::{self, NoteView},
    http::{ApiTags, security::Auth, state::HttpState, types::Done, types::Text},
};

pub struct NotesApi;

#[derive(Debug, Object)]
pub struct NoteResponse {
    pub id: i32,
    pub body: String,
    /// Null when the author's account is gone.
    #[oai(nullable)]
    pub author_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The caller wrote it: may change or delete it.
    pub own: bool,
}

impl From<NoteView> for NoteResponse {
    fn from(view: NoteView) -> Self {
        Self {
            id: view.note.id,
            body: view.note.body,
            author_name: view.author_name,
            created_at: view.note.created_at,
            updated_at: view.note.updated_at,
            own: view.own,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct NoteRequest {
    /// 1 to 4,000 characters.
    #[oai(validator(max_length = 4000))]
    pub body: Text,
}

impl Example for NoteRequest {
    fn example() -> Self {
        Self {
            body: "Emma read her first book on her own today. Ask her about the dragon!".into(),
        }
    }
}

#[derive(ApiResponse)]
pub enum CreateNoteResponse {
    /// Written; the child's parents get a push message.
    #[oai(status = 201)]
    Created(Json<NoteResponse>),
}

error_sets! {
    CreateNoteErrors {
        400 => &["invalid_note"],
        403 => &["teachers_of_group_only"],
        404 => &["not_found"],
    }
    ChangeNoteErrors {
        400 => &["invalid_note"],
        403 => &["not_author"],
        404 => &["not_found"],
    }
    DeleteNoteErrors {
        403 => &["not_author"],
        404 => &["not_found"],
    }
}

#[OpenApi(prefix_path = "/children", tag = "ApiTags::Children")]
impl NotesApi {
    /// A child's notes
    ///
    /// Notes the teachers of the child's group wrote for its parents, newest first. For the
    /// child's parents (read-only ones too) and the group's teachers; 404 for everyone else.
    #[oai(path = "/:id/notes", method = "get", operation_id = "list_child_notes")]
    async fn list(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<Vec<NoteResponse>>, ApiError<Lookup>> {
        let notes = notes::list(&state, &auth.user().actor(), id.0).await?;
        Ok(Json(notes.into_iter().map(Into::into).collect()))
    }

    /// Write a note (teachers of the child's group)
    #[oai(
        path = "/:id/notes",
        method = "post",
        operation_id = "create_child_note"
    )]
    async fn create(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        body: Json<NoteRequest>,
    ) -> Result<CreateNoteResponse, ApiError<CreateNoteErrors>> {
        let note = notes::create(&state, &auth.user().actor(), id.0, &body.body).await?;
        Ok(CreateNoteResponse::Created(Json(note.into())))
    }

    /// Change a note (its author)
    #[oai(
        path = "/:id/notes/:note_id",
        method = "patch",
        operation_id = "update_child_note"
    )]
    async fn update(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        note_id: Path<i32>,
        body: Json<NoteRequest>,
    ) -> Result<Json<NoteResponse>, ApiError<ChangeNoteErrors>> {
        let note = notes::update(&state, &auth.user().actor(), id.0, note_id.0, &body.body).await?;
        Ok(Json(note.into()))
    }

    /// Delete a note (its author)
    #[oai(
        path = "/:id/notes/:note_id",
        method = "delete",
        operation_id = "delete_child_note"
    )]
    async fn delete(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        note_id: Path<i32>,
    ) -> Result<Done, ApiError<DeleteNoteErrors>> {
        notes::delete(&state, &auth.user().actor(), id.0, note_id.0).await?;
        Ok(Done::Done)
    }
}
