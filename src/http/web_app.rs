//! Serving the web app (`pwa/`): its files, the app shell for every screen's path, and the
//! service worker stamped with a version made from the files' contents, so any change to the
//! app makes browsers install the new version, and with the list of files to keep offline
//! (nobody has to remember to bump a number or list a new module).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route,
    endpoint::{StaticFileEndpoint, StaticFilesEndpoint},
    handler,
    http::StatusCode,
    middleware::SetHeader,
    web::Data,
};
use sha2::{Digest, Sha256};

/// Where the service worker's source says which version it is.
const VERSION_PLACEHOLDER: &str = "__APP_VERSION__";
/// Where the service worker's source lists the files it keeps for offline use.
const FILES_PLACEHOLDER: &str = "/*__APP_FILES__*/";

#[derive(Clone)]
struct AppDir(PathBuf);

/// What makes the app the school's own: its name on the home screen and its logo.
#[derive(Clone)]
pub struct Brand {
    pub school_name: String,
    /// The logo's bytes and content type, checked when the settings were read.
    pub logo: Option<(Bytes, &'static str)>,
}

/// The routes of the app under `/`.
pub fn routes(dir: PathBuf, brand: Brand) -> impl Endpoint {
    Route::new()
        .at("/sw.js", service_worker.data(AppDir(dir.clone())))
        .at(
            "/manifest.webmanifest",
            manifest.data(AppDir(dir.clone())).data(brand.clone()),
        )
        .at("/school-logo", school_logo.data(brand))
        // The page behind the unsubscribe link of digest and news e-mails.
        .at(
            "/unsubscribe",
            StaticFileEndpoint::new(dir.join("unsubscribe.html")),
        )
        // Every path that is not a file is one of the app's screens: it gets the shell.
        .nest(
            "/",
            StaticFilesEndpoint::new(dir)
                .index_file("index.html")
                .fallback_to_index()
                .no_cache_index(),
        )
        // Revalidated on each load; the service worker keeps them for offline use.
        .with(SetHeader::new().overriding("cache-control", "no-cache"))
}

#[handler]
async fn service_worker(Data(dir): Data<&AppDir>) -> Response {
    let dir = dir.0.clone();
    // File reads and hashing off the async threads.
    let stamped = tokio::task::spawn_blocking(move || {
        let source = std::fs::read_to_string(dir.join("sw.js"))
            .inspect_err(|err| tracing::error!(error = %err, "the service worker is missing"))
            .ok()?;
        let files = app_files(&dir);
        Some(
            source
                .replace(VERSION_PLACEHOLDER, &content_version(&dir, &files))
                .replace(FILES_PLACEHOLDER, &offline_urls(&files)),
        )
    })
    .await
    .ok()
    .flatten();
    match stamped {
        Some(source) => source
            .with_content_type("text/javascript; charset=utf-8")
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The web app manifest with the school's name, so the app on the home screen is called
/// after the school rather than after the software.
#[handler]
async fn manifest(Data(dir): Data<&AppDir>, Data(brand): Data<&Brand>) -> Response {
    let Ok(source) = tokio::fs::read_to_string(dir.0.join("manifest.webmanifest")).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(mut manifest) = serde_json::from_str::<serde_json::Value>(&source) else {
        tracing::error!("manifest.webmanifest is not JSON");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    manifest["name"] = brand.school_name.clone().into();
    manifest["short_name"] = brand.school_name.clone().into();
    manifest
        .to_string()
        .with_content_type("application/manifest+json")
        .into_response()
}

/// The school's logo (`school.logo`), or 404 when none is configured.
#[handler]
fn school_logo(Data(brand): Data<&Brand>) -> Response {
    match &brand.logo {
        Some((bytes, content_type)) => bytes
            .clone()
            .with_content_type(*content_type)
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Every file of the app, relative to its folder, sorted.
fn app_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files);
    files.sort();
    files
}

/// The first 12 hex digits of a SHA-256 over every file's path and bytes. A few hundred
/// kilobytes: cheap enough to do for each service-worker request.
fn content_version(dir: &Path, files: &[PathBuf]) -> String {
    let mut hash = Sha256::new();
    for relative in files {
        hash.update(relative.to_string_lossy().as_bytes());
        hash.update(std::fs::read(dir.join(relative)).unwrap_or_default());
    }
    hash.finalize()
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The URLs the service worker keeps for offline use, as JavaScript strings: the shell at
/// `/` and every file it serves (not itself, the unsubscribe page or licence texts).
fn offline_urls(files: &[PathBuf]) -> String {
    files
        .iter()
        .filter_map(|relative| {
            let path = relative.to_str()?;
            match path {
                "sw.js" => None,
                "index.html" => Some("/".to_string()),
                _ if path.starts_with("unsubscribe.") || path.ends_with(".txt") => None,
                _ => Some(format!("/{path}")),
            }
        })
        .map(|url| serde_json::Value::String(url).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn collect_files(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        // Symbolic links are not followed (a loop would never end).
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            collect_files(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            files.push(relative.to_path_buf());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_changes_with_any_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("app.js"), "one").unwrap();
        std::fs::write(dir.path().join("lib/api.js"), "two").unwrap();
        let version = |dir: &Path| content_version(dir, &app_files(dir));
        let first = version(dir.path());
        assert_eq!(first.len(), 12);
        assert_eq!(version(dir.path()), first);
        std::fs::write(dir.path().join("lib/api.js"), "three").unwrap();
        assert_ne!(version(dir.path()), first);
    }

    #[test]
    fn every_file_the_worker_serves_is_kept_offline() {
        let dir = tempfile::tempdir().unwrap();
        for path in [
            "index.html",
            "sw.js",
            "app.js",
            "unsubscribe.js",
            "vendor/LICENSE.txt",
        ] {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/new-module.js"), "x").unwrap();
        assert_eq!(
            offline_urls(&app_files(dir.path())),
            r#""/app.js", "/", "/lib/new-module.js""#
        );
    }
}
