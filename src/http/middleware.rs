//! HTTP plumbing around every route: request ids and access logs, security headers, the
//! request body limit.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};

use futures_util::StreamExt;
use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
};
use tracing::Instrument;

use super::{api::contract::KNOWN_METHODS, client::ClientIp, error::method_not_allowed};
use crate::{app::error::AppError, platform::text::is_refused_control};

const REQUEST_ID: &str = "x-request-id";

/// Default headers that keep browsers from sniffing, framing or leaking.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'",
    ),
];

/// Sent over HTTPS (with `server.secure_cookies`): browsers use only HTTPS for a year.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Adds the console's Content-Security-Policy to each of its pages, made from the page: its
/// inline scripts are allowed by their SHA-256, not by 'unsafe-inline'. Styles stay
/// inline-allowed, because Swagger UI sets style attributes, which no hash covers. (Admins
/// open the console now and then: hashing the page each time costs a few milliseconds.)
pub async fn console_security_policy<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let response = next.call(req).await?.into_response();
    let is_html = response
        .content_type()
        .is_some_and(|content_type| content_type.starts_with("text/html"));
    if !is_html {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let page = body.into_bytes().await?;
    let hashes: String = inline_scripts(&page)
        .map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    );
    let mut response = Response::from_parts(parts, Body::from(page));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Ok(response)
}

/// The contents of a page's inline `<script>` elements.
fn inline_scripts(page: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = page;
    std::iter::from_fn(move || {
        let start = find(rest, b"<script")?;
        let open_end = start + find(&rest[start..], b">")? + 1;
        let close = open_end + find(&rest[open_end..], b"</script>")?;
        let script = &rest[open_end..close];
        rest = &rest[close + b"</script>".len()..];
        Some(script)
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A request's path as logged: a calendar feed's URL is its credential, so its secret is
/// left out.
fn logged_path(path: &str) -> &str {
    if path.starts_with(FEED_PATH) {
        FEED_PATH
    } else {
        path
    }
}

const FEED_PATH: &str = "/api/agenda/feed/";

/// Gives every request an id (its own, or the caller's `X-Request-Id` if it is sane) and its
/// client's address, runs it in a tracing span with both, logs the outcome, and adds the
/// security headers (HSTS with `https_only`, `Cache-Control: no-store` on the API).
pub async fn request_context<E: Endpoint>(
    next: E,
    mut req: Request,
    client: ClientIp,
    https_only: bool,
) -> poem::Result<Response> {
    req.extensions_mut().insert(client);
    let request_id = req
        .header(REQUEST_ID)
        .filter(|id| id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // API answers carry personal data: no browser or proxy cache keeps them (the app's
    // service worker keeps its own offline copy). The console and the spec are public.
    let path = req.uri().path();
    let personal =
        path.starts_with("/api/") && !path.starts_with("/api/docs") && path != "/api/openapi.json";
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %logged_path(req.uri().path()),
        client = %client.0,
    );
    async move {
        let started = Instant::now();
        let mut response = match next.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => err.into_response(),
        };
        let status = response.status();
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), elapsed_ms, "request finished");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "request finished");
        }
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            headers.insert(REQUEST_ID, value);
        }
        for (name, value) in SECURITY_HEADERS {
            let name = HeaderName::from_static(name);
            if !headers.contains_key(&name) {
                headers.insert(name, HeaderValue::from_static(value));
            }
        }
        // An answer may say how it is kept (a calendar feed: kept, but asked again).
        if personal && !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if https_only {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
            );
        }
        Ok(response)
    }
    .instrument(span)
    .await
}

/// Request body limits: small for JSON, larger for uploads; and how long a body may stall.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    pub json: usize,
    pub imports: usize,
    pub attachments: usize,
    pub documents: usize,
    pub photos: usize,
    pub album_photos: usize,
    pub stall: Duration,
}

/// Bytes beyond the limit still read before a 413 is sent.
const DRAIN_AT_MOST: u64 = 4 * 1024 * 1024;
const DRAIN_SECONDS: Duration = Duration::from_secs(5);

/// Refuses bodies over the limit with 413: by `Content-Length` when given, otherwise while a
/// chunked body streams through (it is never held in memory here, so uploads stay streamed).
/// A body that stalls longer than `limits.stall` between two pieces is cut off with 408, so a
/// slow client cannot hold a request open. Requests without a body pass untouched (poem's
/// `SizeLimit` would answer them 411).
pub async fn limit_body<E: Endpoint>(
    next: E,
    mut req: Request,
    limits: BodyLimits,
) -> poem::Result<Response> {
    let path = req.uri().path();
    let max_bytes = if path.starts_with("/api/imports") {
        limits.imports
    } else if path.ends_with("/attachments") {
        limits.attachments
    } else if path.ends_with("/photo") {
        limits.photos
    } else if path.starts_with("/api/albums/") && path.ends_with("/photos") {
        limits.album_photos
    } else if path.starts_with("/api/documents/")
        && (path.ends_with("/documents") || path.ends_with("/versions"))
    {
        limits.documents
    } else {
        limits.json
    };
    let declared = req
        .header(header::CONTENT_LENGTH)
        .map(|length| length.parse::<u64>());
    let chunked = req.header(header::TRANSFER_ENCODING).is_some();
    match declared {
        Some(Ok(length)) if length > max_bytes as u64 => {
            // A client still writing its body when the connection closes sees a broken pipe,
            // not our 413: read (and drop) bodies that are only somewhat too large first.
            if length <= max_bytes as u64 + DRAIN_AT_MOST {
                let body = guarded(req.take_body(), usize::MAX, limits.stall, Trouble::new());
                let mut body = body.into_async_read();
                let _ = tokio::io::copy(&mut body, &mut tokio::io::sink()).await;
            }
            return Err(poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE));
        }
        Some(Ok(0)) | None if !chunked => {
            return next.call(req).await.map(IntoResponse::into_response);
        }
        Some(Ok(_)) | None => {}
        Some(Err(_)) => return Err(poem::Error::from_status(StatusCode::BAD_REQUEST)),
    }
    let trouble = Trouble::new();
    let body = guarded(req.take_body(), max_bytes, limits.stall, trouble.clone());
    req.set_body(body);
    let answer = next.call(req).await.map(IntoResponse::into_response);
    // The handler saw a broken body; the client gets the reason.
    if trouble.too_large.load(Ordering::Relaxed) {
        return Err(poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE));
    }
    if trouble.stalled.load(Ordering::Relaxed) {
        return Err(poem::Error::from_status(StatusCode::REQUEST_TIMEOUT));
    }
    answer
}

/// What went wrong with a guarded body, for the answer once the handler gave up on it.
#[derive(Clone, Default)]
struct Trouble {
    too_large: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
}

impl Trouble {
    fn new() -> Self {
        Self::default()
    }
}

/// `body`, failing once more than `max_bytes` went through or when no piece arrives within
/// `stall`; `trouble` tells which.
fn guarded(body: Body, max_bytes: usize, stall: Duration, trouble: Trouble) -> Body {
    let pieces = body.into_bytes_stream();
    let stream = futures_util::stream::unfold(
        (Box::pin(pieces), 0usize, false),
        move |(mut pieces, seen, failed)| {
            let trouble = trouble.clone();
            async move {
                if failed {
                    return None;
                }
                let piece = match tokio::time::timeout(stall, pieces.next()).await {
                    Err(_) => {
                        trouble.stalled.store(true, Ordering::Relaxed);
                        Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the request body stalled",
                        ))
                    }
                    Ok(None) => return None,
                    Ok(Some(piece)) => piece,
                };
                let seen = seen + piece.as_ref().map_or(0, |bytes| bytes.len());
                if piece.is_ok() && seen > max_bytes {
                    trouble.too_large.store(true, Ordering::Relaxed);
                    // As for a declared length: drop what follows before the 413, so the
                    // client reads the answer instead of a broken pipe.
                    // A trickling client gets at most DRAIN_SECONDS of that.
                    let drain = async {
                        let mut dropped = 0u64;
                        while dropped <= DRAIN_AT_MOST {
                            match pieces.next().await {
                                Some(Ok(bytes)) => dropped += bytes.len() as u64,
                                _ => break,
                            }
                        }
                    };
                    let _ = tokio::time::timeout(DRAIN_SECONDS, drain).await;
                    let too_large = std::io::Error::other("the request body is too large");
                    return Some((Err(too_large), (pieces, seen, true)));
                }
                let failed = piece.is_err();
                Some((piece, (pieces, seen, failed)))
            }
        },
    );
    Body::from_bytes_stream(stream)
}

/// For what is only read (health checks, the spec, the console, the web app's files): GET,
/// HEAD answered as GET without the body, and 405 naming both for anything else.
pub async fn read_only<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    match *req.method() {
        Method::GET => next.call(req).await.map(IntoResponse::into_response),
        Method::HEAD => {
            req.set_method(Method::GET);
            let mut response = next.call(req).await?.into_response();
            response.set_body(());
            Ok(response)
        }
        _ => Err(method_not_allowed(HeaderValue::from_static("GET, HEAD"))),
    }
}

/// Methods beyond the standard ones are 501 (RFC 9110 §15.6.2), so every 405 can name the
/// allowed methods in `Allow`.
pub async fn refuse_unknown_methods<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    if !KNOWN_METHODS.contains(req.method()) {
        return Err(poem::Error::from_status(StatusCode::NOT_IMPLEMENTED));
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// Refuses text with control characters (but line breaks and tabs) anywhere in a request:
/// in any string of a JSON body, in the path and in the query. Answered 400 `invalid_text`
/// naming the field (e.g. `emergency_contacts[0].relation`), before any handler runs, so no
/// text field of any operation lets one through, on SQLite and PostgreSQL alike.
pub async fn refuse_control_characters<E: Endpoint>(
    next: E,
    mut req: Request,
) -> poem::Result<Response> {
    let uri = req.uri();
    let in_address = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .chars()
        .any(is_refused_control)
        || uri.query().is_some_and(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .any(|(key, value)| key.chars().chain(value.chars()).any(is_refused_control))
        });
    if in_address {
        return Err(invalid_text("the address (path or query)".into()).into());
    }
    let is_json = req
        .content_type()
        .is_some_and(|content_type| content_type.starts_with("application/json"));
    if is_json {
        let bytes = req.take_body().into_bytes().await?;
        // Malformed JSON is left to the handler's parser and its answer.
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(field) = field_with_control_characters(&value, String::new())
        {
            return Err(invalid_text(field).into());
        }
        req.set_body(Body::from(bytes));
    }
    next.call(req).await.map(IntoResponse::into_response)
}

fn invalid_text(field: String) -> AppError {
    AppError::Invalid {
        code: "invalid_text",
        message: "Text may not contain control characters (line breaks and tabs are fine).".into(),
        field: Some(field.into()),
        violations: Vec::new(),
    }
}

/// The path of the first string in `value` with a refused control character.
fn field_with_control_characters(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::String(text) => text
            .chars()
            .any(is_refused_control)
            .then(|| if path.is_empty() { "body".into() } else { path }),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(index, item)| {
            field_with_control_characters(item, format!("{path}[{index}]"))
        }),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(name, item)| {
            let path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            field_with_control_characters(item, path)
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::field_with_control_characters;

    #[test]
    fn the_first_string_with_a_control_character_is_named() {
        let value = json!({
            "title": "Trip",
            "body": "Line one\nline two\ttabbed",
            "emergency_contacts": [{ "name": "Oma" }, { "name": "Opa", "relation": "a\u{0}b" }],
        });
        assert_eq!(
            field_with_control_characters(&value, String::new()).as_deref(),
            Some("emergency_contacts[1].relation")
        );
        assert_eq!(
            field_with_control_characters(&json!({ "body": "x\u{7f}" }), String::new()).as_deref(),
            Some("body")
        );
        assert_eq!(
            field_with_control_characters(&json!({ "body": "fine\r\n" }), String::new()),
            None
        );
    }
}
