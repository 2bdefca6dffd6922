//! The audit log, for admins.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use crate::http::error::{AdminOnly, ApiError};
use crate::{
    features::audit,
    http::{ApiTags, security::Auth, state::HttpState},
};

pub struct AuditApi;

#[derive(Debug, Object)]
pub struct AuditEntryResponse {
    pub id: i32,
    #[oai(nullable)]
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
    #[oai(path = "/", method = "get", operation_id = "list_audit_log")]
    async fn list_audit_log(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        /// How many entries, newest first (1 to 1000).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "1000"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<Vec<AuditEntryResponse>>, ApiError<AdminOnly>> {
        let entries = audit::recent(&state, &auth.user().actor(), limit.0).await?;
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
