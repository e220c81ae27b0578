"""Night benchmark at province scale (issue 11): three generated nights on a fresh database.

    python -m benchmarks.night --entities 100000

Generates three consecutive nights with ``credit sample`` (a full first night, then two deltas),
then for each night, in fresh child processes:

- the **floor**: read every file of the night with pyarrow and COPY the same rows into plain
  PostgreSQL tables (all columns text, no indexes) in a separate database of the same server;
- the **night**: ``credit.night.steps.run_night`` on the benchmark's database, with its wall
  time, the peak memory of the child and its ingest worker processes together (their summed
  resident sets, sampled: :class:`TreePeak`) and the database growth (``pg_database_size`` before and after).

After the nights it runs ``credit serve`` in a subprocess and measures ``GET /v1/entities/{uscc}``
over loopback with 8 concurrent keep-alive connections for a few seconds (an asyncio client in a
process of its own, :func:`lookups`): requests per second, p50, p99 and the server's CPU per
look-up (``/proc``: unlike latency, it does not depend on what else the machine runs); then name
search, ``GET /v1/entities?name=…``, one request at a time (:func:`name_searches`).
``--lookups-only --work DIR`` measures the look-ups again on the database an earlier run left in
``DIR`` (before/after a change to the server, on the same data). Prints date, machine and versions. The PostgreSQL
server runs in its own processes and is not counted in the client's memory.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

START = date(2026, 7, 13)


def _peak_mb() -> float:
    """This process's own peak resident set since it started (``VmHWM``, MB). Not ``getrusage``'s
    ``ru_maxrss``: on Linux a child's starts from its parent's high-water mark (kept across fork and
    exec), and the benchmark process, which generates the drop, is the parent of every night."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024   # KiB


def _tree_rss_kb(pid: int) -> int:
    """Resident set of ``pid`` and of every process below it (``/proc``, KiB); 0 for one gone meanwhile."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        children = [int(c) for t in os.listdir(f"/proc/{pid}/task")
                    for c in Path(f"/proc/{pid}/task/{t}/children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return 0
    return rss + sum(_tree_rss_kb(c) for c in children)


class TreePeak:
    """The peak of the summed resident sets of this process and its descendants (the night's ingest
    worker processes), sampled every 20 ms by a thread: ``getrusage`` alone would count only the
    largest process, never two at once. The embedded PostgreSQL server is not below it."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self.own_cpu = 0.0   # CPU seconds this sampler's thread has spent walking /proc, as of its last sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self.own_cpu = time.thread_time()

    def cpu_seconds(self) -> float:
        """What sampling has cost so far (about a millisecond a sample, 5 % of a core on this
        machine): the benchmark's, not the night's, so :class:`CpuMeter` leaves it out."""
        return self.own_cpu

    def stop_mb(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak_kb / 1024, _peak_mb())


def database_url(home: Path, database: str | None = None) -> str:
    """The URL of the embedded server under ``home`` (migrated), or of its ``database`` (created if missing)."""
    from credit import db
    from credit.db import engine_for
    from credit.settings import Settings

    engine = engine_for(Settings(home=home))   # starts the embedded server, migrates the schema
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    if database is None:
        return url
    other = db.embedded_url(home / "pg", database)
    db.create_database_if_missing(other)
    return other


def server_settings(url: str) -> dict[str, Any]:
    """The settings a measurement ran under that the embedded server's tuning changes only from its
    next start (``credit.db.EMBEDDED_TUNING``: ``wal_level``, ``shared_buffers``), and the names of
    any still waiting for that start (``pg_settings.pending_restart``)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as c:
        wal = c.exec_driver_sql("show wal_level").scalar_one()
        buffers = c.exec_driver_sql("show shared_buffers").scalar_one()
        pending = list(c.exec_driver_sql("select name from pg_settings where pending_restart order by name").scalars())
    engine.dispose()
    return {"wal_level": wal, "shared_buffers": buffers, "pending_restart": pending}


def child_prepare(home: Path) -> dict[str, Any]:
    """A fresh ``home``: the embedded server created, migrated and tuned, and the floor's database.
    Part of the tuning (``wal_level`` minimal, ``shared_buffers``) takes effect from the server's
    next start; the server stops when this child ends (no other process holds it), so every floor
    and night child after it starts a tuned server. Without it the first night's floor ran on the
    freshly created server with the defaults (``wal_level`` replica: its COPYs wrote the WAL; 128 MB
    of buffers), and only the night after it on the tuned one."""
    return server_settings(database_url(home, "floor"))


def _size(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as c:
        n = int(c.execute(sa.text("select pg_database_size(current_database())")).scalar_one())
    engine.dispose()
    return n


def _stat_fields(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state first); [] if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


class CpuMeter:
    """CPU seconds of the benchmark's child (itself and its reaped children: the ingest workers) and
    of the embedded PostgreSQL server (the postmaster, its children alive, and those it reaped: a
    night's backends end with their connections), phase by phase: each :meth:`phase` returns what
    each side spent since the last. On two cores a night of ``client + server`` core-seconds
    cannot take less wall time than half of that, however well the work is spread; that is the
    measure against issue 11's "3 × the floor" (at most 6 × the floor's wall in core-seconds).
    ``exclude``: CPU seconds of this process that are the benchmark's own, not the night's (the
    memory sampler's thread, :meth:`TreePeak.cpu_seconds`), left out of the client's figure.
    Linux ``/proc``; zeros elsewhere."""

    def __init__(self, home: Path, exclude: Callable[[], float] | None = None) -> None:
        self.home = home
        self.exclude = exclude
        self.last = self._now()

    def _now(self) -> tuple[float, float]:
        me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        client = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
        if self.exclude is not None:
            client -= self.exclude()
        return client, _postgres_cpu_seconds(self.home, reaped=True)

    def phase(self) -> dict[str, float]:
        time.sleep(0.3)   # backends that just ended are reaped by the postmaster
        now = self._now()
        spent = {"client": now[0] - self.last[0], "server": now[1] - self.last[1]}
        self.last = now
        return spent


def child_floor(drop: Path, night: date, home: Path) -> dict[str, Any]:
    """Read the night's files with pyarrow and COPY the rows into plain tables (the floor)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    import sqlalchemy as sa

    from credit.contract.manifest import read_manifest

    url = database_url(home, "floor")
    server = server_settings(url)
    engine = sa.create_engine(url)
    manifest = read_manifest(drop, night)
    rows = 0
    cpu = CpuMeter(home)
    t = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for k, f in enumerate(manifest.files):
            if f.format == "parquet":
                table = pq.read_table(f.path)
            else:
                table = pacsv.read_csv(f.path, read_options=pacsv.ReadOptions(encoding=f.encoding or "utf-8"))
            cols = [pc.binary_join(c, ",") if pa.types.is_list(c.type) else c for c in table.columns]
            table = pa.table(cols, names=[f"c{i}" for i in range(len(cols))])
            name = f"floor_{night:%Y%m%d}_{k}"
            conn.exec_driver_sql(f"create table {name} ({', '.join(f'c{i} text' for i in range(len(cols)))})")
            buf = io.BytesIO()
            pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
            with raw.cursor() as cur, cur.copy(f"copy {name} from stdin with (format csv)") as cp:
                cp.write(buf.getvalue())
            rows += table.num_rows
    seconds = time.perf_counter() - t
    engine.dispose()   # its backend ends, and the postmaster counts what it spent
    spent = cpu.phase()
    engine = sa.create_engine(url)
    with engine.begin() as conn:   # the floor's copies are not kept: at 10 M they would take gigabytes
        for k in range(len(manifest.files)):
            conn.exec_driver_sql(f"drop table floor_{night:%Y%m%d}_{k}")
    engine.dispose()
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb(), "cpu": spent, "server": server}


def _timed(fn: Callable[..., Any], label: str, into: dict[str, float]) -> Callable[..., Any]:
    """``fn``, its wall time added to ``into[label]`` at each call."""
    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into[label] = into.get(label, 0.0) + time.perf_counter() - t
    return timed


def child_night(drop: Path, night: date, home: Path) -> dict[str, Any]:
    """The night as ``run_night`` runs it (open, ingest, publish), timed as one, with the CPU of
    its two phases measured apart (:class:`CpuMeter`)."""
    from datetime import UTC, datetime

    from credit.db import engine_for
    from credit.night import steps
    from credit.night.steps import ingest_files, open_night, publish_night
    from credit.settings import Settings

    # The night's work after its commit has no stage of its own in the summary (which is recorded
    # before it): timed here around the two functions, and shown with the stages.
    after_commit: dict[str, float] = {}
    for name, label in (("refresh_statistics", "statistics after the commit"),
                        ("vacuum_changed_tables", "vacuum after the commit")):
        setattr(steps, name, _timed(getattr(steps, name), label, after_commit))
    settings = Settings(home=home)
    url = database_url(home)
    server = server_settings(url)
    before = _size(url)
    peak = TreePeak()
    cpu = CpuMeter(home, exclude=peak.cpu_seconds)
    t = time.perf_counter()
    started_at = datetime.now(UTC)
    opened = open_night(drop, night, settings)
    if opened.summary is not None:
        raise RuntimeError(f"the night {night} is published already in {home}")
    ingest_files(opened.manifest, settings)
    ingest = cpu.phase()
    summary = publish_night(opened.manifest, None, settings, started_at=started_at)
    seconds = time.perf_counter() - t
    engine_for(settings).dispose()   # the night's backends end, and the postmaster counts what they spent
    publish = cpu.phase()
    return {"seconds": seconds, "grown": _size(url) - before, "size": _size(url), "peak_mb": peak.stop_mb(),
            "rows": sum(f["rows_in"] for f in summary["files"]), "stages": {**summary["stages"], **after_commit},
            "cpu": {"ingest": ingest, "publish": publish}, "server": server}


class ChildFailed(RuntimeError):
    """A floor or night child process that did not finish; carries the end of what it wrote."""


def fresh_home(home: Path, drop: Path, night: date) -> None:
    """Remove ``home`` and prepare it in a child of its own (:func:`child_prepare`), so that the
    first floor is measured on the server as tuned as the nights'."""
    shutil.rmtree(home, ignore_errors=True)
    run_child("prepare", str(drop), night.isoformat(), str(home))


def measured_tuned(kind: str, night: date, result: dict[str, Any]) -> dict[str, Any]:
    """``result``, refused if its child measured a server whose settings still waited for a restart."""
    if pending := result["server"]["pending_restart"]:
        raise ChildFailed(f"the {kind} of {night} was measured on a server not yet restarted with its tuning "
                          f"(pending: {', '.join(pending)}): its figures are not comparable")
    return result


def run_child(*args: str) -> dict[str, Any]:
    """Run ``python -m benchmarks.night --child *args`` and return the JSON of its last line."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.night", "--child", *args],
                         capture_output=True, text=True, env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-30:])
        raise ChildFailed(f"the {args[0]} child for {args[2]} ended with status {out.returncode}:\n{tail}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _serve(url: str, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    credit = str(Path(sys.executable).parent / "credit")
    proc = subprocess.Popen([credit, "serve", "--port", str(port)],
                            env={**os.environ, "CREDIT_DATABASE_URL": url, "CREDIT_HOME": str(home)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("credit serve did not start")


def lookups(base: str, key: str, usccs: list[str], clients: int, seconds: float) -> dict[str, float]:
    """``clients`` keep-alive connections asking random entities for ``seconds``: req/s, p50, p99 (ms).

    The client runs in a child process of its own (:func:`child_lookups`): asyncio over raw
    HTTP/1.1 keep-alive connections, little CPU per request, so that on a 2-core machine the
    client takes as little as it can of what the server and PostgreSQL need (it was 8 httpx
    client threads in the benchmark's own process). Each request is read to the end of its body
    (``Content-Length``) and its status checked."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(usccs))
    try:
        return run_child("lookups", base, key, f.name, str(clients), str(seconds))
    finally:
        os.unlink(f.name)


def child_lookups(base: str, key: str, usccs_file: str, clients: int, seconds: float) -> dict[str, Any]:
    """The load generator: ``clients`` asyncio connections, one request in flight on each."""
    import asyncio
    from urllib.parse import urlsplit

    usccs = Path(usccs_file).read_text().split()
    where = urlsplit(base)
    host, port = where.hostname or "127.0.0.1", where.port or 80

    async def worker(seed: int, stop: float, lat: list[float], errors: list[int]) -> None:
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.monotonic() < stop:
                request = (f"GET /v1/entities/{rng.choice(usccs)} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                           f"X-API-Key: {key}\r\nAccept: application/json\r\n\r\n").encode()
                t = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                lat.append((time.perf_counter() - t) * 1000)
                errors[0] += status not in (200, 404)
        finally:
            writer.close()

    async def run() -> tuple[list[float], int, float]:
        lat: list[float] = []
        errors = [0]
        t0 = time.perf_counter()
        stop = time.monotonic() + seconds
        await asyncio.gather(*(worker(i, stop, lat, errors) for i in range(clients)))
        return lat, errors[0], time.perf_counter() - t0

    lat, errors, wall = asyncio.run(run())
    if len(lat) < 2:   # a machine too busy to answer twice in the time given: no quantiles to speak of
        return {"rps": len(lat) / wall, "p50": lat[0] if lat else float("nan"), "p99": float("nan"),
                "n": len(lat), "errors": errors}
    q = statistics.quantiles(lat, n=100)
    return {"rps": len(lat) / wall, "p50": statistics.median(lat), "p99": q[98], "n": len(lat), "errors": errors}


def name_searches(base: str, key: str, names: list[str], seed: int, count: int = 400) -> dict[str, float]:
    """``GET /v1/entities?name=…`` one after another: for ``count`` names drawn from ``names``, a
    piece of two characters and one of four after the first two (a brand, a brand and its trade:
    what a consumer types; the first two are the city every name begins with). p50, p99, max (ms)."""
    import httpx

    rng = random.Random(seed)
    texts = [t for n in rng.sample(names, min(count // 2, len(names))) for t in (n[2:4], n[2:6]) if len(t) >= 2]
    lat: list[float] = []
    errors = 0
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as h:
        for t in texts:
            started = time.perf_counter()
            r = h.get("/v1/entities", params={"name": t})
            lat.append((time.perf_counter() - started) * 1000)
            errors += r.status_code != 200
    if len(lat) < 2:
        return {"n": len(lat), "p50": lat[0] if lat else float("nan"), "p99": float("nan"), "max": float("nan"),
                "errors": errors}
    return {"n": len(lat), "p50": statistics.median(lat), "p99": statistics.quantiles(lat, n=100)[98],
            "max": max(lat), "errors": errors}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux ``/proc``; 0 elsewhere): the server's cost per
    look-up, which unlike latency does not depend on what else the machine runs."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def _postgres_cpu_seconds(home: Path, reaped: bool = False) -> float:
    """CPU seconds of the embedded PostgreSQL's processes: its postmaster and every child alive
    (the backends of the server's connection pool live through a look-up run); ``reaped``: with
    the children that ended (a night's backends end with its connections). Linux ``/proc``; 0 elsewhere."""
    try:
        postmaster = int((home / "pg" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    own = _stat_fields(postmaster)
    ticks = sum(int(x) for x in own[11:15 if reaped else 13]) if own else 0   # utime, stime[, cutime, cstime]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(stat.parent.name)
        if fields and int(fields[1]) == postmaster:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu_line(night: dict[str, dict[str, float]], floor: dict[str, Any]) -> str:
    """The night's CPU, phase by phase, against the floor's wall: on this machine's cores, the
    least wall time the night's work could take if spread perfectly, as a multiple of the floor."""
    cores = os.cpu_count() or 1
    total = sum(v for phase in night.values() for v in phase.values())
    f = floor["cpu"]
    return ("CPU core-s: " + ", ".join(f"{k} client {v['client']:.1f} + server {v['server']:.1f}" for k, v in night.items())
            + f" = {total:.1f} (floor {f['client']:.1f} + {f['server']:.1f}); on {cores} cores at least "
            f"{total / cores:.1f} s = {total / cores / floor['seconds']:.1f} × the floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the look-up run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--work", type=Path, default=None, help="folder to keep the drops in (default: temporary)")
    parser.add_argument("--lookups-only", action="store_true",
                        help="skip the nights: measure the look-ups on the database the nights left in --work")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.child[0] == "lookups":
        base, key, usccs_file, clients, seconds = args.child[1:6]
        print(json.dumps(child_lookups(base, key, usccs_file, int(clients), float(seconds))))
        return
    if args.child:
        kind, drop, night, home = args.child[0], Path(args.child[1]), date.fromisoformat(args.child[2]), Path(args.child[3])
        result = (child_prepare(home) if kind == "prepare"
                  else (child_floor if kind == "floor" else child_night)(drop, night, home))
        print(json.dumps(result, default=str))
        return

    from importlib.metadata import version

    import sqlalchemy as sa

    from credit.sample import write_sample

    work = args.work or Path(tempfile.mkdtemp(prefix="cbnight", dir="/tmp"))
    drop, home = work / "drop", work / "home"
    nights = [START + timedelta(days=k) for k in range(3)]
    if args.lookups_only and args.work is None:
        parser.error("--lookups-only needs the --work folder of an earlier run")
    print(f"date        {date.today().isoformat()}  machine {platform.machine()} {os.cpu_count()} cores  "
          f"python {platform.python_version()}  postgres (embedded) pandas {version('pandas')}  "
          f"pyarrow {version('pyarrow')}  great-expectations {version('great-expectations')}  "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    proc = None
    try:
        if not args.lookups_only:
            t = time.perf_counter()
            if not (drop / nights[-1].isoformat() / "manifest.json").exists():
                write_sample(drop, args.entities, len(nights), seed=args.seed, start=START)
            generated = time.perf_counter() - t
            fresh_home(home, drop, nights[0])
            print(f"entities    {args.entities:,}   three nights from {START}   (sample generated in {generated:.1f} s)")
            print(f"{'night':<12}{'rows':>10}{'wall s':>9}{'floor s':>9}{'ratio':>8}{'peak MB':>9}"
                  f"{'grown MB':>10}{'db MB':>8}")
            walls: list[float] = []
            for n in nights:
                floor = measured_tuned("floor", n, run_child("floor", str(drop), n.isoformat(), str(home)))
                res = measured_tuned("night", n, run_child("night", str(drop), n.isoformat(), str(home)))
                print(f"{n.isoformat():<12}{res['rows']:>10,}{res['seconds']:9.2f}{floor['seconds']:9.2f}"
                      f"{res['seconds'] / floor['seconds']:8.1f}{res['peak_mb']:9.0f}{res['grown'] / 1e6:10.1f}"
                      f"{res['size'] / 1e6:8.0f}")
                top = sorted(res["stages"].items(), key=lambda kv: -kv[1])[:6]
                print("            slowest stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in top))
                print("            " + _cpu_line(res["cpu"], floor))
                walls.append(res["seconds"])
            print("incremental nights / first night: "
                  + ", ".join(f"{w / walls[0]:.2f}" for w in walls[1:]) + "   (target ≤ 0.10)")
        url = database_url(home)
        from credit.api.auth import create_key

        engine = sa.create_engine(url)
        with engine.begin() as c:
            key = create_key(c, "consumer", "benchmark", "bench", rate_per_minute=10_000_000)[1]
            usccs = list(c.execute(sa.text("select uscc from registration")).scalars())
            names = list(c.execute(sa.text("select name from registration order by uscc limit 5000")).scalars())
            c.exec_driver_sql("analyze")
        engine.dispose()
        proc, base = _serve(url, home)
        import httpx

        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as h:   # warm-up
            for u in random.Random(args.seed).sample(usccs, min(50, len(usccs))):
                h.get(f"/v1/entities/{u}")
        cpu, pg_cpu = _cpu_seconds(proc.pid), _postgres_cpu_seconds(home)
        lk = lookups(base, key, usccs, args.clients, args.seconds)
        cpu, pg_cpu = _cpu_seconds(proc.pid) - cpu, _postgres_cpu_seconds(home) - pg_cpu
        done = max(lk["n"], 1)
        print(f"look-ups    GET /v1/entities/{{uscc}}  {args.clients} clients {args.seconds:.0f} s: {lk['n']:,} requests, "
              f"{lk['rps']:.0f} req/s, p50 {lk['p50']:.1f} ms, p99 {lk['p99']:.1f} ms, "
              f"server CPU {1000 * cpu / done:.2f} ms per look-up (PostgreSQL {1000 * pg_cpu / done:.2f} ms)"
              + (f", errors {lk['errors']}" if lk["errors"] else "")
              + f"   load average {os.getloadavg()[0]:.2f}")
        ns = name_searches(base, key, names, args.seed)
        print(f"name search GET /v1/entities?name=…  one client, {ns['n']} texts of 2 and 4 characters from "
              f"registered names: p50 {ns['p50']:.1f} ms, p99 {ns['p99']:.1f} ms, max {ns['max']:.1f} ms"
              + (f", errors {ns['errors']}" if ns["errors"] else ""))
    except ChildFailed as e:
        print(e, file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
