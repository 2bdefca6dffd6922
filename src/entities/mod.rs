//! sea-orm models, one file per table. Behaviour lives in `store` and `domain`.

pub mod audit_log;
pub mod children;
pub mod groups;
pub mod imports;
pub mod one_time_tokens;
pub mod outbox;
pub mod parent_children;
pub mod sessions;
pub mod teacher_groups;
pub mod users;
