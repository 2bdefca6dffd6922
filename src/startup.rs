//! The composition root: builds the application from its parts (database, services, the
//! features' registrations, HTTP) and runs the server, the outbox worker, the scheduler and
//! the janitor until shutdown (SIGTERM or Ctrl-C). The only module that knows every layer.

use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::platform::services::Services;
use crate::{
    app::{clock::Clock, config::Settings},
    features::{self, accounts, albums, posts},
    http::{self, state::HttpState},
    platform::{db, jobs, outbox::worker},
};

/// The services without HTTP, for the command line: connects, migrates, wires the features.
pub async fn services(settings: Settings) -> anyhow::Result<Services> {
    let db = db::connect(&settings.database).await?;
    db::migrate(&db).await?;
    services_with(settings, db, Clock::default()).await
}

/// Like `services`, with an open (migrated) database and a given clock.
pub async fn services_with(
    settings: Settings,
    db: DatabaseConnection,
    clock: Clock,
) -> anyhow::Result<Services> {
    let registrations = features::registrations(&settings)?;
    Services::build(settings, db, clock, registrations).await
}

pub struct Application {
    listener: tokio::net::TcpListener,
    port: u16,
    state: HttpState,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::listen(services(settings).await?).await
    }

    /// Like `build`, with an open (migrated) database and a given clock.
    pub async fn build_with(
        settings: Settings,
        db: DatabaseConnection,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        Self::listen(services_with(settings, db, clock).await?).await
    }

    async fn listen(services: Services) -> anyhow::Result<Self> {
        let address = services.settings.bind_address()?;
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen on {address} (server.bind)"))?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            port,
            state: HttpState::new(services)?,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> HttpState {
        self.state.clone()
    }

    /// Serves until SIGTERM or Ctrl-C, then lets running requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes.
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let services = &self.state.services;
        let worker = services
            .settings
            .delivery
            .run_worker
            .then(|| tokio::spawn(worker::run(services.clone(), shutdown_rx.clone())));
        let scheduler = services.settings.schedule.run_scheduler.then(|| {
            tokio::spawn(jobs::run_periodically(
                services.clone(),
                shutdown_rx.clone(),
            ))
        });
        let photos = tokio::spawn(albums::processing::run(
            services.clone(),
            shutdown_rx.clone(),
        ));
        let janitor = tokio::spawn(tidy_up_periodically(self.state.clone(), shutdown_rx));
        let app = http::routes(self.state.clone());
        tracing::info!(port = self.port, "listening");
        let header_read_timeout =
            Duration::from_secs(services.settings.server.header_read_timeout_seconds);
        // The worker and the scheduler stop with the listener, not after the last request.
        let stop = async {
            stop.await;
            let _ = shutdown_tx.send(true);
        };
        let served = http::server::serve(self.listener, app, header_read_timeout, stop).await;
        let _ = shutdown_tx.send(true);
        for task in [worker, scheduler, Some(photos)].into_iter().flatten() {
            let _ = task.await;
        }
        let _ = janitor.await;
        tracing::info!("stopped");
        served.context("serving HTTP")
    }
}

/// How old a stored file nothing points at must be before the janitor removes it: far longer
/// than any upload takes between storing the bytes and committing the row that points at
/// them.
const UNREFERENCED_FILES_GRACE_HOURS: i64 = 24;

/// At start, moves attachments kept in the database into the file store; then, every ten
/// minutes, tidies up.
async fn tidy_up_periodically(state: HttpState, mut shutdown: watch::Receiver<bool>) {
    match posts::move_stored_attachments(&state.services).await {
        Ok(0) => {}
        Ok(moved) => tracing::info!(moved, "attachments moved into the file store"),
        Err(err) => tracing::error!(error = %err, "moving attachments into the file store failed"),
    }
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            _ = shutdown.changed() => return,
        }
        tidy_up(&state).await;
    }
}

/// Forgets recovered rate-limit keys, deletes expired sessions, and removes stored files
/// nothing points at any more (and objects left by uploads that never committed).
pub async fn tidy_up(state: &HttpState) {
    state.rate_limits.forget_idle_keys();
    let services = &state.services;
    if let Err(err) = accounts::delete_expired_sessions(services).await {
        tracing::warn!(error = %err, "deleting expired sessions failed");
    }
    let cut_off = services.clock.now() - chrono::Duration::hours(UNREFERENCED_FILES_GRACE_HOURS);
    match services
        .files
        .remove_unreferenced(&services.db, &features::file_references(), cut_off)
        .await
    {
        Ok(report) => tracing::info!(?report, "file store tidied"),
        Err(err) => tracing::warn!(error = %err, "tidying the file store failed"),
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
