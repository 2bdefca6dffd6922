//! The spec as a contract: every answer a test gets through `send` must be one the spec
//! documents for its operation (status, and for errors the `code`), and a 405 must name the
//! documented methods in `Allow`. Response bodies are not checked against their schemas here.

use std::sync::LazyLock;

use reqwest::{Method, StatusCode, header::HeaderMap};
use schoolgate::http::api::contract::KNOWN_METHODS;
use serde_json::Value;

/// The document `/api/openapi.json` serves.
pub static SPEC: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(&schoolgate::http::api::service("/api").spec()).expect("the spec is JSON")
});

/// Panics when `status` (or the error's `code`) is not documented for the operation that
/// `method` and `path` reach, or when a 405 does not name the allowed methods.
pub fn check(method: &Method, path: &str, status: StatusCode, headers: &HeaderMap, body: &Value) {
    let Some(api_path) = path.strip_prefix("/api") else {
        return;
    };
    if api_path == "/openapi.json" || api_path.starts_with("/docs") {
        return;
    }
    if !KNOWN_METHODS.contains(method) {
        assert_eq!(status, StatusCode::NOT_IMPLEMENTED, "{method} {path}");
        return;
    }
    let Some((template, item)) = route(api_path) else {
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{method} {path} reaches no operation"
        );
        return;
    };
    let documented = |method: &Method| item.get(method.as_str().to_lowercase());
    let operation = documented(method).or_else(|| match *method {
        Method::HEAD => documented(&Method::GET),
        _ => None,
    });
    let Some(operation) = operation else {
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {template} does not document {method}: {body}"
        );
        let allow = headers.get("allow").map(|value| value.to_str().unwrap());
        assert_eq!(
            allow,
            Some(allowed_methods(item).as_str()),
            "{method} {path}"
        );
        return;
    };
    let id = operation["operationId"].as_str().unwrap_or("?");
    let response = &operation["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{id} ({method} {path}) answered {status}, which the spec does not document: {body}"
    );
    if status.is_client_error() || status.is_server_error() {
        let codes = documented_codes(response);
        assert!(
            codes.contains(&body["code"]),
            "{id} ({method} {path}) answered {status} {}, which the spec does not document \
             (it documents {codes:?})",
            body["code"]
        );
    }
}

/// The `Allow` header of a path with these operations: their methods, and HEAD with GET.
pub fn allowed_methods(item: &Value) -> String {
    let mut allowed: Vec<String> = item
        .as_object()
        .unwrap()
        .keys()
        .map(|method| method.to_uppercase())
        .collect();
    if allowed.iter().any(|method| method == "GET") {
        allowed.push("HEAD".into());
    }
    allowed.sort();
    allowed.join(", ")
}

/// The path template `path` reaches and its operations, routed as poem routes: literal
/// segments win over parameters.
fn route(path: &str) -> Option<(&'static str, &'static Value)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    SPEC["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(template, item)| {
            let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let literal = parts
                .iter()
                .zip(&segments)
                .map(|(part, segment)| match part.starts_with('{') {
                    true => (!segment.is_empty()).then_some(false),
                    false => (part == segment).then_some(true),
                })
                .collect::<Option<Vec<bool>>>()?;
            Some((literal, template.as_str(), item))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, template, item)| (template, item))
}

/// The `code`s an error answer documents (`ErrorBody` narrowed by an `allOf` part).
pub fn documented_codes(response: &Value) -> Vec<Value> {
    let media = response["content"].as_object().into_iter().flatten();
    media
        .flat_map(|(_, media)| media["schema"]["allOf"].as_array().into_iter().flatten())
        .flat_map(|part| {
            part["properties"]["code"]["enum"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .cloned()
        .collect()
}
