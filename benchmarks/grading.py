"""Benchmark of the grading core: ``python -m benchmarks.grading --entities 10000000``.

Builds a synthetic indicator frame (the columns :mod:`credit.grading.indicators` produces, with skewed
realistic rates: most entities clean, a few per cent with each adverse fact), then times

- the **floor**: one pass that reads every indicator column the config uses and reduces it
  (what any grader must at least do), and
- **grade**: :func:`credit.grading.score.grade` — rules, scorecard, tiers and the ordered JSON reasons,

and prints both with their ratio, the peak memory above the frame, and date, machine and versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import time

import numpy as np
import pandas as pd
import pyarrow as pa


def _rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def synthetic_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def sparse_counts(p: float, hi: int) -> np.ndarray:
        return np.where(rng.random(n) < p, rng.integers(1, hi + 1, n), 0).astype(np.int64)

    tax = np.array(["A", "B", "M", "C", "D"], dtype=object)
    tax_grade = pd.array(np.where(rng.random(n) < 0.3, None, tax[rng.choice(5, n, p=[.3, .4, .15, .1, .05])]),
                         dtype=pd.ArrowDtype(pa.string()))
    return pd.DataFrame({
        "uscc": pd.array(np.char.add("91110000", np.char.zfill(np.arange(n).astype(str), 10)), dtype=pd.ArrowDtype(pa.string())),
        "new_entity": rng.random(n) < 0.08,
        "reports_missing": sparse_counts(0.06, 3),
        "reports_late": sparse_counts(0.10, 3),
        "report_all_zero": rng.random(n) < 0.05,
        "on_abnormal": rng.random(n) < 0.03,
        "marked_abnormal": rng.random(n) < 0.01,
        "on_serious": rng.random(n) < 0.003,
        "penalties": sparse_counts(0.03, 4),
        "heavier_penalties": sparse_counts(0.005, 1),
        "fines_total": np.where(rng.random(n) < 0.03, rng.lognormal(9, 2, n), 0.0),
        "penalties_unfulfilled": sparse_counts(0.01, 2),
        "open_findings": sparse_counts(0.01, 2),
        "inspections_adverse": sparse_counts(0.02, 2),
        "tax_grade": tax_grade,
        "abnormal_taxpayer": rng.random(n) < 0.02,
        "tax_arrears": np.where(rng.random(n) < 0.03, rng.lognormal(8, 2, n), 0.0),
        "social_arrears_months": sparse_counts(0.04, 8),
        "insured_drop": np.where(rng.random(n) < 0.5, np.nan, rng.beta(0.5, 4, n)),
        "related_serious": sparse_counts(0.002, 1),
        "related_d": sparse_counts(0.01, 2),
    })


def floor_pass(frame: pd.DataFrame, columns: list[str]) -> float:
    """Read every indicator column once and reduce it: the least work any grader must do."""
    total = 0.0
    for c in columns:
        col = frame[c]
        if col.dtype == bool:
            total += float(col.to_numpy().sum())
        elif isinstance(col.dtype, pd.ArrowDtype) or col.dtype == object or str(col.dtype) == "string":
            total += float(col.notna().sum())
        else:
            total += float(np.nansum(col.to_numpy(dtype=np.float64)))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    from credit.config import load_config
    from credit.grading.scheme import scheme_of
    from credit.grading.score import grade

    config = load_config("grading")
    scheme = scheme_of(config)
    t0 = time.perf_counter()
    frame = synthetic_frame(args.entities, args.seed)
    build_s = time.perf_counter() - t0
    base_mb = _rss_now_mb()

    t0 = time.perf_counter()
    floor_pass(frame, scheme.indicators)
    floor_s = time.perf_counter() - t0
    floor_peak = _rss_peak_mb()

    t0 = time.perf_counter()
    out = grade(frame, scheme)
    grade_s = time.perf_counter() - t0
    grade_peak = _rss_peak_mb()

    import pyarrow
    dist = out["grade"].value_counts().reindex(list("ABCD"), fill_value=0)
    print(f"date        {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine     {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB, {platform.platform()}")
    print(f"versions    python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"pyarrow {pyarrow.__version__}; config {config.version}")
    print(f"entities    {args.entities:,} ({len(scheme.indicators)} indicator columns; frame built in {build_s:.1f} s, "
          f"RSS {base_mb:,.0f} MiB)")
    print(f"floor       {floor_s:8.2f} s   (read + reduce every indicator column once)")
    print(f"grade       {grade_s:8.2f} s   (rules, scorecard, tiers, ordered JSON reasons)")
    print(f"ratio       {grade_s / floor_s:8.1f} × floor")
    print(f"peak memory {grade_peak:,.0f} MiB process peak; {max(grade_peak - base_mb, 0):,.0f} MiB above the frame "
          f"(floor pass peak {floor_peak:,.0f} MiB)")
    print(f"throughput  {args.entities / grade_s:,.0f} entities/s; tiers " +
          " ".join(f"{t} {100 * int(dist[t]) / len(out):.1f}%" for t in "ABCD"))


if __name__ == "__main__":
    main()
