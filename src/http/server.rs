//! The HTTP/1.1 server loop. poem's own `Server` gives no way to set hyper's header read
//! timeout, so a client that sends its headers a byte at a time (slowloris) would hold a
//! connection for as long as it likes. Here hyper is configured directly: a request's
//! headers must arrive within `server.header_read_timeout_seconds`, which is also how long a
//! kept-alive connection may wait for its next request. (Slow bodies are cut off by
//! `middleware::limit_body`.) HTTP/2 is not offered: browsers use it only over TLS, which a
//! reverse proxy in front of the server ends.

use std::{convert::Infallible, future::Future, sync::Arc, time::Duration};

use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use poem::{
    Addr, Endpoint, EndpointExt, Request,
    http::uri::Scheme,
    web::{LocalAddr, RemoteAddr},
};
use tokio::net::TcpListener;

/// How long running requests may take to finish once the server is told to stop.
const FINISH_WITHIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` completes, then lets running requests finish.
pub async fn serve(
    listener: TcpListener,
    app: impl Endpoint + 'static,
    header_read_timeout: Duration,
    stop: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let app = Arc::new(app.map_to_response());
    let local = LocalAddr(Addr::SocketAddr(listener.local_addr()?));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let connections = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait for connections to close.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let local = local.clone();
        let service = service_fn(move |req: hyper::Request<Incoming>| {
            let app = app.clone();
            let request = Request::from((
                req,
                local.clone(),
                RemoteAddr(Addr::SocketAddr(peer)),
                Scheme::HTTP,
            ));
            async move {
                let response: hyper::Response<_> = app.get_response(request).await.into();
                Ok::<_, Infallible>(response)
            }
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                // Timeouts and clients that went away: nothing to act on.
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => {}
        () = tokio::time::sleep(FINISH_WITHIN) => {
            tracing::warn!("requests still running at shutdown were cut off");
        }
    }
    Ok(())
}
