//! A push service for tests, as browsers' push services behave (RFC 8030): it checks the
//! VAPID token (ES256 signature, `aud` = its origin, `exp` at most 24 h ahead, `sub`), the
//! TTL/Urgency headers and decrypts the RFC 8291 aes128gcm payload with the device's private
//! key. It can be told to answer a device's next requests with an error (410, 429, 500 ...).

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jwt_simple::prelude::*;
use poem::{
    EndpointExt, Request, Response, Route, Server, handler,
    http::StatusCode,
    listener::TcpAcceptor,
    post,
    web::{Data, Path},
};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct ReceivedPush {
    pub device: String,
    pub urgency: Option<String>,
    pub ttl: u32,
    pub topic: Option<String>,
    pub notice: Value,
    pub received_at: std::time::Instant,
}

/// A browser's subscription: its endpoint and keys, and the private key to decrypt with.
pub struct Device {
    pub name: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

#[derive(Default)]
struct Inner {
    keys: HashMap<String, (ece::crypto::EcKeyComponents, Vec<u8>)>,
    received: Vec<ReceivedPush>,
    replies: HashMap<String, VecDeque<(u16, Option<&'static str>)>>,
    /// The forced answers given so far: device, status and when.
    answered: Vec<(String, u16, std::time::Instant)>,
    rejected: Vec<String>,
    /// How long the service works on a request before it accepts it.
    processing_time: Duration,
}

#[derive(Clone)]
pub struct PushService {
    pub origin: String,
    inner: Arc<Mutex<Inner>>,
}

impl PushService {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let service = Self {
            origin: format!("http://127.0.0.1:{port}"),
            inner: Arc::default(),
        };
        let app = Route::new()
            .at("/push/:device", post(receive))
            .data(service.clone());
        tokio::spawn(
            Server::new_with_acceptor(TcpAcceptor::from_tokio(listener).unwrap()).run(app),
        );
        service
    }

    /// A new device subscribed at this service.
    pub fn device(&self, name: &str) -> Device {
        let (key_pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        let components = key_pair.raw_components().unwrap();
        let device = Device {
            name: name.into(),
            endpoint: format!("{}/push/{name}", self.origin),
            p256dh: URL_SAFE_NO_PAD.encode(key_pair.pub_as_raw().unwrap()),
            auth: URL_SAFE_NO_PAD.encode(auth),
        };
        self.inner
            .lock()
            .unwrap()
            .keys
            .insert(name.into(), (components, auth.to_vec()));
        device
    }

    /// Every request takes this long before it is accepted and answered (a busy service).
    pub fn set_processing_time(&self, processing_time: Duration) {
        self.inner.lock().unwrap().processing_time = processing_time;
    }

    /// The next request for `device` is answered with `status` (and Retry-After).
    pub fn answer_next(&self, device: &str, status: u16, retry_after: Option<&'static str>) {
        self.inner
            .lock()
            .unwrap()
            .replies
            .entry(device.into())
            .or_default()
            .push_back((status, retry_after));
    }

    /// The answers forced with `answer_next` that were given: device, status and when.
    pub fn answered(&self) -> Vec<(String, u16, std::time::Instant)> {
        self.inner.lock().unwrap().answered.clone()
    }

    pub fn received(&self) -> Vec<ReceivedPush> {
        self.inner.lock().unwrap().received.clone()
    }

    pub fn received_by(&self, device: &str) -> Vec<ReceivedPush> {
        self.received()
            .into_iter()
            .filter(|push| push.device == device)
            .collect()
    }

    /// Requests the service refused because signature or encryption were wrong.
    pub fn rejected(&self) -> Vec<String> {
        self.inner.lock().unwrap().rejected.clone()
    }

    /// Waits up to 10 s until `count` pushes have arrived in all.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedPush> {
        for _ in 0..500 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "expected {count} pushes, got {}; rejected: {:?}",
            self.received().len(),
            self.rejected()
        );
    }
}

fn check_vapid(req: &Request, origin: &str) -> Result<(), String> {
    let header = req
        .header("authorization")
        .ok_or("no Authorization header")?;
    let rest = header
        .strip_prefix("vapid ")
        .ok_or("not a vapid Authorization")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(value) = part.strip_prefix("t=") {
            token = Some(value.to_string());
        } else if let Some(value) = part.strip_prefix("k=") {
            key = Some(value.to_string());
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    let key_bytes = URL_SAFE_NO_PAD.decode(key).map_err(|e| e.to_string())?;
    let public_key = ES256PublicKey::from_bytes(&key_bytes).map_err(|e| e.to_string())?;
    let options = VerificationOptions {
        allowed_audiences: Some(HashSet::from_strings(&[origin])),
        ..Default::default()
    };
    let claims = public_key
        .verify_token::<NoCustomClaims>(&token, Some(options))
        .map_err(|e| format!("VAPID token: {e}"))?;
    let expires = claims.expires_at.ok_or("no exp")?.as_secs();
    let now = jwt_simple::prelude::Clock::now_since_epoch().as_secs();
    if expires > now + 24 * 3600 {
        return Err(format!("exp {expires} is more than 24 h ahead"));
    }
    let subject = claims.subject.ok_or("no sub")?;
    if !(subject.starts_with("mailto:") || subject.starts_with("https:")) {
        return Err(format!("sub {subject} is no mailto:/https: URL"));
    }
    Ok(())
}

#[handler]
async fn receive(
    req: &Request,
    Path(device): Path<String>,
    body: Vec<u8>,
    Data(service): Data<&PushService>,
) -> Response {
    let processing_time = service.inner.lock().unwrap().processing_time;
    tokio::time::sleep(processing_time).await;
    let forced = service
        .inner
        .lock()
        .unwrap()
        .replies
        .get_mut(&device)
        .and_then(VecDeque::pop_front);
    if let Some((status, retry_after)) = forced {
        service.inner.lock().unwrap().answered.push((
            device.clone(),
            status,
            std::time::Instant::now(),
        ));
        let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
        if let Some(retry_after) = retry_after {
            response = response.header("Retry-After", retry_after);
        }
        return response.finish();
    }
    let outcome = (|| -> Result<ReceivedPush, String> {
        check_vapid(req, &service.origin)?;
        if req.header("content-encoding") != Some("aes128gcm") {
            return Err("Content-Encoding must be aes128gcm".into());
        }
        let ttl: u32 = req
            .header("ttl")
            .ok_or("no TTL")?
            .parse()
            .map_err(|_| "bad TTL")?;
        let keys = service
            .inner
            .lock()
            .unwrap()
            .keys
            .get(&device)
            .map(|(c, a)| (c.clone(), a.clone()));
        let (components, auth) = keys.ok_or("unknown device")?;
        let plaintext =
            ece::decrypt(&components, &auth, &body).map_err(|e| format!("decrypting: {e}"))?;
        Ok(ReceivedPush {
            device: device.clone(),
            urgency: req.header("urgency").map(str::to_string),
            ttl,
            topic: req.header("topic").map(str::to_string),
            notice: serde_json::from_slice(&plaintext).map_err(|e| e.to_string())?,
            received_at: std::time::Instant::now(),
        })
    })();
    let mut inner = service.inner.lock().unwrap();
    match outcome {
        Ok(push) => {
            inner.received.push(push);
            Response::builder().status(StatusCode::CREATED).finish()
        }
        Err(reason) => {
            inner.rejected.push(reason.clone());
            Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .body(json!({ "reason": reason }).to_string())
        }
    }
}
