//! Photos of parents, staff and children: an upload is re-encoded as an upright square JPEG
//! without metadata (`platform::images`) and kept in the file store. A replaced or removed
//! photo's file is left to the janitor once nothing points at it. Who may see a photo is the
//! directory's rule (`visible_user_photo`, `visible_child_photo`).

use crate::app::{
    actor::Actor,
    error::{AppError, blocking},
};
use crate::platform::{
    db,
    files::{FileDownload, FileReference, FileStore},
    images::{self, PORTRAIT_SIDE},
    services::Services,
};

use super::store;
pub use super::store::PhotoOf;

/// The columns that point at photo files.
pub const FILE_REFERENCES: &[FileReference] = &[
    FileReference {
        table: "users",
        column: "photo_key",
    },
    FileReference {
        table: "children",
        column: "photo_key",
    },
];

/// Sets the caller's own photo, or a child's (its parents unless read-only, the office).
/// Returns the photo's new key.
pub async fn set(
    services: &Services,
    actor: &Actor,
    of: PhotoOf,
    upload: Vec<u8>,
) -> Result<String, AppError> {
    may_change(services, actor, of).await?;
    if upload.is_empty() {
        return Err(AppError::invalid(
            "photo",
            "empty_file",
            "The photo is empty.",
        ));
    }
    let jpeg = blocking(move || images::square_jpeg(&upload, PORTRAIT_SIDE)).await??;
    let object = services.files.put(&jpeg[..], u64::MAX).await?;
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    FileStore::record(&txn, &object, "image/jpeg", now).await?;
    store::set_photo(&txn, of, Some(object.key.clone()), now).await?;
    txn.commit().await?;
    Ok(object.key)
}

/// Removes the caller's own photo, or a child's.
pub async fn remove(services: &Services, actor: &Actor, of: PhotoOf) -> Result<(), AppError> {
    may_change(services, actor, of).await?;
    let now = services.clock.now();
    if !store::set_photo(&services.db, of, None, now).await? {
        return Err(AppError::not_found("photo"));
    }
    Ok(())
}

/// The photo as the viewer may see it; 404 when there is none or it is not shared with them.
pub async fn get(
    services: &Services,
    actor: &Actor,
    of: PhotoOf,
) -> Result<FileDownload, AppError> {
    let key = match of {
        PhotoOf::User(id) => super::visible_user_photo(services, actor, id).await?,
        PhotoOf::Child(id) => super::visible_child_photo(services, actor, id).await?,
    };
    services
        .files
        .get(&services.db, &key)
        .await?
        .ok_or_else(|| AppError::not_found("photo"))
}

async fn may_change(services: &Services, actor: &Actor, of: PhotoOf) -> Result<(), AppError> {
    match of {
        PhotoOf::User(id) if id == actor.id => Ok(()),
        PhotoOf::User(_) => Err(AppError::forbidden()),
        PhotoOf::Child(id) => crate::features::school::writable_child(services, actor, id).await,
    }
}
