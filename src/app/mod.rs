//! What every part of the application stands on, without HTTP: settings, the clock, the
//! error type of the use cases, who is acting, logging. It uses nothing above it.

pub mod actor;
pub mod clock;
pub mod config;
pub mod error;
pub mod telemetry;
