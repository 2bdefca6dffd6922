//! The accounts API: login and activation (`auth`), one's own account (`me`), and accounts
//! for admins (`users`).

pub mod auth;
pub mod me;
pub mod users;
