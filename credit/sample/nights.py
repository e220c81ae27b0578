"""Nights: a full snapshot on night 1, deltas of changed and new rows later — contracts.md §1.

A drop's events are dated up to the day before its night (what happened until yesterday
evening), so no clean value is ever after the night. Night 1 is generated ``CHUNK`` entities at
a time; a later night draws its events from PCG64 generators seeded by (seed, night, source).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from credit.contract.sources import SOURCES
from credit.sample.bank import bank_changes, bank_rows, bank_table
from credit.sample.codes import CURE_CODES, FINDING_CODES, GRADE_D, MEASURE_BIT, STATUSES
from credit.sample.context import CHUNK, SOURCE_NUMBER, Context, Rows, concat, day_of, nrows, take
from credit.sample.defects import Defect
from credit.sample.draw import RngDraw, generator, pick
from credit.sample.entities import build_entities, registration_table
from credit.sample.facts import (
    FINDING_FIELDS,
    PENALTY_FIELDS,
    annual_rows,
    annual_table,
    finding_rows,
    finding_table,
    penalty_attrs,
    penalty_table,
    social_rows,
    social_table,
    tax_rows,
    tax_table,
)
from credit.sample.files import (
    FileWriter,
    ManifestEntry,
    defects_path,
    format_for,
    prepare_folder,
    write_json,
)
from credit.sample.inspectors import inspection_rows, inspection_table, make_inspectors
from credit.sample.world import DELTA_SERIAL, World

Progress = Callable[[str, int, int], None]
"""progress(label, done, total), called as a night is written."""


def _write_full_night(ctx: Context, world: World, folder: Path, night: date,
                      fmt_mix: bool, progress: Progress | None
                      ) -> tuple[dict[str, ManifestEntry], dict[str, list[Defect]]]:
    """Night 1: a complete snapshot of every source, generated CHUNK entities at a time."""
    day = day_of(night)
    writers = {s: FileWriter(ctx, folder, s, format_for(s, 1, fmt_mix), 1, day) for s in SOURCES}
    n = ctx.n_base
    label = f"{night.isoformat()} full"
    insp = world.inspectors
    writers["inspectors"].add(insp.table(np.arange(len(insp.ids))))
    for c0 in range(0, n, CHUNK):
        idx = np.arange(c0, min(n, c0 + CHUNK), dtype=np.int64)
        e, pen = build_entities(ctx, idx)
        writers["registration"].add(registration_table(ctx, e))
        ar = annual_rows(ctx, e)
        if ar is not None:
            writers["annual_reports"].add(annual_table(ctx, take(ar, ar["day"] <= ctx.cut1)))
            world.defer("annual_reports", take(ar, ar["day"] > ctx.cut1))
        tax = tax_rows(ctx, e)
        if tax is not None:
            writers["tax"].add(tax_table(ctx, tax))
        soc = social_rows(ctx, e)
        if soc is not None:
            writers["social_security"].add(social_table(ctx, soc))
        if pen is not None:
            pen["uscc"] = e["uscc"][pen["pos"]]
            writers["penalties"].add(penalty_table(ctx, pen, ctx.cut1))
            later = pen["fulfilled"] > ctx.cut1
            world.defer("penalties", {**take(pen, later), "day": pen["fulfilled"][later]})
            annulled = pen["revoked"] > ctx.cut1   # the revocation reaches the drop on its own night
            world.defer("penalties", {**take(pen, annulled), "day": pen["revoked"][annulled]})
        bank = bank_rows(ctx, e, night)
        if bank is not None:
            writers["bank_credit"].add(bank_table(bank))
        fnd = finding_rows(ctx, e)
        if fnd is not None:
            writers["findings"].add(finding_table(ctx, take(fnd, fnd["day"] <= ctx.cut1)))
            world.defer("findings", take(fnd, fnd["day"] > ctx.cut1))
        ins = inspection_rows(ctx, e, insp)
        if ins is not None:
            writers["inspection_results"].add(inspection_table(ctx, take(ins, ins["day"] <= ctx.cut1), insp))
            world.defer("inspection_results", take(ins, ins["day"] > ctx.cut1))
        if progress is not None:
            progress(label, int(idx[-1]) + 1, n)
    entries = {w.name: w.close("full") for w in writers.values()}
    ledger = {w.name: w.ledger for w in writers.values()}
    return entries, ledger


def _poisson(rng: np.random.Generator, rate: float, n: int) -> int:
    return int(rng.poisson(rate * n))


def _operating(ctx: Context, world: World, cand: np.ndarray) -> tuple[Rows, Rows | None]:
    """Candidates as entities with their current registration, keeping the operating ones."""
    cand = np.unique(cand)
    cand = cand[~np.isin(cand, np.fromiter(world.closed, dtype=np.int64, count=len(world.closed)))]
    e, pen = build_entities(ctx, cand)
    e = world.apply_overrides(e)
    return take(e, e["status"] == 0), pen


def _delta_tables(ctx: Context, world: World, night_no: int, night: date) -> dict[str, pa.Table]:
    """Changed and new rows of one later night, per source (a source with none is left out)."""
    seed, n = ctx.seed, ctx.n_base
    cut = day_of(night) - 1
    tables: dict[str, pa.Table] = {}

    def rng(source: str) -> np.random.Generator:
        return generator(seed, night_no, SOURCE_NUMBER[source], 0xD)

    # -- penalties first: a revoked business licence also changes the registration -----------
    r = rng("penalties")
    revoked: dict[int, int] = {}
    parts: list[Rows] = []
    k = _poisson(r, 0.00004, n)
    if k:
        e, _ = _operating(ctx, world, r.integers(0, world.next_idx, k))
        if nrows(e):
            m = nrows(e)
            decided = np.maximum(cut - r.integers(0, 10, m), e["est"])
            rows = penalty_attrs(RngDraw(r, m), decided)
            serial = DELTA_SERIAL + world.pen_serial + np.arange(m)
            world.pen_serial += m
            rows.update(uscc=e["uscc"], county=e["county"], serial=serial, idx=e["idx"])
            parts.append(rows)
            later = rows["fulfilled"] > cut
            world.defer("penalties", {**take(rows, later), "day": rows["fulfilled"][later]})
            annulled = rows["revoked"] > cut
            world.defer("penalties", {**take(rows, annulled), "day": rows["revoked"][annulled]})
            blr = (rows["measures"] & MEASURE_BIT["business_licence_revoked"]) > 0
            revoked = dict(zip(e["idx"][blr].tolist(), decided[blr].tolist(), strict=True))
    paid = world.release("penalties", cut)
    if paid is not None:
        parts.append(paid)
    pen_rows = concat([{k2: v for k2, v in p.items() if k2 in PENALTY_FIELDS} for p in parts])
    if pen_rows is not None:
        # A penalty paid and revoked by the same night is one row of that night's file.
        _, first = np.unique(pen_rows["serial"], return_index=True)
        pen_rows = take(pen_rows, np.sort(first))
        tables["penalties"] = penalty_table(ctx, pen_rows, cut)

    # -- registration: births, closures, changes of domicile or capital -----------------------
    r = rng("registration")
    born = _poisson(r, 0.0005, n)
    changes: list[tuple[np.ndarray, str]] = []
    for what, rate in (("cancelled", 0.0003), ("revoked", 0.00005), ("moved_out", 0.00003),
                       ("address", 0.0002), ("capital", 0.0001)):
        kk = _poisson(r, rate, n)
        if kk:
            changes.append((r.integers(0, world.next_idx, kk), what))
    if revoked:
        changes.insert(0, (np.array(list(revoked), dtype=np.int64), "revoked_by_penalty"))
    reg_idx: list[int] = []
    seen: set[int] = set()
    for cand, what in changes:
        e, _ = _operating(ctx, world, cand)
        for x in e["idx"].tolist():
            if x in seen:
                continue
            seen.add(x)
            over = world.reg_over.setdefault(x, {})
            if what in ("cancelled", "revoked", "moved_out", "revoked_by_penalty"):
                status = "revoked" if what == "revoked_by_penalty" else what
                when = revoked[x] if what == "revoked_by_penalty" else cut
                over.update(status=STATUSES.index(status), status_on=when)
                world.closed.add(x)
            elif what == "address":
                over["addr_var"] = over.get("addr_var", 0) + 1
            else:
                cap = over.get("capital") or int(build_entities(ctx, np.array([x]))[0]["capital"][0])
                over["capital"] = (max(cap, 10_000_000) * (2 + int(r.integers(0, 4)))) if cap > 0 else 5_000_000
            over["updated"] = cut
            reg_idx.append(x)
    if born:
        ctx.new_est = np.concatenate([ctx.new_est, np.full(born, cut, dtype=np.int64)])
        new = np.arange(world.next_idx, world.next_idx + born, dtype=np.int64)
        world.next_idx += born
        for x in new.tolist():
            world.reg_over[x] = {"updated": cut}
        reg_idx.extend(new.tolist())
    if reg_idx:
        e, _ = build_entities(ctx, np.sort(np.array(reg_idx, dtype=np.int64)))
        tables["registration"] = registration_table(ctx, world.apply_overrides(e))

    # -- late annual reports filed yesterday -------------------------------------------------
    ar = world.release("annual_reports", cut)
    if ar is not None:
        tables["annual_reports"] = annual_table(ctx, ar)

    # -- tax: newly flagged 非正常户, arrears paid or incurred -----------------------------------
    r = rng("tax")
    k = _poisson(r, 0.0001, n)
    if k:
        e, _ = build_entities(ctx, np.unique(r.integers(0, ctx.n_base, k)))
        t = tax_rows(ctx, e)
        if t is not None:
            m = nrows(t)
            event = r.integers(0, 3, m)  # 0 flagged 非正常户, 1 arrears paid, 2 more arrears
            t["abn"] = np.where(event == 0, cut - r.integers(0, 3, m), t["abn"])
            t["grade"] = np.where(event == 0, GRADE_D, t["grade"])
            owed = np.round(np.exp(np.log(20_000) + 1.2 * r.standard_normal(m)) * 100).astype(np.int64)
            t["arrears"] = np.where(event == 1, 0, np.where(event == 2, t["arrears"] + owed, t["arrears"]))
            t["upd"] = np.full(m, cut)
            tables["tax"] = tax_table(ctx, t)

    # -- social security: arrears of the latest period settled or newly owed ------------------
    r = rng("social_security")
    k = _poisson(r, 0.0002, n)
    if k:
        e, _ = build_entities(ctx, np.unique(r.integers(0, ctx.n_base, k)))
        s = social_rows(ctx, e)
        if s is not None:
            s = take(s, s["period"] == 2)
            m = nrows(s)
            if m:
                owe = (r.random(m) < 0.5) & (s["insured"] > 0)
                s["months"] = np.where(owe, s["months"] + 1, 0)
                s["arrears"] = s["months"] * s["insured"] * (900 + r.integers(0, 600, m)) * 100
                tables["social_security"] = social_table(ctx, s)

    # -- bank credit: a few borrowers newly overdue, cured or a month more overdue -----------
    r = rng("bank_credit")
    k = _poisson(r, 0.004, n)   # about a fifth of them have a loan
    if k:
        e, _ = _operating(ctx, world, r.integers(0, ctx.n_base, k))
        b = bank_rows(ctx, e, night) if nrows(e) else None
        if b is not None:
            b = bank_changes(b, r)
            b["upd"] = np.full(nrows(b), cut)
            tables["bank_credit"] = bank_table(b)

    # -- findings: new ones (a fifth cured a few nights later) and cures due -----------------
    r = rng("findings")
    parts = []
    k = _poisson(r, 0.00005, n)
    if k:
        e, _ = _operating(ctx, world, r.integers(0, world.next_idx, k))
        m = nrows(e)
        if m:
            found = pick(r.random(m), (0.7, 0.1, 0.2))  # a position in codes.FINDING_CODES
            serial = DELTA_SERIAL + world.find_serial + 2 * np.arange(m)
            world.find_serial += 2 * m
            doc = 1 + r.integers(0, 900, m)
            rows = {"uscc": e["uscc"], "county": e["county"], "kind": FINDING_CODES[found], "day": np.full(m, cut),
                    "serial": serial, "doc_n": doc}
            parts.append(rows)
            cured = r.random(m) < 0.2
            world.defer("findings", {**take(rows, cured), "kind": CURE_CODES[found[cured]],
                                     "day": cut + 2 + r.integers(0, 6, int(cured.sum())),
                                     "serial": serial[cured] + 1, "doc_n": doc[cured] + 1})
    due = world.release("findings", cut)
    if due is not None:
        parts.append(due)
    fnd = concat([{k2: v for k2, v in p.items() if k2 in FINDING_FIELDS} for p in parts])
    if fnd is not None:
        tables["findings"] = finding_table(ctx, fnd)

    # -- spot-check results published yesterday ---------------------------------------------
    ins = world.release("inspection_results", cut)
    if ins is not None:
        tables["inspection_results"] = inspection_table(ctx, ins, world.inspectors)

    # -- inspectors: now and then one leaves the roster or one joins -------------------------
    r = rng("inspectors")
    u = r.random()
    insp = world.inspectors
    if u < 0.15:
        pos = int(r.integers(0, len(insp.ids)))
        insp.active[pos] = not insp.active[pos]
        tables["inspectors"] = insp.table(np.array([pos]))
    elif u < 0.25:
        pos = insp.add(r, int(pick(r.random(1), ctx.county_weights)[0]))
        tables["inspectors"] = insp.table(np.array([pos]))
    return tables


def _write_delta_night(ctx: Context, world: World, folder: Path, night_no: int, night: date,
                       fmt_mix: bool) -> tuple[dict[str, ManifestEntry], dict[str, list[Defect]]]:
    tables = _delta_tables(ctx, world, night_no, night)
    entries: dict[str, ManifestEntry] = {}
    ledger: dict[str, list[Defect]] = {}
    for source in SOURCES:
        tbl = tables.get(source)
        if tbl is None or tbl.num_rows == 0:
            continue
        w = FileWriter(ctx, folder, source, format_for(source, night_no, fmt_mix), night_no, day_of(night))
        w.add(tbl)
        entries[w.name] = w.close("delta")
        ledger[w.name] = w.ledger
    return entries, ledger



def write_sample(out: Path, entities: int, nights: int, *, seed: int = 0,
                 start: date = date(2026, 7, 13), defect_rate: float = 0.01,
                 fmt_mix: bool = True, progress: Progress | None = None
                 ) -> list[Path]:
    """Write `nights` nightly drops for `entities` market entities (市场主体) into `out`.

    Night 1 (`start`) is a full snapshot of every source; later nights, on consecutive days,
    carry deltas. Same arguments give byte-identical files. `defect_rate` is the share of rows
    given one realistic defect (0: a clean drop), recorded per file in the night's ledger (:func:`credit.sample.files.defects_path`).
    `fmt_mix` varies formats by source (UTF-8, UTF-8 with BOM, GB18030 with CRLF, Parquet);
    without it every file is plain UTF-8 CSV. `progress(label, done, total)` reports progress.
    Returns the night folders written.
    """
    if entities < 1 or nights < 1:
        raise ValueError("entities and nights must be at least 1")
    if not 0.0 <= defect_rate <= 0.5:
        raise ValueError("defect_rate must be within [0, 0.5]")
    out = Path(out)
    ctx = Context(seed, entities, start, defect_rate)
    world = World(inspectors=make_inspectors(ctx), next_idx=entities)
    folders: list[Path] = []
    for k in range(nights):
        night = start + timedelta(days=k)
        folder = out / night.isoformat()
        prepare_folder(folder)
        if k == 0:
            entries, ledger = _write_full_night(ctx, world, folder, night, fmt_mix, progress)
        else:
            entries, ledger = _write_delta_night(ctx, world, folder, k + 1, night, fmt_mix)
            if progress is not None:
                progress(f"{night.isoformat()} delta", 1, 1)
        write_json(folder / "manifest.json", {"night": night.isoformat(), "files": entries})
        write_json(defects_path(folder), ledger, indent=None)  # C encoder: large at scale
        folders.append(folder)
    return folders

