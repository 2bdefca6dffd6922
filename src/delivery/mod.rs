//! Delivery of notifications from the durable outbox. The worker is the only sender: it claims
//! due rows, renders them at send time (so one-time links are created only when mailed and
//! never stored in clear), sends, and records the outcome. Transient failures are retried
//! with exponential backoff; permanent ones are recorded as failed.

pub mod mail;
pub mod templates;

use std::time::Duration as StdDuration;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::{
    domain::{accounts::AccountState, language::Language, tokens::TokenPurpose},
    state::AppState,
    store::{self, outbox::OutboxRow},
};
use mail::{OutgoingMail, SendError};

/// How long a claimed row stays reserved for one worker.
const LEASE: i64 = 120;
/// Rows claimed at once.
const BATCH: u64 = 50;
/// After this many failed attempts a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;

pub const CHANNEL_EMAIL: &str = "email";

/// The kinds of mail the outbox knows how to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    PasswordReset,
    Activation,
}

impl MailKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::Activation => "activation",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code {
            "password_reset" => Some(Self::PasswordReset),
            "activation" => Some(Self::Activation),
            _ => None,
        }
    }
}

/// What one pass over the due rows did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Delay before retry number `attempt` (1-based): 30 s doubling, at most one hour.
pub fn backoff(attempt: i32) -> Duration {
    let exponent = attempt.clamp(1, 8) - 1;
    Duration::seconds((30_i64 << exponent).min(3600))
}

/// Sends everything that is due now, batch after batch, and reports what happened.
/// Public so tests and the CLI can drain the outbox without waiting for the worker.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        let now = state.clock.now();
        let rows =
            store::outbox::claim_due(&state.db, now, Duration::seconds(LEASE), BATCH).await?;
        if rows.is_empty() {
            return Ok(report);
        }
        for row in rows {
            deliver_one(state, row, &mut report).await?;
        }
    }
}

#[tracing::instrument(skip_all, fields(outbox_id = row.id, kind = row.kind))]
async fn deliver_one(
    state: &AppState,
    row: OutboxRow,
    report: &mut DeliveryReport,
) -> anyhow::Result<()> {
    let outcome = match render(state, &row).await {
        Ok(Some(mail)) => state.mailer.send(mail).await,
        Ok(None) => Err(SendError {
            message: "recipient no longer exists or is disabled".into(),
            transient: false,
        }),
        Err(err) => Err(SendError {
            message: format!("rendering: {err:#}"),
            transient: false,
        }),
    };
    let now = state.clock.now();
    match outcome {
        Ok(()) => {
            store::outbox::mark_sent(&state.db, row.id, now).await?;
            report.sent += 1;
        }
        Err(err) => {
            let attempt = row.attempts + 1;
            let retry_at =
                (err.transient && attempt < MAX_ATTEMPTS).then(|| now + backoff(attempt));
            tracing::warn!(error = %err.message, attempt, will_retry = retry_at.is_some(), "delivery failed");
            store::outbox::mark_attempt_failed(&state.db, row.id, &err.message, retry_at).await?;
            if retry_at.is_some() {
                report.retrying += 1;
            } else {
                report.failed += 1;
            }
        }
    }
    Ok(())
}

/// Builds the mail of an outbox row, or `None` when there is nobody to send it to any more.
async fn render(state: &AppState, row: &OutboxRow) -> anyhow::Result<Option<OutgoingMail>> {
    let kind = MailKind::parse(&row.kind)
        .ok_or_else(|| anyhow::anyhow!("unknown outbox kind '{}'", row.kind))?;
    let Some(user_id) = row.user_id else {
        return Ok(None);
    };
    let Some(user) = store::users::find_by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    if AccountState::parse(&user.state) == Some(AccountState::Disabled) {
        return Ok(None);
    }
    let security = &state.settings.security;
    let now = state.clock.now();
    let (purpose, lifetime, path) = match kind {
        MailKind::PasswordReset => (
            TokenPurpose::PasswordReset,
            Duration::minutes(security.reset_token_minutes),
            "reset-password",
        ),
        MailKind::Activation => {
            if AccountState::parse(&user.state) != Some(AccountState::Invited) {
                return Ok(None);
            }
            (
                TokenPurpose::Activation,
                Duration::days(security.activation_token_days),
                "activate",
            )
        }
    };
    let token = store::tokens::issue(&state.db, user.id, purpose, lifetime, now).await?;
    let link = action_link(state.settings.public_url(), path, &token);
    let language = Language::parse(&user.language).unwrap_or(state.settings.default_language());
    let school = &state.settings.school.name;
    let values = serde_json::json!({
        "first_name": user.first_name,
        "email": user.email,
        "school": school,
        "minutes": security.reset_token_minutes,
        "days": security.activation_token_days,
    });
    let rendered = state
        .templates
        .render(kind.code(), language, school, values, Some(&link))?;
    let to = lettre::message::Mailbox::new(
        Some(format!("{} {}", user.first_name, user.last_name)),
        user.email.parse()?,
    );
    Ok(Some(OutgoingMail {
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    }))
}

/// The link a one-time token travels in. The token sits in the fragment, so it never
/// reaches a server log or a Referer header.
pub fn action_link(public_url: &str, path: &str, token: &str) -> String {
    format!("{}/{path}#token={token}", public_url.trim_end_matches('/'))
}

/// Runs until `shutdown` turns true: delivers due rows whenever woken, and at least every
/// few seconds (for retries that became due).
pub async fn run_worker(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(err) = deliver_due(&state).await {
            tracing::error!(error = ?err, "delivery pass failed");
        }
        tokio::select! {
            _ = state.outbox_wakeup.notified() => {}
            _ = tokio::time::sleep(StdDuration::from_secs(5)) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(20), Duration::seconds(3600));
    }

    #[test]
    fn tokens_travel_in_the_fragment() {
        assert_eq!(
            action_link("https://school.nl/", "activate", "abc"),
            "https://school.nl/activate#token=abc"
        );
    }
}
