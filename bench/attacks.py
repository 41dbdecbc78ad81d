#!/usr/bin/env python3
"""The availability attacks of HOSTILE.md against a real `arkiv serve`, one after another,
with the server under a small VPS's limits (1,024 descriptors, 4 GiB of address space).

For each attack it prints one line: the server's peak resident memory and open
descriptors while the attack ran, what the attacker got, and the latency of a normal
reader who searches every quarter second meanwhile (p50 / p90 / max, and how many of the
reader's requests failed). A server that dies is reported and restarted.

    bench/attacks.py [--bin target/release/arkiv] [--quick] [--only 1,3]

Needs python3, prlimit (util-linux) and a built arkiv; writes only under a temporary
folder. The figures in HOSTILE.md come from this script.
"""

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER = "kari"
PASSWORD = "riktig-hest-batteri"
FILES = 1024
ADDRESS_SPACE = 4 * 1024**3
READER_WORDS = ["vold", "krisesenter", "barn", "istanbul", "menneskehandel", "bistand",
                "voldsoffererstatning", "kvinner", "beskyttelse", "politiet", "helse"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def big_pdf(path, size):
    """A valid one-page PDF padded to `size` bytes by an unreferenced binary stream, so it
    is large to download and cheap to extract."""
    content = b"BT /F1 12 Tf 72 720 Td (Stor fil om vold i naere relasjoner) Tj ET"
    pad = size - 2000
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % pad + os.urandom(pad) + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)


class Server:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.docs = os.path.join(work, "documents")
        self.data = os.path.join(work, "data")
        self.index = os.path.join(work, "index")
        self.proc = None
        self.port = None

    def start(self):
        self.port = free_port()
        log = open(os.path.join(self.work, "serve-%d.log" % self.port), "wb")
        self.proc = subprocess.Popen(
            ["prlimit", "--nofile=%d:%d" % (FILES, FILES),
             "--as=%d:%d" % (ADDRESS_SPACE, ADDRESS_SPACE), "--", self.binary, "serve",
             "--documents", self.docs, "--index", self.index, "--data", self.data,
             "--addr", "127.0.0.1:%d" % self.port],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 600
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit("arkiv serve exited: see %s" % log.name)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("arkiv serve did not start")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc and self.alive():
            self.proc.kill()
            self.proc.wait()

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)


class Watch:
    """Samples the server's memory, descriptors and threads, and runs a normal reader."""

    def __init__(self, server):
        self.server = server
        self.stop_flag = threading.Event()
        self.peak_rss = 0
        self.peak_fds = 0
        self.peak_threads = 0
        self.latencies = []
        self.failures = 0

    def sample(self):
        pid = self.server.proc.pid
        while not self.stop_flag.is_set():
            try:
                with open("/proc/%d/status" % pid) as f:
                    status = f.read()
                rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
                threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
                fds = len(os.listdir("/proc/%d/fd" % pid))
                self.peak_rss = max(self.peak_rss, rss)
                self.peak_fds = max(self.peak_fds, fds)
                self.peak_threads = max(self.peak_threads, threads)
            except (OSError, AttributeError):
                pass
            time.sleep(0.05)

    def read(self):
        while not self.stop_flag.is_set():
            q = "%s %d" % (random.choice(READER_WORDS), random.randrange(1, 10**6))
            start = time.time()
            try:
                c = self.server.conn(timeout=60)
                c.request("GET", "/sok?q=" + urllib.parse.quote(q))
                r = c.getresponse()
                r.read()
                c.close()
                if r.status != 200:
                    self.failures += 1
                else:
                    self.latencies.append(time.time() - start)
            except OSError:
                self.failures += 1
            time.sleep(0.25)

    def __enter__(self):
        self.threads = [threading.Thread(target=self.sample, daemon=True),
                        threading.Thread(target=self.read, daemon=True)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=70)

    def line(self):
        lat = sorted(self.latencies)
        if lat:
            p50 = statistics.median(lat)
            p90 = lat[int(0.9 * (len(lat) - 1))]
            reader = "%.0f / %.0f / %.0f ms" % (p50 * 1e3, p90 * 1e3, lat[-1] * 1e3)
        else:
            reader = "no answer"
        return "peak RSS %d MB, %d descriptors, %d threads; reader %s, %d failed of %d" % (
            self.peak_rss // 2**20, self.peak_fds, self.peak_threads, reader,
            self.failures, self.failures + len(lat))


def parallel(n, work):
    results = [None] * n

    def run(i):
        try:
            results[i] = work(i)
        except Exception as e:  # noqa: BLE001 - an attacker's failure is a result
            results[i] = "error: %s" % type(e).__name__
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def tally(results):
    counts = {}
    for r in results:
        counts[r] = counts.get(r, 0) + 1
    return ", ".join("%s × %s" % (v, k) for k, v in sorted(counts.items(), key=str))


def get(server, path, headers=None, timeout=120):
    c = server.conn(timeout=timeout)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body, r


# ---- the attacks -------------------------------------------------------------------------

def attack_filters(server, quick):
    """1: /sok and /statistikk with 3,400 article= filters, 20 clients."""
    query = "&".join("article=crc:%d" % i for i in range(1, 3401))

    def one(i):
        path = ("/sok?q=&" if i % 2 else "/statistikk?") + query
        status, body, _ = get(server, path)
        return "%d (%d KB)" % (status, len(body) // 1024)
    return tally(parallel(20, one))


def attack_deep_page(server, quick):
    """2: /api/search?q=&page=100000&per_page=1000."""
    def one(i):
        status, _, _ = get(server, "/api/search?q=&page=100000&per_page=1000")
        return str(status)
    return tally(parallel(3, one))


def attack_slowloris(server, quick):
    """3: 1,100 connections that send headers slowly and never finish them."""
    socks = []
    for _ in range(1100):
        try:
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            socks.append(s)
        except OSError:
            break
    opened = len(socks)
    hold = 20 if quick else 45
    end = time.time() + hold
    while time.time() < end:
        for s in list(socks):
            try:
                s.sendall(b"X-a: b\r\n")
            except OSError:
                socks.remove(s)
        time.sleep(5)
    closed = opened - len(socks)
    for s in socks:
        s.close()
    return "%d opened, %d closed by the server within %d s" % (opened, closed, hold)


def attack_downloads(server, quick, doc_id):
    """4: 50 clients download a 99 MB PDF at once, asking for gzip."""
    def one(i):
        c = server.conn(timeout=300)
        c.request("GET", "/dokument/%s/pdf" % doc_id, headers={"Accept-Encoding": "gzip"})
        r = c.getresponse()
        n = 0
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            n += len(chunk)
        c.close()
        return "%d %s (%d MB)" % (r.status, r.getheader("Content-Encoding") or "identity",
                                  n // 2**20)
    return tally(parallel(50, one))


def login_form(server):
    status, body, r = get(server, "/logg-inn")
    csrf = re.search(rb'name="csrf" value="([^"]*)"', body).group(1).decode()
    cookies = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
    return csrf, "; ".join(cookies)


def sign_in(server, name, password, csrf, cookie, timeout=120):
    body = urllib.parse.urlencode(
        {"name": name, "password": password, "csrf": csrf, "next": "/"})
    c = server.conn(timeout=timeout)
    c.request("POST", "/logg-inn", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = c.getresponse()
    r.read()
    c.close()
    signed_in = any(k.lower() == "set-cookie" and v.startswith("arkiv_session=")
                    and "Max-Age=0" not in v for k, v in r.getheaders())
    return r.status, signed_in


def attack_names(server, quick):
    """5: sign-in attempts with distinct 4 KB user names; the audit log's growth."""
    n = 1000 if quick else 3000
    log = os.path.join(server.data, "audit.log")
    before = os.path.getsize(log) if os.path.exists(log) else 0
    csrf, cookie = login_form(server)
    counter = iter(range(n))
    lock = threading.Lock()
    statuses = {}

    def worker(_):
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return None
            name = ("%06d" % i) + "x" * 4090
            try:
                status, _ = sign_in(server, name, "feil", csrf, cookie)
            except OSError:
                status = "error"
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
    start = time.time()
    parallel(8, worker)
    grown = (os.path.getsize(log) if os.path.exists(log) else 0) - before
    return "%d attempts in %.0f s: %s; audit log +%d KB" % (
        n, time.time() - start, ", ".join("%s × %s" % (v, k) for k, v in statuses.items()),
        grown // 1024)


def attack_guesses(server, quick):
    """6: 100 simultaneous guesses at one account, the right password last."""
    csrf, cookie = login_form(server)
    barrier = threading.Barrier(100)

    def one(i):
        barrier.wait()
        if i == 99:
            time.sleep(0.05)
        status, ok = sign_in(server, USER, PASSWORD if i == 99 else "gjett-%d" % i, csrf,
                             cookie)
        return "signed in" if ok else str(status)
    results = parallel(100, one)
    return tally(results) + "; the right guess %s" % (
        "got in" if results[99] == "signed in" else "was refused")


def attack_uploads(server, quick, token, pdf):
    """9: 10 simultaneous API uploads of a 20 MB PDF."""
    data = open(pdf, "rb").read()

    def one(i):
        boundary = "arkivangrep%d" % i
        body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                 "filename=\"a%d.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
                % (boundary, i)).encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
        # Each upload must differ, or the archive sees one document ten times.
        body = body.replace(b"Stor fil", b"Fil %04d" % i, 1)
        c = server.conn(timeout=600)
        c.request("POST", "/api/documents", body=body, headers={
            "Authorization": "Bearer " + token,
            "Content-Type": "multipart/form-data; boundary=" + boundary})
        r = c.getresponse()
        r.read()
        c.close()
        return "%d%s" % (r.status, " retry-after" if r.getheader("Retry-After") else "")
    return tally(parallel(10, one))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "target/release/arkiv"))
    parser.add_argument("--quick", action="store_true", help="fewer attempts, shorter holds")
    parser.add_argument("--only", default="", help="comma-separated attack numbers")
    args = parser.parse_args()
    only = {int(x) for x in args.only.split(",") if x}

    work = tempfile.mkdtemp(prefix="arkiv-attacks-")
    server = Server(os.path.abspath(args.bin), work)
    try:
        shutil.copytree(os.path.join(ROOT, "documents"), server.docs)
        big = os.path.join(server.docs, "stor-fil.pdf")
        big_pdf(big, 99 * 2**20)
        upload = os.path.join(work, "upload.pdf")
        big_pdf(upload, 20 * 2**20)
        subprocess.run([server.binary, "user", "add", USER, "--password-stdin", "--data",
                        server.data], input=PASSWORD + "\n", text=True, check=True,
                       stdout=subprocess.DEVNULL)
        token = subprocess.run([server.binary, "user", "token", USER, "--data", server.data],
                               capture_output=True, text=True, check=True).stdout.strip()
        server.start()
        status, body, _ = get(server, "/api/search?q=%22Stor+fil%22")
        doc_id = re.search(rb'"id"\s*:\s*"([0-9a-f]+)"', body).group(1).decode()

        attacks = [
            (1, "3,400 filters, 20 clients", lambda: attack_filters(server, args.quick)),
            (2, "page=100000&per_page=1000", lambda: attack_deep_page(server, args.quick)),
            (3, "1,100 slowloris connections", lambda: attack_slowloris(server, args.quick)),
            (4, "50 downloads of a 99 MB PDF",
             lambda: attack_downloads(server, args.quick, doc_id)),
            (5, "sign-ins with distinct 4 KB names", lambda: attack_names(server, args.quick)),
            (6, "100 simultaneous guesses", lambda: attack_guesses(server, args.quick)),
            (9, "10 simultaneous 20 MB uploads",
             lambda: attack_uploads(server, args.quick, token, upload)),
        ]
        for number, name, run in attacks:
            if only and number not in only:
                continue
            if not server.alive():
                server.start()
            with Watch(server) as watch:
                time.sleep(1)
                try:
                    outcome = run()
                except Exception as e:  # noqa: BLE001 - report and go on
                    outcome = "attack failed: %r" % e
                time.sleep(1)
            died = "" if server.alive() else "; THE SERVER DIED"
            print("ATTACK %d %s: %s; %s%s" % (number, name, outcome, watch.line(), died),
                  flush=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
