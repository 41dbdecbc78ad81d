#!/usr/bin/env python3
"""p50/p95/p99 of /api/search over a fixed query mix, against a running `arkiv serve`.

    python3 bench/search-latency.py http://127.0.0.1:3000 [rounds]

Each round sends every query of the mix once, in order, over one keep-alive connection;
the first round warms caches and is not counted.
"""
import http.client
import sys
import time
import urllib.parse

QUERIES = [
    "vold", "voldsutsatte", "kommunene", "barn", "krisesenter", "besøksforbud",
    "omvendt voldsalarm", '"vold i nære relasjoner"', '"omvendt voldsalarm"',
    "istanbul convention", "barnekonvensjonen", "EMK artikkel 8", "sarbare", "saarbare",
    "voldsoffererstatning", "voldsoffer*", "partner*", "vold -barn", "menneskehandel OR tvangsekteskap",
    "konvensjon:istanbul år:2015..2019", "konvensjon:crc", "år:2021", "tittel:høringssvar",
    "partnerdarp", "digital vold", "women", "shelter", "personvern", "valg", "skatt",
]
FILTERS = ["", "&convention=istanbul", "&year=2019", "&sort=newest", "&kind=horingssvar"]


def main():
    base = urllib.parse.urlsplit(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3000")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    conn = http.client.HTTPConnection(base.hostname, base.port or 80)
    mix = [q + f for q in QUERIES for f in FILTERS[:1]] + [QUERIES[0] + f for f in FILTERS[1:]]
    timings = []
    errors = 0
    for r in range(rounds + 1):
        for q in mix:
            path = "/api/search?q=" + urllib.parse.quote(q.split("&")[0]) + (
                "&" + q.split("&", 1)[1] if "&" in q else "")
            start = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            elapsed = (time.perf_counter() - start) * 1000
            if resp.status != 200:
                errors += 1
            if r > 0:
                timings.append(elapsed)
    timings.sort()
    pick = lambda p: timings[min(len(timings) - 1, int(len(timings) * p))]
    print(f"requests {len(timings)}  errors {errors}  p50 {pick(0.50):.2f} ms  "
          f"p95 {pick(0.95):.2f} ms  p99 {pick(0.99):.2f} ms  max {timings[-1]:.2f} ms")


if __name__ == "__main__":
    main()
