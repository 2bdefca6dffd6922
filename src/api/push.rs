//! Web Push subscriptions: the server's public key, and a device subscribing or leaving.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json, types::Example};

use super::{ApiTags, security::Auth, types::Done};
use crate::{domain::push::check_endpoint, error::AppError, state::AppState, store};

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
    pub p256dh: String,
    /// base64url auth secret of the browser.
    #[oai(validator(max_length = 100))]
    pub auth: String,
}

/// The browser's `PushSubscription.toJSON()`.
#[derive(Debug, Object)]
#[oai(example)]
pub struct SubscribeRequest {
    #[oai(validator(max_length = 1000))]
    pub endpoint: String,
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
pub struct UnsubscribeRequest {
    #[oai(validator(max_length = 1000))]
    pub endpoint: String,
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
    #[oai(path = "/public-key", method = "get")]
    async fn public_key(
        &self,
        state: Data<&AppState>,
    ) -> Result<Json<PublicKeyResponse>, AppError> {
        Ok(Json(PublicKeyResponse {
            public_key: state.pusher.public_key(),
        }))
    }

    /// Subscribe this device
    ///
    /// Only endpoints of known push services over https are accepted
    /// (`endpoint_not_allowed`), so the server cannot be made to call internal hosts.
    #[oai(path = "/subscriptions", method = "post")]
    async fn subscribe(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<SubscribeRequest>,
    ) -> Result<SubscribeResponse, AppError> {
        let caller = auth.user();
        let push = &state.settings.push;
        check_endpoint(&body.endpoint, &push.allowed_hosts, push.allow_insecure).map_err(
            |err| AppError::invalid("endpoint", "endpoint_not_allowed", format!("{err}.")),
        )?;
        let key_length = |value: &str| {
            URL_SAFE_NO_PAD
                .decode(value.trim_end_matches('='))
                .map(|bytes| bytes.len())
                .unwrap_or(0)
        };
        if key_length(&body.keys.p256dh) != 65 || key_length(&body.keys.auth) != 16 {
            return Err(AppError::invalid(
                "keys",
                "invalid_subscription_keys",
                "The subscription keys are not a P-256 key and a 16-byte secret.",
            ));
        }
        let subscription = store::push::upsert_subscription(
            &state.db,
            caller.id,
            &body.endpoint,
            &body.keys.p256dh,
            &body.keys.auth,
            state.clock.now(),
        )
        .await?;
        Ok(SubscribeResponse::Created(Json(SubscriptionResponse {
            id: subscription.id,
        })))
    }

    /// Unsubscribe a device
    #[oai(path = "/subscriptions", method = "delete")]
    async fn unsubscribe(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<UnsubscribeRequest>,
    ) -> Result<Done, AppError> {
        if store::push::delete_subscription(&state.db, auth.user().id, &body.endpoint).await? {
            Ok(Done::Done)
        } else {
            Err(AppError::not_found("subscription"))
        }
    }
}
