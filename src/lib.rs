//! Schoolgate: a self-hostable school-to-parent communication server. Layers, from the top:
//! `main`/`cli`/`startup`/`demo` (the composition root) -> `http` (the only code that knows
//! poem: handlers per feature, security, middleware) -> `features` (use cases, stores, rules;
//! one folder each) -> `platform` (shared machinery and `Services`) -> `app` (settings,
//! errors, clock) -> `entities` (tables). Each names only layers below it
//! (`tests/architecture.rs`).

pub mod app;
pub mod cli;
pub mod demo;
pub mod entities;
pub mod features;
pub mod http;
pub mod platform;
pub mod startup;
