//! Web Push: the VAPID key pair (made once, kept in the database), encryption and signing
//! with the web-push crate, and sending with our own HTTP client so that timeouts, status
//! codes and Retry-After are ours to handle (web-push's clients lose them).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::DatabaseConnection;
pub use web_push::Urgency;
use web_push::{
    ContentEncoding, SubscriptionInfo, VapidSignature, VapidSignatureBuilder,
    WebPushMessageBuilder, request_builder::build_request,
};

use super::devices::Device;
use crate::{app::config::Settings, platform::keys};

const VAPID_KEY_NAME: &str = "vapid_private_key";
/// A signed VAPID token is reused per push service for this long (its `exp` is 12 hours).
const SIGNATURE_REUSE: Duration = Duration::from_secs(3600);
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// One push message to one device, as a feature's handler builds it.
#[derive(Debug, Clone)]
pub struct PushMessage {
    pub subscription_id: i32,
    /// The JSON the service worker shows; keep it to a few hundred bytes.
    pub payload: serde_json::Value,
    /// Sent instead when a push service says `payload` is too large (413).
    pub minimal_payload: serde_json::Value,
    /// A newer message with the same topic replaces an undelivered older one.
    pub topic: Option<String>,
    pub urgency: Urgency,
    /// How long the push service keeps it while the device is offline.
    pub ttl_seconds: u32,
}

/// What a push service answered.
#[derive(Debug, PartialEq, Eq)]
pub enum PushOutcome {
    Delivered,
    /// 404/410: the subscription no longer exists; forget it.
    Gone,
    /// 429: try again after the given time.
    RetryAfter(Duration),
    /// 5xx or no answer: try again later.
    Transient(String),
    /// Any other refusal: trying again will not help.
    Permanent(String),
}

pub struct Pusher {
    private_key: String,
    public_key: Vec<u8>,
    subject: String,
    client: reqwest::Client,
    signatures: Mutex<HashMap<String, (VapidSignature, Instant)>>,
}

impl Pusher {
    /// Uses `push.vapid_private_key`, or the key kept in the database, made at first start.
    pub async fn load_or_create(
        db: &DatabaseConnection,
        settings: &Settings,
    ) -> anyhow::Result<Self> {
        let configured = settings.push.vapid_private_key.expose();
        let private_key = if configured.is_empty() {
            keys::key_or_create(db, VAPID_KEY_NAME, new_private_key, chrono::Utc::now()).await?
        } else {
            configured.to_string()
        };
        let public_key = VapidSignatureBuilder::from_base64_no_sub(&private_key)
            .map_err(|err| anyhow::anyhow!("push.vapid_private_key is not a P-256 key: {err}"))?
            .get_public_key();
        Ok(Self {
            private_key,
            public_key,
            subject: settings.push_subject(),
            client: reqwest::Client::builder()
                .timeout(SEND_TIMEOUT)
                .pool_max_idle_per_host(32)
                .build()?,
            signatures: Mutex::new(HashMap::new()),
        })
    }

    /// The application server key browsers subscribe with (base64url, uncompressed point).
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public_key)
    }

    /// Encrypts the message for one device (RFC 8291, aes128gcm), signs (RFC 8292) and
    /// sends it; on 413 it tries once more with the minimal payload.
    pub async fn send(&self, device: &Device, message: &PushMessage) -> PushOutcome {
        match self.send_once(device, message, &message.payload).await {
            Err(SendFailure::TooLarge) => match self
                .send_once(device, message, &message.minimal_payload)
                .await
            {
                Err(SendFailure::TooLarge) => PushOutcome::Permanent("payload too large".into()),
                Err(SendFailure::Outcome(outcome)) => outcome,
                Ok(()) => PushOutcome::Delivered,
            },
            Err(SendFailure::Outcome(outcome)) => outcome,
            Ok(()) => PushOutcome::Delivered,
        }
    }

    async fn send_once(
        &self,
        device: &Device,
        message: &PushMessage,
        payload: &serde_json::Value,
    ) -> Result<(), SendFailure> {
        let info = SubscriptionInfo::new(
            device.endpoint.clone(),
            device.p256dh.clone(),
            device.auth.clone(),
        );
        let payload = serde_json::to_vec(payload).map_err(permanent)?;
        let mut builder = WebPushMessageBuilder::new(&info);
        builder.set_payload(ContentEncoding::Aes128Gcm, &payload);
        builder.set_ttl(message.ttl_seconds);
        builder.set_urgency(message.urgency);
        if let Some(topic) = &message.topic {
            builder.set_topic(topic.clone());
        }
        builder.set_vapid_signature(self.signature(&info).map_err(permanent)?);
        let message = builder.build().map_err(permanent)?;
        let request = build_request::<Vec<u8>>(message);
        let mut outgoing = self.client.post(&device.endpoint);
        for (name, value) in request.headers() {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        let response = outgoing
            .body(request.into_body())
            .send()
            .await
            .map_err(|err| {
                SendFailure::Outcome(PushOutcome::Transient(format!(
                    "push service unreachable: {err}"
                )))
            })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(()),
            404 | 410 => Err(SendFailure::Outcome(PushOutcome::Gone)),
            413 => Err(SendFailure::TooLarge),
            429 => {
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.trim().parse::<u64>().ok())
                    .unwrap_or(60);
                Err(SendFailure::Outcome(PushOutcome::RetryAfter(
                    Duration::from_secs(wait.clamp(1, 3600)),
                )))
            }
            500..=599 => Err(SendFailure::Outcome(PushOutcome::Transient(format!(
                "push service answered {status}"
            )))),
            _ => Err(SendFailure::Outcome(PushOutcome::Permanent(format!(
                "push service answered {status}"
            )))),
        }
    }

    /// A VAPID signature for the endpoint's origin, reused for an hour.
    fn signature(&self, info: &SubscriptionInfo) -> anyhow::Result<VapidSignature> {
        let url = url::Url::parse(&info.endpoint)?;
        let origin = url.origin().ascii_serialization();
        let mut cache = self.signatures.lock().expect("signature cache lock");
        if let Some((signature, made)) = cache.get(&origin)
            && made.elapsed() < SIGNATURE_REUSE
        {
            return Ok(signature.clone());
        }
        let mut builder = VapidSignatureBuilder::from_base64(&self.private_key, info)?;
        builder.add_claim("aud", origin.clone());
        builder.add_claim("sub", self.subject.clone());
        let expires = chrono::Utc::now().timestamp() + 12 * 3600;
        builder.add_claim("exp", expires);
        let signature = builder.build()?;
        cache.insert(origin, (signature.clone(), Instant::now()));
        Ok(signature)
    }
}

enum SendFailure {
    TooLarge,
    Outcome(PushOutcome),
}

fn permanent(err: impl std::fmt::Display) -> SendFailure {
    SendFailure::Outcome(PushOutcome::Permanent(format!(
        "building the message: {err}"
    )))
}

/// A new P-256 private key, base64url (the form web-push reads).
fn new_private_key() -> anyhow::Result<String> {
    let (key_pair, _) = ece::generate_keypair_and_auth_secret()?;
    let components = key_pair.raw_components()?;
    // OpenSSL drops leading zero bytes; the key is a 32-byte big-endian scalar.
    let raw = components.private_key();
    let mut scalar = [0u8; 32];
    scalar[32 - raw.len()..].copy_from_slice(raw);
    Ok(URL_SAFE_NO_PAD.encode(scalar))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_gives_an_uncompressed_public_point() {
        let private_key = new_private_key().unwrap();
        let public_key = VapidSignatureBuilder::from_base64_no_sub(&private_key)
            .unwrap()
            .get_public_key();
        assert_eq!(public_key.len(), 65);
        assert_eq!(public_key[0], 4);
    }
}
