//! Accounts in the database: users and one-time tokens (login sessions are
//! `platform::sessions`: the HTTP layer checks them).

pub mod tokens;
pub mod users;
