//! `spawn_app`: the real server on port 0 with a fresh database (a temporary SQLite file or a
//! new PostgreSQL database), mail going over SMTP to an in-test server.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use schoolgate::{
    app::{
        clock::Clock,
        config::{FilesS3Settings, MailTransportKind, Secret, Settings, SmtpTls},
    },
    entities::users::{Language, Role},
    features::accounts::{self, NewUser},
    http::state::HttpState,
    platform::{db, outbox},
    startup::Application,
};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::{
    push_service::{Device, PushService},
    server_process::ServerProcess,
    smtp::SmtpServer,
};

pub const PASSWORD: &str = "Zomer-Vakantie7";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` as two tests, `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}

pub struct TestApp {
    pub address: String,
    pub state: HttpState,
    pub smtp: SmtpServer,
    pub push: PushService,
    pub clock: Clock,
    /// The file store's folder (when the test keeps the local backend).
    pub files_dir: tempfile::TempDir,
    /// Keeps the SQLite folder alive for the test's duration.
    _sqlite_dir: Option<tempfile::TempDir>,
}

/// A logged-in client: bearer token and CSRF token of its session.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub user_id: i64,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like `spawn_app`, with settings changed by `adjust` first.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_upgrading(backend, adjust, async |_| {}).await
}

/// Like `spawn_app_with`, on a database that `before_migrations` fills first (e.g. with
/// data as an older release left it, after running only the older migrations).
pub async fn spawn_app_upgrading(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
    before_migrations: impl AsyncFnOnce(&DatabaseConnection),
) -> TestApp {
    let smtp = SmtpServer::start().await;
    let push = PushService::start().await;
    let mut settings = Settings::embedded_defaults().expect("embedded defaults");
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.public_url = "http://schoolgate.test".into();
    settings.school.name = "De Regenboog".into();
    settings.mail.transport = MailTransportKind::Smtp;
    settings.mail.smtp.host = "127.0.0.1".into();
    settings.mail.smtp.port = smtp.port;
    settings.mail.smtp.tls = SmtpTls::None;
    settings.mail.smtp.timeout_seconds = 5;
    // Tests log in often from one address; the rate-limit test sets its own limits.
    settings.security.auth_requests_per_client_per_minute = 10_000;
    settings.security.login_attempts_per_account_per_minute = 1_000;
    settings.security.forgot_password_per_account_per_hour = 1_000;
    // The in-test push service listens on plain http at 127.0.0.1.
    settings.push.allowed_hosts = vec!["127.0.0.1".into()];
    settings.push.allow_insecure = true;
    // Tests start scheduled runs themselves at the ticks they choose; the ones about the
    // scheduler loop switch it on.
    settings.schedule.run_scheduler = false;
    let files_dir = tempfile::tempdir().expect("temporary folder");
    settings.files.folder = files_dir.path().join("files");
    let sqlite_dir = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary folder");
            settings.database.url = Secret::new(format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("schoolgate.db").display()
            ));
            Some(dir)
        }
        Backend::Postgres => {
            settings.database.url = Secret::new(crate::support::fresh_postgres_database().await);
            None
        }
    };
    adjust(&mut settings);
    settings.validate().expect("valid test settings");

    let db = db::connect(&settings.database).await.expect("database");
    before_migrations(&db).await;
    db::migrate(&db).await.expect("migrations");
    let clock = Clock::default();
    let app = Application::build_with(settings, db, clock.clone())
        .await
        .expect("application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        address,
        state,
        smtp,
        push,
        clock,
        files_dir,
        _sqlite_dir: sqlite_dir,
    }
}

/// A new, empty bucket on the S3-compatible test server (moto, started by scripts/test at
/// TEST_S3_ENDPOINT), as file store settings. Fails loudly when the server is not there.
pub async fn s3_bucket() -> FilesS3Settings {
    let (endpoint, bucket) = crate::support::fresh_s3_bucket("sg-api").await;
    FilesS3Settings {
        bucket,
        region: "us-east-1".into(),
        endpoint,
        access_key_id: "test".into(),
        secret_access_key: Secret::new("test"),
        allow_http: true,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A client without cookies.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        reqwest::Client::new().request(method, self.url(path))
    }

    pub fn authed(&self, method: Method, path: &str, session: &Session) -> RequestBuilder {
        self.request(method, path).bearer_auth(&session.token)
    }

    /// POSTs JSON without authentication; returns status and JSON body.
    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/auth/login",
            json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn login_ok(&self, email: &str, password: &str) -> Session {
        let (status, body) = self.login(email, password).await;
        assert_eq!(status, StatusCode::OK, "login of {email} failed: {body}");
        session_from(&body)
    }

    /// An active admin with `PASSWORD`, created the way `schoolgate admin create` does.
    pub async fn admin(&self) -> Session {
        self.admin_named("office@school.test").await
    }

    pub async fn admin_named(&self, email: &str) -> Session {
        let invitation = accounts::invite(
            &self.state,
            None,
            NewUser {
                email: email.parse().unwrap(),
                first_name: "Office".into(),
                name_prefix: None,
                last_name: "Admin".into(),
                role: Role::Admin,
                language: Language::En,
            },
            false,
        )
        .await
        .expect("inviting the admin");
        self.activate(&token_of(&invitation.activation_url), PASSWORD)
            .await;
        self.login_ok(email, PASSWORD).await
    }

    /// Invites an account through the admin API; returns its id and activation token.
    pub async fn invite(
        &self,
        admin: &Session,
        role: &str,
        email: &str,
        language: &str,
    ) -> (i64, String) {
        let (status, body) = send(self.authed(Method::POST, "/api/users", admin).json(&json!({
            "email": email, "first_name": "Test", "last_name": "Person",
            "role": role, "language": language,
        })))
        .await;
        assert_eq!(status, StatusCode::CREATED, "invite failed: {body}");
        (
            body["user"]["id"].as_i64().unwrap(),
            token_of(body["activation_url"].as_str().unwrap()),
        )
    }

    /// Activates with consent and returns the session the activation started.
    pub async fn activate(&self, token: &str, password: &str) -> Session {
        let (status, body) = self
            .post_json(
                "/api/auth/activate",
                json!({
                    "token": token, "password": password, "password_repeat": password,
                    "consent": true,
                    "consent_version": self.state.settings.security.consent_version,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "activation failed: {body}");
        session_from(&body)
    }

    /// An active account of `role`, logged in.
    pub async fn active_user(&self, admin: &Session, role: &str, email: &str) -> Session {
        let (_, token) = self.invite(admin, role, email, "en").await;
        self.activate(&token, PASSWORD).await
    }

    pub async fn create_group(&self, admin: &Session, name: &str) -> i64 {
        let (status, body) = send(
            self.authed(Method::POST, "/api/groups", admin)
                .json(&json!({ "name": name })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    /// Makes `teacher` a teacher of `group_id`.
    pub async fn add_teacher(&self, admin: &Session, group_id: i64, teacher: &Session) {
        let (status, body) = send(self.authed(
            Method::PUT,
            &format!("/api/groups/{group_id}/teachers/{}", teacher.user_id),
            admin,
        ))
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }

    pub async fn create_child(&self, admin: &Session, external_id: &str, group_id: i64) -> i64 {
        let (status, body) = send(self.authed(Method::POST, "/api/children", admin).json(&json!({
            "external_id": external_id, "first_name": "Kim", "last_name": "Kind", "group_id": group_id
        })))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().unwrap()
    }

    pub async fn link_parent(
        &self,
        admin: &Session,
        child_id: i64,
        parent_id: i64,
        read_only: bool,
    ) {
        let (status, body) = send(
            self.authed(
                Method::PUT,
                &format!("/api/children/{child_id}/parents/{parent_id}"),
                admin,
            )
            .json(&json!({ "read_only": read_only })),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }

    /// Subscribes `device` for the session's user.
    pub async fn subscribe(&self, session: &Session, device: &Device) {
        let (status, body) = send(self.authed(Method::POST, "/api/push/subscriptions", session).json(&json!({
            "endpoint": device.endpoint, "keys": { "p256dh": device.p256dh, "auth": device.auth }
        })))
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Posts as `author`; returns the post.
    pub async fn post(&self, author: &Session, body: Value) -> Value {
        let (status, post) =
            send(self.authed(Method::POST, "/api/posts", author).json(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        post
    }

    /// Uploads `bytes` as the multipart field `file` to an import endpoint.
    pub async fn upload(
        &self,
        admin: &Session,
        path: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
        let form = reqwest::multipart::Form::new().part("file", part);
        send(self.authed(Method::POST, path, admin).multipart(form)).await
    }

    /// Previews and applies an import; returns the applied import.
    pub async fn import(&self, admin: &Session, kind: &str, bytes: Vec<u8>) -> Value {
        let (status, preview) = self
            .upload(admin, &format!("/api/imports/{kind}"), "export.csv", bytes)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{preview}");
        let id = preview["id"].as_str().unwrap();
        let (status, applied) = send(
            self.authed(Method::POST, &format!("/api/imports/{id}/apply"), admin)
                .json(&json!({ "confirm": true })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{applied}");
        applied
    }

    /// Waits until no delivery is due or in flight (the worker runs in the background too).
    pub async fn wait_for_outbox(&self) {
        for _ in 0..1000 {
            outbox::worker::deliver_due(&self.state).await.unwrap();
            let in_flight = outbox::in_flight(&self.state.db, self.clock.now())
                .await
                .unwrap();
            if in_flight == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("outbox did not drain");
    }
}

pub fn session_from(body: &Value) -> Session {
    Session {
        token: body["token"].as_str().expect("token").to_string(),
        user_id: body["user"]["id"].as_i64().expect("user id"),
    }
}

/// The token in a `...#token=XYZ` link.
pub fn token_of(link: &str) -> String {
    link.split_once("#token=")
        .expect("a token link")
        .1
        .to_string()
}

/// Sends and returns status and JSON body (`null` when empty); every error body must be JSON
/// with `code` and `message`, and under `/api` the answer must be one the spec documents for
/// its operation (`contract::check`).
pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let (client, request) = request.build_split();
    let request = request.expect("a valid request");
    let (method, path) = (request.method().clone(), request.url().path().to_string());
    let response = client.execute(request).await.expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    if status.is_client_error() || status.is_server_error() {
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "error without code/message: {body}"
        );
    }
    crate::contract::check(&method, &path, status, &headers, &body);
    (status, body)
}

impl TestApp {
    /// Starts `schoolgate serve` with this app's settings plus `extra` environment variables:
    /// a second server process, or one the test kills like a crash would.
    pub async fn start_process(&self, extra: &[(&str, &str)]) -> ServerProcess {
        ServerProcess::start(
            env!("CARGO_BIN_EXE_schoolgate"),
            &self.state.settings,
            extra,
        )
        .await
    }
}
