//! A short-lived in-process cache of authenticated sessions, so an authenticated request
//! needs no database round-trip. Every change to a user or a session in this process
//! invalidates the affected entries at once; other processes sharing the database see a
//! change (logout, disabling, a new password) after at most `security.session_cache_seconds`.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use moka::sync::Cache;

use crate::entities::users::Model as User;

/// What a valid session token stands for.
#[derive(Clone, Debug)]
pub struct CachedSession {
    pub session_id: i32,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user: User,
    /// Whether the account has two-step login on.
    pub two_factor_on: bool,
}

pub struct SessionCache {
    /// Keyed by the token's digest, as in the database.
    entries: Option<Cache<String, Arc<CachedSession>>>,
}

impl SessionCache {
    /// `lifetime_secs` 0 turns the cache off.
    pub fn new(lifetime_secs: u64) -> Self {
        let entries = (lifetime_secs > 0).then(|| {
            Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(lifetime_secs))
                .support_invalidation_closures()
                .build()
        });
        Self { entries }
    }

    pub fn get(&self, token_digest: &str) -> Option<Arc<CachedSession>> {
        self.entries.as_ref()?.get(token_digest)
    }

    pub fn insert(&self, token_digest: String, session: Arc<CachedSession>) {
        if let Some(entries) = &self.entries {
            entries.insert(token_digest, session);
        }
    }

    /// Forgets one session (logout).
    pub fn forget_session(&self, session_id: i32) {
        self.forget_where(move |cached| cached.session_id == session_id);
    }

    /// Forgets every session of a user (new password, disabled, profile changed).
    pub fn forget_user(&self, user_id: i32) {
        self.forget_where(move |cached| cached.user.id == user_id);
    }

    fn forget_where(&self, matches: impl Fn(&CachedSession) -> bool + Send + Sync + 'static) {
        if let Some(entries) = &self.entries {
            // Only fails when closures are not enabled, which `new` always does.
            let _ = entries.invalidate_entries_if(move |_, cached| matches(cached));
        }
    }
}
