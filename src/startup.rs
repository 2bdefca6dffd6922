//! Builds the application: database, mailer, routes and state; runs the server and the
//! delivery worker and the scheduler until shutdown (SIGTERM or Ctrl-C).

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    EndpointExt, IntoResponse, Route, Server, get, handler,
    http::StatusCode,
    listener::TcpAcceptor,
    middleware::{CookieJarManager, SetHeader},
    web::{Data, Json},
};
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};

use crate::{
    api::{self, rate_limit::RateLimits, session_cache::SessionCache},
    clock::Clock,
    config::Settings,
    delivery::{self, mail::Mailer, push::Pusher, templates::MailTemplates},
    domain::{tokens, unsubscribe::UnsubscribeLinks},
    error::render_any_error,
    middleware::{BodyLimits, DOCS_CONTENT_SECURITY_POLICY, limit_body, request_context},
    scheduler,
    state::AppState,
    store, web_app,
};

/// The `server_keys` row holding the key unsubscribe links are signed with.
const UNSUBSCRIBE_KEY_NAME: &str = "unsubscribe_hmac";

pub struct Application {
    acceptor: TcpAcceptor,
    port: u16,
    state: AppState,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = store::connect(&settings.database).await?;
        store::migrate(&db).await?;
        Self::build_with(settings, db, Clock::default()).await
    }

    /// Like `build`, with an open (migrated) database and a given clock.
    pub async fn build_with(
        settings: Settings,
        db: DatabaseConnection,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let pusher = Arc::new(Pusher::load_or_create(&db, &settings).await?);
        let unsubscribe_key = store::server_keys::key_or_create(
            &db,
            UNSUBSCRIBE_KEY_NAME,
            || Ok(tokens::generate()),
            chrono::Utc::now(),
        )
        .await?;
        let state = AppState {
            db,
            pusher,
            unsubscribe_links: Arc::new(UnsubscribeLinks::new(&unsubscribe_key)?),
            mailer: Arc::new(Mailer::from_settings(&settings.mail)?),
            templates: Arc::new(MailTemplates::load()?),
            rate_limits: Arc::new(RateLimits::new(&settings.security)),
            sessions: Arc::new(SessionCache::new(settings.security.session_cache_seconds)),
            outbox_wakeup: Arc::new(Notify::new()),
            settings: Arc::new(settings),
            clock,
        };
        let address = state.settings.bind_address()?;
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("binding {address} (server.bind)"))?;
        let port = listener.local_addr()?.port();
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        Ok(Self {
            acceptor,
            port,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until SIGTERM or Ctrl-C, then lets running requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let worker = self.state.settings.delivery.run_worker.then(|| {
            tokio::spawn(delivery::run_worker(
                self.state.clone(),
                shutdown_rx.clone(),
            ))
        });
        let scheduler = self.state.settings.schedule.run_scheduler.then(|| {
            tokio::spawn(scheduler::run_periodically(
                self.state.clone(),
                shutdown_rx.clone(),
            ))
        });
        let janitor = tokio::spawn(tidy_up_periodically(self.state.clone(), shutdown_rx));
        let app = routes(self.state.clone());
        tracing::info!(port = self.port, "listening");
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, stop, Some(Duration::from_secs(10)))
            .await;
        let _ = shutdown_tx.send(true);
        for task in [worker, scheduler].into_iter().flatten() {
            let _ = task.await;
        }
        let _ = janitor.await;
        tracing::info!("stopped");
        served.context("serving HTTP")
    }
}

/// All routes with their middleware.
pub fn routes(state: AppState) -> impl poem::Endpoint + 'static {
    let api = api::service("/api");
    let spec = api.spec_endpoint();
    let docs = api
        .swagger_ui()
        .with(SetHeader::new().overriding("content-security-policy", DOCS_CONTENT_SECURITY_POLICY));
    let pwa_dir = state.settings.server.pwa_dir.clone();
    let limits = BodyLimits {
        json: state.settings.server.max_body_bytes,
        // Room for the multipart framing around the largest allowed file.
        uploads: state.settings.imports.max_file_bytes + 64 * 1024,
    };
    Route::new()
        .nest("/api/docs", docs)
        .at("/api/openapi.json", spec)
        .nest("/api", api)
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .nest("/", web_app::routes(pwa_dir))
        .around(move |endpoint, req| limit_body(endpoint, req, limits))
        .with(CookieJarManager::new())
        .data(state)
        .catch_all_error(render_any_error)
        .around(request_context)
}

#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers.
#[handler]
async fn readyz(state: Data<&AppState>) -> poem::Response {
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

/// Every ten minutes: forget recovered rate-limit keys and delete expired sessions.
async fn tidy_up_periodically(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = shutdown.changed() => return,
        }
        state.rate_limits.forget_idle_keys();
        if let Err(err) = store::sessions::delete_expired(&state.db, state.clock.now()).await {
            tracing::warn!(error = %err, "deleting expired sessions failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested");
}
