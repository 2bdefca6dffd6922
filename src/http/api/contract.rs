//! The API as poem-openapi builds it, plus what its shape implies: the errors an operation
//! answers because it has a body, parameters or a login (added to each operation's own, see
//! `ErrorSet`), and 405 answers that name the allowed methods. Both come from poem-openapi's
//! own metadata and route table, so they cannot drift from the handlers.

use std::collections::HashMap;

use poem::{
    Endpoint, EndpointExt, Request, Response,
    endpoint::BoxEndpoint,
    http::{HeaderValue, Method},
};
use poem_openapi::{
    OpenApi,
    registry::{MetaApi, MetaOperation, Registry},
    types::Type,
};

use crate::http::{
    error::{ErrorBody, add_error_codes, method_not_allowed},
    security::open_before_two_factor_setup,
};

/// The API `A` with its shape-derived errors and 405 answers.
pub struct Contract<A>(pub A);

/// The methods that get 405 with `Allow` where a path does not serve them; any other method
/// gets 501 (see `refuse_unknown_methods`).
pub const KNOWN_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
    Method::TRACE,
    Method::CONNECT,
];

impl<A: OpenApi> OpenApi for Contract<A> {
    fn meta() -> Vec<MetaApi> {
        let mut apis = A::meta();
        for path in apis.iter_mut().flat_map(|api| api.paths.iter_mut()) {
            let open = open_before_two_factor_setup(&format!("/api{}", path.path));
            for operation in &mut path.operations {
                for (status, codes) in shape_errors(operation, open) {
                    add_error_codes(&mut operation.responses.responses, status, codes);
                }
                operation
                    .responses
                    .responses
                    .sort_by_key(|response| response.status.unwrap_or(u16::MAX));
            }
        }
        apis
    }

    fn register(registry: &mut Registry) {
        A::register(registry);
        <ErrorBody as Type>::register(registry);
    }

    fn add_routes(self, routes: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        self.0.add_routes(routes);
        for methods in routes.values_mut() {
            let allow = allow_header(methods.keys());
            for method in KNOWN_METHODS {
                // poem answers HEAD as GET where there is a GET.
                let served_as_get = method == Method::HEAD && methods.contains_key(&Method::GET);
                if !served_as_get && !methods.contains_key(&method) {
                    methods.insert(method, MethodNotAllowed(allow.clone()).boxed());
                }
            }
        }
    }
}

/// The errors an operation answers because of its shape, before or around its handler.
fn shape_errors(
    operation: &MetaOperation,
    open_before_setup: bool,
) -> Vec<(u16, &'static [&'static str])> {
    // `refuse_control_characters` checks the path and query of every request.
    let mut errors: Vec<(u16, &'static [&'static str])> =
        vec![(400, &["invalid_text"]), (500, &["internal_error"])];
    if operation.request.is_some() {
        errors.extend([
            (400, &["invalid_body"][..]),
            (408, &["request_timeout"][..]),
            (413, &["payload_too_large"][..]),
            (415, &["unsupported_media_type"][..]),
        ]);
    }
    if !operation.params.is_empty() {
        errors.push((400, &["invalid_parameter"]));
    }
    if !operation.security.is_empty() {
        errors.push((401, &["unauthenticated"]));
        if !matches!(
            operation.method,
            Method::GET | Method::HEAD | Method::OPTIONS
        ) {
            errors.push((403, &["csrf_token_invalid"]));
        }
    }
    if !open_before_setup {
        errors.push((403, &["two_factor_setup_required"]));
    }
    errors
}

/// `Allow` for a path serving `methods` (and HEAD wherever GET is served).
fn allow_header<'a>(methods: impl Iterator<Item = &'a Method>) -> HeaderValue {
    let mut names: Vec<&str> = methods.map(Method::as_str).collect();
    if names.contains(&"GET") {
        names.push("HEAD");
    }
    names.sort_unstable();
    names.dedup();
    HeaderValue::from_str(&names.join(", ")).expect("method names are valid header text")
}

/// Where a path does not serve a method: 405 naming the methods it does serve.
struct MethodNotAllowed(HeaderValue);

impl Endpoint for MethodNotAllowed {
    type Output = Response;

    async fn call(&self, _req: Request) -> poem::Result<Response> {
        Err(method_not_allowed(self.0.clone()))
    }
}
