//! The file store against its real backends: a temporary folder and an S3-compatible server
//! (moto, started by scripts/test, at TEST_S3_ENDPOINT), each on SQLite and on PostgreSQL.
//! What is left in the backend is read directly (the folder's files; the bucket's objects and
//! unfinished multipart uploads), not through the store.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    io,
    path::Path,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant, SystemTime},
};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use schoolgate::{
    app::config::{DatabaseSettings, FilesBackend, FilesS3Settings, FilesSettings, Secret},
    entities::files,
    platform::{
        db,
        files::{FileError, FileReference, FileStore, HEAD_BYTES, JanitorReport},
    },
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use sha2::{Digest, Sha256};

mod support;
use tokio::io::{AsyncRead, ReadBuf};

// ---------------------------------------------------------------------------------------
// Scenarios, each run on every backend and database (see `on_every_backend!` at the end).

async fn a_small_file_comes_back_byte_for_byte(env: Env) {
    let bytes = pseudo_random(100_000, 1);
    let object = env.store.put(&bytes[..], 1_000_000).await.unwrap();
    assert_eq!(object.size, 100_000);
    assert_eq!(object.sha256, sha256_hex(&bytes));
    assert_eq!(object.head, bytes[..HEAD_BYTES]);

    let stored = FileStore::record(&env.db, &object, "application/pdf", Utc::now())
        .await
        .unwrap();
    assert_eq!(stored.key, object.key);

    let download = env.store.get(&env.db, &object.key).await.unwrap().unwrap();
    assert_eq!(download.file.size, 100_000);
    assert_eq!(download.file.content_type, "application/pdf");
    assert_eq!(download.file.sha256, object.sha256);
    assert_eq!(collect(download.body).await, bytes);
}

async fn a_multi_megabyte_file_comes_back_byte_for_byte(env: Env) {
    // Several S3 parts (5 MiB) and local parts (1 MiB), the last one short.
    let bytes = pseudo_random(12 * 1024 * 1024 + 12_345, 2);
    let object = env.store.put(&bytes[..], 20 * 1024 * 1024).await.unwrap();
    assert_eq!(object.size, bytes.len() as u64);
    assert_eq!(object.sha256, sha256_hex(&bytes));
    assert_eq!(object.head, bytes[..HEAD_BYTES]);
    FileStore::record(&env.db, &object, "video/mp4", Utc::now())
        .await
        .unwrap();

    let download = env.store.get(&env.db, &object.key).await.unwrap().unwrap();
    assert_eq!(download.file.size, bytes.len() as u64);
    assert_eq!(download.file.content_type, "video/mp4");
    let received = collect(download.body).await;
    assert_eq!(received.len(), bytes.len());
    assert_eq!(sha256_hex(&received), object.sha256);
    assert!(received == bytes, "the downloaded bytes differ");
    assert_eq!(env.backend_contents().await, vec![object_name(&object.key)]);
}

async fn a_file_over_the_limit_leaves_no_object_and_no_row(env: Env) {
    // Refused while its first part is still in memory ...
    let err = env
        .store
        .put(&pseudo_random(1_001, 3)[..], 1_000)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FileError::TooLarge { max_bytes: 1_000 }),
        "{err:?}"
    );
    // ... and after parts went out in a multipart upload.
    let err = env
        .store
        .put(&pseudo_random(9 * 1024 * 1024, 4)[..], 7 * 1024 * 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FileError::TooLarge { max_bytes } if max_bytes == 7 * 1024 * 1024),
        "{err:?}"
    );
    // Exactly at the limit is fine.
    let object = env
        .store
        .put(&pseudo_random(1_000, 5)[..], 1_000)
        .await
        .unwrap();
    assert_eq!(env.backend_contents().await, vec![object_name(&object.key)]);
    env.store.discard(object).await.unwrap();

    assert_eq!(env.backend_contents().await, Vec::<String>::new());
    assert_eq!(files::Entity::find().count(&env.db).await.unwrap(), 0);
}

async fn an_empty_file_is_refused(env: Env) {
    let err = env.store.put(&b""[..], 1_000).await.unwrap_err();
    assert!(matches!(err, FileError::Empty), "{err:?}");
    assert_eq!(env.backend_contents().await, Vec::<String>::new());
}

async fn delete_removes_the_object_and_the_row(env: Env) {
    let kept = env.store.put(&b"kept"[..], 100).await.unwrap();
    FileStore::record(&env.db, &kept, "text/plain", Utc::now())
        .await
        .unwrap();
    let object = env
        .store
        .put(&pseudo_random(2 * 1024 * 1024, 6)[..], 10 * 1024 * 1024)
        .await
        .unwrap();
    FileStore::record(&env.db, &object, "image/jpeg", Utc::now())
        .await
        .unwrap();

    assert!(env.store.delete(&env.db, &object.key).await.unwrap());

    assert!(env.store.get(&env.db, &object.key).await.unwrap().is_none());
    assert!(
        files::Entity::find_by_id(object.key.as_str())
            .one(&env.db)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(env.backend_contents().await, vec![object_name(&kept.key)]);
    assert!(!env.store.delete(&env.db, &object.key).await.unwrap());
}

async fn an_unknown_key_finds_nothing(env: Env) {
    let unknown = uuid::Uuid::new_v4().simple().to_string();
    assert!(env.store.get(&env.db, &unknown).await.unwrap().is_none());
    for malformed in ["", "../../etc/passwd", "ab/cd", &unknown.to_uppercase()] {
        assert!(env.store.get(&env.db, malformed).await.unwrap().is_none());
        assert!(!env.store.delete(&env.db, malformed).await.unwrap());
    }
    assert!(!env.store.delete(&env.db, &unknown).await.unwrap());
}

async fn a_cancelled_upload_leaves_nothing_behind(env: Env) {
    let reached_end = Arc::new(tokio::sync::Notify::new());
    let body = Stalling {
        data: pseudo_random(7 * 1024 * 1024, 7),
        offset: 0,
        reached_end: reached_end.clone(),
    };
    let store = env.store.clone();
    let upload = tokio::spawn(async move { store.put(body, u64::MAX).await });
    // By now the multipart upload has started: the stalled body is read only after it.
    reached_end.notified().await;
    assert!(!env.backend_contents().await.is_empty());
    upload.abort();

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = env.backend_contents().await;
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still in the backend: {left:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn the_janitor_removes_unreferenced_rows_and_orphan_objects_only(env: Env) {
    let db = &env.db;
    db.execute_unprepared(
        "CREATE TABLE test_attachments (id INTEGER PRIMARY KEY, \
         file_key VARCHAR(64) NOT NULL REFERENCES files (key))",
    )
    .await
    .unwrap();
    let references = [FileReference {
        table: "test_attachments",
        column: "file_key",
    }];

    let referenced = env.store.put(&b"referenced"[..], 100).await.unwrap();
    let unreferenced = env.store.put(&b"unreferenced"[..], 100).await.unwrap();
    let fresh = env.store.put(&b"fresh"[..], 100).await.unwrap();
    let orphan = env.store.put(&b"orphan"[..], 100).await.unwrap();
    env.put_foreign_file("notes.txt").await;
    // Object times have whole seconds on S3: leave a clear gap either side of the cut-off.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let cut_off = Utc::now();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let fresh_orphan = env.store.put(&b"fresh orphan"[..], 100).await.unwrap();

    let old = cut_off - chrono::Duration::days(1);
    for (object, created_at) in [
        (&referenced, old),
        (&unreferenced, old),
        (&fresh, Utc::now()),
    ] {
        FileStore::record(db, object, "text/plain", created_at)
            .await
            .unwrap();
    }
    db.execute_unprepared(&format!(
        "INSERT INTO test_attachments (id, file_key) VALUES (1, '{}')",
        referenced.key
    ))
    .await
    .unwrap();
    let partial_uploads = env.put_partial_uploads(cut_off);

    let report = env
        .store
        .remove_unreferenced(db, &references, cut_off)
        .await
        .unwrap();

    assert_eq!(
        report,
        JanitorReport {
            unreferenced_files: 1,
            orphan_objects: 1,
            abandoned_uploads: u64::from(partial_uploads.is_some()),
        }
    );
    let mut expected: Vec<String> = [&referenced, &fresh, &fresh_orphan]
        .iter()
        .map(|object| object_name(&object.key))
        .chain(["notes.txt".to_string()])
        .chain(partial_uploads.map(|(_, fresh)| fresh))
        .collect();
    expected.sort();
    let contents = env.backend_contents().await;
    assert_eq!(contents, expected);
    for gone in [&unreferenced, &orphan] {
        assert!(!contents.contains(&object_name(&gone.key)));
    }
    let mut rows: Vec<String> = files::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.key)
        .collect();
    rows.sort();
    let mut expected_rows = vec![referenced.key.clone(), fresh.key.clone()];
    expected_rows.sort();
    assert_eq!(rows, expected_rows);
    let download = env.store.get(db, &referenced.key).await.unwrap().unwrap();
    assert_eq!(collect(download.body).await, b"referenced");

    // Nothing is left to do; without the reference, the referenced file would go too.
    let again = env
        .store
        .remove_unreferenced(db, &references, cut_off)
        .await
        .unwrap();
    assert_eq!(again, JanitorReport::default());
    db.execute_unprepared("DELETE FROM test_attachments")
        .await
        .unwrap();
    let without = env
        .store
        .remove_unreferenced(db, &[], cut_off)
        .await
        .unwrap();
    assert_eq!(without.unreferenced_files, 1);
    assert!(env.store.get(db, &referenced.key).await.unwrap().is_none());
}

async fn a_rolled_back_record_leaves_an_orphan_for_the_janitor(env: Env) {
    let object = env.store.put(&b"attachment"[..], 100).await.unwrap();
    let transaction = db::begin_write(&env.db).await.unwrap();
    FileStore::record(&transaction, &object, "text/plain", Utc::now())
        .await
        .unwrap();
    transaction.rollback().await.unwrap();

    assert!(env.store.get(&env.db, &object.key).await.unwrap().is_none());
    assert_eq!(env.backend_contents().await, vec![object_name(&object.key)]);
    let report = env
        .store
        .remove_unreferenced(&env.db, &[], Utc::now() + chrono::Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(report.orphan_objects, 1);
    assert_eq!(env.backend_contents().await, Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// Memory: a 50 MB upload and download, fed from a generator (never a 50 MB buffer), must not
// allocate anywhere near the file's size. Measured with a counting allocator in a child
// process that runs only this test, so other tests' allocations cannot blur the figure.

const FIFTY_MB: usize = 50 * 1024 * 1024;
/// Two S3 parts of 5 MiB in memory at most, plus buffers.
const MEMORY_LIMIT: usize = 16 * 1024 * 1024;
const MEMORY_CHILD: &str = "SCHOOLGATE_FILES_MEMORY_CHILD";

async fn a_50_mb_upload_and_download_stay_within_a_few_mb(storage: Storage, test_name: &str) {
    if std::env::var_os(MEMORY_CHILD).is_none() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
            .env(MEMORY_CHILD, "1")
            .output()
            .expect("running the measurement in a child process");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        println!("{stdout}");
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "the measurement failed:\n{stdout}\n{stderr}"
        );
        return;
    }

    let env = Env::new(storage, Db::Sqlite).await;
    let produced = Arc::new(std::sync::Mutex::new(Sha256::new()));
    let body = Generator {
        remaining: FIFTY_MB,
        state: 0x9e37_79b9_7f4a_7c15,
        produced: produced.clone(),
    };

    let baseline = reset_peak();
    let started = Instant::now();
    let object = env.store.put(body, FIFTY_MB as u64).await.unwrap();
    let put_seconds = started.elapsed().as_secs_f64();
    let put_peak = PEAK.load(Ordering::SeqCst) - baseline;
    assert_eq!(object.size, FIFTY_MB as u64);
    let expected = hex(&produced.lock().unwrap().clone().finalize());
    assert_eq!(object.sha256, expected);
    FileStore::record(&env.db, &object, "video/mp4", Utc::now())
        .await
        .unwrap();

    let baseline = reset_peak();
    let started = Instant::now();
    let download = env.store.get(&env.db, &object.key).await.unwrap().unwrap();
    let mut hasher = Sha256::new();
    let mut size = 0;
    let mut body = download.body;
    while let Some(chunk) = body.try_next().await.unwrap() {
        size += chunk.len();
        hasher.update(&chunk);
    }
    let get_seconds = started.elapsed().as_secs_f64();
    let get_peak = PEAK.load(Ordering::SeqCst) - baseline;
    assert_eq!(size, FIFTY_MB);
    assert_eq!(hex(&hasher.finalize()), expected);

    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "{storage:?}: 50 MiB put {:.1} MiB/s, peak heap +{:.1} MiB; get {:.1} MiB/s, peak heap \
         +{:.1} MiB; process peak RSS (VmHWM) {}",
        50.0 / put_seconds,
        mib(put_peak),
        50.0 / get_seconds,
        mib(get_peak),
        vm_hwm(),
    );
    assert!(put_peak < MEMORY_LIMIT, "put held {put_peak} bytes at once");
    assert!(get_peak < MEMORY_LIMIT, "get held {get_peak} bytes at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_upload_and_download_stay_within_a_few_mb_on_the_local_folder() {
    a_50_mb_upload_and_download_stay_within_a_few_mb(
        Storage::Local,
        "a_50_mb_upload_and_download_stay_within_a_few_mb_on_the_local_folder",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_upload_and_download_stay_within_a_few_mb_on_s3() {
    a_50_mb_upload_and_download_stay_within_a_few_mb(
        Storage::S3,
        "a_50_mb_upload_and_download_stay_within_a_few_mb_on_s3",
    )
    .await
}

/// Counts live heap bytes and their high-water mark.
struct CountingAllocator;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
            grew(new_size);
        }
        moved
    }
}

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Starts a new high-water mark; returns the live bytes it starts from.
fn reset_peak() -> usize {
    let now = CURRENT.load(Ordering::SeqCst);
    PEAK.store(now, Ordering::SeqCst);
    now
}

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .map(|line| line["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// `remaining` pseudo-random bytes made as they are read; hashes what it hands out.
struct Generator {
    remaining: usize,
    state: u64,
    produced: Arc<std::sync::Mutex<Sha256>>,
}

impl AsyncRead for Generator {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = buf.remaining().min(self.remaining).min(16 * 1024);
        let mut chunk = [0u8; 16 * 1024];
        for byte in &mut chunk[..n] {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *byte = self.state as u8;
        }
        self.produced.lock().unwrap().update(&chunk[..n]);
        buf.put_slice(&chunk[..n]);
        self.remaining -= n;
        Poll::Ready(Ok(()))
    }
}

/// Hands out `data`, then never finishes (a client that stopped sending); tells when the
/// store asks for more after the end.
struct Stalling {
    data: Vec<u8>,
    offset: usize,
    reached_end: Arc<tokio::sync::Notify>,
}

impl AsyncRead for Stalling {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.offset == self.data.len() {
            self.reached_end.notify_one();
            return Poll::Pending;
        }
        let n = buf.remaining().min(self.data.len() - self.offset);
        let start = self.offset;
        buf.put_slice(&self.data[start..start + n]);
        self.offset += n;
        Poll::Ready(Ok(()))
    }
}

// ---------------------------------------------------------------------------------------
// The environment: a store on a fresh folder or bucket, and a fresh database.

#[derive(Clone, Copy, Debug)]
enum Storage {
    Local,
    S3,
}

#[derive(Clone, Copy, Debug)]
enum Db {
    Sqlite,
    Postgres,
}

struct Env {
    store: FileStore,
    db: DatabaseConnection,
    backend: Backend,
    _sqlite_dir: Option<tempfile::TempDir>,
}

enum Backend {
    Folder(tempfile::TempDir),
    Bucket { endpoint: String, bucket: String },
}

impl Env {
    async fn new(storage: Storage, db: Db) -> Self {
        let (settings, backend) = match storage {
            Storage::Local => {
                let dir = tempfile::tempdir().unwrap();
                let settings = files_settings(FilesBackend::Local, dir.path().join("files"));
                (settings, Backend::Folder(dir))
            }
            Storage::S3 => {
                let (endpoint, bucket) = support::fresh_s3_bucket("sg-test").await;
                let mut settings = files_settings(FilesBackend::S3, "unused".into());
                settings.s3 = FilesS3Settings {
                    bucket: bucket.clone(),
                    region: "us-east-1".into(),
                    endpoint: endpoint.clone(),
                    access_key_id: "test".into(),
                    secret_access_key: Secret::new("test"),
                    allow_http: true,
                };
                (settings, Backend::Bucket { endpoint, bucket })
            }
        };
        settings.validate().expect("valid file store settings");
        let store = FileStore::from_settings(&settings).expect("file store");

        let (url, sqlite_dir) = match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("files.db").display()
                );
                (url, Some(dir))
            }
            Db::Postgres => (support::fresh_postgres_database().await, None),
        };
        let db = db::connect(&DatabaseSettings {
            url: Secret::new(url),
            max_connections: 4,
        })
        .await
        .expect("database");
        db::migrate(&db).await.expect("migrations");
        Self {
            store,
            db,
            backend,
            _sqlite_dir: sqlite_dir,
        }
    }

    /// Everything in the folder or bucket, sorted: files (with partial uploads) and objects,
    /// and on S3 unfinished multipart uploads as `upload:<name>`.
    async fn backend_contents(&self) -> Vec<String> {
        let mut names = match &self.backend {
            Backend::Folder(dir) => {
                let root = dir.path().join("files");
                let mut names = Vec::new();
                walk(&root, &root, &mut names);
                names
            }
            Backend::Bucket { endpoint, bucket } => {
                let client = reqwest::Client::new();
                let objects = client
                    .get(format!("{endpoint}/{bucket}?list-type=2"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let uploads = client
                    .get(format!("{endpoint}/{bucket}?uploads"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let upload_part = uploads.split("<Upload>").skip(1);
                xml_values(&objects, "Key")
                    .into_iter()
                    .chain(upload_part.flat_map(|upload| {
                        xml_values(upload, "Key")
                            .into_iter()
                            .take(1)
                            .map(|key| format!("upload:{key}"))
                    }))
                    .collect()
            }
        };
        names.sort();
        names
    }

    /// A file the store did not make, which it must never touch.
    async fn put_foreign_file(&self, name: &str) {
        match &self.backend {
            Backend::Folder(dir) => {
                std::fs::write(dir.path().join("files").join(name), "x").unwrap()
            }
            Backend::Bucket { endpoint, bucket } => {
                let answer = reqwest::Client::new()
                    .put(format!("{endpoint}/{bucket}/{name}"))
                    .body("x")
                    .send()
                    .await
                    .unwrap();
                assert!(answer.status().is_success());
            }
        }
    }

    /// Local folder only: partial files as a dead process leaves them, one written before
    /// `cut_off` and one after; returns their names.
    fn put_partial_uploads(&self, cut_off: DateTime<Utc>) -> Option<(String, String)> {
        let Backend::Folder(dir) = &self.backend else {
            return None;
        };
        let mut names = Vec::new();
        for modified in [
            SystemTime::from(cut_off - chrono::Duration::hours(2)),
            SystemTime::now(),
        ] {
            let key = uuid::Uuid::new_v4().simple().to_string();
            let name = format!("{}/{key}#3", &key[..2]);
            let path = dir.path().join("files").join(&name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let file = std::fs::File::create(&path).unwrap();
            file.set_modified(modified).unwrap();
            names.push(name);
        }
        let fresh = names.pop().unwrap();
        Some((names.pop().unwrap(), fresh))
    }
}

fn files_settings(backend: FilesBackend, folder: std::path::PathBuf) -> FilesSettings {
    FilesSettings {
        backend,
        folder,
        max_attachment_bytes: 10 * 1024 * 1024,
        max_document_bytes: 25 * 1024 * 1024,
        max_photo_bytes: 15 * 1024 * 1024,
        s3: FilesS3Settings {
            bucket: String::new(),
            region: String::new(),
            endpoint: String::new(),
            access_key_id: String::new(),
            secret_access_key: Secret::default(),
            allow_http: false,
        },
    }
}

fn walk(root: &Path, dir: &Path, names: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(root, &path, names);
        } else {
            names.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
}

/// The texts of `<tag>` elements (enough for S3's listings, whose keys here need no unescaping).
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(value, _)| value.to_string()))
        .collect()
}

/// Where the store keeps the object of `key`.
fn object_name(key: &str) -> String {
    format!("{}/{key}", &key[..2])
}

/// Deterministic pseudo-random bytes (xorshift), so part boundaries are not runs of zeros.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

async fn collect(
    body: futures_util::stream::BoxStream<'static, Result<bytes::Bytes, FileError>>,
) -> Vec<u8> {
    body.try_fold(Vec::new(), |mut all, chunk| async move {
        all.extend_from_slice(&chunk);
        Ok(all)
    })
    .await
    .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `scenario` on both backends, each with SQLite and PostgreSQL:
/// `scenario::local_folder_and_sqlite`, ..., `scenario::s3_and_postgres`.
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use super::{Db, Env, Storage};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local_folder_and_sqlite() {
                super::$scenario(Env::new(Storage::Local, Db::Sqlite).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local_folder_and_postgres() {
                super::$scenario(Env::new(Storage::Local, Db::Postgres).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3_and_sqlite() {
                super::$scenario(Env::new(Storage::S3, Db::Sqlite).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3_and_postgres() {
                super::$scenario(Env::new(Storage::S3, Db::Postgres).await).await
            }
        }
    )*};
}

on_every_backend!(
    a_small_file_comes_back_byte_for_byte,
    a_multi_megabyte_file_comes_back_byte_for_byte,
    a_file_over_the_limit_leaves_no_object_and_no_row,
    an_empty_file_is_refused,
    delete_removes_the_object_and_the_row,
    an_unknown_key_finds_nothing,
    a_cancelled_upload_leaves_nothing_behind,
    the_janitor_removes_unreferenced_rows_and_orphan_objects_only,
    a_rolled_back_record_leaves_an_orphan_for_the_janitor,
);
