//! The posts API, by concern: posting and the feed (`feed`), reply threads (`replies`),
//! attachments (`attachments`), and who was reached (`status`).

pub mod attachments;
pub mod feed;
pub mod replies;
pub mod status;

/// A post the caller may see; staff must also manage it (author, admin, its groups' teacher).
pub use crate::http::error::ManagedLookup as ManagedPostErrors;
