//! The school API: children with their parents (`children`) and teachers' notes on them
//! (`notes`), groups with their teachers (`groups`), and the school's own name and logo
//! (`profile`).

pub mod children;
pub mod groups;
pub mod notes;
pub mod profile;
