//! The posts API, by concern: posting and the feed (`posts`), reply threads (`replies`),
//! attachments (`attachments`), and who was reached (`status`).

pub mod attachments;
pub mod posts;
pub mod replies;
pub mod status;
