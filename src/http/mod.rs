//! The HTTP layer, the only part of the application that knows poem: the features' handlers
//! (`api`) composed into one OpenAPI service (served under `/api` with its spec at
//! `/api/openapi.json` and the console at `/api/docs`), security schemes, session cache, rate
//! limits, middleware, the web app's files, and errors as JSON answers. Handlers call the
//! features' use cases; nothing below this layer knows HTTP.

pub mod api;
pub mod client;
pub mod error;
pub mod middleware;
pub mod rate_limit;
pub mod security;
pub mod server;
pub mod session_cache;
pub mod state;
pub mod types;
pub mod upload;
pub mod web_app;

use poem::{
    EndpointExt, IntoResponse, Route, handler,
    http::StatusCode,
    middleware::CookieJarManager,
    web::{Data, Json},
};
use poem_openapi::Tags;

use client::ClientIp;
use error::render_any_error;
use middleware::{
    BodyLimits, console_security_policy, limit_body, read_only, refuse_control_characters,
    refuse_unknown_methods, request_context,
};
use state::HttpState;

#[derive(Tags)]
pub enum ApiTags {
    /// Log in and out, activate an account, reset a forgotten password.
    Auth,
    /// The caller's own account.
    Account,
    /// Urgent notices, messages and news; receipts and replies.
    Posts,
    /// Web Push subscriptions of devices.
    Push,
    /// Children, their emergency contacts and their parents.
    Children,
    /// Groups (classes) and their teachers.
    Groups,
    /// The agenda of the school and its groups, and calendar subscriptions.
    Agenda,
    /// Folders of documents of the school and its groups.
    Documents,
    /// Photo albums of the school and its groups, and children's photo consent.
    Albums,
    /// Parent-teacher conferences: rounds, slots, invitations and bookings.
    Conferences,
    /// Accounts of parents, teachers and admins (admins only).
    Users,
    /// Importing children and parents from the administration export (admins only).
    Imports,
    /// What admins did (admins only).
    Audit,
    /// The digest and news-batch e-mails: jobs, runs, preview (admins); unsubscribe links.
    Schedule,
}

/// All routes with their middleware: the API under `/api` with its spec and console, health
/// checks, and the web app at `/`.
pub fn routes(state: HttpState) -> impl poem::Endpoint + 'static {
    let api = api::service("/api");
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui().around(console_security_policy);
    let pwa_dir = state.settings.server.pwa_dir.clone();
    let school = &state.settings.school;
    let brand = web_app::Brand {
        school_name: school.name.clone(),
        // Checked when the settings were read; a file changed since then is left out.
        logo: school
            .read_logo()
            .inspect_err(|err| tracing::error!(error = %err, "the school's logo is not served"))
            .ok()
            .flatten()
            .map(|(bytes, content_type)| (bytes.into(), content_type)),
    };
    let https_only = state.settings.server.secure_cookies;
    let proxies = state.trusted_proxies.clone();
    // Uploads get room for the multipart framing around the largest allowed file.
    let framing = 64 * 1024;
    let limits = BodyLimits {
        json: state.settings.server.max_body_bytes,
        imports: state.settings.imports.max_file_bytes + framing,
        attachments: state.settings.files.max_attachment_bytes as usize + framing,
        documents: state.settings.files.max_document_bytes as usize + framing,
        photos: state.settings.files.max_photo_bytes as usize + framing,
        album_photos: state.settings.albums.max_photo_bytes as usize + framing,
        stall: std::time::Duration::from_secs(state.settings.server.body_read_timeout_seconds),
    };
    Route::new()
        .nest("/api/docs", docs.around(read_only))
        .at("/api/openapi.json", spec.around(read_only))
        .nest("/api", api.around(security::require_two_factor_setup))
        .at("/healthz", healthz.around(read_only))
        .at("/readyz", readyz.around(read_only))
        .nest("/", web_app::routes(pwa_dir, brand).around(read_only))
        .around(refuse_unknown_methods)
        .around(refuse_control_characters)
        .around(move |endpoint, req| limit_body(endpoint, req, limits))
        .with(CookieJarManager::new())
        .data(state)
        .catch_all_error(render_any_error)
        .around(move |endpoint, req| {
            let client = ClientIp(proxies.client_of(&req));
            request_context(endpoint, req, client, https_only)
        })
}

#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers.
#[handler]
async fn readyz(state: Data<&HttpState>) -> poem::Response {
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ready" })).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "database not ready");
            Json(serde_json::json!({
                "code": "database_unavailable",
                "message": "The database does not answer."
            }))
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .into_response()
        }
    }
}
