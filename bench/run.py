#!/usr/bin/env python3
"""arkiv's benchmark harness: every measurement of BENCHMARKS.md in one run.

    bench/run.sh [--smoke] [--sizes 10000,100000] [--only STEPS] [--work DIR] [--write FILE]

Steps (all by default; --only takes a comma-separated subset):
  extract   pages/s of arkiv's extraction and of pdftotext on the same PDFs, 1 core and all
            cores, and arkiv's word coverage against pdftotext (synthetic PDFs and
            ../shared/corpus/{norwegian,conventions})
  ingest    `arkiv ingest` end to end on the same PDFs: documents/s, pages/s, index size
            against text size, peak RSS, and the time of a re-run with nothing changed
  index     the synthetic corpus of each size written straight into an index
  search    in-process p50/p95/p99 and queries/s of the 200-query mix
  http      the same over HTTP (/api/search), wrk on the search page (/sok) at 16 and 64
            connections, and the server's RSS
  sqlite    the SQLite FTS5 peer on the same corpus and mix
  postgres  the PostgreSQL full-text peer on the same corpus and mix (a temporary server
            on a Unix socket, started and stopped here)
  relevance nDCG@10, recall@20 and MRR of arkiv and PostgreSQL on the judged set
  norwegian the cost of the Norwegian analysis: the corpus of each size indexed with and
            without compound splitting, and the mix searched with and without splitting and
            expansion (thesaurus, nynorsk ↔ bokmål), alternating on and off in one run

--smoke: a 1k-document corpus, 20 PDFs, 12 queries, one round, debug build: it checks that
the harness still works (seconds, not minutes, once built); its figures mean nothing.

Results: a table on stdout, every figure in WORK/results.json, and (full runs, or --write)
the tables of BENCHMARKS.md between its RESULTS markers.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
STEPS = ["extract", "ingest", "index", "search", "suggest", "http", "sqlite", "postgres",
         "relevance", "norwegian"]
EXAMPLES = ["bench-corpus", "bench-search", "bench-extract", "bench-sqlite", "bench-postgres",
            "bench-relevance"]
CLEANUP = []  # callables run at exit, last first


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def cleanup():
    while CLEANUP:
        try:
            CLEANUP.pop()()
        except Exception as e:  # keep cleaning up
            log(f"cleanup: {e}")


def run(cmd, ok=(0,), **kw):
    """Runs a command; returns (stdout, seconds, peak RSS in KiB of it and its children)."""
    log("$ " + " ".join(str(c) for c in cmd))
    started = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, text=True, **kw)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return out, seconds, usage.ru_maxrss


def run_json(cmd, ok=(0,), **kw):
    out, seconds, rss = run(cmd, ok=ok, **kw)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    data = json.loads(lines[-1])
    return data, seconds, rss


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start listening")


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0]) * 1024
    return fields


def sh_out(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    model = sh_out("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh_out("grep MemTotal /proc/meminfo | awk '{print $2}'")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "uname": " ".join(platform.uname()),
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(int(mem or 0) / 1024 / 1024, 1),
        "load_before": os.getloadavg(),
        "rustc": sh_out("rustc --version"),
        "pdftotext": sh_out("pdftotext -v 2>&1 | head -1"),
        "postgres": sh_out(f"{pg_bin('postgres')} --version") if pg_bin("postgres") else None,
        "wrk": sh_out("wrk -v 2>&1 | head -1"),
    }


# --- PostgreSQL -------------------------------------------------------------------------

def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir(
            "/usr/lib/postgresql") else []:
        path = f"/usr/lib/postgresql/{version}/bin/{name}"
        if os.path.exists(path):
            return path
    return None


def start_postgres(work):
    """A throwaway server on a Unix socket in WORK/pg; returns its connection string."""
    pgdir = os.path.join(work, "pg")
    data = os.path.join(pgdir, "data")
    shutil.rmtree(pgdir, ignore_errors=True)
    os.makedirs(pgdir)
    as_user = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(pgdir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run(as_user + [pg_bin("initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C.UTF-8"], stderr=subprocess.DEVNULL)
    options = (f"-c listen_addresses='' -c unix_socket_directories='{pgdir}' -p {port} "
               "-c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=1GB "
               "-c effective_cache_size=12GB -c max_wal_size=8GB -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c jit=off")
    run(as_user + [pg_bin("pg_ctl"), "-D", data, "-l", os.path.join(pgdir, "log"), "-w",
                   "-o", options, "start"])
    CLEANUP.append(lambda: run(as_user + [pg_bin("pg_ctl"), "-D", data, "-m", "fast", "-w",
                                          "stop"]))
    return f"host={pgdir} port={port} user=postgres dbname=postgres"


# --- the run ------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.work = args.work
        self.profile = "debug" if self.smoke and not args.release else "release"
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        self.bin = os.path.join(target, self.profile)
        self.cores = os.cpu_count() or 1
        self.results = {"machine": machine(), "smoke": self.smoke, "profile": self.profile,
                        "sizes": {}, "commands": {}}
        q = ["--queries", "12"] if self.smoke else []
        self.mix_args = q + (["--rounds", "1", "--budget", "5", "--seconds", "1"] if self.smoke
                             else ["--rounds", str(args.rounds), "--budget", str(args.budget),
                                   "--seconds", str(args.seconds)])
        self.mix_args += ["--threads", str(self.cores)]

    def example(self, name):
        return os.path.join(self.bin, "examples", name)

    def wanted(self, step):
        return step in self.args.only

    def build(self):
        # arkiv itself and the benchmark programs of the `arkiv-bench` workspace member.
        cmd = (["cargo", "build", "-p", "arkiv", "-p", "arkiv-bench", "--bin", "arkiv"]
               + [a for e in EXAMPLES for a in ("--example", e)])
        if self.profile == "release":
            cmd.insert(2, "--release")
        run(cmd, cwd=ROOT)

    def note(self, key, command):
        self.results["commands"][key] = command

    # Corpora ------------------------------------------------------------------------------

    def pdf_corpus(self):
        out = os.path.join(self.work, f"pdf-{self.args.pdf_docs}")
        if not os.path.isdir(out):
            data, _, _ = run_json([self.example("bench-corpus"), "pdfs", "--docs",
                                   self.args.pdf_docs, "--out", out])
            with open(out + ".json", "w") as f:
                json.dump(data, f)
        with open(out + ".json") as f:
            self.results["pdf_corpus"] = json.load(f)
        return out

    def shared_corpus(self):
        """../shared/corpus's Norwegian and convention PDFs, copied into one folder."""
        dirs = [os.path.join(SHARED, d) for d in ("norwegian", "conventions")]
        if self.smoke or not all(os.path.isdir(d) for d in dirs):
            return None
        out = os.path.join(self.work, "shared")
        if not os.path.isdir(out):
            os.makedirs(out)
            for d in dirs:
                for name in sorted(os.listdir(d)):
                    if name.lower().endswith(".pdf"):
                        shutil.copy2(os.path.join(d, name), os.path.join(out, name))
        return out

    def synthetic(self, n):
        out = os.path.join(self.work, f"index-{n}")
        tsv = os.path.join(self.work, f"corpus-{n}.tsv")
        stamp = out + ".json"
        if not os.path.exists(stamp):
            shutil.rmtree(out, ignore_errors=True)
            data, seconds, rss = run_json([self.example("bench-corpus"), "index", "--docs", n,
                                           "--out", out, "--tsv", tsv])
            data["peak_rss_bytes"] = rss * 1024
            with open(stamp, "w") as f:
                json.dump(data, f)
        with open(stamp) as f:
            return out, tsv, json.load(f)

    def queries(self):
        path = os.path.join(self.work, "queries.tsv")
        data, _, _ = run_json([self.example("bench-corpus"), "queries", "--out", path])
        if self.smoke:
            with open(path) as f:
                lines = f.readlines()[:12]
            with open(path, "w") as f:
                f.writelines(lines)
        self.results["queries"] = data
        return path

    # Steps --------------------------------------------------------------------------------

    def text_layer_env(self):
        """An environment whose PATH has poppler's programs and not Tesseract, so that arkiv
        reads the text layer only, as pdftotext does: a page without text (a scan, a
        diagram) is left empty instead of read by OCR, which pdftotext never does."""
        folder = os.path.join(self.work, "text-layer-bin")
        os.makedirs(folder, exist_ok=True)
        for program in ("pdftotext", "pdftoppm"):
            found, link = shutil.which(program), os.path.join(folder, program)
            if found and not os.path.lexists(link):
                os.symlink(found, link)
        return dict(os.environ, PATH=folder)

    def extract(self, pdfs, shared):
        out = {}
        threads = f"1,{self.cores}"
        for name, path in (("synthetic", pdfs), ("shared", shared)):
            if path is None:
                continue
            cmd = [self.example("bench-extract"), "--arkiv", os.path.join(self.bin, "arkiv"),
                   "--threads", threads, path]
            out[name], _, _ = run_json(cmd, env=self.text_layer_env())
            self.note(f"extract_{name}", ["PATH=$WORK/text-layer-bin"] + cmd)
        self.results["extract"] = out

    def ingest(self, pdfs, shared):
        """Against pdftotext, with the text layer only (see `text_layer_env`); the real PDFs
        once more as a user with Tesseract installed ingests them, OCR included."""
        out = {}
        text_layer = self.text_layer_env()
        for name, path, env in (("synthetic", pdfs, text_layer), ("shared", shared, text_layer),
                                ("shared_ocr", shared, None)):
            if path is None:
                continue
            if env is None and not shutil.which("tesseract"):
                continue
            index = os.path.join(self.work, f"ingest-{name}")
            # A fresh OCR cache in the work folder: every scanned page is read, and nothing
            # is written where the command runs.
            ocr_cache = os.path.join(self.work, f"ocr-cache-{name}")
            for folder in (index, ocr_cache):
                shutil.rmtree(folder, ignore_errors=True)
            cmd = [os.path.join(self.bin, "arkiv"), "ingest", "--documents", path, "--index",
                   index, "--ocr-cache", ocr_cache, "--json"]
            # Exit code 1: some files failed and the rest went in (the tricky corpus files).
            report, seconds, rss = run_json(cmd, ok=(0, 1), stderr=subprocess.DEVNULL, env=env)
            _, again, _ = run(cmd, ok=(0, 1), stderr=subprocess.DEVNULL, env=env)
            stats, _, _ = run_json([self.example("bench-search"), "stats", "--index", index])
            pages = sum(d["pages"] for d in report["documents"])
            out[name] = {
                "docs": report["indexed"], "failed": len(report["failed"]), "pages": pages,
                "seconds": seconds, "docs_per_s": report["indexed"] / seconds,
                "pages_per_s": pages / seconds, "peak_rss_bytes": rss * 1024,
                "rerun_seconds": again, "index_bytes": du(index),
                "text_bytes": stats["text_bytes"],
                "index_to_text": du(index) / max(1, stats["text_bytes"]),
                "ocr_pages": sum((d.get("ocr") or {}).get("pages", 0) for d in report["documents"]),
            }
            self.note(f"ingest_{name}", (["PATH=$WORK/text-layer-bin"] if env else []) + cmd)
        self.results["ingest"] = out

    def search(self, n, index):
        cmd = [self.example("bench-search"), "inproc", "--index", index] + self.mix_args
        data, _, _ = run_json(cmd)
        self.note(f"search_{n}", cmd)
        return data

    def suggest(self, n, index):
        cmd = [self.example("bench-search"), "suggest", "--index", index] + self.mix_args
        data, _, _ = run_json(cmd)
        self.note(f"suggest_{n}", cmd)
        return data

    def http(self, n, index, queries):
        """The API and the search page over HTTP: first with the result cache off (every
        query computed, as the first time it is asked), then on, as `arkiv serve` runs."""
        out = {}
        for cache in ("off", "on"):
            port = free_port()
            serve = [self.example("bench-search"), "serve", "--index", index, "--addr",
                     f"127.0.0.1:{port}"] + (["--no-cache"] if cache == "off" else [])
            log("$ " + " ".join(serve))
            server = subprocess.Popen(serve, stderr=subprocess.DEVNULL)
            stop = lambda: (server.send_signal(signal.SIGTERM), server.wait(timeout=30))
            CLEANUP.append(stop)
            try:
                wait_port(port, server)
                if cache == "off":
                    out["server_idle"] = proc_status(server.pid)
                    cmd = [self.example("bench-search"), "http", "--url",
                           f"http://127.0.0.1:{port}"] + self.mix_args
                    out["api"], _, _ = run_json(cmd)
                    self.note(f"http_{n}", serve + ["&"] + cmd)
                wrk = {}
                duration = "2s" if self.smoke else f"{self.args.wrk_seconds}s"
                for conns in (16, 64):
                    wcmd = ["wrk", "-t", str(self.cores), "-c", str(conns), "-d", duration,
                            "--latency", "-s", os.path.join(ROOT, "bench", "wrk-mix.lua"),
                            f"http://127.0.0.1:{port}", "--", queries]
                    if shutil.which("wrk"):
                        text, _, _ = run(wcmd)
                        wrk[str(conns)] = parse_wrk(text)
                        self.note(f"wrk_{n}_{conns}_cache_{cache}", serve + ["&"] + wcmd)
                    else:
                        wrk[str(conns)] = None
                if cache == "off":
                    out["wrk"] = wrk
                    out["server"] = proc_status(server.pid)
                else:
                    out["wrk_cached"] = wrk
                    out["server_cached"] = proc_status(server.pid)
            finally:
                CLEANUP.remove(stop)
                stop()
        return out

    def sqlite(self, n, tsv):
        db = os.path.join(self.work, f"sqlite-{n}.db")
        if os.path.exists(db):
            os.remove(db)
        cmd = [self.example("bench-sqlite"), "--tsv", tsv, "--db", db] + self.mix_args
        data, _, rss = run_json(cmd)
        data["peak_rss_bytes"] = rss * 1024
        self.note(f"sqlite_{n}", cmd)
        return data

    def postgres(self, n, tsv, conn):
        cmd = [self.example("bench-postgres"), "--tsv", tsv, "--conn", conn, "--table",
               f"docs_{n}", "--load"] + self.mix_args
        data, _, _ = run_json(cmd)
        self.note(f"postgres_{n}", cmd)
        return data

    def norwegian(self, n):
        """The corpus of size n indexed with the Norwegian analysis on (the word lists found,
        as `serve` and `ingest` run) and off (`ARKIV_HUNSPELL_DIR` naming an empty folder),
        then the mix searched on each index, on (splitting and expansion) and off (neither,
        `--expansion off`), alternating, so that the load of a shared machine falls on both
        alike. Index builds are timed with the letters' generation, which costs the same in
        both."""
        empty = os.path.join(self.work, "no-word-lists")
        os.makedirs(empty, exist_ok=True)
        envs = {"on": dict(os.environ), "off": dict(os.environ, ARKIV_HUNSPELL_DIR=empty)}
        out = {"builds": {"on": [], "off": []}, "search": {"on": [], "off": []}}
        indexes = {}
        for mode in ("on", "off"):
            index = os.path.join(self.work, f"index-{n}-{mode}")
            stamp = index + ".json"
            cmd = [self.example("bench-corpus"), "index", "--docs", n, "--out", index]
            if self.args.keep and os.path.exists(stamp):
                # Kept by an earlier `--keep` run: a search-only change is measured on the
                # same indexes (their build figures are that run's).
                with open(stamp) as f:
                    data = json.load(f)
            else:
                shutil.rmtree(index, ignore_errors=True)
                data, seconds, rss = run_json(cmd, env=envs[mode])
                data["peak_rss_bytes"] = rss * 1024
                data["index_bytes"] = du(index)
                if self.args.keep:
                    with open(stamp, "w") as f:
                        json.dump(data, f)
            if data.get("splitting") != (mode == "on"):
                log(f"warning: the {mode} index of {n} was built with splitting "
                    f"{data.get('splitting')}")
            out["builds"][mode].append(data)
            indexes[mode] = index
            self.note(f"norwegian_index_{n}_{mode}",
                      (["ARKIV_HUNSPELL_DIR=" + empty] if mode == "off" else []) + cmd)
        for _ in range(self.args.norwegian_rounds):
            for mode in ("on", "off"):
                cmd = ([self.example("bench-search"), "inproc", "--index", indexes[mode]]
                       + self.mix_args + ["--expansion", mode])
                data, _, _ = run_json(cmd, env=envs[mode])
                out["search"][mode].append(data)
                self.note(f"norwegian_search_{n}_{mode}",
                          (["ARKIV_HUNSPELL_DIR=" + empty] if mode == "off" else []) + cmd)
        if not self.args.keep:
            for index in indexes.values():
                shutil.rmtree(index, ignore_errors=True)
                if os.path.exists(index + ".json"):
                    os.remove(index + ".json")
        return out

    def relevance(self, conn):
        """The judged set (resources/relevance/judgements.toml) over documents/ and
        ../shared/corpus/{norwegian,conventions}, for arkiv and PostgreSQL."""
        folders = [os.path.join(ROOT, "documents")] + [os.path.join(SHARED, d)
                                                       for d in ("norwegian", "conventions")]
        if self.smoke and not self.args.only_given:
            # The smoke run checks that the step works on the samples alone (seconds, not
            # minutes); its figures are not the judged set's.
            folders = folders[:1]
        if not all(os.path.isdir(d) for d in folders):
            log("../shared/corpus is missing: skipping the relevance measure")
            return
        docs = os.path.join(self.work, "relevance-docs")
        index = os.path.join(self.work, "relevance-index")
        shutil.rmtree(docs, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
        os.makedirs(docs)
        for d in folders:
            for name in sorted(os.listdir(d)):
                if name.endswith((".pdf", ".toml")):
                    shutil.copy2(os.path.join(d, name), os.path.join(docs, name))
        run([os.path.join(self.bin, "arkiv"), "ingest", "--documents", docs, "--index", index,
             "--ocr-cache", os.path.join(self.work, "ocr-cache-relevance"), "--json"],
            ok=(0, 1), stderr=subprocess.DEVNULL)
        cmd = [self.example("bench-relevance"), "--index", index] + (["--conn", conn] if conn else [])
        self.results["relevance"], _, _ = run_json(cmd)
        self.note("relevance", cmd)

    def main(self):
        os.makedirs(self.work, exist_ok=True)
        if not self.args.no_build:
            self.build()
        pdfs = self.pdf_corpus() if self.wanted("extract") or self.wanted("ingest") else None
        shared = self.shared_corpus() if pdfs else None
        if self.wanted("extract"):
            self.extract(pdfs, shared)
        if self.wanted("ingest"):
            self.ingest(pdfs, shared)
        sized = ("index", "search", "suggest", "http", "sqlite", "postgres")
        queries = self.queries() if any(self.wanted(s) for s in sized) else None
        conn = None
        if self.wanted("postgres") or self.wanted("relevance"):
            if pg_bin("initdb") and pg_bin("pg_ctl"):
                conn = start_postgres(self.work)
            else:
                log("PostgreSQL is not installed (Debian: postgresql): skipping its peer")
        if self.wanted("relevance"):
            self.relevance(conn)
        if self.wanted("norwegian"):
            # The smoke run (a debug build) only checks that the step works.
            sizes = [200] if self.smoke else self.args.sizes
            self.results["norwegian"] = {str(n): self.norwegian(n) for n in sizes}
        for n in self.args.sizes:
            if not any(self.wanted(s) for s in sized):
                break
            index, tsv, built = self.synthetic(n)
            built["index_bytes"] = du(index)
            size = {"index": built}
            self.note(f"index_{n}", [self.example("bench-corpus"), "index", "--docs", n,
                                     "--out", index, "--tsv", tsv])
            if self.wanted("search"):
                size["search"] = self.search(n, index)
            if self.wanted("suggest"):
                size["suggest"] = self.suggest(n, index)
            if self.wanted("http"):
                size["http"] = self.http(n, index, queries)
            if self.wanted("sqlite"):
                size["sqlite"] = self.sqlite(n, tsv)
            if self.wanted("postgres") and conn:
                size["postgres"] = self.postgres(n, tsv, conn)
            self.results["sizes"][str(n)] = size
            if not self.args.keep:
                for path in (tsv, os.path.join(self.work, f"sqlite-{n}.db")):
                    if os.path.exists(path):
                        os.remove(path)
                shutil.rmtree(index, ignore_errors=True)
                os.remove(index + ".json")
        cleanup()
        self.results["machine"]["load_after"] = os.getloadavg()
        with open(os.path.join(self.work, "results.json"), "w") as f:
            json.dump(self.results, f, indent=1)
        report = render(self.results, self.work)
        print(report)
        target = self.args.write or (None if self.smoke else os.path.join(ROOT, "BENCHMARKS.md"))
        if target:
            write_between_markers(target, report)
            log(f"wrote {target}")


def parse_wrk(text):
    def ms(value):
        m = re.match(r"([\d.]+)(us|ms|s)", value)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    out = {"raw": text}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"(\d+) requests in", text)
    out["requests"] = int(m.group(1)) if m else None
    for p in ("50", "99"):
        m = re.search(rf"^\s+{p}(?:\.000)?%\s+(\S+)", text, re.M)
        out[f"p{p}_ms"] = ms(m.group(1)) if m else None
    return out


# --- the report ---------------------------------------------------------------------------

def f0(x):
    return "–" if x is None else f"{x:,.0f}"


def f1(x):
    return "–" if x is None else f"{x:,.1f}"


def f2(x):
    return "–" if x is None else f"{x:,.2f}"


def mb(x):
    return "–" if x is None else f"{x / 1e6:,.0f} MB"


def ratio(a, b):
    return "–" if not a or not b else f"{a / b:.2f}×"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def cmd(results, key, work):
    c = results["commands"].get(key)
    if not c:
        return ""
    text = " ".join(str(x) for x in c).replace(ROOT + "/", "").replace(work, "$WORK")
    return f"`{text}`"


def render(r, work):
    m = r["machine"]
    cores = m["nproc"]
    out = []
    out.append(f"Run of {m['date']}{' (SMOKE: figures meaningless)' if r['smoke'] else ''}; "
               f"{r['profile']} build. Machine: {m['cpu']}, {cores} cores (`nproc`), "
               f"{m['memory_gib']} GiB; `{m['uname']}`. Load average (1, 5, 15 min) "
               f"before: {', '.join(f'{x:.2f}' for x in m['load_before'])}; after: "
               f"{', '.join(f'{x:.2f}' for x in m.get('load_after', []))}. "
               f"{m['rustc']}; {m['pdftotext']}; {m.get('postgres') or 'PostgreSQL absent'}; "
               f"{m['wrk']}. `$WORK` is {work}.")
    targets = []

    rel = r.get("relevance")
    if rel:
        rows = []
        for engine in ("arkiv", "postgres"):
            e = rel.get(engine)
            if e:
                kinds = ", ".join(f"{k} {v['ndcg10']:.2f}" for k, v in e["kinds"].items())
                rows.append([engine, e["queries"], f"{e['ndcg10']:.3f}", f"{e['recall20']:.3f}",
                             f"{e['mrr']:.3f}", kinds])
        out.append("### Relevance on the judged set (resources/relevance/judgements.toml)\n")
        out.append(table(["engine", "queries", "nDCG@10", "recall@20", "MRR",
                          "nDCG@10 by kind of query"], rows))
        out.append(f"Command: {cmd(r, 'relevance', work)}\n")

    ex = r.get("extract", {})
    if ex:
        rows = []
        for name, e in ex.items():
            modes = e["modes"]
            pt1, pt = modes["pdftotext"]["1"]["pages_per_s"], modes["pdftotext"][str(cores)]["pages_per_s"]
            a1, a = modes["arkiv"]["1"]["pages_per_s"], modes["arkiv"][str(cores)]["pages_per_s"]
            pe = modes["pdf_extract_only"][str(cores)]["pages_per_s"]
            cov = e["coverage_arkiv"]
            rows.append([
                {"synthetic": f"{e['files']} synthetic letters", "shared": f"../shared/corpus ({e['files']} PDFs)"}[name],
                e["pages"], f0(pt1), f0(a1), ratio(a1, pt1), f0(pt), f0(a), ratio(a, pt), f0(pe),
                f"{cov['overall'] * 100:.2f} % (min file {cov['min_file'] * 100 if cov['min_file'] is not None else 0:.1f} %, "
                f"{cov['files_at_least_99pct']}/{cov['files']} files ≥ 99 %)",
                cmd(r, f"extract_{name}", work)])
        out.append("### Extraction (pages/s, same files, same run; the text layer only, as pdftotext reads it)\n")
        out.append(table(["PDFs", "pages", "pdftotext 1 core", "arkiv 1 core", "arkiv ÷ pdftotext",
                          f"pdftotext {cores} cores", f"arkiv {cores} cores", "arkiv ÷ pdftotext",
                          f"pdf-extract alone {cores} cores", "arkiv's words ÷ pdftotext's", "command"], rows))

    ing = r.get("ingest", {})
    if ing:
        rows = []
        for name, i in ing.items():
            read_as = "shared" if name == "shared_ocr" else name
            pt = ex.get(read_as, {}).get("modes", {}).get("pdftotext", {}).get(str(cores), {}).get("pages_per_s")
            rows.append([
                {"synthetic": "synthetic letters", "shared": "../shared/corpus",
                 "shared_ocr": f"../shared/corpus with OCR ({i.get('ocr_pages', 0)} pages read by Tesseract)"}[name],
                i["docs"],
                i["failed"], i["pages"], f2(i["seconds"]), f1(i["docs_per_s"]), f0(i["pages_per_s"]),
                ratio(i["pages_per_s"], pt), f"{mb(i['index_bytes'])} / {mb(i['text_bytes'])} = {i['index_to_text']:.2f}",
                mb(i["peak_rss_bytes"]), f"{i['rerun_seconds']:.2f} s", cmd(r, f"ingest_{name}", work)])
            if pt and name != "shared_ocr":
                what = {"synthetic": "synthetic letters",
                        "shared": "real PDFs of ../shared/corpus (#17)"}[name]
                targets.append((f"Ingest throughput ≥ pdftotext alone (all cores, pages/s), {what}",
                                f"{f0(i['pages_per_s'])} vs {f0(pt)} ({ratio(i['pages_per_s'], pt)})",
                                i["pages_per_s"] >= pt))
            cov = ex.get(name, {}).get("coverage_arkiv")
            if name == "shared" and cov:
                targets.append(("Words against pdftotext ≥ 99 % for every real PDF (#17)",
                                f"{cov['files_at_least_99pct']}/{cov['files']} files "
                                f"(lowest {(cov['min_file'] or 0) * 100:.1f} %)",
                                cov["files_at_least_99pct"] == cov["files"]))
        out.append("\n### Ingest end to end (`arkiv ingest`, all cores; the text layer only, then the real PDFs "
                   "with OCR as a user with Tesseract ingests them)\n")
        out.append(table(["PDFs", "documents", "failed", "pages", "seconds", "documents/s", "pages/s",
                          "÷ pdftotext pages/s", "index / text", "peak RSS", "no-change re-run",
                          "command"], rows))

    sizes = r.get("sizes", {})
    if sizes:
        rows = []
        for n, s in sizes.items():
            b = s["index"]
            sq = (s.get("sqlite") or {}).get("load") or {}
            pg = (s.get("postgres") or {}).get("load") or {}
            rows.append([f"{int(n):,}", f"{b['pages']:,}", mb(b["text_bytes"]), f1(b["seconds"]),
                         f0(b["docs_per_s"]), f0(b["pages_per_s"]), f"{mb(b['index_bytes'])} ({b['index_to_text']:.2f}× text)",
                         mb(b.get("peak_rss_bytes")),
                         f"{f1(sq.get('seconds'))} s, {mb(sq.get('db_bytes'))}" if sq else "–",
                         f"{f1(pg.get('seconds'))} s, {mb(pg.get('db_bytes'))}" if pg else "–",
                         cmd(r, f"index_{n}", work)])
        out.append("\n### Synthetic corpora written straight into an index (no extraction)\n")
        out.append(table(["documents", "pages", "text", "arkiv build s", "documents/s", "pages/s",
                          "index size", "peak RSS", "SQLite FTS5 load", "PostgreSQL load + GIN",
                          "command"], rows))

        rows = []
        for n, s in sizes.items():
            se = s.get("search")
            if not se:
                continue
            l = se["latency"]
            t = se.get("throughput") or {}
            rows.append([f"{int(n):,}", l["samples"], f2(l["p50_ms"]), f2(l["p95_ms"]), f2(l["p99_ms"]),
                         f0(l["qps_sequential"]), f0(t.get("qps")), cmd(r, f"search_{n}", work)])
            if int(n) == 100000:
                targets.append((f"Search p50 ≤ 5 ms at {int(n):,} documents (in-process, #17)",
                                f"{l['p50_ms']:.2f} ms", l["p50_ms"] <= 5))
                targets.append((f"Search p99 ≤ 15 ms at {int(n):,} documents (in-process, #17)",
                                f"{l['p99_ms']:.2f} ms", l["p99_ms"] <= 15))
            if int(n) >= 1000000:
                targets.append((f"Search p99 ≤ 100 ms at {int(n):,} documents (in-process, #17)",
                                f"{l['p99_ms']:.2f} ms", l["p99_ms"] <= 100))
        if rows:
            out.append("\n### Search, in-process (200-query mix: 20 hits, facets, 3 snippet pages per hit)\n")
            out.append(table(["documents", "samples", "p50 ms", "p95 ms", "p99 ms", "queries/s (1 thread)",
                              f"queries/s ({cores} threads)", "command"], rows))
            classes = []
            for n, s in sizes.items():
                for cls, l in (s.get("search") or {}).get("per_class", {}).items():
                    classes.append([f"{int(n):,}", cls, f2(l["p50_ms"]), f2(l["p95_ms"]), f2(l["p99_ms"])])
            out.append("\nBy kind of query:\n")
            out.append(table(["documents", "kind", "p50 ms", "p95 ms", "p99 ms"], classes))

        rows = []
        for n, s in sizes.items():
            su = s.get("suggest")
            if not su:
                continue
            l = su["latency"]
            by = su.get("by_typed_chars", {})
            rows.append([f"{int(n):,}", f"{su['titles']:,}", f"{su['words']:,}", f"{f0(su['build_ms'])} ms",
                         l["samples"], f2(l["p50_ms"]), f2(l["p95_ms"]), f2(l["p99_ms"]),
                         f2((by.get("2") or {}).get("p99_ms")), cmd(r, f"suggest_{n}", work)])
            if int(n) >= 100000:
                targets.append((f"Suggestions p99 ≤ 5 ms at {int(n):,} documents (in-process)",
                                f"{l['p99_ms']:.2f} ms", l["p99_ms"] <= 5))
        if rows:
            out.append("\n### Suggestions as you type, in-process (`/api/suggest`'s work: every prefix of 2–20 characters of the mix's query texts)\n")
            out.append(table(["documents", "distinct titles", "words kept", "lists built in", "samples",
                              "p50 ms", "p95 ms", "p99 ms", "p99 ms, 2 characters typed", "command"], rows))

        rows = []
        for n, s in sizes.items():
            h = s.get("http")
            if not h:
                continue
            l = h["api"]["latency"]
            w16, w64 = h["wrk"].get("16") or {}, h["wrk"].get("64") or {}
            cached = h.get("wrk_cached") or {}
            c16, c64 = cached.get("16") or {}, cached.get("64") or {}
            st = h["server"]
            rate = lambda w: f"{f0(w.get('rps'))} (p99 {f1(w.get('p99_ms'))} ms)"
            errors = sum(w.get("non_2xx", 0) for w in (w16, w64, c16, c64)) + h["api"]["errors"]
            rows.append([f"{int(n):,}", f2(l["p50_ms"]), f2(l["p95_ms"]), f2(l["p99_ms"]),
                         rate(w16), rate(w64), rate(c16), rate(c64), errors,
                         f"{mb(st.get('VmRSS'))} (anon {mb(st.get('RssAnon'))}, file {mb(st.get('RssFile'))}); peak {mb(st.get('VmHWM'))}",
                         cmd(r, f"http_{n}", work) + " " + cmd(r, f"wrk_{n}_64_cache_off", work)])
            if int(n) == 100000:
                targets.append((f"Search page ≥ 300 requests/s on {cores} cores (wrk, 64 connections, "
                                f"{int(n):,} docs), every query computed (#17)",
                                f"{f0(w16.get('rps'))} (16 conns), {f0(w64.get('rps'))} (64 conns)",
                                (w64.get("rps") or 0) >= 300))
            if int(n) >= 100000:
                best_cached = max(c16.get("rps") or 0, c64.get("rps") or 0)
                targets.append((f"Search page ≥ 5,000 requests/s on {cores} cores (wrk, {int(n):,} docs), "
                                "result cache on (the mix repeats its 200 queries)",
                                f"{f0(c16.get('rps'))} (16 conns), {f0(c64.get('rps'))} (64 conns)",
                                best_cached >= 5000))
                targets.append((f"Server RSS < 150 MB at {int(n):,} documents",
                                f"{mb(st.get('VmRSS'))} resident after the uncached load (anonymous {mb(st.get('RssAnon'))}, "
                                f"mapped index files {mb(st.get('RssFile'))})",
                                (st.get("VmRSS") or 0) < 150e6))
            if int(n) >= 1000000:
                targets.append((f"Server heap ≤ 100 MB under load at {int(n):,} documents (#17)",
                                f"{mb(st.get('RssAnon'))} anonymous after the uncached load",
                                (st.get("RssAnon") or 0) <= 100e6))
        if rows:
            out.append("\n### Over HTTP (`/api/search` one keep-alive client, every query computed; `/sok` search "
                       f"page with wrk, {cores} wrk threads on the same {cores} cores, result cache off, then on)\n")
            out.append(table(["documents", "API p50 ms", "API p95 ms", "API p99 ms",
                              "wrk /sok 16 conns req/s, no cache", "wrk /sok 64 conns req/s, no cache",
                              "wrk /sok 16 conns req/s, cache", "wrk /sok 64 conns req/s, cache",
                              "errors", "server RSS after the uncached load", "commands"], rows))

        rows = []
        for n, s in sizes.items():
            a = s.get("search")
            if not a:
                continue
            for name, key in (("arkiv (in-process)", None), ("SQLite FTS5", "sqlite"), ("PostgreSQL FTS", "postgres")):
                d = a if key is None else s.get(key)
                if not d:
                    continue
                l, t = d["latency"], d.get("throughput") or {}
                rows.append([f"{int(n):,}", name, f2(l["p50_ms"]), f2(l["p95_ms"]), f2(l["p99_ms"]),
                             f0(l["qps_sequential"]), f0(t.get("qps")),
                             "" if key is None else ratio(a["latency"]["qps_sequential"], l["qps_sequential"]),
                             "" if key is None else ratio((a.get("throughput") or {}).get("qps"), t.get("qps")),
                             agreement(a.get("totals"), d.get("totals")) if key else "",
                             cmd(r, f"{key or 'search'}_{n}", work)])
                if key and int(n) == max(int(x) for x in sizes):
                    ours = (a.get("throughput") or {}).get("qps") or 0
                    theirs = t.get("qps") or 0
                    targets.append((f"≥ 5× {name}'s queries/s on the same mix ({int(n):,} docs, {cores} threads)",
                                    ratio(ours, theirs), theirs > 0 and ours >= 5 * theirs))
        if rows:
            out.append("\n### Peers on the same corpus and the same 200 queries, same run\n")
            out.append(table(["documents", "engine", "p50 ms", "p95 ms", "p99 ms", "queries/s (1 client)",
                              f"queries/s ({cores} clients)", "arkiv ÷ peer (1)", f"arkiv ÷ peer ({cores})",
                              "queries where both find something / either does", "command"], rows))

    nor = r.get("norwegian") or {}
    if nor:
        rows = []
        for n, e in nor.items():
            b = {m: e["builds"][m][0] for m in ("on", "off")}
            lat = {m: [x["latency"] for x in e["search"][m]] for m in ("on", "off")}
            best = lambda m, k: min(l[k] for l in lat[m])
            for m in ("on", "off"):
                rows.append([f"{int(n):,}", m, f0(b[m]["pages_per_s"]), mb(b[m]["index_bytes"]),
                             " / ".join(f2(l["p50_ms"]) for l in lat[m]),
                             " / ".join(f2(l["p95_ms"]) for l in lat[m]),
                             " / ".join(f2(l["p99_ms"]) for l in lat[m]),
                             cmd(r, f"norwegian_index_{n}_{m}", work) + " "
                             + cmd(r, f"norwegian_search_{n}_{m}", work)])
            cost_ingest = 1 - b["on"]["pages_per_s"] / b["off"]["pages_per_s"]
            cost_p99 = best("on", "p99_ms") / best("off", "p99_ms") - 1
            rows.append([f"{int(n):,}", "on ÷ off", ratio(b["on"]["pages_per_s"], b["off"]["pages_per_s"]),
                         ratio(b["on"]["index_bytes"], b["off"]["index_bytes"]),
                         ratio(best("on", "p50_ms"), best("off", "p50_ms")),
                         ratio(best("on", "p95_ms"), best("off", "p95_ms")),
                         ratio(best("on", "p99_ms"), best("off", "p99_ms")), "(best of the runs of each)"])
            if int(n) >= 100000:
                targets.append((f"Norwegian analysis costs ≤ 20 % of ingest pages/s at {int(n):,} documents",
                                f"{cost_ingest * 100:.1f} %", cost_ingest <= 0.20))
                targets.append((f"Norwegian analysis costs ≤ 15 % of search p99 at {int(n):,} documents",
                                f"{cost_p99 * 100:.1f} %", cost_p99 <= 0.15))
        out.append("\n### Norwegian analysis on and off (compound splitting; expansion by thesaurus and "
                   "nynorsk ↔ bokmål), alternating in one run\n")
        out.append(table(["documents", "analysis", "index build pages/s (with generation)", "index size",
                          "search p50 ms (each run)", "search p95 ms (each run)", "search p99 ms (each run)",
                          "commands"], rows))

    if targets:
        out.append("\n### Targets\n")
        out.append(table(["target", "measured", "met"],
                         [[t, v, "yes" if ok else "**no**"] for t, v, ok in targets]))
    return "\n".join(out) + "\n"


def agreement(ours, theirs):
    if not ours or not theirs:
        return "–"
    both = sum(1 for a, b in zip(ours, theirs) if a > 0 and b > 0)
    either = sum(1 for a, b in zip(ours, theirs) if a > 0 or b > 0)
    return f"{both}/{either}"


def write_between_markers(path, report):
    begin, end = "<!-- RESULTS:BEGIN -->", "<!-- RESULTS:END -->"
    text = open(path).read() if os.path.exists(path) else f"# Benchmarks\n\n{begin}\n{end}\n"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + report + end + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="a few seconds' check that the harness works")
    p.add_argument("--release", action="store_true", help="release build even with --smoke")
    p.add_argument("--no-build", action="store_true",
                   help="use the binaries already built")
    p.add_argument("--sizes", default=None, help="synthetic corpus sizes (default 10000,100000)")
    p.add_argument("--pdf-docs", type=int, default=None, help="synthetic PDFs (default 1000)")
    p.add_argument("--only", default=",".join(STEPS), help="steps to run: " + ",".join(STEPS))
    p.add_argument("--work", default="/tmp/arkiv-bench", help="scratch folder (never the repository)")
    p.add_argument("--keep", action="store_true", help="keep the generated corpora and databases")
    p.add_argument("--rounds", type=int, default=5, help="measured rounds of the mix per engine")
    p.add_argument("--budget", type=float, default=90, help="seconds of latency rounds per engine at most")
    p.add_argument("--seconds", type=float, default=15, help="seconds of each throughput run")
    p.add_argument("--wrk-seconds", type=int, default=15)
    p.add_argument("--norwegian-rounds", type=int, default=2,
                   help="searches of the mix per mode (on, off, on, off, …) in the norwegian step")
    p.add_argument("--write", default=None, help="write the tables into this Markdown file")
    args = p.parse_args()
    args.sizes = [int(s) for s in (args.sizes or ("1000" if args.smoke else "10000,100000")).split(",")]
    args.pdf_docs = args.pdf_docs or (20 if args.smoke else 1000)
    args.only_given = args.only != ",".join(STEPS)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(STEPS)
    if unknown:
        p.error(f"unknown steps: {', '.join(sorted(unknown))}")
    if os.path.abspath(args.work).startswith(ROOT + os.sep):
        p.error("--work must be outside the repository")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        Bench(args).main()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
