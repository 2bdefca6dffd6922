//! Sending e-mail with lettre: SMTP (pooled, with timeouts, see `smtp`) or `.eml` files in a folder.

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment, Mailbox, MultiPart,
        header::ContentType,
        header::{HeaderName, HeaderValue},
    },
};

use sea_orm::EntityTrait;

use super::smtp::SmtpPool;
use crate::{
    app::config::{MailSettings, MailTransportKind},
    entities::users::{self, AccountState},
};

/// A rendered mail ready to go: text and HTML alternatives.
#[derive(Clone, Debug)]
pub struct OutgoingMail {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// For subscription mail (digest, news batch): the https URL that unsubscribes with
    /// one POST (RFC 8058). Transactional mail has none.
    pub list_unsubscribe: Option<String>,
    /// Files sent with it (e.g. an .ics with a talk's time).
    pub attachments: Vec<MailAttachment>,
}

/// A file attached to a mail.
#[derive(Clone, Debug)]
pub struct MailAttachment {
    pub file_name: String,
    /// E.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Why a send failed, and whether trying again later may help.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    pub transient: bool,
}

enum Transport {
    Folder(AsyncFileTransport<Tokio1Executor>),
    Smtp(SmtpPool),
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings.from.parse().context("mail.from")?;
        let transport = match settings.transport {
            MailTransportKind::Folder => {
                std::fs::create_dir_all(&settings.folder).with_context(|| {
                    format!("mail.folder: cannot create {}", settings.folder.display())
                })?;
                Transport::Folder(AsyncFileTransport::new(&settings.folder))
            }
            MailTransportKind::Smtp => Transport::Smtp(SmtpPool::new(&settings.smtp)),
        };
        Ok(Self { from, transport })
    }

    /// Sends one mail. Message-ID and Date are always set.
    pub async fn send(&self, mail: OutgoingMail) -> Result<(), SendError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(mail.to)
            .subject(mail.subject)
            .message_id(None);
        if let Some(url) = mail.list_unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let alternative = MultiPart::alternative_plain_html(mail.text, mail.html);
        let body = if mail.attachments.is_empty() {
            alternative
        } else {
            let mut mixed = MultiPart::mixed().multipart(alternative);
            for file in mail.attachments {
                let content_type =
                    ContentType::parse(&file.content_type).map_err(|err| SendError {
                        message: format!("attachment type {}: {err}", file.content_type),
                        transient: false,
                    })?;
                mixed =
                    mixed.singlepart(Attachment::new(file.file_name).body(file.body, content_type));
            }
            mixed
        };
        let message = builder.multipart(body).map_err(|err| SendError {
            message: format!("building the message: {err}"),
            transient: false,
        })?;
        match &self.transport {
            Transport::Folder(folder) => {
                folder.send(message).await.map_err(|err| SendError {
                    message: format!("writing the mail file: {err}"),
                    transient: true,
                })?;
            }
            Transport::Smtp(pool) => {
                pool.send(message.envelope(), &message.formatted()).await?;
            }
        }
        Ok(())
    }
}

/// The user a row is addressed to, unless the account is gone or disabled: then nothing is
/// sent any more.
pub async fn recipient(
    conn: &impl sea_orm::ConnectionTrait,
    row: &super::OutboxRow,
) -> Result<Option<users::Model>, sea_orm::DbErr> {
    let Some(user_id) = row.user_id else {
        return Ok(None);
    };
    Ok(users::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .filter(|user| user.state != AccountState::Disabled))
}

/// A user's mailbox: "First prefix Last <address>".
pub fn mailbox(user: &users::Model) -> anyhow::Result<Mailbox> {
    Ok(Mailbox::new(Some(user.full_name()), user.email.parse()?))
}
