//! What every request handler gets: the application's `Services`, plus what only the HTTP
//! layer needs (the session cache and the rate limits).

use std::{ops::Deref, sync::Arc};

use super::{client::TrustedProxies, rate_limit::RateLimits, session_cache::SessionCache};
use crate::platform::services::Services;

#[derive(Clone)]
pub struct HttpState {
    pub services: Services,
    pub sessions: Arc<SessionCache>,
    pub rate_limits: Arc<RateLimits>,
    /// Whose forwarded client addresses are believed (`server.trusted_proxies`).
    pub trusted_proxies: Arc<TrustedProxies>,
}

impl HttpState {
    pub fn new(services: Services) -> anyhow::Result<Self> {
        let security = &services.settings.security;
        let trusted_proxies = TrustedProxies::parse(&services.settings.server.trusted_proxies)
            .map_err(|entry| {
                anyhow::anyhow!("server.trusted_proxies: '{entry}' is no address or network")
            })?;
        Ok(Self {
            trusted_proxies: Arc::new(trusted_proxies),
            rate_limits: Arc::new(RateLimits::new(security)),
            sessions: Arc::new(SessionCache::new(security.session_cache_seconds)),
            services,
        })
    }
}

impl Deref for HttpState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}
