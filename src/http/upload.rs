//! Reading uploaded files (multipart fields) with one answer for uploads that break off.

use poem_openapi::types::multipart::Upload;

use crate::app::error::AppError;

/// The whole uploaded file; an upload that cannot be read is 400 `unreadable_upload`.
pub async fn read_upload(upload: Upload) -> Result<Vec<u8>, AppError> {
    upload.into_vec().await.map_err(|err| {
        AppError::invalid(
            "file",
            "unreadable_upload",
            format!("The upload could not be read: {err}"),
        )
    })
}
