//! Accounts in the database: users, their extra contacts, pending e-mail changes, one-time
//! tokens and two-step login (login sessions are `platform::sessions`: the HTTP layer checks
//! them).

pub mod contacts;
pub mod email_changes;
pub mod tokens;
pub mod two_factor;
pub mod users;
