//! Attachments of posts: staff attach files, readers download them.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi, param::Path, payload::Json, types::multipart::Upload,
};

use crate::http::error::{ApiError, Lookup, error_sets};
use crate::{
    features::posts::{self, AttachmentInfo},
    http::{ApiTags, security::Auth, state::HttpState, types::FileDownload},
};

pub struct AttachmentsApi;

/// A file attached to a post; download it from `/posts/{post_id}/attachments/{id}`.
#[derive(Debug, Clone, Object)]
pub struct AttachmentResponse {
    pub id: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
}

impl From<AttachmentInfo> for AttachmentResponse {
    fn from(info: AttachmentInfo) -> Self {
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
    /// PDF, PNG, JPEG, GIF, WebP or an office document, at most `files.max_attachment_bytes`
    /// (10 MB by default).
    pub file: Upload,
}

#[derive(ApiResponse)]
pub enum CreateAttachmentResponse {
    /// Attached.
    #[oai(status = 201)]
    Created(Json<AttachmentResponse>),
}

#[OpenApi(prefix_path = "/posts", tag = "ApiTags::Posts")]
impl AttachmentsApi {
    /// Attach a file (staff)
    ///
    /// For the author and admins. The type is read from the content: PDF, images and office
    /// documents only (415 `file_type_not_allowed`); at most 10 MB unless configured otherwise
    /// (413 `file_too_large`).
    #[oai(path = "/:id/attachments", method = "post", operation_id = "attach")]
    async fn attach(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        upload: AttachmentUpload,
    ) -> Result<CreateAttachmentResponse, ApiError<AttachErrors>> {
        let file_name = upload.file.file_name().unwrap_or("attachment").to_string();
        // poem-openapi spooled the upload to a temporary file; it streams on from there.
        let body = upload.file.into_async_read();
        let info = posts::attach(&state, &auth.user().actor(), id.0, &file_name, body).await?;
        Ok(CreateAttachmentResponse::Created(Json(info.into())))
    }

    /// Download an attachment
    #[oai(
        path = "/:id/attachments/:attachment_id",
        method = "get",
        operation_id = "download_attachment"
    )]
    async fn download(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        attachment_id: Path<i32>,
    ) -> Result<FileDownload, ApiError<Lookup>> {
        let file = posts::download(&state, &auth.user().actor(), id.0, attachment_id.0).await?;
        Ok(FileDownload::attachment(
            &file.file_name,
            file.content_type,
            file.size,
            file.body,
        ))
    }
}

error_sets! {
    AttachErrors {
        400 => &["empty_file", "unreadable_upload"],
        403 => &["forbidden"],
        404 => &["not_found"],
        413 => &["file_too_large"],
        415 => &["file_type_not_allowed", "pdf_with_javascript"],
    }
}
