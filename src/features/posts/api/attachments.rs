//! Attachments of posts: staff attach files, readers download them.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Multipart, Object, OpenApi,
    param::Path,
    payload::{Binary, Json},
    types::multipart::Upload,
};

use crate::{
    app::error::AppError,
    features::posts::{self, AttachmentInfo},
    http::{ApiTags, security::Auth, state::HttpState, upload::read_upload},
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

#[OpenApi(prefix_path = "/posts", tag = "ApiTags::Posts")]
impl AttachmentsApi {
    /// Attach a file (staff)
    ///
    /// For the author and admins. The type is read from the content: PDF, images and office
    /// documents only (415 `file_type_not_allowed`); at most 10 MB (413).
    #[oai(path = "/:id/attachments", method = "post")]
    async fn attach(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        upload: AttachmentUpload,
    ) -> Result<CreateAttachmentResponse, AppError> {
        let file_name = upload.file.file_name().unwrap_or("attachment").to_string();
        let data = read_upload(upload.file).await?;
        let info = posts::attach(&state, &auth.user().actor(), id.0, &file_name, data).await?;
        Ok(CreateAttachmentResponse::Created(Json(info.into())))
    }

    /// Download an attachment
    #[oai(path = "/:id/attachments/:attachment_id", method = "get")]
    async fn download(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
        attachment_id: Path<i32>,
    ) -> Result<AttachmentDownload, AppError> {
        let file = posts::download(&state, &auth.user().actor(), id.0, attachment_id.0).await?;
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
}
