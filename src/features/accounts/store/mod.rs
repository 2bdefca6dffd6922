//! Accounts in the database: users, one-time tokens and two-step login (login sessions are
//! `platform::sessions`: the HTTP layer checks them).

pub mod tokens;
pub mod two_factor;
pub mod users;
