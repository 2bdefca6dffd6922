//! The notifications API: the server's push key and devices subscribing or leaving
//! (`/push`), one's e-mail settings (`/me/notifications`), and the one-click unsubscribe link
//! of subscription mail (`/unsubscribe`, no login).

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::Example,
};

use crate::http::error::{ApiError, Lookup, NoErrors, error_sets};
use crate::{
    app::error::AppError,
    features::notifications::{self, EmailSetting},
    http::types::{Text, UriText},
    http::{ApiTags, client::ClientIp, security::Auth, state::HttpState, types::Done},
    platform::outbox::devices::NewDevice,
};

pub struct PushApi;

#[derive(Debug, Object)]
pub struct PublicKeyResponse {
    /// The VAPID application server key (base64url), for `pushManager.subscribe`.
    pub public_key: String,
}

#[derive(Debug, Object)]
pub struct SubscriptionKeys {
    /// base64url P-256 public key of the browser.
    #[oai(validator(max_length = 200))]
    pub p256dh: Text,
    /// base64url auth secret of the browser.
    #[oai(validator(max_length = 100))]
    pub auth: Text,
}

/// The browser's `PushSubscription.toJSON()`.
#[derive(Debug, Object)]
#[oai(example)]
pub struct SubscribeRequest {
    #[oai(validator(max_length = 1000))]
    pub endpoint: UriText,
    pub keys: SubscriptionKeys,
}

impl Example for SubscribeRequest {
    fn example() -> Self {
        Self {
            endpoint: "https://fcm.googleapis.com/fcm/send/dGhpcyBpcyBhbiBleGFtcGxl".into(),
            keys: SubscriptionKeys {
                p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM".into(),
                auth: "tBHItJI5svbpez7KI4CCXg".into(),
            },
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct UnsubscribeRequest {
    #[oai(validator(max_length = 1000))]
    pub endpoint: UriText,
}

impl Example for UnsubscribeRequest {
    fn example() -> Self {
        Self {
            endpoint: "https://fcm.googleapis.com/fcm/send/abc123".into(),
        }
    }
}

#[derive(Debug, Object)]
pub struct SubscriptionResponse {
    pub id: i32,
}

#[derive(ApiResponse)]
pub enum SubscribeResponse {
    /// Subscribed (or updated, when the device was subscribed already).
    #[oai(status = 201)]
    Created(Json<SubscriptionResponse>),
}

#[OpenApi(prefix_path = "/push", tag = "ApiTags::Push")]
impl PushApi {
    /// The server's push key
    #[oai(path = "/public-key", method = "get", operation_id = "public_key")]
    async fn public_key(
        &self,
        state: Data<&HttpState>,
    ) -> Result<Json<PublicKeyResponse>, ApiError<NoErrors>> {
        Ok(Json(PublicKeyResponse {
            public_key: state.pusher.public_key(),
        }))
    }

    /// Subscribe this device
    ///
    /// Only endpoints of known push services over https are accepted
    /// (`endpoint_not_allowed`), so the server cannot be made to call internal hosts.
    #[oai(
        path = "/subscriptions",
        method = "post",
        operation_id = "subscribe_device"
    )]
    async fn subscribe(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<SubscribeRequest>,
    ) -> Result<SubscribeResponse, ApiError<SubscribeErrors>> {
        let device = NewDevice {
            endpoint: &body.endpoint,
            p256dh: &body.keys.p256dh,
            auth: &body.keys.auth,
        };
        let device = notifications::subscribe_device(&state, &auth.user().actor(), device).await?;
        Ok(SubscribeResponse::Created(Json(SubscriptionResponse {
            id: device.id,
        })))
    }

    /// Unsubscribe a device
    #[oai(
        path = "/subscriptions",
        method = "delete",
        operation_id = "unsubscribe_device"
    )]
    async fn unsubscribe(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        body: Json<UnsubscribeRequest>,
    ) -> Result<Done, ApiError<Lookup>> {
        notifications::unsubscribe_device(&state, &auth.user().actor(), &body.endpoint).await?;
        Ok(Done::Done)
    }
}

error_sets! {
    SubscribeErrors { 400 => &["endpoint_not_allowed", "invalid_subscription_keys"] }
}

pub struct EmailSettingsApi;

#[derive(Debug, Object)]
pub struct NotificationSetting {
    /// `urgent`, `messages`, `news`, `photo_albums`, `conferences`.
    pub kind: String,
    pub enabled: bool,
    /// False for urgent notices: they always arrive.
    pub can_change: bool,
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct NotificationChange {
    pub enabled: bool,
}

impl Example for NotificationChange {
    fn example() -> Self {
        Self { enabled: false }
    }
}

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Account")]
impl EmailSettingsApi {
    /// My notification e-mails
    ///
    /// Which kinds of e-mail I get. Switching one off means staying informed in the app.
    /// Notice e-mails go to parents: for staff the list is empty.
    #[oai(
        path = "/notifications",
        method = "get",
        operation_id = "notification_settings"
    )]
    async fn notifications(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
    ) -> Result<Json<Vec<NotificationSetting>>, ApiError<NoErrors>> {
        let settings = notifications::email_settings(&state, &auth.user().actor()).await?;
        Ok(Json(settings.into_iter().map(Into::into).collect()))
    }

    /// Switch a kind of notification e-mail on or off
    ///
    /// Urgent notices cannot be switched off (409 `urgent_always_on`).
    #[oai(
        path = "/notifications/:kind",
        method = "put",
        operation_id = "change_notification"
    )]
    async fn change_notification(
        &self,
        state: Data<&HttpState>,
        auth: Auth,
        kind: Path<String>,
        body: Json<NotificationChange>,
    ) -> Result<Json<Vec<NotificationSetting>>, ApiError<EmailSettingErrors>> {
        let settings =
            notifications::set_email_setting(&state, &auth.user().actor(), &kind.0, body.enabled)
                .await?;
        Ok(Json(settings.into_iter().map(Into::into).collect()))
    }
}

error_sets! {
    EmailSettingErrors { 404 => &["not_found"], 409 => &["urgent_always_on"] }
}

impl From<EmailSetting> for NotificationSetting {
    fn from(setting: EmailSetting) -> Self {
        Self {
            kind: setting.kind.into(),
            enabled: setting.enabled,
            can_change: setting.can_change,
        }
    }
}

pub struct UnsubscribeApi;

#[derive(Debug, Object)]
pub struct UnsubscribedResponse {
    /// The kind of e-mail that is now off: `messages` (the digest) or `news`.
    pub kind: String,
}

#[OpenApi(tag = "ApiTags::Schedule")]
impl UnsubscribeApi {
    /// Switch a kind of e-mail off from the link in that e-mail (no login)
    ///
    /// The one-click target of the digest's and news batch's `List-Unsubscribe` header
    /// (RFC 8058: mail programs POST `List-Unsubscribe=One-Click`; the body is not needed).
    /// The token names one parent and one kind of e-mail and switches off only that; urgent
    /// notices cannot be switched off. A link works for a year, for the address it was sent
    /// to. Error: `invalid_unsubscribe_link` (400).
    #[oai(
        path = "/unsubscribe",
        method = "post",
        operation_id = "unsubscribe_by_link"
    )]
    async fn unsubscribe(
        &self,
        state: Data<&HttpState>,
        client: ClientIp,
        /// From the link in the e-mail.
        #[oai(validator(max_length = 200))]
        token: Query<String>,
    ) -> Result<Json<UnsubscribedResponse>, ApiError<UnsubscribeLinkErrors>> {
        match notifications::unsubscribe_by_link(&state, &token.0).await? {
            Some(kind) => Ok(Json(UnsubscribedResponse { kind })),
            // Valid links are not limited: one-click unsubscribes of many parents come from
            // the few addresses of their mail providers. Only invalid links count, against
            // guessing.
            None => Err(state
                .rate_limits
                .check_client(client.0)
                .err()
                .unwrap_or_else(|| {
                    AppError::invalid(
                        "token",
                        "invalid_unsubscribe_link",
                        "This unsubscribe link is not valid. Switch e-mails off in the app under \
                 My account instead.",
                    )
                })
                .into()),
        }
    }
}

error_sets! {
    UnsubscribeLinkErrors { 400 => &["invalid_unsubscribe_link"], 429 => &["rate_limited"] }
}
