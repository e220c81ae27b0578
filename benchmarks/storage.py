"""Storage benchmark (issue 11): every table's and index's size after each night of a sample drop.

    python -m benchmarks.storage --drop /tmp/x/drop --home /tmp/x/home [--json out.json]

Runs the drop's nights one after another on a fresh database (each in a child process, as
``benchmarks.night`` does) and, after each night, reads ``pg_total_relation_size`` of every table
(a partitioned table: the sum of its partitions) and ``pg_relation_size`` of every index, then
prints each table's size after the first night and its growth in every later night, largest first.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.night import database_url, run_child

SIZES = """
select c.relname as name,
       case when c.relkind = 'p' then 'partitioned' when c.relkind = 'i' then 'index' else 'table' end as kind,
       coalesce((select t.relname from pg_index x join pg_class t on t.oid = x.indrelid
                  where x.indexrelid = c.oid), '') as of_table,
       case when c.relkind = 'p'
            then (select coalesce(sum(pg_total_relation_size(p.relid)), 0)
                    from pg_partition_tree(c.oid) p where p.isleaf)
            when c.relkind = 'i' then pg_relation_size(c.oid)
            else pg_total_relation_size(c.oid) end as bytes,
       c.reltuples::bigint as rows_estimate
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public' and c.relkind in ('r', 'p', 'i') and not c.relispartition
"""


def sizes(url: str) -> dict[str, dict[str, Any]]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as c:
        c.exec_driver_sql("analyze")
        rows = c.execute(sa.text(SIZES)).mappings().all()
    engine.dispose()
    return {r["name"]: {"kind": r["kind"], "of": r["of_table"], "bytes": int(r["bytes"]),
                        "rows": int(r["rows_estimate"])} for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drop", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--resume", action="store_true", help="keep the home: nights published there are skipped")
    args = parser.parse_args()
    nights = sorted(date.fromisoformat(p.name) for p in args.drop.iterdir() if (p / "manifest.json").exists())
    if not args.resume:
        shutil.rmtree(args.home, ignore_errors=True)
    snapshots: list[dict[str, Any]] = []
    for n in nights:
        res = run_child("night", str(args.drop), n.isoformat(), str(args.home))
        snapshots.append({"night": n.isoformat(), "seconds": res["seconds"], "rows": res["rows"],
                          "sizes": sizes(database_url(args.home))})
        print(f"{n}: {res['rows']:,} rows in {res['seconds']:.1f} s, database {res['size'] / 1e6:.0f} MB", flush=True)
    if args.json:
        args.json.write_text(json.dumps(snapshots, indent=1))
    first = snapshots[0]["sizes"]
    names = sorted(first, key=lambda k: -first[k]["bytes"])
    head = "".join(f"{'+' + s['night'][5:]:>10}" for s in snapshots[1:])
    print(f"{'relation':<44}{'kind':<12}{'rows':>10}{'MB night 1':>11}{head}")
    for name in names:
        grows = "".join(f"{(s['sizes'].get(name, {'bytes': 0})['bytes'] - p['sizes'].get(name, {'bytes': 0})['bytes']) / 1e6:10.2f}"
                        for p, s in zip(snapshots, snapshots[1:], strict=False))
        label = name if not first[name]["of"] else f"  {name}"
        print(f"{label[:43]:<44}{first[name]['kind']:<12}{first[name]['rows']:>10,}{first[name]['bytes'] / 1e6:11.2f}{grows}")


if __name__ == "__main__":
    main()
