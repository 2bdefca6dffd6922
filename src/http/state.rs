//! What every request handler gets: the application's `Services`, plus what only the HTTP
//! layer needs (the session cache and the rate limits).

use std::{ops::Deref, sync::Arc};

use super::{rate_limit::RateLimits, session_cache::SessionCache};
use crate::platform::services::Services;

#[derive(Clone)]
pub struct HttpState {
    pub services: Services,
    pub sessions: Arc<SessionCache>,
    pub rate_limits: Arc<RateLimits>,
}

impl HttpState {
    pub fn new(services: Services) -> Self {
        let security = &services.settings.security;
        Self {
            rate_limits: Arc::new(RateLimits::new(security)),
            sessions: Arc::new(SessionCache::new(security.session_cache_seconds)),
            services,
        }
    }
}

impl Deref for HttpState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}
