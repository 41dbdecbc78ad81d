//! Connections (issue 13, item 3): a server under a small VPS's limits (1,024 descriptors)
//! must not be taken by clients that connect and never finish a request, and must close
//! connections that sit idle.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::percentile;
use crate::support::{Server, ServerLimits, copy_samples};

/// An archive of the samples, served under a small VPS's limits.
pub fn small_vps_server(dir: &std::path::Path, extra: &[&str]) -> Server {
    let docs = dir.join("documents");
    copy_samples(&docs);
    Server::start_with(
        &docs,
        &dir.join("index"),
        &dir.join("data"),
        ServerLimits::SmallVps,
        extra,
    )
}

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// Open descriptors of a process.
pub fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// One GET on a fresh connection, read until the server closes it; the status line's code
/// and the time it took, or why it failed.
pub fn fresh_get(port: u16, path: &str, limit: Duration) -> Result<(u16, Duration), String> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(limit)).unwrap();
    stream.set_write_timeout(Some(limit)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .map_err(|e| format!("no answer after {:?}: {e}", started.elapsed()))?;
    let status = std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not HTTP: {:?}", String::from_utf8_lossy(&head)))?;
    Ok((status, started.elapsed()))
}

/// Connections that send the start of a request and then nothing, kept open: whichever the
/// server closes is opened again, as an attacker would.
struct Slowloris {
    stop: Arc<AtomicBool>,
    reopened: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Slowloris {
    fn start(port: u16, count: usize) -> Slowloris {
        let stop = Arc::new(AtomicBool::new(false));
        let reopened = Arc::new(AtomicUsize::new(0));
        let open = move || -> Option<TcpStream> {
            let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .ok()?;
            s.set_nonblocking(true).ok()?;
            Some(s)
        };
        let mut conns: Vec<Option<TcpStream>> = (0..count).map(|_| open()).collect();
        let (stop2, reopened2) = (stop.clone(), reopened.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while !stop2.load(Ordering::Relaxed) {
                for conn in conns.iter_mut() {
                    let closed = match conn {
                        Some(s) => match s.read(&mut buf) {
                            Ok(0) => true,
                            Ok(_) => true,
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
                            Err(_) => true,
                        },
                        None => true,
                    };
                    if closed {
                        reopened2.fetch_add(1, Ordering::Relaxed);
                        *conn = open();
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        Slowloris {
            stop,
            reopened,
            thread: Some(thread),
        }
    }
}

impl Drop for Slowloris {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The test process needs more descriptors than the server it attacks.
pub fn raise_own_descriptor_limit() {
    rlimit::increase_nofile_limit(8192).unwrap();
}

#[test]
fn slowloris_connections_do_not_keep_a_normal_client_out() {
    raise_own_descriptor_limit();
    let dir = tempfile::tempdir().unwrap();
    // Timeouts far longer than the test waits: the normal client must get in because the
    // server makes room, not because the attackers' connections time out.
    let server = small_vps_server(
        dir.path(),
        &["--header-timeout", "120", "--idle-timeout", "120"],
    );
    let pid = server.pid();
    let before = open_fds(pid);
    let attack = Slowloris::start(server.port, 1100);
    std::thread::sleep(Duration::from_secs(1));

    let mut latencies = Vec::new();
    let mut fds = Vec::new();
    for _ in 0..10 {
        let answer = fresh_get(server.port, "/", Duration::from_secs(20));
        let (status, took) = answer.unwrap_or_else(|e| {
            panic!(
                "a normal client got no answer during the attack: {e}\n{}",
                std::fs::read_to_string(&server.log).unwrap_or_default()
            )
        });
        assert_eq!(status, 200);
        latencies.push(took.as_secs_f64() * 1000.0);
        fds.push(open_fds(pid));
        std::thread::sleep(Duration::from_millis(200));
    }
    let reopened = attack.reopened.load(Ordering::Relaxed);
    drop(attack);
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let peak_fds = fds.iter().copied().max().unwrap();
    let hwm = status_kib(pid, "VmHWM");
    println!(
        "HOSTILE slowloris: 1100 connections held (reopened {reopened} times); normal client \
         p50 {:.1} ms, max {:.1} ms; server descriptors {before} before, up to {peak_fds} \
         during; VmHWM {:.1} MiB",
        percentile(&latencies, 50.0),
        latencies.last().unwrap(),
        hwm as f64 / 1024.0
    );
    // Room was made by closing idle connections, and the server stayed within its limit
    // with descriptors to spare for files.
    assert!(reopened > 0, "no idle connection was closed");
    assert!(peak_fds < 1000, "{peak_fds} descriptors open");
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(!log.contains("Too many open files"), "{log}");
}

/// Reads until the server closes the connection; what was read, or the error when the
/// connection stayed open past `limit`.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, String> {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok(got),
            Err(e) => return Err(format!("still open: {e}")),
        }
    }
}

#[test]
fn idle_and_unfinished_connections_are_closed_after_their_timeouts() {
    let dir = tempfile::tempdir().unwrap();
    let server = small_vps_server(
        dir.path(),
        &["--header-timeout", "1", "--idle-timeout", "2"],
    );
    let connect = || TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let started = Instant::now();
    // Says nothing at all.
    let mut silent = connect();
    // Starts a request and never ends its headers.
    let mut partial = connect();
    partial
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    // Asks once, keeps the connection, then says nothing.
    let mut kept = connect();
    kept.write_all(b"GET /static/arkiv.css HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();

    let limit = Duration::from_secs(30);
    for (name, stream) in [("silent", &mut silent), ("partial", &mut partial)] {
        let got = read_until_closed(stream, limit).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Closed without an answer, or with the 408 hyper sends for a late head.
        let text = String::from_utf8_lossy(&got);
        assert!(
            got.is_empty() || text.starts_with("HTTP/1.1 408"),
            "{name}: {text}"
        );
    }
    let got = read_until_closed(&mut kept, limit).unwrap_or_else(|e| panic!("kept: {e}"));
    assert!(
        got.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    let closed_after = started.elapsed();
    println!(
        "HOSTILE idle connections: silent, unfinished and kept-alive connections closed \
         within {:.1} s (header timeout 1 s, idle timeout 2 s)",
        closed_after.as_secs_f64()
    );
    // The server still answers afterwards.
    let (status, _) = fresh_get(server.port, "/", Duration::from_secs(20)).unwrap();
    assert_eq!(status, 200);
}

#[test]
fn out_of_descriptors_the_server_makes_room_without_spinning() {
    raise_own_descriptor_limit();
    let dir = tempfile::tempdir().unwrap();
    // A cap above the 1,024 descriptors: accepting itself fails with EMFILE.
    let server = small_vps_server(
        dir.path(),
        &[
            "--max-connections",
            "2000",
            "--header-timeout",
            "120",
            "--idle-timeout",
            "120",
        ],
    );
    let started = Instant::now();
    let attack = Slowloris::start(server.port, 1100);
    std::thread::sleep(Duration::from_secs(2));
    let answer = fresh_get(server.port, "/", Duration::from_secs(40));
    let peak_fds = open_fds(server.pid());
    drop(attack);
    let elapsed = started.elapsed().as_secs_f64();
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    let errors = log.matches("cannot accept a connection").count();
    let (status, took) = answer.unwrap_or_else(|e| panic!("no answer: {e}"));
    println!(
        "HOSTILE out of descriptors: {errors} accept errors in {elapsed:.1} s; a normal client \
         answered in {:.0} ms; {peak_fds} descriptors",
        took.as_secs_f64() * 1000.0
    );
    assert_eq!(status, 200);
    assert!(errors > 0, "the descriptor limit was never reached");
    // At most ten pauses a second: a loop that spun would log thousands.
    assert!(
        (errors as f64) < elapsed * 10.0 + 10.0,
        "{errors} accept errors in {elapsed:.1} s"
    );
}
