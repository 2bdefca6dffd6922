//! For staff: who has read, confirmed and replied; for admins: every delivery of a post.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use sea_orm::ActiveEnum;

use super::ManagedPostErrors;
use crate::http::error::{AdminLookup, ApiError};
use crate::{
    entities::outbox::DeliveryStatus,
    features::posts,
    http::{ApiTags, security::Auth, state::HttpState},
};

pub struct StatusApi;

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
    pub ask_confirmation: bool,
    pub counts: ReceiptCounts,
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
                ReceiptRow {
                    child_id: a.child.id,
                    child_name: a.child.full_name(),
                    group_id: a.child.group_id,
                    parent_id: a.parent.id,
                    parent_name: a.parent.full_name(),
                    read_at: receipt.map(|r| r.read_at),
                    confirmed_at: receipt.and_then(|r| r.confirmed_at),
                    replied: replied.contains(&a.parent.id),
                }
            })
            .collect();
        Ok(Json(PostStatusResponse {
            post_id: status.post.id,
            ask_confirmation: status.post.ask_confirmation,
            counts,
            rows,
        }))
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
