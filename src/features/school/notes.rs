//! Teachers' notes on a child: a teacher of the child's group writes one; the child's parents
//! read it (read-only parents too) and get a push message; the group's teachers see them.
//! Nobody else does, not even the office: they are between the group and the family.

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::store::{self, notes::Note};
use crate::app::{actor::Actor, error::AppError};
use crate::entities::{
    outbox::Channel,
    users::{Language, Role},
};
use crate::features::accounts;
use crate::platform::{
    db::AuditedWrite,
    outbox::{
        self, Handler, Handlers, NewDelivery, OutboxRow, devices,
        push::{PushMessage, Urgency},
    },
    services::Services,
    text,
};

/// The longest note, in characters.
pub const MAX_NOTE: usize = 4000;

const NOTE_PUSH: &str = "child_note_push";

pub fn register(handlers: &mut Handlers) {
    handlers.register(NOTE_PUSH, Handler::Push(note_push));
}

pub struct NoteView {
    pub note: Note,
    pub author_name: Option<String>,
    /// The caller wrote it (and may change or delete it).
    pub own: bool,
}

/// How the caller may take part in a child's notes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NoteAccess {
    /// A parent of the child: reads.
    Parent,
    /// A teacher of the child's group: reads and writes.
    Teacher,
}

/// The child's notes, newest first: its parents and its group's teachers; 404 for others.
pub async fn list(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<Vec<NoteView>, AppError> {
    note_access(services, actor, child_id).await?;
    let notes = store::notes::of_child(&services.db, child_id).await?;
    let authors = accounts::find_users(
        &services.db,
        notes.iter().filter_map(|note| note.author_id).collect(),
    )
    .await?;
    Ok(notes
        .into_iter()
        .map(|note| NoteView {
            author_name: note
                .author_id
                .and_then(|id| authors.get(&id))
                .map(|user| user.full_name()),
            own: note.author_id == Some(actor.id),
            note,
        })
        .collect())
}

/// A teacher of the child's group writes a note; the child's parents get a push message.
pub async fn create(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    body: &str,
) -> Result<NoteView, AppError> {
    if note_access(services, actor, child_id).await? != NoteAccess::Teacher {
        return Err(teachers_only());
    }
    let body = note_body(body)?;
    let write = AuditedWrite::begin(services, actor.id, "child.note").await?;
    let note = store::notes::create(write.txn(), child_id, actor.id, body, write.now()).await?;
    let parents: Vec<i32> = store::children::links_of_child(write.txn(), child_id)
        .await?
        .into_iter()
        .map(|link| link.parent_id)
        .collect();
    let pushes = devices::of_users(write.txn(), parents)
        .await?
        .into_iter()
        .map(|device| NewDelivery {
            channel: Channel::Push,
            kind: NOTE_PUSH,
            user_id: Some(device.user_id),
            dedupe_key: format!("note:{}:push:{}", note.id, device.id),
            payload: serde_json::json!({ "note_id": note.id, "subscription_id": device.id }),
            urgent: false,
        })
        .collect();
    outbox::enqueue(write.txn(), pushes, write.now()).await?;
    let details = serde_json::json!({ "note_id": note.id });
    write.commit(format!("child:{child_id}"), details).await?;
    services.outbox.wake();
    Ok(NoteView {
        note,
        author_name: None,
        own: true,
    })
}

/// Changes a note (its author, while teaching the child's group).
pub async fn update(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    note_id: i32,
    body: &str,
) -> Result<NoteView, AppError> {
    let note = own_note(services, actor, child_id, note_id).await?;
    let body = note_body(body)?;
    let note = store::notes::update(&services.db, note, body, services.clock.now()).await?;
    Ok(NoteView {
        note,
        author_name: None,
        own: true,
    })
}

/// Deletes a note (its author).
pub async fn delete(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    note_id: i32,
) -> Result<(), AppError> {
    let note = own_note(services, actor, child_id, note_id).await?;
    store::notes::delete(&services.db, note.id).await?;
    Ok(())
}

async fn note_access(
    services: &Services,
    actor: &Actor,
    child_id: i32,
) -> Result<NoteAccess, AppError> {
    let child = store::children::find_by_id(&services.db, child_id)
        .await?
        .ok_or_else(|| AppError::not_found("child"))?;
    let relation = store::children::relation(&services.db, actor.id, &child).await?;
    match actor.role {
        Role::Parent if relation.parent_link.is_some() => Ok(NoteAccess::Parent),
        Role::Teacher if relation.teaches_group => Ok(NoteAccess::Teacher),
        _ => Err(AppError::not_found("child")),
    }
}

async fn own_note(
    services: &Services,
    actor: &Actor,
    child_id: i32,
    note_id: i32,
) -> Result<Note, AppError> {
    let access = note_access(services, actor, child_id).await?;
    let note = store::notes::find(&services.db, note_id)
        .await?
        .filter(|note| note.child_id == child_id)
        .ok_or_else(|| AppError::not_found("note"))?;
    if access != NoteAccess::Teacher || note.author_id != Some(actor.id) {
        return Err(AppError::forbidden_with(
            "not_author",
            "Only the teacher who wrote a note changes or deletes it.",
        ));
    }
    Ok(note)
}

fn teachers_only() -> AppError {
    AppError::forbidden_with(
        "teachers_of_group_only",
        "Notes are written by the teachers of the child's group.",
    )
}

fn note_body(raw: &str) -> Result<String, AppError> {
    let body = raw.trim();
    if body.is_empty() || body.chars().count() > MAX_NOTE {
        return Err(AppError::invalid(
            "body",
            "invalid_note",
            format!("A note has 1 to {MAX_NOTE} characters."),
        ));
    }
    if body.chars().any(text::is_refused_control) {
        return Err(AppError::invalid(
            "body",
            "invalid_note",
            "A note cannot hold control characters.",
        ));
    }
    Ok(body.to_string())
}

#[derive(Deserialize)]
struct NotePayload {
    note_id: i32,
    subscription_id: i32,
}

fn note_push<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<PushMessage>>> {
    Box::pin(async move {
        let payload: NotePayload = serde_json::from_value(row.payload.clone())?;
        let Some(note) = store::notes::find(&services.db, payload.note_id).await? else {
            return Ok(None);
        };
        let Some(child) = store::children::find_by_id(&services.db, note.child_id).await? else {
            return Ok(None);
        };
        let language = match row.user_id {
            Some(id) => accounts::find_user(&services.db, id)
                .await?
                .map_or(Language::En, |user| user.language),
            None => Language::En,
        };
        let title = match language {
            Language::Nl => format!("Notitie over {}", child.first_name),
            Language::De => format!("Notiz zu {}", child.first_name),
            Language::En => format!("Note about {}", child.first_name),
        };
        let notice = serde_json::json!({
            "kind": "note",
            "title": text::shorten(&title, 100),
            "body": text::shorten(&note.body, 160),
            "url": format!("/children/{}#notes", child.id),
            "tag": format!("note-{}", child.id),
        });
        let minimal = serde_json::json!({
            "kind": "note",
            "title": text::shorten(&title, 40),
            "url": format!("/children/{}#notes", child.id),
            "tag": format!("note-{}", child.id),
        });
        Ok(Some(PushMessage {
            subscription_id: payload.subscription_id,
            payload: notice,
            minimal_payload: minimal,
            topic: Some(format!("note-{}", child.id)),
            urgency: Urgency::Normal,
            ttl_seconds: services.settings.push.ttl_seconds,
        }))
    })
}
