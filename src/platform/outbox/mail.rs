//! Sending e-mail with lettre: SMTP (pooled, with timeouts) or `.eml` files in a folder.

use std::time::Duration;

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
    transport::smtp::{PoolConfig, authentication::Credentials},
};

use sea_orm::EntityTrait;

use crate::{
    app::config::{MailSettings, MailTransportKind, SmtpTls},
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
    /// With a permit per connection: lettre's pool keeps `pool_size` connections but would
    /// open more under load; the relay gets at most `pool_size` mails at a time.
    Smtp(AsyncSmtpTransport<Tokio1Executor>, tokio::sync::Semaphore),
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
            MailTransportKind::Smtp => {
                let smtp = &settings.smtp;
                let builder = match smtp.tls {
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .context("mail.smtp.host")?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .context("mail.smtp.host")?,
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                };
                let timeout = Duration::from_secs(smtp.timeout_seconds);
                let mut builder = builder.port(smtp.port).timeout(Some(timeout)).pool_config(
                    PoolConfig::new()
                        .max_size(smtp.pool_size.max(1))
                        .idle_timeout(Duration::from_secs(60)),
                );
                if !smtp.username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        smtp.username.clone(),
                        smtp.password.expose().to_string(),
                    ));
                }
                let connections = smtp.pool_size.max(1) as usize;
                Transport::Smtp(builder.build(), tokio::sync::Semaphore::new(connections))
            }
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
        let message = builder
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|err| SendError {
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
            Transport::Smtp(smtp, connections) => {
                let _connection = connections.acquire().await.map_err(|err| SendError {
                    message: format!("SMTP: {err}"),
                    transient: true,
                })?;
                smtp.send(message).await.map_err(|err| SendError {
                    // 5xx answers are final; 4xx, timeouts and connection trouble pass.
                    transient: !err.is_permanent(),
                    message: format!("SMTP: {err}"),
                })?;
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
