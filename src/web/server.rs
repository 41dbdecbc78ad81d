//! The accept loop: every connection a public server must bound, in one place.
//!
//! `axum::serve` installs no timer in hyper, so hyper's header-read timeout never fires and
//! a connection that sends nothing, or half a request, is held for ever. This loop runs each
//! connection on hyper-util's `auto::Builder` with a Tokio timer and adds what hyper does
//! not have: a cap on connections, a deadline for the first request and for idle
//! connections, and a bound on how long a write may wait for a client that does not read.
//!
//! Past the connection cap the server makes room rather than refusing: the connection that
//! has waited longest without a request in flight is closed (a slowloris connection, or a
//! kept-alive one nobody uses), and the new one is served. Only when every connection is
//! busy with a request does accepting wait, and new clients queue in the kernel's backlog
//! until a request ends. Closing newcomers instead would hand the server to whoever holds
//! the most idle connections.
//!
//! [`Limits`] holds every value: these and the sign-in limits in [`super::auth`].

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tower::ServiceExt;

/// Every limit of the public server, with the defaults a small VPS (1,024 descriptors,
/// 2 cores) can carry. `arkiv serve` sets some from flags; the README lists them all.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once (default 768: three quarters of a 1,024-descriptor limit;
    /// the rest are the index's files, PDFs being read and extraction workers' pipes).
    /// Lowered at start when the process's descriptor limit is smaller.
    pub max_connections: usize,
    /// Time a client has to send a complete request head, from connecting or from the end
    /// of its previous response (default 10 s). Also the keep-alive idle time on HTTP/1:
    /// hyper's clock runs whenever a connection waits for a request head.
    pub header_timeout: Duration,
    /// Time a connection may stay open with no request in flight (default 60 s; on HTTP/1
    /// the header timeout closes idle connections sooner, so this bounds HTTP/2).
    pub idle_timeout: Duration,
    /// Time a write may wait for a client that does not read (default 30 s).
    pub write_timeout: Duration,
    /// Concurrent requests (streams) on one HTTP/2 connection (default 32).
    pub http2_max_streams: u32,
    /// Time in-flight requests get to finish after Ctrl-C or SIGTERM (default 60 s).
    pub shutdown_grace: Duration,
    /// Peers whose `X-Forwarded-For` names the client (default none: the header is
    /// ignored, since anyone can send it).
    pub trusted_proxies: Vec<IpAddr>,
    /// Failed sign-ins an account may have before each further attempt waits (default 5).
    pub sign_in_free_failures: u32,
    /// The wait after the free failures; it doubles with every further failure (default
    /// 15 s: 15 s, 30 s, 1 min, … ).
    pub sign_in_delay: Duration,
    /// The longest wait (default 15 min), so the owner is never locked out for longer.
    pub sign_in_max_delay: Duration,
    /// Failed sign-ins one client address may make within [`Limits::sign_in_window`]
    /// (default 20), whatever names it tries.
    pub sign_in_address_failures: u32,
    /// How long failures are remembered (default 15 min).
    pub sign_in_window: Duration,
    /// Accounts and addresses the sign-in limiter remembers at most (default 10,000 each,
    /// about 1 MB); past it, the entries with the fewest failures are forgotten first.
    pub sign_in_tracked: usize,
    /// Password checks (Argon2id, 19 MiB and tens of milliseconds each) run at once
    /// (default 2, the cores of a small VPS).
    pub password_checks: usize,
    /// How long a sign-in waits for a password check before it is answered 503 (default
    /// 10 s).
    pub password_wait: Duration,
    /// Failed or refused sign-ins of one name from one address within this time make one
    /// audit entry with a count, after the first (default 60 s).
    pub audit_window: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 768,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            http2_max_streams: 32,
            shutdown_grace: Duration::from_secs(60),
            trusted_proxies: Vec::new(),
            sign_in_free_failures: super::auth::ACCOUNT_ATTEMPTS as u32,
            sign_in_delay: Duration::from_secs(15),
            sign_in_max_delay: Duration::from_secs(15 * 60),
            sign_in_address_failures: super::auth::ADDRESS_ATTEMPTS as u32,
            sign_in_window: Duration::from_secs(15 * 60),
            sign_in_tracked: 10_000,
            password_checks: 2,
            password_wait: Duration::from_secs(10),
            audit_window: Duration::from_secs(60),
        }
    }
}

/// The client's address as the server established it: the peer, or, when the peer is a
/// trusted proxy, the address it forwarded. Put in every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client behind `peer`: `X-Forwarded-For` is read only when `peer` is a trusted proxy,
/// and then from the right, skipping trusted proxies (each proxy appends the address it
/// saw; what lies further left the client wrote itself).
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in forwarded.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip.to_canonical()) => continue,
            Ok(ip) => return ip.to_canonical(),
            // A hop we cannot read: what lies left of it is not to be trusted either.
            Err(_) => return peer,
        }
    }
    peer
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests
/// finish for up to [`Limits::shutdown_grace`].
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let limits = Arc::new(limits);
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Semaphore::new(max));
    let registry = Arc::new(Registry::new());
    let builder = Arc::new(builder(&limits));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut next_id: u64 = 0;

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of descriptors (EMFILE, ENFILE) or memory: the error repeats until
                    // something closes, so close the longest-idle connections and pause
                    // instead of spinning on accept; longer when there was nothing to close.
                    tracing::error!("cannot accept a connection: {e}");
                    let shed = (0..ACCEPT_ERROR_SHED)
                        .take_while(|_| registry.shed_oldest_idle())
                        .count();
                    let pause = if shed > 0 {
                        Duration::from_millis(100)
                    } else {
                        Duration::from_secs(1)
                    };
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => continue,
                        _ = &mut shutdown => break,
                    }
                }
            },
            _ = &mut shutdown => break,
        };
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                registry.shed_oldest_idle();
                tokio::select! {
                    permit = slots.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    _ = &mut shutdown => break,
                }
            }
        };
        next_id += 1;
        let conn = registry.add(next_id);
        let task = Connection {
            id: next_id,
            conn,
            registry: registry.clone(),
            limits: limits.clone(),
            builder: builder.clone(),
            router: router.clone(),
            stop: stop_rx.clone(),
        };
        tokio::spawn(async move {
            task.serve(stream, peer).await;
            drop(permit);
        });
    }

    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it ends: all slots back means all connections
    // are done.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            "{} connection(s) still open after {} s; stopping",
            registry.len(),
            limits.shutdown_grace.as_secs()
        );
    }
    Ok(())
}

/// Idle connections closed when accepting fails for want of descriptors.
const ACCEPT_ERROR_SHED: usize = 8;

fn builder(limits: &Limits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // Bounds what a client can make the server buffer for a request head.
        .max_buf_size(64 * 1024)
        .max_headers(100);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.http2_max_streams)
        .max_header_list_size(64 * 1024)
        .keep_alive_interval(limits.idle_timeout / 2)
        .keep_alive_timeout(limits.write_timeout);
    builder
}

/// Errors that concern one connection only, not the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

struct Connection {
    id: u64,
    conn: Arc<ConnState>,
    registry: Arc<Registry>,
    limits: Arc<Limits>,
    builder: Arc<Builder<TokioExecutor>>,
    router: Router,
    stop: watch::Receiver<bool>,
}

impl Connection {
    async fn serve(mut self, stream: TcpStream, peer: SocketAddr) {
        let io = WriteDeadline::new(TokioIo::new(stream), self.limits.write_timeout);
        let (router, conn, limits) = (self.router.clone(), self.conn.clone(), self.limits.clone());
        let registry = self.registry.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            let client = client_ip(request.headers(), peer.ip(), &limits.trusted_proxies);
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(ClientAddr(client));
            let guard = InFlight::start(conn.clone(), registry.clone());
            let router = router.clone();
            async move {
                let response = router.oneshot(request.map(Body::new)).await?;
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    Body::new(TrackedBody {
                        body,
                        _guard: guard,
                    })
                }))
            }
        });
        let connection = self.builder.serve_connection(io, service);
        let mut connection = std::pin::pin!(connection);
        let tick = (self.limits.header_timeout.min(self.limits.idle_timeout) / 4)
            .clamp(Duration::from_millis(100), Duration::from_secs(1));
        let mut watchdog = tokio::time::interval(tick);
        let mut stopping = *self.stop.borrow();
        if stopping {
            connection.as_mut().graceful_shutdown();
        }
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection from {peer} ended: {e}");
                    }
                    break;
                }
                changed = self.stop.changed(), if !stopping => {
                    stopping = true;
                    if changed.is_ok() {
                        connection.as_mut().graceful_shutdown();
                    }
                }
                _ = self.conn.close.notified() => {
                    tracing::debug!("closing idle connection from {peer} to make room");
                    break;
                }
                _ = watchdog.tick() => {
                    if self.registry.expired(&self.conn, &self.limits) {
                        tracing::debug!("closing idle connection from {peer}");
                        break;
                    }
                }
            }
        }
        self.registry.remove(self.id);
    }
}

/// What the accept loop knows of one connection.
#[derive(Debug)]
struct ConnState {
    /// Requests whose response has not been sent whole.
    in_flight: AtomicUsize,
    /// Milliseconds since the registry's epoch at which the connection last had no
    /// request in flight (at accept, then at the end of each response).
    idle_since: AtomicU64,
    /// Whether any request has arrived yet.
    served: AtomicBool,
    /// Set when the connection has been picked to make room.
    closing: AtomicBool,
    close: Notify,
}

#[derive(Debug)]
struct Registry {
    epoch: Instant,
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Registry {
    fn new() -> Registry {
        Registry {
            epoch: Instant::now(),
            conns: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn add(&self, id: u64) -> Arc<ConnState> {
        let conn = Arc::new(ConnState {
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(self.now_ms()),
            served: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            close: Notify::new(),
        });
        self.lock().insert(id, conn.clone());
        conn
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether an idle connection has outstayed its welcome: no first request within the
    /// header timeout (hyper's own clock does not run while the protocol is being
    /// detected), or no request in flight for the idle timeout.
    fn expired(&self, conn: &ConnState, limits: &Limits) -> bool {
        if conn.in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        let idle = Duration::from_millis(
            self.now_ms()
                .saturating_sub(conn.idle_since.load(Ordering::Acquire)),
        );
        let limit = if conn.served.load(Ordering::Acquire) {
            limits.idle_timeout
        } else {
            limits.header_timeout
        };
        idle >= limit
    }

    /// Asks the connection that has been idle longest to close; returns whether there was
    /// one.
    fn shed_oldest_idle(&self) -> bool {
        let conns = self.lock();
        let victim = conns
            .values()
            .filter(|c| {
                c.in_flight.load(Ordering::Acquire) == 0 && !c.closing.load(Ordering::Acquire)
            })
            .min_by_key(|c| c.idle_since.load(Ordering::Acquire));
        match victim {
            Some(conn) => {
                conn.closing.store(true, Ordering::Release);
                // notify_one keeps the wake-up if the task is not waiting at this moment.
                conn.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Marks a request in flight on its connection until its response body is dropped (sent
/// whole, or abandoned).
struct InFlight {
    conn: Arc<ConnState>,
    registry: Arc<Registry>,
}

impl InFlight {
    fn start(conn: Arc<ConnState>, registry: Arc<Registry>) -> InFlight {
        conn.served.store(true, Ordering::Release);
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight { conn, registry }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // Stamp the time before the count drops, so the watchdog never sees an idle
        // connection with the time of its previous idle spell.
        self.conn
            .idle_since
            .store(self.registry.now_ms(), Ordering::Release);
        self.conn.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as in flight until it is done.
struct TrackedBody {
    body: Body,
    _guard: InFlight,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// A connection whose writes fail once one has waited [`Limits::write_timeout`] for the
/// client to read: a client that never reads would otherwise hold its connection and the
/// response buffered for it for ever.
struct WriteDeadline<T> {
    inner: T,
    limit: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> WriteDeadline<T> {
    fn new(inner: T, limit: Duration) -> WriteDeadline<T> {
        WriteDeadline {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After the inner write said Pending: Pending, or an error once the wait is too long.
    fn stall<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        let limit = self.limit;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not read its response",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progress<R>(
        &mut self,
        poll: Poll<io::Result<R>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<R>> {
        match poll {
            Poll::Pending => self.stall(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for WriteDeadline<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for WriteDeadline<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.progress(poll, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.progress(poll, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.progress(poll, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.progress(poll, cx)
    }
}

/// The descriptor limit of this process, when the system says.
pub fn descriptor_limit() -> Option<u64> {
    rlimit::Resource::NOFILE.get_soft().ok()
}
