//! API tests: each starts the real server on port 0 with a fresh database, once on SQLite and
//! once on the local PostgreSQL, and talks to it over HTTP like a client would.

mod contract;
mod fixtures;
mod helpers;
mod push_service;
#[path = "../support/server_process.rs"]
mod server_process;
mod smtp;
#[path = "../support/mod.rs"]
mod support;

mod admin;
mod agenda;
mod albums;
mod auth;
mod children;
mod conferences;
mod digests;
mod directory;
mod documents;
mod errors;
mod imports;
mod passwords;
mod posts;
mod processes;
mod pwa;
mod scheduler;
mod security;
mod spec_answers;
mod two_factor;
mod urgent;
