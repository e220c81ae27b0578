"""Benchmark of the HTTP API: ``python -m benchmarks.api [--entities 20000] [--requests 2000]``.

Sets up a private embedded PostgreSQL with N registered entities, a few per cent of them missing
their 2025 annual report, and lets the rosters' own night (``decide_night``) list them. Then it
starts ``credit serve``'s app (uvicorn) in a **separate process** on 127.0.0.1 and, from this
process over loopback, measures

- **status look-ups** ``GET /v1/entities/{uscc}`` (random entities, keep-alive, 1 and 4 client
  threads): requests per second, p50 and p99 latency;
- the **floor** in the same run: ``GET /healthz`` through the same stack (key check, rate limit,
  one query) — what any call costs before doing its own work;
- **one bulk screening** of 10,000 USCCs with its certificate, next to its floor: the same fold of
  the decision log for those USCCs run directly in SQL, without HTTP or JSON.

Prints date, machine and versions. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import sqlalchemy as sa


def _uscc(i: int) -> str:
    from credit.contract.uscc import calc_check_character

    first17 = f"91110105MA{i:07d}"
    return first17 + calc_check_character(first17)


def setup(base: Path, n: int) -> tuple[str, list[str], str]:
    """Embedded database with ``n`` entities decided by one night; returns (url, usccs, consumer key)."""
    from credit import db, schema
    from credit.api.auth import create_key
    from credit.context import NightContext
    from credit.rosters.decide import decide_night
    from credit.settings import Settings

    db.embedded_server(base / "pg")
    url = db.embedded_url(base / "pg", "bench")
    db.create_database_if_missing(url)
    engine = sa.create_engine(url)
    schema.upgrade(engine)
    usccs = [_uscc(i) for i in range(n)]   # setup only: n code computations
    with engine.begin() as c:
        c.execute(sa.text("""
            insert into registration (uscc, name, entity_kind, region_code, established_on, status, address,
                                      legal_rep_hash, first_night, last_night)
            select u, '基准测试企业' || ord, 'enterprise', '110105', date '2020-01-01', 'operating', '北京',
                   md5(u), date '2026-07-01', date '2026-07-01'
              from unnest(cast(:u as text[])) with ordinality as t(u, ord)"""), {"u": usccs})
        # 95 % filed the 2025 report in time; the rest are listed by the night.
        c.execute(sa.text("""
            insert into annual_reports (uscc, report_year, filed_on, first_night, last_night)
            select uscc, 2025, date '2026-05-01', date '2026-05-01', date '2026-05-01' from registration
             where abs(hashtext(uscc)) % 100 >= 5"""))
    settings = Settings(database_url=url, home=base / "home")
    night = dt.date(2026, 7, 15)
    with engine.begin() as c:
        summary = decide_night(c, NightContext(night, "bench", settings))
        c.execute(sa.text("insert into night_runs values (:n, 'bench', 'bench', now(), now(), cast(:s as jsonb))"),
                  {"n": night, "s": json.dumps({"rosters": summary}, default=str)})
        key = create_key(c, "consumer", "benchmark", "bench", rate_per_minute=10_000_000)[1]
    engine.dispose()
    return url, usccs, key


def start_server(url: str, port: int, home: Path) -> subprocess.Popen[bytes]:
    code = ("import uvicorn; from credit.api import create_app; from credit.settings import Settings; "
            f"uvicorn.run(create_app(Settings(database_url={url!r}, home={str(home)!r})), host='127.0.0.1', "
            f"port={port}, log_level='warning', access_log=False)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the API server did not start")


def measure(base_url: str, key: str, paths: list[str], threads: int) -> dict[str, float]:
    """Spread the paths over ``threads`` keep-alive clients; returns rps, p50 and p99 (ms)."""
    lat: list[float] = []
    lock = threading.Lock()
    errors = [0]

    def worker(chunk: list[str]) -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=30) as h:
            for p in chunk:
                t = time.perf_counter()
                r = h.get(p)
                mine.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    errors[0] += 1
        with lock:
            lat.extend(mine)

    chunks = [paths[i::threads] for i in range(threads)]
    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(lat, n=100)
    return {"rps": len(lat) / wall, "p50": statistics.median(lat), "p99": q[98], "errors": errors[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=20_000)
    ap.add_argument("--requests", type=int, default=2_000)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if args.entities < 10_000:
        ap.error("--entities must be at least 10000 (one bulk screening of 10,000 USCCs)")
    import fastapi
    import pandas
    import uvicorn

    print(f"benchmarks.api  {dt.datetime.now().isoformat(timespec='seconds')}  {platform.node()}  "
          f"{platform.processor() or platform.machine()} x{os.cpu_count()}  Python {platform.python_version()}  "
          f"fastapi {fastapi.__version__}  uvicorn {uvicorn.__version__}  pandas {pandas.__version__}")
    base = Path(tempfile.mkdtemp(prefix="crb", dir="/tmp"))
    proc = None
    try:
        t = time.perf_counter()
        url, usccs, key = setup(base, args.entities)
        print(f"setup: {args.entities:,} entities, one night decided in {time.perf_counter() - t:.1f} s")
        if not args.port:
            import socket

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                args.port = s.getsockname()[1]
        proc = start_server(url, args.port, base / "home")
        base_url = f"http://127.0.0.1:{args.port}"
        rng = random.Random(7)
        status_paths = [f"/v1/entities/{rng.choice(usccs)}" for _ in range(args.requests)]
        floor_paths = ["/healthz"] * args.requests
        measure(base_url, key, status_paths[:50], 1)   # warm-up
        print(f"{'':28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
        for threads in (1, 4):
            fl = measure(base_url, key, floor_paths, threads)
            st = measure(base_url, key, status_paths, threads)
            print(f"floor  /healthz     x{threads:<6}{fl['rps']:9.0f}{fl['p50']:9.1f}{fl['p99']:9.1f}")
            print(f"status /v1/entities x{threads:<6}{st['rps']:9.0f}{st['p50']:9.1f}{st['p99']:9.1f}"
                  f"   ratio to floor {fl['rps'] / st['rps']:.1f}x" + (f"  errors {st['errors']}" if st["errors"] else ""))
        batch = rng.sample(usccs, 10_000)
        with httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=300) as h:
            t = time.perf_counter()
            r = h.post("/v1/screenings", json={"usccs": batch, "as_of": "2026-07-15"})
            http_s = time.perf_counter() - t
        r.raise_for_status()
        doc = r.json()
        listed = sum(x["listed"] for x in doc["results"])
        from credit.rosters.certificates import entries_as_of

        engine = sa.create_engine(url)
        with engine.connect() as c:
            t = time.perf_counter()
            entries_as_of(c, batch, dt.date(2026, 7, 15))
            floor_s = time.perf_counter() - t
        engine.dispose()
        print(f"bulk screening 10,000 USCCs: {http_s:.2f} s over HTTP ({listed} listed, certificate "
              f"{len(r.content) / 1e6:.1f} MB); floor (the same fold in SQL, no HTTP/JSON) {floor_s:.2f} s; "
              f"ratio {http_s / floor_s:.1f}x")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
