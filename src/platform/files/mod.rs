//! The file store: the one place where uploaded bytes (attachments, documents, photos) are
//! kept, in a local folder or an S3-compatible bucket (`[files]`), with an index row per file
//! in the `files` table. HTTP-free: callers hand it an `AsyncRead` and get a byte stream back.
//!
//! How a feature stores a file:
//! 1. [`FileStore::put`] streams the body into the backend under a new random key (memory
//!    stays at a few MB whatever the size) and returns an [`UploadedObject`]: size, SHA-256 and
//!    the first 64 KiB, from which the caller decides the content type. No row exists yet.
//! 2. The caller either refuses it ([`FileStore::discard`]) or, inside its own transaction,
//!    inserts the `files` row with [`FileStore::record`] together with its own row that points
//!    at `files.key`.
//!
//! Invariants:
//! - A `files` row is written only after its object is complete, and removed before its
//!   object: a row always has its object. The reverse does not hold: a crash, a rolled-back
//!   transaction or a failed object delete leaves an object without a row (an orphan).
//! - Orphans and rows nothing points at any more are removed by the janitor
//!   ([`FileStore::remove_unreferenced`]), once they are older than its cut-off. The cut-off
//!   must lie well before the start of any `put` whose `record` may still commit (hours, not
//!   seconds), and a feature must insert its reference in the same transaction as `record`.
//! - Keys are 32 lower-case hex digits (a random UUID); the object of key `k` is
//!   `k[..2]/k` in the backend. Anything else in the folder or bucket is never touched.

mod janitor;
mod s3;
pub mod types;

use std::{fmt, path::PathBuf, sync::Arc};

use anyhow::Context;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart, local::LocalFileSystem, path::Path,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

pub use janitor::{FileReference, JanitorReport};

use crate::{
    app::{
        config::{FilesBackend, FilesSettings},
        error::AppError,
    },
    entities::files,
};

/// How many leading bytes of an upload [`UploadedObject::head`] keeps (enough for `infer`).
pub const HEAD_BYTES: usize = 64 * 1024;

/// Bytes read from the body at a time.
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// Part size of multipart uploads to S3: its minimum for every part but the last.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;

/// Part size for the local folder (each part is one write to the partial file).
const LOCAL_PART_BYTES: usize = 1024 * 1024;

/// Parts sent while the next one fills. With one in flight an upload holds at most two parts
/// in memory.
const PARTS_IN_FLIGHT: usize = 1;

/// Why a file operation failed. Says nothing about HTTP: the caller maps it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The body was longer than the limit the caller gave; nothing was kept.
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge { max_bytes: u64 },
    /// The body had no bytes; nothing was kept.
    #[error("the file is empty")]
    Empty,
    /// The `files` row exists but the backend has no object for it.
    #[error("the file's object is missing from the store")]
    NotFound,
    /// The folder or bucket failed (I/O, network, credentials, ...).
    #[error("file store backend: {0}")]
    Backend(object_store::Error),
    /// Reading the body failed (e.g. the client went away).
    #[error("reading the upload: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

impl From<FileError> for AppError {
    fn from(err: FileError) -> Self {
        match err {
            FileError::TooLarge { max_bytes } => AppError::TooLarge {
                code: "file_too_large",
                message: format!("The file is larger than {}.", readable_size(max_bytes)),
            },
            FileError::Empty => AppError::invalid("file", "empty_file", "The file is empty."),
            FileError::Io(err) => AppError::invalid(
                "file",
                "unreadable_upload",
                format!("The upload could not be read: {err}"),
            ),
            other => AppError::Internal(other.into()),
        }
    }
}

/// A size for people: "10 MB", "512 KB".
fn readable_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

impl From<object_store::Error> for FileError {
    fn from(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Backend(other),
        }
    }
}

/// An object `put` wrote that has no `files` row yet: record or discard it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedObject {
    pub key: String,
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// The first [`HEAD_BYTES`] bytes (all of them for a smaller file), to decide the content
    /// type from the content.
    pub head: Vec<u8>,
}

/// A file with its `files` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    pub key: String,
    pub size: u64,
    pub sha256: String,
    pub content_type: String,
    pub created_at: DateTime<Utc>,
}

impl From<files::Model> for StoredFile {
    fn from(row: files::Model) -> Self {
        Self {
            key: row.key,
            size: u64::try_from(row.size).unwrap_or_default(),
            sha256: row.sha256,
            content_type: row.content_type,
            created_at: row.created_at,
        }
    }
}

/// A file to send: its row and a stream of its bytes, read from the backend as it is polled.
pub struct FileDownload {
    pub file: StoredFile,
    pub body: BoxStream<'static, Result<Bytes, FileError>>,
}

impl fmt::Debug for FileDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileDownload")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

/// The configured backend. Cheap to clone (one `Arc`).
#[derive(Clone, Debug)]
pub struct FileStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    objects: Arc<dyn ObjectStore>,
    part_bytes: usize,
    /// The local backend's folder (absolute), where crashed uploads leave partial files.
    local_folder: Option<PathBuf>,
}

impl FileStore {
    /// Opens the backend `[files]` names. The local folder is created when missing; S3 is not
    /// contacted until the first operation.
    pub fn from_settings(settings: &FilesSettings) -> anyhow::Result<Self> {
        let inner = match settings.backend {
            FilesBackend::Local => {
                let folder = &settings.folder;
                std::fs::create_dir_all(folder).with_context(|| {
                    format!("files.folder: cannot create '{}'", folder.display())
                })?;
                let folder = std::fs::canonicalize(folder)
                    .with_context(|| format!("files.folder: cannot open '{}'", folder.display()))?;
                // fsync before a put returns: the row written after it promises the bytes.
                let objects = LocalFileSystem::new_with_prefix(&folder)
                    .with_context(|| format!("files.folder: cannot use '{}'", folder.display()))?
                    .with_fsync(true);
                Inner {
                    objects: Arc::new(objects),
                    part_bytes: LOCAL_PART_BYTES,
                    local_folder: Some(folder),
                }
            }
            FilesBackend::S3 => Inner {
                objects: Arc::new(s3::build(&settings.s3)?),
                part_bytes: S3_PART_BYTES,
                local_folder: None,
            },
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Streams `body` into the backend under a new key, computing size and SHA-256 and
    /// keeping the first [`HEAD_BYTES`]. At most two upload parts (a few MB) are held in
    /// memory. A body over `max_bytes` is refused with [`FileError::TooLarge`] and an empty
    /// one with [`FileError::Empty`]; on these and every other error nothing is left in the
    /// backend. If the returned future is dropped midway the partial upload is aborted in the
    /// background. No `files` row is written: see [`FileStore::record`].
    /// Stores an upload whose type `accepted` reads from its first bytes (see `types`),
    /// refusing (and removing) what it does not accept and PDFs that would run scripts.
    /// Returns the object, to be recorded with its content type, and that type.
    pub async fn put_accepted(
        &self,
        body: impl AsyncRead + Unpin + Send,
        max_bytes: u64,
        accepted: fn(&[u8]) -> Result<&'static str, types::TypeNotAllowed>,
    ) -> Result<(UploadedObject, &'static str), AppError> {
        let scan = Arc::new(std::sync::Mutex::new(types::ActiveContentScan::default()));
        let seen = scan.clone();
        let body = tokio_util::io::InspectReader::new(body, move |bytes: &[u8]| {
            seen.lock().expect("scan lock").feed(bytes);
        });
        let object = self.put(body, max_bytes).await?;
        let refusal = match accepted(&object.head) {
            Ok("application/pdf") if scan.lock().expect("scan lock").found() => {
                AppError::UnsupportedType {
                    code: "pdf_with_javascript",
                    message: "PDFs with scripts or launch actions are not accepted: print it to \
                              a new PDF first."
                        .into(),
                }
            }
            Ok(content_type) => return Ok((object, content_type)),
            Err(refused) => refused.into(),
        };
        self.discard(object).await?;
        Err(refusal)
    }

    #[tracing::instrument(skip_all, fields(key, size))]
    pub async fn put(
        &self,
        mut body: impl AsyncRead + Unpin + Send,
        max_bytes: u64,
    ) -> Result<UploadedObject, FileError> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        tracing::Span::current().record("key", key.as_str());
        let location = object_path(&key);
        let mut upload = Upload {
            max_bytes,
            size: 0,
            sha256: Sha256::new(),
            head: Vec::new(),
            unsent: Vec::new(),
            unsent_bytes: 0,
            writer: AbortOnDrop(None),
        };
        let result = self.stream_into(&mut upload, &location, &mut body).await;
        let result = match result {
            Ok(()) if upload.size == 0 => Err(FileError::Empty),
            Ok(()) => self.finish(&mut upload, &location).await,
            Err(err) => Err(err),
        };
        if let Err(err) = result {
            if let Some(writer) = upload.writer.0.take()
                && let Err(abort_err) = writer.abort().await
            {
                tracing::warn!(error = %abort_err, "aborting a refused upload failed");
            }
            return Err(err);
        }
        tracing::Span::current().record("size", upload.size);
        Ok(UploadedObject {
            key,
            size: upload.size,
            sha256: hex(&upload.sha256.finalize()),
            head: upload.head,
        })
    }

    /// Reads the body, starting a multipart upload once more than one part has come in
    /// (smaller files go in one request in `finish`).
    async fn stream_into(
        &self,
        upload: &mut Upload,
        location: &Path,
        body: &mut (impl AsyncRead + Unpin + Send),
    ) -> Result<(), FileError> {
        while let Some(chunk) = read_chunk(body).await? {
            upload.size += chunk.len() as u64;
            if upload.size > upload.max_bytes {
                return Err(FileError::TooLarge {
                    max_bytes: upload.max_bytes,
                });
            }
            upload.sha256.update(&chunk);
            if upload.head.len() < HEAD_BYTES {
                let wanted = (HEAD_BYTES - upload.head.len()).min(chunk.len());
                upload.head.extend_from_slice(&chunk[..wanted]);
            }
            if let Some(writer) = upload.writer.0.as_mut() {
                writer.wait_for_capacity(PARTS_IN_FLIGHT + 1).await?;
                writer.put(chunk);
                continue;
            }
            upload.unsent_bytes += chunk.len();
            upload.unsent.push(chunk);
            if upload.unsent_bytes > self.inner.part_bytes {
                let multipart = self.inner.objects.put_multipart(location).await?;
                let mut writer =
                    WriteMultipart::new_with_chunk_size(multipart, self.inner.part_bytes);
                for piece in upload.unsent.drain(..) {
                    writer.put(piece);
                }
                upload.writer.0 = Some(writer);
            }
        }
        Ok(())
    }

    async fn finish(&self, upload: &mut Upload, location: &Path) -> Result<(), FileError> {
        match upload.writer.0.take() {
            Some(writer) => {
                // On failure `finish` aborts the upload itself.
                writer.finish().await?;
            }
            None => {
                let payload: PutPayload = upload.unsent.drain(..).collect();
                self.inner.objects.put(location, payload).await?;
            }
        }
        tracing::debug!(size = upload.size, "file stored");
        Ok(())
    }

    /// Inserts the `files` row of an uploaded object. Call it inside the transaction that
    /// also inserts the row pointing at the file, so the two commit or roll back together (a
    /// rollback leaves only the object, which the janitor removes). `content_type` is the
    /// caller's decision from [`UploadedObject::head`], at most 100 characters.
    #[tracing::instrument(skip_all, fields(key = %object.key))]
    pub async fn record(
        conn: &impl ConnectionTrait,
        object: &UploadedObject,
        content_type: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredFile, DbErr> {
        let row = files::ActiveModel {
            key: Set(object.key.clone()),
            size: Set(i64::try_from(object.size).unwrap_or(i64::MAX)),
            sha256: Set(object.sha256.clone()),
            content_type: Set(content_type.to_owned()),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        Ok(row.into())
    }

    /// Removes an uploaded object the caller decided not to keep (e.g. a refused content
    /// type). Only for objects without a `files` row.
    #[tracing::instrument(skip_all, fields(key = %object.key))]
    pub async fn discard(&self, object: UploadedObject) -> Result<(), FileError> {
        self.delete_object(&object.key).await
    }

    /// The file's row and a stream of its bytes; `None` when no row has this key.
    pub async fn get(
        &self,
        conn: &impl ConnectionTrait,
        key: &str,
    ) -> Result<Option<FileDownload>, FileError> {
        if !is_key(key) {
            return Ok(None);
        }
        let Some(row) = files::Entity::find_by_id(key).one(conn).await? else {
            return Ok(None);
        };
        let object = self.inner.objects.get(&object_path(key)).await?;
        let body = object.into_stream().map_err(FileError::from).boxed();
        Ok(Some(FileDownload {
            file: row.into(),
            body,
        }))
    }

    /// Deletes the file's row, then its object; `false` when no row has this key. Fails with
    /// a database error while another row still points at the file through a foreign key.
    ///
    /// The object goes at once: inside a transaction that may still roll back, delete only
    /// the referencing row and leave the file to the janitor instead.
    #[tracing::instrument(skip_all, fields(key))]
    pub async fn delete(&self, conn: &impl ConnectionTrait, key: &str) -> Result<bool, FileError> {
        if !is_key(key) {
            return Ok(false);
        }
        tracing::Span::current().record("key", key);
        let deleted = files::Entity::delete_by_id(key).exec(conn).await?;
        if deleted.rows_affected == 0 {
            return Ok(false);
        }
        self.delete_object(key).await?;
        Ok(true)
    }

    /// Deletes the object of `key`; one that is already gone is fine.
    async fn delete_object(&self, key: &str) -> Result<(), FileError> {
        match self.inner.objects.delete(&object_path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(FileError::Backend(err)),
        }
    }
}

/// The state of one `put`.
struct Upload {
    max_bytes: u64,
    size: u64,
    sha256: Sha256,
    head: Vec<u8>,
    /// Chunks read before the multipart upload started (less than one part).
    unsent: Vec<Bytes>,
    unsent_bytes: usize,
    writer: AbortOnDrop,
}

/// Aborts a multipart upload that is dropped unfinished (the caller's future was cancelled,
/// e.g. the client went away), so S3 keeps no parts and the folder no partial file. Not
/// covered: a cancellation while the last part and the completion are sent (`finish` owns the
/// upload then); S3 then keeps the parts until the bucket's lifecycle rule removes them.
struct AbortOnDrop(Option<WriteMultipart>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(err) = writer.abort().await {
                    tracing::warn!(error = %err, "aborting a cancelled upload failed");
                }
            });
        }
    }
}

/// Reads up to [`READ_CHUNK_BYTES`]; `None` at the end of the body.
async fn read_chunk(body: &mut (impl AsyncRead + Unpin)) -> std::io::Result<Option<Bytes>> {
    let mut buffer = BytesMut::with_capacity(READ_CHUNK_BYTES);
    while buffer.len() < READ_CHUNK_BYTES {
        if body.read_buf(&mut buffer).await? == 0 {
            break;
        }
    }
    Ok((!buffer.is_empty()).then(|| buffer.freeze()))
}

/// Whether `key` has the form of a key this store makes.
fn is_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where the object of `key` lives: under its first two hex digits, so no folder holds more
/// than a 256th of the files.
fn object_path(key: &str) -> Path {
    Path::from_iter([&key[..2], key])
}

/// The key of an object path this store made, `None` for anything else.
fn key_of(path: &Path) -> Option<String> {
    let mut parts = path.parts();
    let (shard, name) = (parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !is_key(name.as_ref())
        || !name.as_ref().starts_with(shard.as_ref())
    {
        return None;
    }
    Some(name.as_ref().to_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(readable_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(readable_size(1536 * 1024), "1.5 MB");
        assert_eq!(readable_size(1000), "1 KB");
    }

    #[test]
    fn object_paths_map_back_to_their_keys() {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let path = object_path(&key);
        assert_eq!(path.as_ref(), format!("{}/{key}", &key[..2]));
        assert_eq!(key_of(&path), Some(key));
    }

    #[test]
    fn foreign_objects_are_not_taken_for_keys() {
        for path in [
            "notes.txt",
            "ab/notes.txt",
            "ab/0123456789abcdef0123456789abcdef",
            "01/0123456789abcdef0123456789ABCDEF",
            "01/0123456789abcdef0123456789abcdef/x",
        ] {
            assert_eq!(key_of(&Path::from(path)), None, "{path}");
        }
        assert!(!is_key("../../etc/passwd"));
    }
}
