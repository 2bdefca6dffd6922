//! The audit log, for admins: what was done to which object, by whom, when. Entries are
//! written with the change itself (`platform::db::commit_audited`); this feature reads them.

use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

use crate::{
    app::{actor::Actor, error::AppError},
    entities::audit_log,
};

use crate::platform::services::Services;
pub use audit_log::Model as AuditEntry;

/// The newest entries first (admins).
pub async fn recent(
    services: &Services,
    actor: &Actor,
    limit: u64,
) -> Result<Vec<AuditEntry>, AppError> {
    actor.require_admin()?;
    Ok(audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(&services.db)
        .await?)
}
