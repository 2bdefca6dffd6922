//! Rules without I/O: accounts, passwords, tokens, languages, who may see what.

pub mod accounts;
pub mod attachments;
pub mod children;
pub mod import;
pub mod language;
pub mod password;
pub mod posts;
pub mod push;
pub mod schedule;
pub mod tokens;
pub mod unsubscribe;
