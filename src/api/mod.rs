//! The HTTP API: one file per resource, combined into one OpenAPI service served under `/api`
//! with its spec at `/api/openapi.json` and the console at `/api/docs`.

pub mod audit;
pub mod auth;
pub mod children;
pub mod groups;
pub mod imports;
pub mod me;
pub mod posts;
pub mod push;
pub mod rate_limit;
pub mod schedule;
pub mod security;
pub mod session_cache;
pub mod types;
pub mod users;

use poem_openapi::{OpenApiService, Tags};

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
    /// Accounts of parents, teachers and admins (admins only).
    Users,
    /// Importing children and parents from the administration export (admins only).
    Imports,
    /// What admins did (admins only).
    Audit,
    /// The digest and news-batch e-mails: jobs, runs, preview (admins); unsubscribe links.
    Schedule,
}

pub type Api = (
    auth::AuthApi,
    me::MeApi,
    posts::PostsApi,
    push::PushApi,
    children::ChildrenApi,
    groups::GroupsApi,
    users::UsersApi,
    imports::ImportsApi,
    audit::AuditApi,
    schedule::ScheduleApi,
    schedule::UnsubscribeApi,
);

/// The OpenAPI service; `server_url` is where `/api` is reachable from the console.
pub fn service(server_url: &str) -> OpenApiService<Api, ()> {
    OpenApiService::new(
        (
            auth::AuthApi,
            me::MeApi,
            posts::PostsApi,
            push::PushApi,
            children::ChildrenApi,
            groups::GroupsApi,
            users::UsersApi,
            imports::ImportsApi,
            audit::AuditApi,
            schedule::ScheduleApi,
            schedule::UnsubscribeApi,
        ),
        "Schoolgate API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "School-to-parent communication. To use the console: call `POST /auth/login`, copy \
         the `token` from the answer, press **Authorize** and paste it as Bearer token.",
    )
    .server(server_url)
}
