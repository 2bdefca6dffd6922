//! What every request handler and background job shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::{
    api::{rate_limit::RateLimits, session_cache::SessionCache},
    clock::Clock,
    config::Settings,
    delivery::{mail::Mailer, push::Pusher, templates::MailTemplates},
    domain::unsubscribe::UnsubscribeLinks,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub mailer: Arc<Mailer>,
    pub templates: Arc<MailTemplates>,
    pub pusher: Arc<Pusher>,
    pub unsubscribe_links: Arc<UnsubscribeLinks>,
    /// Wakes the delivery worker when new outbox rows were committed.
    pub outbox_wakeup: Arc<Notify>,
    pub rate_limits: Arc<RateLimits>,
    pub sessions: Arc<SessionCache>,
}
