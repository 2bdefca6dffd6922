//! For staff: who has read, confirmed and replied; for admins: every delivery of a post.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use sea_orm::ActiveEnum;

use super::ManagedPostErrors;
use crate::http::error::{AdminLookup, ApiError, error_sets};
use crate::{
    entities::outbox::{Channel, DeliveryStatus},
    features::posts,
    http::{ApiTags, security::Auth, state::HttpState},
};

pub struct StatusApi;

/// Who a reminder goes to.
#[derive(Debug, Object)]
pub struct RemindAnswer {
    /// Parents who had not confirmed.
    pub parents: u64,
    pub push_messages: u64,
    pub emails: u64,
}

#[derive(ApiResponse)]
pub enum RemindResponse {
    /// Queued: the outbox sends it.
    #[oai(status = 202)]
    Accepted(Json<RemindAnswer>),
}

error_sets! {
    RemindErrors {
        403 => &["forbidden"],
        404 => &["not_found"],
        409 => &["no_confirmation_asked", "reminded_recently", "not_published_yet"],
    }
}

/// One addressed parent of one child.
#[derive(Debug, Object)]
pub struct ReceiptRow {
    pub child_id: i32,
    pub child_name: String,
    #[oai(nullable)]
    pub group_id: Option<i32>,
    pub parent_id: i32,
    pub parent_name: String,
    #[oai(nullable)]
    pub read_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub confirmed_at: Option<DateTime<Utc>>,
    pub replied: bool,
    /// The parent's phone number, only while a requested confirmation is missing (to call),
    /// and only where the family shares it with staff (or the school decided so).
    #[oai(nullable)]
    pub parent_phone: Option<String>,
}

/// How the post's push messages and e-mails to these parents went (reminders included).
#[derive(Debug, Object)]
pub struct DeliveryCounts {
    pub push_sent: u64,
    pub push_pending: u64,
    pub push_failed: u64,
    pub email_sent: u64,
    pub email_pending: u64,
    pub email_failed: u64,
}

#[derive(Debug, Object)]
pub struct ReceiptCounts {
    /// Parents the post reaches (each counted once).
    pub parents: u64,
    pub read: u64,
    pub confirmed: u64,
    pub replied: u64,
    pub not_read: u64,
    /// Parents who have not confirmed (only meaningful when confirmation is asked).
    pub not_confirmed: u64,
}

#[derive(Debug, Object)]
pub struct PostStatusResponse {
    pub post_id: i32,
    pub title: String,
    /// `urgent`, `message` or `news`.
    pub kind: String,
    /// When it went out, or goes out while `scheduled`.
    pub created_at: DateTime<Utc>,
    /// Waits to go out at `created_at`: nobody has it yet.
    pub scheduled: bool,
    pub ask_confirmation: bool,
    pub allow_replies: bool,
    pub counts: ReceiptCounts,
    pub delivery: DeliveryCounts,
    /// When the last reminder to confirm went out.
    #[oai(nullable)]
    pub reminded_at: Option<DateTime<Utc>>,
    /// By child, then parent.
    pub rows: Vec<ReceiptRow>,
}

#[derive(Debug, Object)]
pub struct DeliveryRow {
    /// `fanout`, `email` or `push`.
    pub channel: String,
    #[oai(nullable)]
    pub user_id: Option<i32>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    #[oai(nullable)]
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    #[oai(nullable)]
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct DeliveryStatusResponse {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub deliveries: Vec<DeliveryRow>,
}

#[OpenApi(prefix_path = "/posts", tag = "ApiTags::Posts")]
impl StatusApi {
    /// Who has read, confirmed, replied (staff)
    ///
    /// For the author, admins and the teachers of the post's groups: per child and parent,
    /// with counts of who has and has not.
    #[oai(path = "/:id/status", method = "get", operation_id = "post_status")]
    async fn status(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<PostStatusResponse>, ApiError<ManagedPostErrors>> {
        let status = posts::status(&state, &auth.user().actor(), id.0).await?;
        let receipts = &status.receipts;
        let replied = &status.replied;
        let parents: HashSet<i32> = status.reached.iter().map(|a| a.parent.id).collect();
        let count =
            |test: &dyn Fn(i32) -> bool| parents.iter().filter(|id| test(**id)).count() as u64;
        let read = count(&|id| receipts.contains_key(&id));
        let confirmed = count(&|id| receipts.get(&id).is_some_and(|r| r.confirmed_at.is_some()));
        let counts = ReceiptCounts {
            parents: parents.len() as u64,
            read,
            confirmed,
            replied: count(&|id| replied.contains(&id)),
            not_read: parents.len() as u64 - read,
            not_confirmed: parents.len() as u64 - confirmed,
        };
        let rows = status
            .reached
            .iter()
            .map(|a| {
                let receipt = receipts.get(&a.parent.id);
                let confirmed_at = receipt.and_then(|r| r.confirmed_at);
                let waiting = status.post.ask_confirmation && confirmed_at.is_none();
                ReceiptRow {
                    parent_phone: a
                        .parent
                        .phone
                        .clone()
                        .filter(|_| waiting && status.phone_shown.contains(&a.parent.id)),
                    child_id: a.child.id,
                    child_name: a.child.full_name(),
                    group_id: a.child.group_id,
                    parent_id: a.parent.id,
                    parent_name: a.parent.full_name(),
                    read_at: receipt.map(|r| r.read_at),
                    confirmed_at,
                    replied: replied.contains(&a.parent.id),
                }
            })
            .collect();
        let delivered = |channel: Channel, state: DeliveryStatus| {
            status
                .deliveries
                .iter()
                .filter(|row| row.channel == channel && row.status == state)
                .count() as u64
        };
        let delivery = DeliveryCounts {
            push_sent: delivered(Channel::Push, DeliveryStatus::Sent),
            push_pending: delivered(Channel::Push, DeliveryStatus::Pending),
            push_failed: delivered(Channel::Push, DeliveryStatus::Failed),
            email_sent: delivered(Channel::Email, DeliveryStatus::Sent),
            email_pending: delivered(Channel::Email, DeliveryStatus::Pending),
            email_failed: delivered(Channel::Email, DeliveryStatus::Failed),
        };
        let post = &status.post;
        Ok(Json(PostStatusResponse {
            post_id: post.id,
            title: post.title.clone(),
            kind: post.kind.to_value(),
            created_at: post.created_at,
            scheduled: post.created_at > state.clock.now(),
            ask_confirmation: post.ask_confirmation,
            allow_replies: post.allow_replies,
            counts,
            delivery,
            reminded_at: status.reminded_at,
            rows,
        }))
    }

    /// Remind those who have not confirmed
    ///
    /// Sends the post's push message again to every device of the parents (in the caller's
    /// care) who have not confirmed it, and an e-mail asking them to. Only for posts that ask
    /// for confirmation (409 `no_confirmation_asked`) and have gone out (409
    /// `not_published_yet`), at most once per 15 minutes (409 `reminded_recently`).
    #[oai(path = "/:id/remind", method = "post", operation_id = "remind")]
    async fn remind(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<RemindResponse, ApiError<RemindErrors>> {
        let reminder = posts::remind(&state, &auth.user().actor(), id.0).await?;
        Ok(RemindResponse::Accepted(Json(RemindAnswer {
            parents: reminder.parents as u64,
            push_messages: reminder.push_messages as u64,
            emails: reminder.emails as u64,
        })))
    }

    /// Delivery status (admin)
    ///
    /// Every e-mail and push message of the post, with attempts and the last error.
    #[oai(path = "/:id/deliveries", method = "get", operation_id = "deliveries")]
    async fn deliveries(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        id: Path<i32>,
    ) -> Result<Json<DeliveryStatusResponse>, ApiError<AdminLookup>> {
        let rows = posts::deliveries(&state, &auth.user().actor(), id.0).await?;
        let count =
            |status: DeliveryStatus| rows.iter().filter(|row| row.status == status).count() as u64;
        Ok(Json(DeliveryStatusResponse {
            pending: count(DeliveryStatus::Pending),
            sent: count(DeliveryStatus::Sent),
            failed: count(DeliveryStatus::Failed),
            deliveries: rows
                .into_iter()
                .map(|row| DeliveryRow {
                    channel: row.channel.to_value(),
                    user_id: row.user_id,
                    status: row.status.to_value(),
                    attempts: row.attempts,
                    last_error: row.last_error,
                    next_attempt_at: row.next_attempt_at,
                    sent_at: row.sent_at,
                })
                .collect(),
        }))
    }
}
