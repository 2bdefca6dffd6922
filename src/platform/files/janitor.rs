//! The janitor: removes what no one will ever ask for again. `files` rows that no registered
//! reference points at, with their objects; objects without a row (a crash between `put` and
//! `record`, a rolled-back transaction, a failed delete); and, in the local folder, partial
//! files of uploads whose process died. Only things older than the cut-off are touched.
//!
//! S3 keeps the parts of multipart uploads whose process died invisibly to listings: give
//! the bucket a lifecycle rule that aborts incomplete multipart uploads after a day.

use std::{
    collections::HashSet,
    path::{Path as FsPath, PathBuf},
    time::SystemTime,
};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::{FileError, FileStore, is_key, key_of};
use crate::entities::files;

/// Keys whose rows are looked up in one query.
const BATCH: usize = 500;

/// A column that points at `files.key`, e.g. `attachments.file_key`. A file is kept while
/// any registered column holds its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileReference {
    pub table: &'static str,
    pub column: &'static str,
}

/// What one janitor run removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JanitorReport {
    /// `files` rows nothing pointed at, removed with their objects.
    pub unreferenced_files: u64,
    /// Objects that had no `files` row.
    pub orphan_objects: u64,
    /// Partial files of uploads that never finished (local folder only).
    pub abandoned_uploads: u64,
}

impl FileStore {
    /// Removes `files` rows created before `older_than` that none of `references` points at,
    /// with their objects; then objects last modified before `older_than` that have no row;
    /// then (local folder) partial uploads older than `older_than`.
    ///
    /// `references` must name every column that points at `files.key`: a file referenced
    /// from an unnamed column is deleted. `older_than` must lie well before the start of any
    /// upload whose transaction may still commit (hours before now, not seconds).
    #[tracing::instrument(skip_all, fields(%older_than))]
    pub async fn remove_unreferenced(
        &self,
        conn: &impl ConnectionTrait,
        references: &[FileReference],
        older_than: DateTime<Utc>,
    ) -> Result<JanitorReport, FileError> {
        let mut report = JanitorReport::default();

        let candidates: Vec<String> = unreferenced(
            files::Entity::find()
                .select_only()
                .column(files::Column::Key)
                .filter(files::Column::CreatedAt.lt(older_than)),
            references,
        )
        .into_tuple()
        .all(conn)
        .await?;
        for key in candidates {
            // Checked again while deleting: a reference may have been added meanwhile.
            let deleted = unreferenced(
                files::Entity::delete_many().filter(files::Column::Key.eq(key.as_str())),
                references,
            )
            .exec(conn)
            .await?;
            if deleted.rows_affected == 1 {
                self.delete_object(&key).await?;
                report.unreferenced_files += 1;
            }
        }

        let mut listing = self.inner.objects.list(None);
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(object) = listing.next().await {
            let object = object?;
            match key_of(&object.location) {
                Some(key) if object.last_modified < older_than => batch.push(key),
                _ => continue,
            }
            if batch.len() == BATCH {
                report.orphan_objects += self.remove_orphans(conn, &mut batch).await?;
            }
        }
        report.orphan_objects += self.remove_orphans(conn, &mut batch).await?;

        if let Some(folder) = self.inner.local_folder.clone() {
            let cut_off = SystemTime::from(older_than);
            report.abandoned_uploads =
                tokio::task::spawn_blocking(move || remove_partial_files(&folder, cut_off))
                    .await
                    .map_err(std::io::Error::other)??;
        }

        tracing::info!(
            unreferenced_files = report.unreferenced_files,
            orphan_objects = report.orphan_objects,
            abandoned_uploads = report.abandoned_uploads,
            "file janitor done"
        );
        Ok(report)
    }

    /// Deletes the objects among `keys` that have no `files` row; empties `keys`.
    async fn remove_orphans(
        &self,
        conn: &impl ConnectionTrait,
        keys: &mut Vec<String>,
    ) -> Result<u64, FileError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let known: HashSet<String> = files::Entity::find()
            .select_only()
            .column(files::Column::Key)
            .filter(files::Column::Key.is_in(keys.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        let mut removed = 0;
        for key in keys.drain(..) {
            if !known.contains(&key) {
                self.delete_object(&key).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Adds "and no reference points at this row" to a query on `files`.
fn unreferenced<Q: QueryFilter>(mut query: Q, references: &[FileReference]) -> Q {
    for reference in references {
        let pointing = Query::select()
            .expr(Expr::val(1))
            .from(Alias::new(reference.table))
            .and_where(
                Expr::col((Alias::new(reference.table), Alias::new(reference.column)))
                    .equals((files::Entity, files::Column::Key)),
            )
            .to_owned();
        query = query.filter(Expr::exists(pointing).not());
    }
    query
}

/// Removes the local backend's partial upload files (`<shard>/<key>#<number>`) last written
/// before `cut_off`; returns how many.
fn remove_partial_files(folder: &FsPath, cut_off: SystemTime) -> std::io::Result<u64> {
    let mut removed = 0;
    for shard in std::fs::read_dir(folder)? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(shard.path())? {
            let entry = entry?;
            let path: PathBuf = entry.path();
            let is_partial = entry
                .file_name()
                .to_str()
                .and_then(|name| name.split_once('#'))
                .is_some_and(|(key, number)| {
                    is_key(key) && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
                });
            if !is_partial {
                continue;
            }
            // A partial file disappears when its upload finishes or aborts meanwhile.
            let outcome = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .and_then(|modified| match modified < cut_off {
                    true => std::fs::remove_file(&path).map(|()| 1),
                    false => Ok(0),
                });
            match outcome {
                Ok(count) => removed += count,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(removed)
}
