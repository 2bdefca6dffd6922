//! A pool of SMTP connections with `TCP_NODELAY` set.
//!
//! lettre 0.11.23 connects with Nagle's algorithm on. It writes a mail's body and the final
//! `.` as two writes, so the second waits for the relay's delayed ACK (40 ms on Linux): about
//! 45 ms per mail per connection, the bulk of an urgent notice's e-mail time. Fixed upstream
//! (lettre pull request 1159) but not released; this pool opens the sockets itself and hands
//! them to lettre's connection, which still speaks SMTP. Drop it for lettre's own pool once a
//! release sets `TCP_NODELAY`.

use std::{
    pin::Pin,
    sync::Mutex,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters},
        extension::ClientId,
    },
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::Semaphore,
};

use super::mail::SendError;
use crate::app::config::{SmtpSettings, SmtpTls};

/// Relays close idle connections after a minute or more; ours are dropped before that.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A connection idle for longer is asked `NOOP` before it is used again (a busy send
/// reuses connections within milliseconds and skips that round trip).
const CHECK_AFTER: Duration = Duration::from_secs(2);

pub struct SmtpPool {
    host: String,
    port: u16,
    tls: SmtpTls,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    /// The relay gets at most `pool_size` mails at a time.
    permits: Semaphore,
}

impl SmtpPool {
    pub fn new(settings: &SmtpSettings) -> Self {
        let credentials = (!settings.username.is_empty()).then(|| {
            Credentials::new(
                settings.username.clone(),
                settings.password.expose().to_string(),
            )
        });
        Self {
            host: settings.host.clone(),
            port: settings.port,
            tls: settings.tls,
            credentials,
            timeout: Duration::from_secs(settings.timeout_seconds),
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(settings.pool_size.max(1) as usize),
        }
    }

    /// Sends one formatted message on a pooled connection (or a new one); a connection that
    /// fails or times out is dropped, one that worked goes back to the pool.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let _permit = self.permits.acquire().await.map_err(transient)?;
        if let Some(mut connection) = self.take_idle().await {
            match self.send_on(&mut connection, envelope, message).await {
                Ok(()) => {
                    self.give_back(connection);
                    return Ok(());
                }
                // The relay closed it while it waited in the pool: a new one gets the mail.
                Err(Failure::Connection(err)) => {
                    tracing::debug!(error = %err.message, "pooled SMTP connection lost");
                }
                Err(Failure::Relay(err)) => return Err(err),
            }
        }
        let mut connection = self.connect().await?;
        match self.send_on(&mut connection, envelope, message).await {
            Ok(()) => {
                self.give_back(connection);
                Ok(())
            }
            Err(Failure::Connection(err) | Failure::Relay(err)) => Err(err),
        }
    }

    /// On failure lettre has already closed the connection.
    async fn send_on(
        &self,
        connection: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), Failure> {
        match tokio::time::timeout(self.timeout, connection.send(envelope, message)).await {
            Ok(Ok(_)) => Ok(()),
            // 4xx and 5xx answers; 5xx are final.
            Ok(Err(err)) if err.is_transient() || err.is_permanent() => {
                Err(Failure::Relay(smtp_error(err)))
            }
            Ok(Err(err)) => Err(Failure::Connection(smtp_error(err))),
            Err(_) => Err(Failure::Relay(transient(format!(
                "SMTP: no answer within {} s",
                self.timeout.as_secs()
            )))),
        }
    }

    async fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut connection, since) = self.idle.lock().expect("smtp pool").pop()?;
            let idle_for = since.elapsed();
            if idle_for >= IDLE_TIMEOUT {
                connection.abort().await;
                continue;
            }
            if idle_for < CHECK_AFTER || connection.test_connected().await {
                return Some(connection);
            }
        }
    }

    fn give_back(&self, connection: AsyncSmtpConnection) {
        self.idle
            .lock()
            .expect("smtp pool")
            .push((connection, Instant::now()));
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let connecting = async {
            let socket = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|err| transient(format!("SMTP: connecting: {err}")))?;
            socket.set_nodelay(true).map_err(transient)?;
            let stream: Box<dyn AsyncTokioStream> = match self.tls {
                SmtpTls::Tls => Box::new(ImplicitTls::connect(&self.host, socket).await?),
                SmtpTls::Starttls | SmtpTls::None => Box::new(socket),
            };
            let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
                .await
                .map_err(smtp_error)?;
            if self.tls == SmtpTls::Starttls {
                let parameters = TlsParameters::new(self.host.clone()).map_err(smtp_error)?;
                connection
                    .starttls(parameters, &self.hello)
                    .await
                    .map_err(smtp_error)?;
            }
            if let Some(credentials) = &self.credentials {
                connection
                    .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await
                    .map_err(smtp_error)?;
            }
            Ok(connection)
        };
        tokio::time::timeout(self.timeout, connecting)
            .await
            .unwrap_or_else(|_| {
                Err(transient(format!(
                    "SMTP: connecting took over {} s",
                    self.timeout.as_secs()
                )))
            })
    }
}

enum Failure {
    /// The relay answered 4xx or 5xx, or did not answer in time.
    Relay(SendError),
    /// The connection broke (closed, reset) before an answer.
    Connection(SendError),
}

fn transient(err: impl std::fmt::Display) -> SendError {
    SendError {
        message: err.to_string(),
        transient: true,
    }
}

fn smtp_error(err: lettre::transport::smtp::Error) -> SendError {
    SendError {
        transient: !err.is_permanent(),
        message: format!("SMTP: {err}"),
    }
}

/// A TLS stream from the first byte (SMTPS, port 465), for lettre's connection.
#[derive(Debug)]
struct ImplicitTls(tokio_native_tls::TlsStream<TcpStream>);

impl ImplicitTls {
    async fn connect(host: &str, socket: TcpStream) -> Result<Self, SendError> {
        let connector = tokio_native_tls::native_tls::TlsConnector::new().map_err(transient)?;
        let stream = tokio_native_tls::TlsConnector::from(connector)
            .connect(host, socket)
            .await
            .map_err(|err| transient(format!("SMTP: TLS: {err}")))?;
        Ok(Self(stream))
    }
}

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().get_ref().get_ref().peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
