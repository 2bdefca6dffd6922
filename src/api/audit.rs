//! The audit log, for admins.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use super::{
    ApiTags,
    security::{Auth, CurrentUser},
};
use crate::{error::AppError, state::AppState, store};

pub struct AuditApi;

#[derive(Debug, Object)]
pub struct AuditEntryResponse {
    pub id: i32,
    pub actor_id: Option<i32>,
    /// E.g. `user.invite`, `child.link_parent`.
    pub action: String,
    /// E.g. `user:12`.
    pub target: String,
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[OpenApi(prefix_path = "/audit-log", tag = "ApiTags::Audit")]
impl AuditApi {
    /// Recent admin actions (admin)
    #[oai(path = "/", method = "get")]
    async fn list_audit_log(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// How many entries, newest first (1 to 1000).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "1000"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<Vec<AuditEntryResponse>>, AppError> {
        auth.user().require_admin()?;
        let entries = store::audit::recent(&state.db, limit.0).await?;
        Ok(Json(
            entries
                .into_iter()
                .map(|entry| AuditEntryResponse {
                    id: entry.id,
                    actor_id: entry.actor_id,
                    action: entry.action,
                    target: entry.target,
                    details: entry.details,
                    created_at: entry.created_at,
                })
                .collect(),
        ))
    }
}

fn default_limit() -> u64 {
    100
}

/// Ends an admin's write: records the action in the audit log inside the same transaction,
/// then commits, so a change and its audit entry exist together or not at all.
pub async fn commit_audited(
    txn: sea_orm::DatabaseTransaction,
    caller: &CurrentUser,
    action: &str,
    target: String,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    store::audit::record(&txn, Some(caller.id), action, target, details, now).await?;
    txn.commit().await?;
    Ok(())
}
