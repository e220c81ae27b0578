"""Region partitions at province scale (issue 12): the same nights unpartitioned and in partitions.

    python -m benchmarks.partitions --entities 100000 --partitions 1 4

Generates two consecutive nights with ``credit sample`` from 30 June (a full first night, then
1 July: the night after the annual-report deadline, a full night with many inclusions), then runs
them with ``credit nightly`` (``credit.night.steps.run_night``), each mode on a fresh database of
one embedded server, each night in a fresh child process: first in one transaction (no
partitions), then with ``--partitions N`` for each N given (the partitions one after another in
the same process, as ``credit nightly --partitions N`` does; in Airflow they run as parallel
tasks). Prints, per mode and night, the wall time and the night's stages (each partition's time
and the publish stages), and checks that every mode left the same decisions and grades.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

START = date(2026, 6, 30)


def _url(home: Path, database: str) -> str:
    from credit import db, schema
    from credit.db import engine_for
    from credit.settings import Settings

    engine_for(Settings(home=home)).dispose()   # starts the embedded server
    import sqlalchemy as sa

    url = db.embedded_url(home / "pg", database)
    db.create_database_if_missing(url)
    engine = sa.create_engine(url)
    schema.upgrade(engine)   # a no-op once migrated
    engine.dispose()
    return url


def child_night(drop: Path, night: date, home: Path, database: str, partitions: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from credit.night.steps import run_night
    from credit.settings import Settings

    url = _url(home, database)
    t = time.perf_counter()
    summary = run_night(drop, night, Settings(home=home, database_url=url),
                        max_partitions=partitions or None)
    seconds = time.perf_counter() - t
    engine = sa.create_engine(url)
    with engine.connect() as c:
        digest = c.execute(sa.text(
            "select md5(string_agg(concat_ws('|', seq, decision_no, row_hash), ',' order by seq)) "
            "from roster_decisions")).scalar()
        grades = c.execute(sa.text(
            "select md5(string_agg(concat_ws('|', uscc, valid_from, valid_to, grade, score, reasons), ',' "
            "order by uscc, valid_from)) from grade_ranges")).scalar()
    engine.dispose()
    return {"seconds": round(seconds, 2), "stages": summary["stages"], "partitions": summary.get("partitions"),
            "scope": summary.get("scope", {}).get("mode"), "decisions": summary["rosters"]["decisions"],
            "state": f"{digest}/{grades}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--nights", type=int, default=2)
    parser.add_argument("--partitions", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        drop, night, home, database, parts = args.child
        print(json.dumps(child_night(Path(drop), date.fromisoformat(night), Path(home), database, int(parts))))
        return
    from credit.sample import write_sample

    work = Path(tempfile.mkdtemp(prefix="bench-partitions-"))
    drop, home = work / "drop", work / "home"
    t = time.perf_counter()
    write_sample(drop, args.entities, args.nights, seed=args.seed, start=START)
    print(f"# {date.today()} {platform.node()} {os.cpu_count()} cpus, python {platform.python_version()}; "
          f"{args.entities} entities, {args.nights} nights generated in {time.perf_counter() - t:.0f} s")
    results: dict[str, list[dict[str, Any]]] = {}
    for parts in [0, *args.partitions]:
        mode = f"partitions={parts}" if parts else "one transaction"
        results[mode] = []
        for k in range(args.nights):
            night = START + timedelta(days=k)
            out = subprocess.run([sys.executable, "-m", "benchmarks.partitions", "--child", str(drop),
                                  night.isoformat(), str(home), f"bench_p{parts}", str(parts)],
                                 check=True, capture_output=True, text=True,
                                 env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
            r = json.loads(out.stdout.strip().splitlines()[-1])
            results[mode].append(r)
            print(json.dumps({"mode": mode, "night": night.isoformat(), **r}, ensure_ascii=False))
    states = {m: [r["state"] for r in rs] for m, rs in results.items()}
    same = len({json.dumps(s) for s in states.values()}) == 1
    print(f"# every mode left the same decisions and grades: {same}")


if __name__ == "__main__":
    main()
