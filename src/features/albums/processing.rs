//! The background job that turns each uploaded photo into a square thumbnail and a display
//! copy: decoded within the picture limits, turned upright, written anew as JPEG (so no GPS
//! position or camera serial survives), stored in the file store. A few photos at a time
//! (`albums.processing_at_once`), so memory stays bounded whatever is uploaded. Photos are
//! claimed with a lease: several processes share the work, and a photo whose process died
//! is taken up again once its lease runs out.

use std::time::Duration as StdDuration;

use chrono::Duration;
use futures_util::TryStreamExt;
use tokio::sync::{Notify, watch};

use super::{DISPLAY_SIDE, THUMB_SIDE, picture_limits, store};
use crate::{
    app::error::{AppError, blocking},
    platform::{
        db,
        files::{FileStore, UploadedObject},
        images,
        services::Services,
    },
};

/// How long one process may work on a photo before another may take it.
const LEASE_MINUTES: i64 = 5;
/// Tries per photo when something else than the picture fails (the file store, say).
const MAX_ATTEMPTS: i32 = 3;
/// How often to look for work nobody announced (a photo whose lease ran out).
const IDLE_CHECK: StdDuration = StdDuration::from_secs(30);

/// Announces new uploads to the workers of this process.
static UPLOADED: Notify = Notify::const_new();

/// Wakes the workers: call after committing an upload.
pub fn wake() {
    UPLOADED.notify_waiters();
}

/// Processes photos until `shutdown` turns true.
pub async fn run(services: Services, mut shutdown: watch::Receiver<bool>) {
    loop {
        // Listening before looking, so an upload committed meanwhile is not missed.
        let uploaded = UPLOADED.notified();
        tokio::pin!(uploaded);
        uploaded.as_mut().enable();
        let processed = match process_some(&services).await {
            Ok(processed) => processed,
            Err(err) => {
                tracing::error!(error = ?err, "processing photos failed");
                0
            }
        };
        if *shutdown.borrow() {
            return;
        }
        if processed > 0 {
            continue;
        }
        tokio::select! {
            _ = uploaded => {}
            _ = tokio::time::sleep(IDLE_CHECK) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Claims up to `albums.processing_at_once` waiting photos and processes them side by side;
/// returns how many it took.
pub async fn process_some(services: &Services) -> anyhow::Result<usize> {
    let at_once = services.settings.albums.processing_at_once;
    let now = services.clock.now();
    let until = now + Duration::minutes(LEASE_MINUTES);
    let mut claimed = Vec::new();
    for id in store::claimable_photos(&services.db, now, (at_once * 2) as u64).await? {
        if claimed.len() == at_once {
            break;
        }
        if store::claim_photo(&services.db, id, now, until).await? {
            claimed.push(id);
        }
    }
    let results =
        futures_util::future::join_all(claimed.iter().map(|id| process(services, *id))).await;
    for (id, result) in claimed.iter().zip(results) {
        if let Err(err) = result {
            tracing::warn!(photo = id, error = ?err, "processing a photo failed; retried later");
        }
    }
    Ok(claimed.len())
}

/// The copies of one photo, as JPEG bytes.
pub(super) struct Copies {
    thumb: Vec<u8>,
    display: Vec<u8>,
    width: u32,
    height: u32,
}

async fn process(services: &Services, id: i32) -> anyhow::Result<()> {
    let Some(photo) = store::photo(&services.db, id).await? else {
        return Ok(()); // deleted meanwhile
    };
    let now = services.clock.now();
    let upload = match &photo.upload_key {
        Some(key) => services.files.get(&services.db, key).await?,
        None => None,
    };
    let Some(upload) = upload else {
        store::fail_photo(&services.db, id, "upload_missing", now).await?;
        return Ok(());
    };
    // One allocation of the file's size, not a vector grown piece by piece.
    let capacity = usize::try_from(upload.file.size).unwrap_or(0);
    let bytes: Vec<u8> = upload
        .body
        .try_fold(Vec::with_capacity(capacity), |mut all, piece| async move {
            all.extend_from_slice(&piece);
            Ok(all)
        })
        .await?;
    let limits = picture_limits(&services.settings);
    let copies = blocking(move || {
        let picture = images::decode_upright_for(&bytes, limits, DISPLAY_SIDE)?;
        drop(bytes);
        make_copies(&picture)
    })
    .await?;
    let copies = match copies {
        Ok(copies) => copies,
        Err(err @ (AppError::TooLarge { .. } | AppError::UnsupportedType { .. })) => {
            return fail(services, &photo, err.code()).await;
        }
        Err(err) if err.code() == "unreadable_image" => {
            return fail(services, &photo, err.code()).await;
        }
        Err(err) if photo.attempts >= MAX_ATTEMPTS => {
            tracing::error!(photo = id, error = ?err, "giving up on a photo");
            return fail(services, &photo, "processing_failed").await;
        }
        Err(err) => return Err(err.into()),
    };
    let keep_original = services.settings.albums.keep_originals;
    let upload_key = photo.upload_key.clone();
    let stored = put_copies(services, copies).await?;
    let now = services.clock.now();
    let txn = db::begin_write(&services.db).await?;
    let processed = record_copies(&txn, stored, keep_original, now).await?;
    store::finish_photo(&txn, photo, processed, now).await?;
    txn.commit().await?;
    if !keep_original && let Some(key) = upload_key {
        // The upload still has its metadata (GPS position): gone now, not with the janitor.
        services.files.delete(&services.db, &key).await?;
    }
    Ok(())
}

/// The thumbnail and display copy of a decoded, upright picture. Takes a while: call it on
/// a blocking thread.
pub(super) fn make_copies(picture: &image::DynamicImage) -> Result<Copies, AppError> {
    let display = images::fitted(picture, DISPLAY_SIDE);
    let thumb = images::square(&display, THUMB_SIDE);
    Ok(Copies {
        thumb: images::encode_jpeg(&thumb)?,
        width: display.width(),
        height: display.height(),
        display: images::encode_jpeg(&display)?,
    })
}

/// Copies in the file store, not recorded yet.
pub(super) struct StoredCopies {
    thumb: UploadedObject,
    display: UploadedObject,
    width: u32,
    height: u32,
}

/// Puts the copies into the file store (before any transaction: a write transaction is not
/// held open while bytes travel).
pub(super) async fn put_copies(
    services: &Services,
    copies: Copies,
) -> Result<StoredCopies, AppError> {
    Ok(StoredCopies {
        thumb: services.files.put(&copies.thumb[..], u64::MAX).await?,
        display: services.files.put(&copies.display[..], u64::MAX).await?,
        width: copies.width,
        height: copies.height,
    })
}

/// Records stored copies in `txn`, with the photo row that will point at them.
pub(super) async fn record_copies(
    txn: &impl sea_orm::ConnectionTrait,
    stored: StoredCopies,
    keep_original: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<store::Processed, AppError> {
    FileStore::record(txn, &stored.thumb, "image/jpeg", now).await?;
    FileStore::record(txn, &stored.display, "image/jpeg", now).await?;
    let size = |object: &UploadedObject| i32::try_from(object.size).unwrap_or(i32::MAX);
    Ok(store::Processed {
        thumb_bytes: size(&stored.thumb),
        thumb_key: stored.thumb.key,
        display_bytes: size(&stored.display),
        display_key: stored.display.key,
        width: i32::try_from(stored.width).unwrap_or(i32::MAX),
        height: i32::try_from(stored.height).unwrap_or(i32::MAX),
        keep_original,
    })
}

/// The picture cannot be used: the photo is marked failed and its upload removed.
async fn fail(services: &Services, photo: &store::Photo, failure: &str) -> anyhow::Result<()> {
    store::fail_photo(&services.db, photo.id, failure, services.clock.now()).await?;
    if let Some(key) = &photo.upload_key {
        services.files.delete(&services.db, key).await?;
    }
    Ok(())
}
