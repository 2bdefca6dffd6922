//! Notification rules without I/O: which push endpoints the server may POST to (browsers
//! hand us a URL, so only known push services are accepted, and never plain http unless
//! configured for local tests), and what a browser's subscription keys must look like.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use url::{Host, Url};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("the endpoint is not a URL")]
    NotAUrl,
    #[error("push endpoints must use https")]
    NotHttps,
    #[error("push endpoints must use the standard https port")]
    PortNotAllowed,
    #[error("{0} is not a known push service")]
    HostNotAllowed(String),
}

/// Accepts `endpoint` when its host is in `allowed_hosts` ("*.example.com" matches
/// subdomains) and it uses https (or http when `allow_insecure`).
pub fn check_endpoint(
    endpoint: &str,
    allowed_hosts: &[String],
    allow_insecure: bool,
) -> Result<Url, EndpointError> {
    let url = Url::parse(endpoint).map_err(|_| EndpointError::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure => {}
        _ => return Err(EndpointError::NotHttps),
    }
    // A push service answers on 443; another port on its host is no push service.
    if url.scheme() == "https" && url.port().is_some() {
        return Err(EndpointError::PortNotAllowed);
    }
    let host = match url.host() {
        Some(Host::Domain(domain)) => domain.to_ascii_lowercase(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(EndpointError::NotAUrl),
    };
    if url.username() != "" || url.password().is_some() {
        return Err(EndpointError::HostNotAllowed(host));
    }
    let allowed = allowed_hosts.iter().any(|pattern| {
        let pattern = pattern.to_ascii_lowercase();
        match pattern.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == pattern,
        }
    });
    if allowed {
        Ok(url)
    } else {
        Err(EndpointError::HostNotAllowed(host))
    }
}

/// Whether a browser's keys are a P-256 public key (65 bytes) and a 16-byte auth secret,
/// base64url-encoded.
pub fn valid_subscription_keys(p256dh: &str, auth: &str) -> bool {
    let length = |value: &str| {
        URL_SAFE_NO_PAD
            .decode(value.trim_end_matches('='))
            .map(|bytes| bytes.len())
            .unwrap_or(0)
    };
    length(p256dh) == 65 && length(auth) == 16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec!["fcm.googleapis.com".into(), "*.push.apple.com".into()]
    }

    #[test]
    fn only_known_push_services_over_https() {
        assert!(check_endpoint("https://fcm.googleapis.com/fcm/send/abc", &hosts(), false).is_ok());
        assert!(check_endpoint("https://web.push.apple.com/QGm", &hosts(), false).is_ok());
        assert_eq!(
            check_endpoint("http://fcm.googleapis.com/x", &hosts(), false),
            Err(EndpointError::NotHttps)
        );
        assert_eq!(
            check_endpoint("https://169.254.169.254/latest", &hosts(), false),
            Err(EndpointError::HostNotAllowed("169.254.169.254".into()))
        );
        assert_eq!(
            check_endpoint("https://push.apple.com.evil.example/x", &hosts(), false),
            Err(EndpointError::HostNotAllowed(
                "push.apple.com.evil.example".into()
            ))
        );
        assert!(check_endpoint("https://user@fcm.googleapis.com/x", &hosts(), false).is_err());
        assert_eq!(
            check_endpoint("not a url", &hosts(), false),
            Err(EndpointError::NotAUrl)
        );
        assert!(check_endpoint("http://127.0.0.1:9/x", &["127.0.0.1".into()], true).is_ok());
        assert_eq!(
            check_endpoint(
                "https://fcm.googleapis.com:22/fcm/send/abc",
                &hosts(),
                false
            ),
            Err(EndpointError::PortNotAllowed)
        );
        assert!(
            check_endpoint(
                "https://fcm.googleapis.com:443/fcm/send/abc",
                &hosts(),
                false
            )
            .is_ok()
        );
    }
}
