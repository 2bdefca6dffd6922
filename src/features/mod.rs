//! The product's features, one folder each: use cases in `mod.rs` (they take `&Services` and
//! return `AppError`), queries in `store`, pure rules in `rules`; no HTTP (a feature's
//! handlers are `http::api::<feature>`). A feature uses another only through that one's
//! `mod.rs`.

pub mod accounts;
pub mod agenda;
pub mod albums;
pub mod audit;
pub mod conferences;
pub mod digest;
pub mod directory;
pub mod documents;
pub mod imports;
pub mod notifications;
pub mod posts;
pub mod school;

use crate::platform::services::Registrations;
use crate::{
    app::config::Settings,
    platform::{files::FileReference, jobs::Jobs, outbox::Handlers},
};

/// What the features add to the platform: a handler for each kind of outbox row they queue,
/// and their scheduled jobs.
pub fn registrations(settings: &Settings) -> anyhow::Result<Registrations> {
    let mut deliveries = Handlers::default();
    accounts::mails::register(&mut deliveries);
    accounts::email_change::register(&mut deliveries);
    school::notes::register(&mut deliveries);
    posts::notify::register(&mut deliveries);
    digest::register(&mut deliveries);
    albums::register(&mut deliveries);
    conferences::register(&mut deliveries);
    Ok(Registrations {
        deliveries,
        jobs: Jobs::new(
            [
                digest::jobs(settings)?,
                albums::jobs(settings)?,
                conferences::jobs(settings)?,
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
    })
}

/// Every column that points at the file store: a stored file none of them names is removed
/// by the janitor.
pub fn file_references() -> Vec<FileReference> {
    [
        posts::FILE_REFERENCES,
        documents::FILE_REFERENCES,
        directory::photos::FILE_REFERENCES,
        albums::FILE_REFERENCES,
    ]
    .concat()
}
