"""Ingest benchmark: a whole night's pipeline time next to the time to merely read the same files.

    python -m benchmarks.ingest --entities 1000000

Generates one night for N entities (not timed against anything), then in two fresh child
processes measures (a) the floor: reading every file of the night with pyarrow, and (b) the
pipeline: ``credit.night.steps.run_night`` on a fresh embedded PostgreSQL. Prints wall time, the
ratio (b)/(a), each stage, and each child's peak resident memory (VmHWM). The PostgreSQL server
runs in its own processes and is not counted in the client's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_floor(drop: Path, night: date) -> dict[str, float]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from credit.contract.manifest import read_manifest

    manifest = read_manifest(drop, night)  # the checksums are part of merely reading a drop
    t = time.perf_counter()
    rows = 0
    for f in manifest.files:
        if f.format == "parquet":
            rows += pq.read_table(f.path).num_rows
        else:
            opts = pacsv.ReadOptions(encoding=f.encoding or "utf-8")
            rows += pacsv.read_csv(f.path, read_options=opts).num_rows
    return {"seconds": time.perf_counter() - t, "rows": rows, "peak_rss_mb": _peak_rss_mb()}


def child_pipeline(drop: Path, night: date, home: Path) -> dict[str, object]:
    from credit.night.steps import run_night
    from credit.settings import Settings

    settings = Settings(home=home)
    from credit.db import engine_for

    engine_for(settings)  # start the server and create the schema outside the timing
    t = time.perf_counter()
    summary = run_night(drop, night, settings)
    return {"seconds": time.perf_counter() - t, "stages": summary["stages"],
            "rows": sum(f["rows_in"] for f in summary["files"]),
            "quarantined": sum(f["quarantined"] for f in summary["files"]), "peak_rss_mb": _peak_rss_mb()}


def _run_child(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--child", *args],
                         check=True, capture_output=True, text=True, env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--defect-rate", type=float, default=0.01)
    parser.add_argument("--work", type=Path, default=None, help="folder to keep the drop in (default: temporary)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    night = date(2026, 7, 13)
    if args.child:
        kind, drop = args.child[0], Path(args.child[1])
        result = child_floor(drop, night) if kind == "floor" else child_pipeline(drop, night, Path(args.child[2]))
        print(json.dumps(result, default=str))
        return

    from importlib.metadata import version

    from credit.sample import write_sample

    work = args.work or Path(tempfile.mkdtemp(prefix="cbench", dir="/tmp"))
    drop = work / "drop"
    t = time.perf_counter()
    if not (drop / night.isoformat() / "manifest.json").exists():
        write_sample(drop, args.entities, 1, seed=args.seed, start=night, defect_rate=args.defect_rate)
    generated = time.perf_counter() - t
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    floor = _run_child("floor", str(drop))
    pipeline = _run_child("pipeline", str(drop), str(home))
    print(f"date        {date.today().isoformat()}  machine {platform.machine()} {os.cpu_count()} cores  "
          f"python {platform.python_version()}  pandas {version('pandas')}  pyarrow {version('pyarrow')}  "
          f"great-expectations {version('great-expectations')}")
    print(f"entities    {args.entities:,}   input rows {pipeline['rows']:,}   quarantined {pipeline['quarantined']:,}"
          f"   (sample generated in {generated:.1f} s)")
    print(f"floor       {floor['seconds']:8.2f} s   read every file with pyarrow   peak {floor['peak_rss_mb']:,.0f} MB")
    print(f"pipeline    {pipeline['seconds']:8.2f} s   run_night end to end           peak {pipeline['peak_rss_mb']:,.0f} MB")
    print(f"ratio       {pipeline['seconds'] / floor['seconds']:8.1f} × the floor")
    for stage, seconds in pipeline["stages"].items():  # type: ignore[union-attr]
        print(f"  {stage:<40} {seconds:8.2f} s")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
