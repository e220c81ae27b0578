"""The gate's own cost, without a database: how long reading, normalising and validating a night's
files take next to reading them with pyarrow alone (issue 11: what a first night's ratio to its
floor is made of).

    python -m benchmarks.gate --drop /work/bench/drop200k --date 2026-07-13

For every file of the night, chunk by chunk as ``credit nightly`` reads it
(``credit.contract.manifest.iter_records``, ``ingest_chunk_rows`` rows): the read, the
normalisation (``credit.night.normalise.normalise``, Arrow kernels) and the validation
(``credit.night.quality.check_rows``: the Great Expectations suite and the row rules GX cannot
state). The floor, measured first in the same process: reading each file whole with pyarrow
(``pyarrow.csv.read_csv`` / ``pyarrow.parquet.read_table``). Prints seconds and ratios to it.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop", type=Path, required=True)
    parser.add_argument("--date", type=date.fromisoformat, required=True)
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from credit.contract.manifest import iter_records, read_manifest
    from credit.night import normalise, quality, suites
    from credit.settings import Settings

    settings = Settings()
    manifest = read_manifest(args.drop, args.date)
    t = time.perf_counter()
    for f in manifest.files:
        pq.read_table(f.path) if f.format == "parquet" else pacsv.read_csv(f.path)
    floor = time.perf_counter() - t
    suites.batch_definition()   # the import and the context: once a process, not counted
    spent = {"read": 0.0, "normalise": 0.0, "validate": 0.0}
    rows = 0
    for f in manifest.files:
        suite = settings.expectations_dir / f"{f.source.name}.json"
        t = time.perf_counter()
        for records in iter_records(f, settings.ingest_chunk_rows, max_record_lines=settings.ingest_max_record_lines):
            read = time.perf_counter()
            spent["read"] += read - t
            if records.table.num_rows:
                rows += records.table.num_rows
                canonical = normalise.normalise(records.table, f.source)
                normalised = time.perf_counter()
                spent["normalise"] += normalised - read
                quality.check_rows(canonical, f.source, args.date, suite)
                spent["validate"] += time.perf_counter() - normalised
            t = time.perf_counter()
    print(f"night {args.date}  {len(manifest.files)} files  {rows:,} rows  floor (pyarrow reads the files) {floor:.2f} s")
    for name, seconds in spent.items():
        print(f"{name:<10}{seconds:8.2f} s  {seconds / floor:6.1f} × the floor")
    total = sum(spent.values())
    print(f"{'together':<10}{total:8.2f} s  {total / floor:6.1f} × the floor")


if __name__ == "__main__":
    main()
