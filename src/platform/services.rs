//! `Services`: the handles every use case, the outbox worker, the job runner and the command
//! line take. No HTTP types: the HTTP layer wraps it with its session cache and rate limits.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    app::{clock::Clock, config::Settings},
    platform::{
        files::FileStore,
        jobs::Jobs,
        keys,
        outbox::{
            Handlers, Outbox, mail::Mailer, push::Pusher, templates::MailTemplates,
            unsubscribe::UnsubscribeLinks,
        },
        rendered::RenderedCache,
        tokens,
    },
};

/// The `server_keys` row holding the key unsubscribe links are signed with.
const UNSUBSCRIBE_KEY_NAME: &str = "unsubscribe_hmac";

#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    pub templates: Arc<MailTemplates>,
    pub pusher: Arc<Pusher>,
    pub unsubscribe_links: Arc<UnsubscribeLinks>,
    pub files: FileStore,
    /// The outbox's handlers and the worker's wake-up call.
    pub outbox: Arc<Outbox>,
    pub jobs: Arc<Jobs>,
    /// Costly answers kept while what they show is unchanged (calendar feeds).
    pub rendered: Arc<RenderedCache>,
}

/// What the features add to the platform: a handler per kind of outbox row, and their jobs.
pub struct Registrations {
    pub deliveries: Handlers,
    pub jobs: Jobs,
}

impl Services {
    /// Connects the parts to an open (migrated) database: loads or makes the server keys,
    /// opens the mailer and the file store.
    pub async fn build(
        settings: Settings,
        db: DatabaseConnection,
        clock: Clock,
        registrations: Registrations,
    ) -> anyhow::Result<Self> {
        let pusher = Pusher::load_or_create(&db, &settings).await?;
        let unsubscribe_key = keys::key_or_create(
            &db,
            UNSUBSCRIBE_KEY_NAME,
            || Ok(tokens::generate()),
            clock.now(),
        )
        .await?;
        Ok(Self {
            pusher: Arc::new(pusher),
            unsubscribe_links: Arc::new(UnsubscribeLinks::new(&unsubscribe_key)?),
            mailer: Arc::new(Mailer::from_settings(&settings.mail)?),
            templates: Arc::new(MailTemplates::load()?),
            files: FileStore::from_settings(&settings.files)?,
            outbox: Arc::new(Outbox::new(
                registrations.deliveries,
                worker_name(&settings)?,
            )),
            jobs: Arc::new(registrations.jobs),
            rendered: Arc::new(RenderedCache::default()),
            settings: Arc::new(settings),
            clock,
            db,
        })
    }
}

/// `delivery.worker_name`, or this host's name and the port it serves on: the same after a
/// restart, different for each process serving the school.
fn worker_name(settings: &Settings) -> anyhow::Result<String> {
    let configured = settings.delivery.worker_name.trim();
    if !configured.is_empty() {
        return Ok(configured.to_string());
    }
    let host = hostname::get()?.to_string_lossy().into_owned();
    Ok(format!("{host}:{}", settings.bind_address()?.port()))
}
