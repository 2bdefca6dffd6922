//! Groups, children, parent links and teachers' notes in the database.

pub mod children;
pub mod groups;
pub mod notes;
