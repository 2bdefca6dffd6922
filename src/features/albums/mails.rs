//! The albums' mails: a new album to each parent it reaches (subscription mail, switched
//! off with the `photo_albums` e-mail setting), and a withdrawn consent to album authors.

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::{photos_parents_see, store};
use crate::{
    entities::full_name,
    features::{notifications, school},
    platform::{
        outbox::{
            Handler, Handlers, OutboxRow,
            mail::{OutgoingMail, mailbox, recipient},
            templates::MailParts,
        },
        services::Services,
    },
};

pub const ALBUM_PUBLISHED: &str = "album_published";
pub const CONSENT_WITHDRAWN: &str = "photo_consent_withdrawn";
/// The e-mail setting that switches new-album mails off.
const EMAIL_KIND: &str = "photo_albums";

pub fn register(handlers: &mut Handlers) {
    handlers.register(ALBUM_PUBLISHED, Handler::Mail(album_published));
    handlers.register(CONSENT_WITHDRAWN, Handler::Mail(consent_withdrawn));
}

#[derive(Deserialize)]
struct AlbumPayload {
    album_id: i32,
}

fn album_published<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(parent) = recipient(&services.db, row).await? else {
            return Ok(None);
        };
        if notifications::is_opted_out(&services.db, parent.id, EMAIL_KIND).await? {
            return Ok(None);
        }
        let payload: AlbumPayload = serde_json::from_value(row.payload.clone())?;
        let Some(album) = store::album(&services.db, payload.album_id)
            .await?
            .filter(|album| album.published_at.is_some())
        else {
            return Ok(None);
        };
        let count = photos_parents_see(services, album.id).await?;
        if count == 0 {
            return Ok(None);
        }
        let group = match album.group_id {
            Some(id) => school::find_group_by_id(services, id)
                .await?
                .map(|group| group.name),
            None => None,
        };
        let settings = &services.settings;
        let public_url = settings.public_url();
        let token = services.unsubscribe_links.token(
            parent.id,
            &parent.email,
            EMAIL_KIND,
            services.clock.now(),
        );
        let unsubscribe_page = token
            .as_ref()
            .map(|token| format!("{public_url}/unsubscribe?token={token}"));
        let values = serde_json::json!({
            "first_name": parent.first_name,
            "school": settings.school.name,
            "title": album.title,
            "group": group,
            "count": count,
        });
        let link = format!("{public_url}/albums/{}", album.id);
        let mail = services.templates.render(
            ALBUM_PUBLISHED,
            parent.language,
            &settings.school.name,
            values,
            MailParts {
                action_url: Some(&link),
                items: &[],
                unsubscribe_url: unsubscribe_page.as_deref(),
            },
        )?;
        Ok(Some(OutgoingMail {
            to: mailbox(&parent)?,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            list_unsubscribe: token
                .map(|token| format!("{public_url}/api/unsubscribe?token={token}")),
            attachments: Vec::new(),
        }))
    })
}

#[derive(Deserialize)]
struct WithdrawnPayload {
    child_id: i32,
    album_ids: Vec<i32>,
}

fn consent_withdrawn<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(async move {
        let Some(author) = recipient(&services.db, row).await? else {
            return Ok(None);
        };
        let payload: WithdrawnPayload = serde_json::from_value(row.payload.clone())?;
        let Some(child) = store::children_by_ids(&services.db, vec![payload.child_id])
            .await?
            .pop()
        else {
            return Ok(None);
        };
        let mut titles = Vec::new();
        for id in &payload.album_ids {
            if let Some(album) = store::album(&services.db, *id).await? {
                titles.push(album.title);
            }
        }
        let Some(first) = payload.album_ids.first() else {
            return Ok(None);
        };
        if titles.is_empty() {
            return Ok(None);
        }
        let values = serde_json::json!({
            "child": full_name(&child.first_name, child.name_prefix.as_deref(), &child.last_name),
            "albums": titles.join(", "),
            "count": titles.len(),
        });
        let link = format!("{}/albums/{first}", services.settings.public_url());
        Ok(Some(services.templates.action_mail(
            &services.settings.school.name,
            &author,
            CONSENT_WITHDRAWN,
            values,
            &link,
        )?))
    })
}
