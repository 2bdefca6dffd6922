//! In-process rate limits for the authentication endpoints (GCRA via `governor`), keyed by
//! client address and by the e-mail address typed in. Keys are the submitted address whether
//! or not an account exists, so a 429 reveals nothing about accounts.

use std::{net::IpAddr, num::NonZeroU32};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::app::{config::SecuritySettings, error::AppError};

pub struct RateLimits {
    auth_per_client: DefaultKeyedRateLimiter<IpAddr>,
    login_per_account: DefaultKeyedRateLimiter<String>,
    /// Checks of a logged-in user's current password (changing it): as many as logins.
    current_password_per_account: DefaultKeyedRateLimiter<i32>,
    forgot_per_account: DefaultKeyedRateLimiter<String>,
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(settings: &SecuritySettings) -> Self {
        let forgot_per_hour = NonZeroU32::new(settings.forgot_password_per_account_per_hour)
            .unwrap_or(NonZeroU32::MIN);
        Self {
            auth_per_client: RateLimiter::keyed(per_minute(
                settings.auth_requests_per_client_per_minute,
            )),
            login_per_account: RateLimiter::keyed(per_minute(
                settings.login_attempts_per_account_per_minute,
            )),
            current_password_per_account: RateLimiter::keyed(per_minute(
                settings.login_attempts_per_account_per_minute,
            )),
            forgot_per_account: RateLimiter::keyed(Quota::per_hour(forgot_per_hour)),
        }
    }

    pub fn check_client(&self, client: IpAddr) -> Result<(), AppError> {
        check(&self.auth_per_client, &client)
    }

    pub fn check_login(&self, email: &str) -> Result<(), AppError> {
        check(&self.login_per_account, &email.to_string())
    }

    /// Before checking a logged-in user's current password: guessing it costs as much as
    /// guessing at the login.
    pub fn check_current_password(&self, user_id: i32) -> Result<(), AppError> {
        check(&self.current_password_per_account, &user_id)
    }

    pub fn check_forgot(&self, email: &str) -> Result<(), AppError> {
        check(&self.forgot_per_account, &email.to_string())
    }

    /// Forgets keys whose limits have fully recovered, so memory stays bounded.
    pub fn forget_idle_keys(&self) {
        self.auth_per_client.retain_recent();
        self.login_per_account.retain_recent();
        self.current_password_per_account.retain_recent();
        self.forgot_per_account.retain_recent();
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(per_minute: u32) -> SecuritySettings {
        SecuritySettings {
            session_days: 1,
            session_idle_days: 1,
            two_factor_required_for_staff: false,
            session_cache_seconds: 0,
            activation_token_days: 1,
            reset_token_minutes: 60,
            consent_version: "v1".into(),
            login_attempts_per_account_per_minute: per_minute,
            auth_requests_per_client_per_minute: per_minute,
            forgot_password_per_account_per_hour: per_minute,
        }
    }

    #[test]
    fn the_attempt_over_the_limit_is_refused_with_a_wait() {
        let limits = RateLimits::new(&settings(3));
        for _ in 0..3 {
            limits.check_login("a@b.nl").unwrap();
        }
        match limits.check_login("a@b.nl") {
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        // Other accounts are not affected.
        limits.check_login("c@d.nl").unwrap();
    }
}
