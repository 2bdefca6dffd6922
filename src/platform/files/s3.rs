//! The S3 backend: object_store's S3 client (feature `aws-base`) with the HTTP client and the
//! hashing the rest of the server already links, instead of the reqwest 0.13 + rustls +
//! aws-lc-rs stack its `aws` feature brings: requests go through our reqwest 0.12
//! (native-tls, system certificates), request signing uses `sha2`/`hmac`.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use object_store::{
    ClientOptions,
    aws::{AmazonS3, AmazonS3Builder},
    client::{
        CryptoProvider, DigestAlgorithm, DigestContext, HmacContext, HttpClient, HttpConnector,
        HttpError, HttpErrorKind, HttpRequest, HttpResponse, HttpResponseBody, HttpService, Signer,
        SigningAlgorithm,
    },
};
use sha2::{Digest, Sha256};

use crate::app::config::FilesS3Settings;

/// A connection that cannot be set up in this time counts as failed (and is retried).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest silence while reading an answer. No limit on a whole request: a large download
/// to a slow phone may take minutes.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The bucket of `[files.s3]`, addressed path-style (`endpoint/bucket/key`).
pub(super) fn build(settings: &FilesS3Settings) -> anyhow::Result<AmazonS3> {
    let mut builder = AmazonS3Builder::new()
        .with_bucket_name(&settings.bucket)
        .with_region(&settings.region)
        .with_access_key_id(&settings.access_key_id)
        .with_secret_access_key(settings.secret_access_key.expose())
        .with_allow_http(settings.allow_http)
        .with_virtual_hosted_style_request(false)
        .with_http_connector(NativeTlsConnector {
            allow_http: settings.allow_http,
        })
        .with_crypto_provider(Arc::new(RustCrypto));
    if !settings.endpoint.is_empty() {
        builder = builder.with_endpoint(&settings.endpoint);
    }
    builder
        .build()
        .context("files.s3: cannot set up the bucket")
}

/// Makes object_store's HTTP client from our reqwest (native-tls).
#[derive(Debug)]
struct NativeTlsConnector {
    allow_http: bool,
}

impl HttpConnector for NativeTlsConnector {
    fn connect(&self, _options: &ClientOptions) -> object_store::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .https_only(!self.allow_http)
            .build()
            .map_err(|err| object_store::Error::Generic {
                store: "S3",
                source: Box::new(err),
            })?;
        Ok(HttpClient::new(Reqwest(client)))
    }
}

#[derive(Debug)]
struct Reqwest(reqwest::Client);

#[async_trait]
impl HttpService for Reqwest {
    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let url = reqwest::Url::parse(&parts.uri.to_string())
            .map_err(|err| HttpError::new(HttpErrorKind::Unknown, err))?;
        let mut outgoing = reqwest::Request::new(parts.method, url);
        *outgoing.headers_mut() = parts.headers;
        *outgoing.body_mut() = Some(reqwest::Body::wrap(body));
        let response = self.0.execute(outgoing).await.map_err(http_error)?;
        let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
        let body = HttpResponseBody::new(body.map_err(http_error));
        Ok(HttpResponse::from_parts(parts, body))
    }
}

/// Classifies a transport error so object_store retries the transient ones.
fn http_error(err: reqwest::Error) -> HttpError {
    let kind = if err.is_timeout() {
        HttpErrorKind::Timeout
    } else if err.is_connect() {
        HttpErrorKind::Connect
    } else if err.is_decode() {
        HttpErrorKind::Decode
    } else if interrupted(&err) {
        HttpErrorKind::Interrupted
    } else if err.is_request() || err.is_body() {
        HttpErrorKind::Request
    } else {
        HttpErrorKind::Unknown
    };
    HttpError::new(kind, err.without_url())
}

/// Whether the connection broke midway (reset, closed early).
fn interrupted(err: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            );
        }
        source = cause.source();
    }
    false
}

/// SHA-256 and HMAC-SHA256 for request signing (AWS Signature V4). RSA signing is for
/// Google Cloud only.
#[derive(Debug)]
struct RustCrypto;

impl CryptoProvider for RustCrypto {
    fn digest(&self, algorithm: DigestAlgorithm) -> object_store::Result<Box<dyn DigestContext>> {
        match algorithm {
            DigestAlgorithm::Sha256 => Ok(Box::new(Sha256Digest {
                hasher: Sha256::new(),
                output: Vec::new(),
            })),
            other => Err(unsupported(format!("digest {other:?}"))),
        }
    }

    fn hmac(
        &self,
        algorithm: DigestAlgorithm,
        secret: &[u8],
    ) -> object_store::Result<Box<dyn HmacContext>> {
        match algorithm {
            DigestAlgorithm::Sha256 => Ok(Box::new(HmacSha256 {
                mac: Hmac::<Sha256>::new_from_slice(secret)
                    .map_err(|_| unsupported("an HMAC key of this length".into()))?,
                output: Vec::new(),
            })),
            other => Err(unsupported(format!("HMAC {other:?}"))),
        }
    }

    fn sign(
        &self,
        algorithm: SigningAlgorithm,
        _pem: &[u8],
    ) -> object_store::Result<Box<dyn Signer>> {
        Err(unsupported(format!("signing with {algorithm:?}")))
    }
}

fn unsupported(what: String) -> object_store::Error {
    object_store::Error::NotSupported {
        source: format!("the file store does not implement {what}").into(),
    }
}

struct Sha256Digest {
    hasher: Sha256,
    output: Vec<u8>,
}

impl DigestContext for Sha256Digest {
    fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
    }

    fn finish(&mut self) -> object_store::Result<&[u8]> {
        self.output = std::mem::take(&mut self.hasher).finalize().to_vec();
        Ok(&self.output)
    }
}

struct HmacSha256 {
    mac: Hmac<Sha256>,
    output: Vec<u8>,
}

impl HmacContext for HmacSha256 {
    fn update(&mut self, data: &[u8]) {
        self.mac.update(data);
    }

    fn finish(&mut self) -> object_store::Result<&[u8]> {
        self.output = self.mac.clone().finalize().into_bytes().to_vec();
        Ok(&self.output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2.
    #[test]
    fn hmac_sha256_matches_the_rfc_vector() {
        let mut mac = RustCrypto.hmac(DigestAlgorithm::Sha256, b"Jefe").unwrap();
        mac.update(b"what do ya want ");
        mac.update(b"for nothing?");
        assert_eq!(
            super::super::hex(mac.finish().unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sha256_matches_the_known_digest_of_abc() {
        let mut digest = RustCrypto.digest(DigestAlgorithm::Sha256).unwrap();
        digest.update(b"abc");
        assert_eq!(
            super::super::hex(digest.finish().unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
