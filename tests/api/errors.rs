//! Bad input always gets a JSON error with a code; the spec documents every operation.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::{
    contract::{SPEC, allowed_methods, documented_codes},
    helpers::{Backend, send, spawn_app},
};

crate::on_both_databases!(
    malformed_json_gets_a_400_with_a_code,
    an_oversized_body_gets_413,
    an_oversized_chunked_body_gets_413_and_a_small_one_passes,
    unknown_routes_and_methods_get_json_errors,
    methods_a_path_does_not_serve_get_405_naming_the_allowed_ones,
    health_and_readiness_answer,
    the_openapi_spec_documents_every_operation,
);

async fn malformed_json_gets_a_400_with_a_code(backend: Backend) {
    let app = spawn_app(backend).await;
    for body in [
        "{\"email\":",
        "[]",
        "{\"password\": \"x\"}",
        "\u{0}\u{1}binary",
    ] {
        let (status, error) = send(
            app.request(Method::POST, "/api/auth/login")
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {error}");
        assert_eq!(error["code"], "invalid_body");
    }
    let (status, error) = send(
        app.request(Method::POST, "/api/auth/login")
            .header("content-type", "text/plain")
            .body("hi"),
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert_eq!(error["code"], "unsupported_media_type");
    let (status, error) = send(
        app.request(Method::GET, "/api/children/not-a-number")
            .bearer_auth("x"),
    )
    .await;
    assert!(status.is_client_error(), "{status} {error}");
}

async fn an_oversized_body_gets_413(backend: Backend) {
    let app = spawn_app(backend).await;
    let huge = format!(
        "{{\"email\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let (status, error) = send(
        app.request(Method::POST, "/api/auth/login")
            .header("content-type", "application/json")
            .body(huge),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error["code"], "payload_too_large");
}

/// A body sent in chunks (no Content-Length) streams through the limit instead of being
/// held in memory, and still gets 413 when it is too large.
async fn an_oversized_chunked_body_gets_413_and_a_small_one_passes(backend: Backend) {
    let app = spawn_app(backend).await;
    let chunked = |json: String| {
        let pieces: Vec<Result<Vec<u8>, std::io::Error>> = json
            .into_bytes()
            .chunks(64 * 1024)
            .map(|piece| Ok(piece.to_vec()))
            .collect();
        reqwest::Body::wrap_stream(futures_util::stream::iter(pieces))
    };
    let huge = format!(
        "{{\"email\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let (status, error) = send(
        app.request(Method::POST, "/api/auth/login")
            .header("content-type", "application/json")
            .body(chunked(huge)),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let small = r#"{"email":"nobody@example.nl","password":"Zomer-Vakantie7"}"#.to_string();
    let (status, error) = send(
        app.request(Method::POST, "/api/auth/login")
            .header("content-type", "application/json")
            .body(chunked(small)),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong_credentials"))
    );
}

async fn unknown_routes_and_methods_get_json_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, error) = send(app.request(Method::GET, "/api/no-such-thing")).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, error) = send(app.request(Method::DELETE, "/api/auth/login")).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    let (status, error) = send(
        app.request(Method::GET, "/api/me")
            .bearer_auth("forged-token"),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    // Methods beyond the standard ones are not implemented anywhere, so 405 can name `Allow`.
    let frob = Method::from_bytes(b"FROB").unwrap();
    for path in ["/api/me", "/healthz", "/index.html"] {
        let (status, error) = send(app.request(frob.clone(), path)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::NOT_IMPLEMENTED, Some("not_implemented")),
            "{path}"
        );
    }
}

/// Every 405 names the methods the path serves in `Allow` (HEAD wherever GET is), in the API
/// as documented by the spec and outside it; HEAD works wherever GET does.
async fn methods_a_path_does_not_serve_get_405_naming_the_allowed_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    // One client for the many requests: a new one per request costs more than the request.
    let client = reqwest::Client::new();
    let request = |method: Method, path: &str| client.request(method, app.url(path));
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ];
    for (template, item) in SPEC["paths"].as_object().unwrap() {
        let path = format!("/api{}", filled_in(template));
        let allowed = allowed_methods(item);
        for method in &methods {
            if item.get(method.as_str().to_lowercase()).is_some() {
                continue;
            }
            // Routing decides before any login or parameter is checked.
            let response = request(method.clone(), &path).send().await.unwrap();
            assert_refused(response, &allowed, &format!("{method} {path}")).await;
        }
        if item.get("get").is_none() {
            let response = request(Method::HEAD, &path).send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "HEAD {path}"
            );
            assert_eq!(response.headers()["allow"], allowed.as_str(), "HEAD {path}");
        }
    }
    for (method, path) in [
        (Method::POST, "/healthz"),
        (Method::POST, "/readyz"),
        (Method::DELETE, "/api/openapi.json"),
        (Method::POST, "/api/docs/"),
        (Method::PUT, "/index.html"),
        (Method::POST, "/sw.js"),
        (Method::DELETE, "/children/3"),
    ] {
        let response = request(method.clone(), path).send().await.unwrap();
        assert_refused(response, "GET, HEAD", &format!("{method} {path}")).await;
    }
    for path in [
        "/healthz",
        "/index.html",
        "/api/openapi.json",
        "/api/groups",
    ] {
        let response = request(Method::HEAD, path).send().await.unwrap();
        let status = response.status();
        assert!(
            status == StatusCode::OK || status == StatusCode::UNAUTHORIZED,
            "HEAD {path}: {status}"
        );
        assert!(response.bytes().await.unwrap().is_empty(), "HEAD {path}");
    }
}

/// A 405 JSON error naming `allowed` in `Allow`.
async fn assert_refused(response: reqwest::Response, allowed: &str, request: &str) {
    let allow = response.headers().get("allow").cloned();
    let status = response.status();
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        (status, error["code"].as_str(), allow),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            Some("method_not_allowed"),
            Some(reqwest::header::HeaderValue::from_str(allowed).unwrap())
        ),
        "{request}"
    );
}

/// A path template with `1` for each parameter.
fn filled_in(template: &str) -> String {
    template
        .split('/')
        .map(|part| if part.starts_with('{') { "1" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

async fn health_and_readiness_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let (status, body) = send(app.request(Method::GET, "/readyz")).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    // The portal is private: search engines are asked to stay out (not given the app shell).
    let robots = app
        .request(Method::GET, "/robots.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(robots.status(), StatusCode::OK);
    assert!(
        robots.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = robots.text().await.unwrap();
    assert!(text.contains("User-agent: *\nDisallow: /"), "{text}");
}

async fn the_openapi_spec_documents_every_operation(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, spec) = send(app.request(Method::GET, "/api/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    assert!(
        schemes.contains_key("BearerAuth") && schemes.contains_key("CookieAuth"),
        "{schemes:?}"
    );
    let mut operations = 0;
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let name = format!("{method} {path}");
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            // Generated clients name their methods after these.
            let id = operation["operationId"].as_str().unwrap_or("");
            assert!(
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name} has no operation id in snake case: '{id}'"
            );
            assert!(operation_ids.insert(id.to_string()), "{id} twice");
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("400") && responses.contains_key("500"),
                "{name} lacks error responses"
            );
            for (status, response) in responses {
                assert!(
                    status.as_str() < "400" || !documented_codes(response).is_empty(),
                    "{name}: {status} without the codes a client branches on"
                );
            }
            if let Some(body) = operation.get("requestBody") {
                let content = body["content"].as_object().unwrap();
                let documented = content.iter().all(|(kind, media)| {
                    (kind.starts_with("application/json") || kind == "multipart/form-data")
                        && media["schema"] != Value::Null
                });
                assert!(
                    documented,
                    "{name}: request body without JSON or multipart schema"
                );
            }
        }
    }
    assert!(operations >= 25, "only {operations} operations");
    // Examples must not carry real logins (the demo school's are printed by `demo`).
    let text = spec.to_string();
    for password in [
        schoolgate::demo::ADMIN_PASSWORD,
        schoolgate::demo::TEACHER_PASSWORD,
        schoolgate::demo::PARENT_PASSWORD,
    ] {
        assert!(!text.contains(password), "the spec shows {password}");
    }
    let docs = app.request(Method::GET, "/api/docs/").send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
}
