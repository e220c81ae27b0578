"""Benchmark of a draw: ``python -m benchmarks.draws --entities 1000000 --inspectors 1000``.

Builds a synthetic frozen pool (entities over 100 counties with a realistic A–D mix, some with
previous inspectors; inspectors at county and city level, a few with conflicts), then times

- the **floor**: hashing the pool once (one SHA-256 per entity — what any verifiable draw must do),
- **digest**: the entity and inspector pool digests a plan publishes,
- **draw**: :func:`credit.draws.derive.derive_draw` — keys, strata, the lowest k per stratum,
  inspectors for every inspection (recusal, previous inspectors, workload spread) and dates,

and prints each with its ratio to the floor, plus date, machine and versions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import time

import numpy as np
import pandas as pd

from credit.calendar import working_calendar
from credit.draws import core, derive
from credit.settings import Settings


def synthetic(n: int, n_ins: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    rng = np.random.default_rng(seed)
    counties = [f"41{c:02d}{k:02d}" for c in range(1, 21) for k in range(1, 6)]   # 100 counties, 20 cities
    region = np.array(counties, dtype=object)[rng.integers(0, len(counties), n)]
    usccs = np.char.add(np.char.add("91", region.astype(str)), np.char.zfill(np.arange(n).astype(str), 10))
    tiers = np.array(list("ABCD"), dtype=object)[rng.choice(4, n, p=[0.30, 0.50, 0.15, 0.05])]
    sections = np.array(list("CFGI"), dtype=object)[rng.integers(0, 4, n)]
    ins_ids = [f"INS{j:05d}" for j in range(n_ins)]
    prev = [[] for _ in range(n)]
    for i in np.flatnonzero(rng.random(n) < 0.05):
        prev[i] = sorted(rng.choice(ins_ids, 2, replace=False).tolist())
    ent = pd.DataFrame({"matter": "annual_report", "uscc": usccs.astype(object), "stratum": tiers,
                        "region_code": region, "section": sections, "prev_inspectors": prev})
    ins_region = [counties[j % len(counties)] if j % 10 else f"{counties[j % len(counties)][:4]}00"
                  for j in range(n_ins)]
    conflicts = [rng.choice(usccs, 3).tolist() if j % 7 == 0 else [] for j in range(n_ins)]
    ins = pd.DataFrame({"inspector_id": ins_ids, "department": "信用监督管理科", "region_code": ins_region,
                        "fields": [["C", "F", "G", "I"]] * n_ins, "conflicts": conflicts})
    cal = working_calendar(Settings())
    days = [str(d) for d in cal.working if np.datetime64("2026-09-08") <= d <= np.datetime64("2026-11-10")]
    rules: dict[str, object] = {
        "tier_ratios": {"A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30}, "inspectors_per_inspection": 2,
        "workload_spread": 2, "competence": ["district", "city", "province"],
        "schedule_days": days, "quiet_days": {"4114": {"days_of_month": "1-20"}},
        "matters": {"annual_report": {"departments": [], "industries": [], "regions": [], "requires_field": False,
                                      "quiet_days_apply": True, "min_count": 1, "max_count": None}}}
    return ent, ins, rules


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--inspectors", type=int, default=1_000)
    a = ap.parse_args()
    ent, ins, rules = synthetic(a.entities, a.inspectors)
    seed, task = "benchmark-seed", "DRAW-20260901-001"

    t0 = time.perf_counter()
    core.rank_keys(seed, task, ent["uscc"].tolist())
    floor = time.perf_counter() - t0

    t0 = time.perf_counter()
    core.entity_pool_digest(ent)
    core.inspector_pool_digest(ins)
    digest = time.perf_counter() - t0

    sizes = ent.groupby(["matter", "stratum"]).size()
    alloc = core.plan_strata(rules, {(str(m), str(s)): int(n) for (m, s), n in sizes.items()})
    t0 = time.perf_counter()
    state = derive.derive_draw(task, seed, rules, ent, ins, alloc)
    draw = time.perf_counter() - t0

    states = pd.Series([i["state"] for i in state.inspections.values()]).value_counts().to_dict()
    loads = state.assigner.loads
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}Z  machine {platform.machine()} {platform.processor() or ''}"
          f"  python {platform.python_version()}  pandas {pd.__version__}  numpy {np.__version__}")
    print(f"pool {a.entities:,} entities, {a.inspectors:,} inspectors; "
          f"{len(state.inspections):,} inspections {states}; inspector load {loads.min()}–{loads.max()}")
    print(f"floor  (hash the pool once)       {floor:8.2f} s   1.00×")
    print(f"digest (both pool digests)        {digest:8.2f} s   {digest / floor:5.2f}×")
    print(f"draw   (strata+inspectors+dates)  {draw:8.2f} s   {draw / floor:5.2f}×")


if __name__ == "__main__":
    main()
