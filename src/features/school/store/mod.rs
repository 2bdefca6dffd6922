//! Groups, children and parent links in the database.

pub mod children;
pub mod groups;
