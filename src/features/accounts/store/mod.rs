//! Accounts in the database: users, login sessions and one-time tokens.

pub mod sessions;
pub mod tokens;
pub mod users;
