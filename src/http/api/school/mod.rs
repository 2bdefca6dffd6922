//! The school API: children with their parents (`children`), groups with their teachers
//! (`groups`).

pub mod children;
pub mod groups;
