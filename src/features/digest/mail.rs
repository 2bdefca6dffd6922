//! The digest and news-batch e-mails: rendered per parent in their language when the outbox
//! sends them, one entry per post (unread ones marked, each linking into the app), with a
//! one-click unsubscribe link for that kind of mail (RFC 8058).

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::{DigestItem, Job, items_now};
use crate::platform::services::Services;
use crate::{
    entities::users,
    features::notifications,
    platform::{
        outbox::{
            Handler, Handlers, OutboxRow,
            mail::{OutgoingMail, mailbox, recipient},
            templates::{MailItem, MailParts, RenderedMail},
        },
        text::shorten,
    },
};

/// How much of each post's text the mail shows; the rest is a tap away.
const EXCERPT_CHARS: usize = 200;

pub(super) fn register(handlers: &mut Handlers) {
    handlers.register(Job::Digest.code(), Handler::Mail(digest_mail));
    handlers.register(Job::NewsBatch.code(), Handler::Mail(news_batch_mail));
}

fn digest_mail<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(scheduled_mail(services, Job::Digest, row))
}

fn news_batch_mail<'a>(
    services: &'a Services,
    row: &'a OutboxRow,
) -> BoxFuture<'a, anyhow::Result<Option<OutgoingMail>>> {
    Box::pin(scheduled_mail(services, Job::NewsBatch, row))
}

#[derive(Deserialize)]
struct ScheduledPayload {
    post_ids: Vec<i32>,
}

/// A digest or news-batch mail with the posts its run listed, read state as of now. Not
/// sent if the parent switched this kind off since the run, or every post was deleted.
async fn scheduled_mail(
    services: &Services,
    job: Job,
    row: &OutboxRow,
) -> anyhow::Result<Option<OutgoingMail>> {
    let Some(user) = recipient(&services.db, row).await? else {
        return Ok(None);
    };
    let payload: ScheduledPayload = serde_json::from_value(row.payload.clone())?;
    if notifications::is_opted_out(&services.db, user.id, job.email_kind()).await? {
        return Ok(None);
    }
    let items = items_now(
        &services.db,
        user.id,
        payload.post_ids,
        services.clock.now(),
    )
    .await?;
    if items.is_empty() {
        return Ok(None);
    }
    let rendered = render(services, job, &user, &items)?;
    Ok(Some(OutgoingMail {
        to: mailbox(&user)?,
        subject: rendered.mail.subject,
        text: rendered.mail.text,
        html: rendered.mail.html,
        list_unsubscribe: rendered.one_click_unsubscribe_url,
        attachments: Vec::new(),
    }))
}

/// A digest or news-batch mail, rendered for one parent.
pub struct DigestMail {
    pub mail: RenderedMail,
    /// Where the one-click unsubscribe POST goes (RFC 8058 `List-Unsubscribe`).
    pub one_click_unsubscribe_url: Option<String>,
}

/// Renders `job`'s mail for `parent` in their language: one entry per item, unread ones
/// marked, each linking into the app, and a link that switches this kind of mail off.
pub fn render(
    services: &Services,
    job: Job,
    parent: &users::Model,
    items: &[DigestItem],
) -> anyhow::Result<DigestMail> {
    let settings = &services.settings;
    let public_url = settings.public_url();
    let language = parent.language;
    let zone = settings.time_zone()?;
    let mail_items: Vec<MailItem> = items
        .iter()
        .map(|item| MailItem {
            title: item.post.title.clone(),
            excerpt: shorten(&item.post.body, EXCERPT_CHARS),
            date: item
                .post
                .created_at
                .with_timezone(&zone)
                .format(language.date_format())
                .to_string(),
            url: format!("{public_url}/posts/{}", item.post.id),
            unread: !item.read,
        })
        .collect();
    let token = services.unsubscribe_links.token(
        parent.id,
        &parent.email,
        job.email_kind(),
        services.clock.now(),
    );
    let unsubscribe_page = token
        .as_ref()
        .map(|token| format!("{public_url}/unsubscribe?token={token}"));
    let values = serde_json::json!({
        "first_name": parent.first_name,
        "school": settings.school.name,
        "count": items.len(),
        "unread": items.iter().filter(|item| !item.read).count(),
    });
    let mail = services.templates.render(
        job.code(),
        language,
        &settings.school.name,
        values,
        MailParts {
            action_url: Some(public_url),
            items: &mail_items,
            unsubscribe_url: unsubscribe_page.as_deref(),
        },
    )?;
    Ok(DigestMail {
        mail,
        one_click_unsubscribe_url: token
            .map(|token| format!("{public_url}/api/unsubscribe?token={token}")),
    })
}
