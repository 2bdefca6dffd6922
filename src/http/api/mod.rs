//! The API: one module per feature with its handlers and their request and response types
//! (DTOs: the API schema, never the table shape), composed into one OpenAPI service. A
//! handler extracts, turns the DTO into the use case's input, calls the feature's use case,
//! and maps the result to a response.

pub mod accounts;
pub mod agenda;
pub mod albums;
pub mod audit;
pub mod conferences;
pub mod contract;
pub mod digest;
pub mod directory;
pub mod documents;
pub mod imports;
pub mod notifications;
pub mod posts;
pub mod school;

use poem_openapi::{OpenApi, OpenApiService};

/// The OpenAPI service; `server_url` is where `/api` is reachable from the console. The
/// APIs are grouped by feature: poem-openapi's tuples hold at most 16, and groups nest.
pub fn service(server_url: &str) -> OpenApiService<impl OpenApi + 'static, ()> {
    let api = (
        (
            accounts::auth::AuthApi,
            accounts::me::MeApi,
            accounts::users::UsersApi,
        ),
        (
            posts::feed::PostsApi,
            posts::replies::RepliesApi,
            posts::replies::ConversationsApi,
            posts::attachments::AttachmentsApi,
            posts::status::StatusApi,
        ),
        (
            notifications::PushApi,
            notifications::EmailSettingsApi,
            notifications::UnsubscribeApi,
        ),
        (
            school::children::ChildrenApi,
            school::notes::NotesApi,
            school::groups::GroupsApi,
            school::profile::SchoolProfileApi,
            directory::DirectoryApi,
            directory::PhotosApi,
        ),
        agenda::AgendaApi,
        documents::DocumentsApi,
        albums::AlbumsApi,
        conferences::ConferencesApi,
        imports::ImportsApi,
        audit::AuditApi,
        digest::ScheduleApi,
    );
    OpenApiService::new(contract::Contract(api), "Schoolgate API", env!("CARGO_PKG_VERSION"))
        .description(
            "School-to-parent communication. To use the console: call `POST /auth/login`, copy \
             the `token` from the answer, press **Authorize** and paste it as Bearer token. (On a demo server, \
             `schoolgate demo` prints the demo logins.)",
        )
        .server(server_url)
}
