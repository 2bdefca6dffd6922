//! Photo consent: per child and purpose (the app's albums, the school website, newsletter
//! and print) its parents answer yes or no on the child page; the office records answers
//! given on paper. Where the school asks each school year, last year's answer no longer
//! counts; from the school's lock day families can no longer give consent in the app, but
//! they can always withdraw it (as the GDPR wants). A withdrawal hides the child's photos
//! from parents at once (the album rule reads consent on every request) and tells the
//! authors of the published albums that show the child.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::Iterable;

use super::{current_school_year, mails, rules, store};
use crate::{
    app::{actor::Actor, error::AppError},
    entities::{outbox::Channel, photo_consents::ConsentPurpose, users::Role},
    features::school::{self, ChildAccess},
    platform::{
        db,
        outbox::{self, NewDelivery},
        services::Services,
    },
};

/// One purpose's answer as it stands.
pub struct ConsentAnswer {
    pub purpose: ConsentPurpose,
    /// None: not answered (this school year, where the school asks each year).
    pub granted: Option<bool>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub struct ConsentView {
    pub child_id: i32,
    /// The year the current school year starts in.
    pub school_year: i32,
    pub asked_each_year: bool,
    /// Families can no longer give consent in the app (withdrawing still works).
    pub giving_locked: bool,
    /// The caller may answer.
    pub may_change: bool,
    pub answers: Vec<ConsentAnswer>,
}

/// A child's answers: for its parents (read-only ones too), its group's teachers and the
/// office; 404 for everyone else.
pub async fn get(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<ConsentView, AppError> {
    let child = school::get_child(services, actor, child_id).await?;
    view(services, child_id, child.access == ChildAccess::Write).await
}

/// Answers one purpose for a child: its parents (not read-only) and the office.
pub async fn set(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    purpose: ConsentPurpose,
    granted: bool,
) -> Result<ConsentView, AppError> {
    school::writable_child(services, actor, child_id).await?;
    let before = view(services, child_id, true).await?;
    if granted && before.giving_locked && actor.role != Role::Admin {
        return Err(AppError::forbidden_with(
            "consent_locked",
            "The school has closed photo consent for this school year: ask the school office.",
        ));
    }
    let was_granted = before
        .answers
        .iter()
        .any(|answer| answer.purpose == purpose && answer.granted == Some(true));
    let write = db::AuditedWrite::begin(services, actor.id, "albums.photo_consent").await?;
    let answer = store::Answer {
        child_id,
        purpose,
        granted,
        school_year: before.school_year,
        decided_by: actor.id,
    };
    store::save_consent(write.txn(), answer, write.now()).await?;
    if was_granted && !granted && purpose == ConsentPurpose::Albums {
        tell_album_authors(write.txn(), child_id, write.now()).await?;
    }
    let details = serde_json::json!({ "purpose": purpose, "granted": granted });
    write.commit(format!("child:{child_id}"), details).await?;
    services.outbox.wake();
    view(services, child_id, true).await
}

/// Queues one mail per author of a published album that shows the child.
async fn tell_album_authors(
    txn: &sea_orm::DatabaseTransaction,
    child_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut per_author: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for album in store::published_albums_showing(txn, child_id).await? {
        if let Some(author) = album.author_id {
            per_author.entry(author).or_default().push(album.id);
        }
    }
    let mails = per_author
        .into_iter()
        .map(|(author, albums)| NewDelivery {
            channel: Channel::Email,
            kind: mails::CONSENT_WITHDRAWN,
            user_id: Some(author),
            dedupe_key: format!(
                "consent_withdrawn:{child_id}:{author}:{}",
                now.timestamp_millis()
            ),
            payload: serde_json::json!({ "child_id": child_id, "album_ids": albums }),
            urgent: false,
        })
        .collect();
    outbox::enqueue(txn, mails, now).await?;
    Ok(())
}

async fn view(
    services: &Services,
    child_id: i32,
    may_change: bool,
) -> Result<ConsentView, AppError> {
    let school_year = current_school_year(services)?;
    let settings = &services.settings;
    let asked_each_year = settings.albums.consent_each_school_year;
    let zone = settings.time_zone().map_err(AppError::Internal)?;
    let today = services.clock.now().with_timezone(&zone).date_naive();
    let giving_locked = rules::giving_locked(
        today,
        settings.school_year_start().map_err(AppError::Internal)?,
        settings.consent_locked_from().map_err(AppError::Internal)?,
    );
    let given = store::consents_of_child(&services.db, child_id).await?;
    let answers = ConsentPurpose::iter()
        .map(|purpose| {
            let answer = given.iter().find(|answer| answer.purpose == purpose);
            let granted = rules::current_answer(
                answer.map(|a| (a.granted, a.school_year)),
                school_year,
                asked_each_year,
            );
            ConsentAnswer {
                purpose,
                granted,
                decided_at: granted.and(answer.map(|a| a.decided_at)),
            }
        })
        .collect();
    Ok(ConsentView {
        child_id,
        school_year,
        asked_each_year,
        giving_locked,
        may_change,
        answers,
    })
}
