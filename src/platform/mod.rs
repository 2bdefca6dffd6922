//! Shared machinery the features stand on, without HTTP: the database (connection, write
//! transactions, audited commits), the audience rule (who is addressed, who sees what), the
//! durable outbox (mail, push, templates), scheduled jobs, the file store (a folder or an
//! S3-compatible bucket), server keys, random tokens, and printable PDFs.

pub mod audience;
pub mod db;
pub mod files;
pub mod ical;
pub mod images;
pub mod jobs;
pub mod keys;
pub mod outbox;
pub mod pdf;
pub mod rendered;
pub mod services;
pub mod sessions;
pub mod text;
pub mod tokens;
