//! The posts API, by concern: posting and the feed (`feed`), reply threads (`replies`),
//! attachments (`attachments`), and who was reached (`status`).

pub mod attachments;
pub mod feed;
pub mod replies;
pub mod status;

use crate::http::error::error_sets;

error_sets! {
    /// A post the caller may see; staff must also manage it (author, admin, its groups' teacher).
    ManagedPostErrors { 403 => &["forbidden"], 404 => &["not_found"] }
}
