//! Schoolgate: a self-hostable school-to-parent communication server. Layers, from the top:
//! `main`/`cli`/`startup` (the composition root) -> `http` (the only part that knows poem)
//! -> `features` (one folder per feature) -> `platform` and `app` (shared machinery,
//! settings, errors) -> `entities` (tables).

pub mod app;
pub mod cli;
pub mod demo;
pub mod entities;
pub mod features;
pub mod http;
pub mod platform;
pub mod startup;
