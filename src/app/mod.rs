//! What every part of the application stands on, without HTTP: settings, the clock, the
//! error type of the use cases, who is acting, and `Services`, the handles the use cases,
//! the outbox worker, the job runner and the command line share.

pub mod actor;
pub mod clock;
pub mod config;
pub mod error;
pub mod services;
pub mod telemetry;
