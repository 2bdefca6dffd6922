//! Documents: the folders a user sees with their documents, folders and uploads for staff,
//! new versions under the same link, and streamed downloads.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::Path,
    payload::Json,
    types::{Example, multipart::Upload},
};

use crate::http::error::{ApiError, Lookup, ManagedLookup, error_sets};
use crate::{
    features::documents::{self, DocumentView, FolderView},
    http::{
        ApiTags,
        security::Auth,
        state::HttpState,
        types::{Done, FileDownload, Name},
    },
};

pub struct DocumentsApi;

#[derive(Debug, Object)]
pub struct DocumentResponse {
    pub id: i32,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// 1 for the first upload, raised by each new version.
    pub version: i32,
    /// When the current version was uploaded.
    pub updated_at: DateTime<Utc>,
    /// Uploaded or replaced in the last two weeks.
    pub is_new: bool,
}

impl From<DocumentView> for DocumentResponse {
    fn from(view: DocumentView) -> Self {
        let document = view.document;
        Self {
            id: document.id,
            title: document.title,
            file_name: document.file_name,
            content_type: document.content_type,
            size: u64::try_from(document.size).unwrap_or(0),
            version: document.version,
            updated_at: document.updated_at,
            is_new: view.is_new,
        }
    }
}

#[derive(Debug, Object)]
pub struct FolderResponse {
    pub id: i32,
    /// Empty: a folder of the whole school.
    #[oai(nullable)]
    pub group_id: Option<i32>,
    pub name: String,
    /// The caller may upload, replace and delete here.
    pub may_manage: bool,
    /// Newest first.
    pub documents: Vec<DocumentResponse>,
}

impl From<FolderView> for FolderResponse {
    fn from(view: FolderView) -> Self {
        Self {
            id: view.folder.id,
            group_id: view.folder.group_id,
            name: view.folder.name,
            may_manage: view.may_manage,
            documents: view.documents.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct FolderRequest {
    /// A folder of this group (its teachers, admins); leave out for the whole school
    /// (admins).
    #[oai(nullable)]
    pub group_id: Option<i32>,
    /// E.g. "School guide", "Groep 3a: reading lists".
    pub name: Name,
}

impl Example for FolderRequest {
    fn example() -> Self {
        Self {
            group_id: None,
            name: "School guide".into(),
        }
    }
}

#[derive(Debug, Multipart)]
pub struct DocumentUpload {
    /// PDF, images (PNG, JPEG, GIF, WebP), office documents or plain text, at most
    /// `files.max_document_bytes` (25 MB by default).
    pub file: Upload,
    /// Shown in the list; default: the file's name.
    pub title: Option<String>,
}

#[derive(Debug, Multipart)]
pub struct VersionUpload {
    /// The new version (same rules as a new document).
    pub file: Upload,
}

#[derive(ApiResponse)]
pub enum CreateFolderResponse {
    /// Made.
    #[oai(status = 201)]
    Created(Json<FolderResponse>),
}

#[derive(ApiResponse)]
pub enum UploadResponse {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<DocumentResponse>),
}

#[OpenApi(prefix_path = "/documents", tag = "ApiTags::Documents")]
impl DocumentsApi {
    /// The folders I see, with their documents
    ///
    /// The school's folders and those of the caller's groups (parents: their children's
    /// groups), each with its documents newest first.
    #[oai(path = "/", method = "get", operation_id = "list_documents")]
    async fn list(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<FolderResponse>>, ApiError<Lookup>> {
        let folders = documents::list(&state, &auth.user().actor()).await?;
        Ok(Json(folders.into_iter().map(Into::into).collect()))
    }

    /// Make a folder (staff)
    #[oai(
        path = "/folders",
        method = "post",
        operation_id = "create_document_folder"
    )]
    async fn create_folder(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<FolderRequest>,
    ) -> Result<CreateFolderResponse, ApiError<FolderErrors>> {
        let folder =
            documents::create_folder(&state, &auth.user().actor(), body.group_id, &body.name)
                .await?;
        Ok(CreateFolderResponse::Created(Json(folder.into())))
    }

    /// Delete a folder with its documents (staff)
    #[oai(
        path = "/folders/:id",
        method = "delete",
        operation_id = "delete_document_folder"
    )]
    async fn delete_folder(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedLookup>> {
        documents::delete_folder(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// Upload a document into a folder (staff)
    ///
    /// The type is read from the content: PDF, images, office documents and plain text
    /// (415 `file_type_not_allowed`); at most 25 MB unless configured otherwise (413
    /// `file_too_large`).
    #[oai(
        path = "/folders/:id/documents",
        method = "post",
        operation_id = "upload_document"
    )]
    async fn upload(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        upload: DocumentUpload,
    ) -> Result<UploadResponse, ApiError<UploadErrors>> {
        let file_name = upload.file.file_name().unwrap_or("document").to_string();
        let title = upload.title.clone();
        // poem-openapi spooled the upload to a temporary file; it streams on from there.
        let body = upload.file.into_async_read();
        let view = documents::upload(
            &state,
            &auth.user().actor(),
            id.0,
            title.as_deref(),
            &file_name,
            body,
        )
        .await?;
        Ok(UploadResponse::Created(Json(view.into())))
    }

    /// Upload a new version of a document (staff)
    ///
    /// Its id and link stay; the list shows it as new again.
    #[oai(
        path = "/:id/versions",
        method = "post",
        operation_id = "replace_document"
    )]
    async fn replace(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        upload: VersionUpload,
    ) -> Result<Json<DocumentResponse>, ApiError<UploadErrors>> {
        let file_name = upload.file.file_name().unwrap_or("document").to_string();
        let body = upload.file.into_async_read();
        let view = documents::replace(&state, &auth.user().actor(), id.0, &file_name, body).await?;
        Ok(Json(view.into()))
    }

    /// Delete a document (staff)
    #[oai(path = "/:id", method = "delete", operation_id = "delete_document")]
    async fn delete(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Done, ApiError<ManagedLookup>> {
        documents::delete(&state, &auth.user().actor(), id.0).await?;
        Ok(Done::Done)
    }

    /// Download a document
    #[oai(path = "/:id/file", method = "get", operation_id = "download_document")]
    async fn download(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<FileDownload, ApiError<Lookup>> {
        let file = documents::download(&state, &auth.user().actor(), id.0).await?;
        Ok(FileDownload::attachment(
            &file.file_name,
            file.content_type,
            file.size,
            file.body,
        ))
    }
}

error_sets! {
    FolderErrors {
        400 => &["invalid_name", "no_audience", "unknown_group"],
        403 => &["forbidden_role", "school_audience_needs_admin", "not_own_group"],
    }
    UploadErrors {
        400 => &["empty_file", "unreadable_upload", "invalid_title"],
        403 => &["forbidden"],
        404 => &["not_found"],
        413 => &["file_too_large"],
        415 => &["file_type_not_allowed", "pdf_with_javascript"],
    }
}
