"""Inspectors (执法检查人员名录库) and the results of spot checks they carry out (抽查检查结果) — domain.md §8."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pyarrow as pa

from credit.contract.regions import COUNTIES
from credit.contract.sources import RESULT_CODES
from credit.sample.cells import as_text, date_text, joined
from credit.sample.codes import OPERATING, weights
from credit.sample.context import SOURCE_NUMBER, Context, Rows, concat
from credit.sample.draw import Slot, Stream, generator, pick
from credit.sample.entities import build_entities
from credit.sample.words import (
    CITY_FIRST_COUNTY,
    CITY_LAST_COUNTY,
    COUNTY_BUREAU,
    COUNTY_CODE_TEXT,
    COUNTY_DOC,
    GIVEN_CHARS,
    RESULT_TEXT,
    SURNAMES,
    words_of,
)

# GB/T 4754 sections an inspector may cover (执法检查人员的专业领域), with weights.
_SECTIONS: Final = (("A", 1.0), ("C", 3.0), ("E", 1.0), ("F", 3.0), ("G", 1.0), ("H", 2.0),
                    ("I", 1.0), ("K", 0.5), ("L", 1.0), ("M", 1.0), ("O", 1.0), ("P", 0.5),
                    ("Q", 0.5), ("R", 0.5))
# The divisions (科室) of a county bureau its inspectors belong to. An inspector's department is the
# bureau's name followed by the division (杭州市西湖区市场监督管理局食品生产安全监督管理科), as a bureau's
# roster (执法检查人员名录库) writes it: a matter of config/draws.yaml that names a division
# (``departments``) matches it by that ending (credit.draws.inspectors.department_matches; an
# outsider's acceptance pass found the bare bureau name matched no configured department, so
# ``food_production`` and ``advertising`` drew no team, domain.md §8). Assigned in turn by the
# inspector's place on the roster (no random number: the rest of the sample stays as it was), so
# each city's inspectors span every division.
DIVISIONS: Final = ("信用监督管理科", "食品生产安全监督管理科", "广告监督管理科")


@dataclass
class Inspectors:
    """The roster, one position per inspector; ``seq`` numbers each county bureau's inspectors."""

    ids: list[str]
    names: list[str]
    county: np.ndarray
    fields: list[str]
    active: np.ndarray
    conflicts: list[str]
    seq: dict[int, int] = field(default_factory=dict)

    def table(self, sel: np.ndarray) -> pa.Table:
        s = sel.tolist()
        return pa.table({
            "inspector_id": pa.array([self.ids[i] for i in s], pa.string()),
            "name": pa.array([self.names[i] for i in s], pa.string()),
            "department": joined(words_of(COUNTY_BUREAU[self.county[sel]]),
                                 pa.array([DIVISIONS[i % len(DIVISIONS)] for i in s], pa.string())),
            "region_code": words_of(COUNTY_CODE_TEXT[self.county[sel]]),
            "fields": pa.array([self.fields[i] for i in s], pa.string()),
            "active": pa.array(np.where(self.active[sel], "true", "false")),
            "conflicts": pa.array([self.conflicts[i] or None for i in s], pa.string()),
        })

    def add(self, rng: np.random.Generator, county: int) -> int:
        """A new inspector of a county bureau; returns its position."""
        self.seq[county] = self.seq.get(county, 0) + 1
        self.ids.append(f"ZF{COUNTIES[county].code}{self.seq[county]:03d}")
        self.names.append(_person_name(rng))
        self.county = np.append(self.county, county)
        self.fields.append(_fields(rng))
        self.active = np.append(self.active, True)
        self.conflicts.append("")
        return len(self.ids) - 1


def _person_name(rng: np.random.Generator) -> str:
    given = "".join(GIVEN_CHARS[i] for i in rng.integers(0, len(GIVEN_CHARS), 1 + int(rng.random() < 0.7)))
    return SURNAMES[int(rng.integers(0, len(SURNAMES)))] + given


def _fields(rng: np.random.Generator) -> str:
    letters = [s for s, _ in _SECTIONS]
    w = np.array([x for _, x in _SECTIONS])
    k = 1 + int(rng.integers(0, 3))
    chosen = rng.choice(len(letters), size=k, replace=False, p=w / w.sum())
    return ";".join(sorted(letters[i] for i in chosen))


def make_inspectors(ctx: Context) -> Inspectors:
    """About one inspector per 1,000 entities (at least 20), by county, ids like ZF330106001."""
    rng = generator(ctx.seed, 1, SOURCE_NUMBER["inspectors"], 0x1A5)
    m = max(20, ctx.n_base // 1000)
    county = np.sort(pick(rng.random(m), ctx.county_weights))
    insp = Inspectors([], [], np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=bool), [])
    for c in county.tolist():
        insp.add(rng, c)
    insp.active = rng.random(m) < 0.94
    # Recusal data (回避): a few inspectors are related to one or two entities.
    has = np.flatnonzero(rng.random(m) < 0.05)
    if has.size:
        count = 1 + (rng.random(has.size) < 0.3)
        targets = rng.integers(0, ctx.n_base, int(count.sum()))
        codes = build_entities(ctx, targets)[0]["uscc"].astype(str).tolist()
        at = 0
        for i, c in zip(has.tolist(), count.tolist(), strict=True):
            insp.conflicts[i] = ";".join(codes[at:at + c])
            at += c
    return insp


def _assign_inspectors(insp: Inspectors, county: np.ndarray, ua: np.ndarray, ub: np.ndarray,
                       uscc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two distinct active inspectors per inspection (行政处罚法 art. 42): from the entity's county
    bureau when it has two, else from its city, else from the province; never one with a
    declared conflict (回避, art. 43)."""
    act = np.flatnonzero(insp.active)
    if act.size < 2:  # a roster with fewer than two active inspectors: fall back to all of them
        act = np.arange(len(insp.ids))
    # COUNTIES is ordered by city, so sorting by county index makes each city one block too.
    act = act[np.argsort(insp.county[act], kind="stable")]
    c_of = insp.county[act]
    first = np.searchsorted(c_of, county, "left")
    cnt = np.searchsorted(c_of, county, "right") - first
    city_first = np.searchsorted(c_of, CITY_FIRST_COUNTY[county], "left")
    city_cnt = np.searchsorted(c_of, CITY_LAST_COUNTY[county], "right") - city_first
    p0 = np.where(cnt >= 2, first, np.where(city_cnt >= 2, city_first, 0))
    pn = np.where(cnt >= 2, cnt, np.where(city_cnt >= 2, city_cnt, act.size))
    oa = np.minimum((ua * pn).astype(np.int64), pn - 1)
    ob = (oa + 1 + np.minimum((ub * (pn - 1)).astype(np.int64), pn - 2)) % pn
    ia, ib = act[p0 + oa], act[p0 + ob]
    pairs = {(i, code) for i, cs in enumerate(insp.conflicts) if cs for code in cs.split(";")}
    if pairs:
        listed = np.array(sorted({c for _, c in pairs}), dtype="S18")
        for r in np.flatnonzero(np.isin(uscc, listed)).tolist():
            code = uscc[r].decode()
            pool = act[p0[r]:p0[r] + pn[r]].tolist()
            ok = [i for i in pool if (i, code) not in pairs]
            if len(ok) >= 2:  # recusal: redraw inside the same pool
                if (int(ia[r]), code) in pairs or ia[r] == ib[r]:
                    ia[r] = next(i for i in ok if i != ib[r])
                if (int(ib[r]), code) in pairs or ia[r] == ib[r]:
                    ib[r] = next(i for i in ok if i != ia[r])
    return ia, ib


_RESULT_WEIGHTS: Final = weights(RESULT_CODES, {
    "normal": 0.74, "not_disclosed": 0.05, "false_disclosure": 0.01, "unreachable": 0.06,
    "ordered_to_correct": 0.08, "not_cooperating": 0.005, "not_operating": 0.04, "pending": 0.015})


def inspection_rows(ctx: Context, e: Rows, insp: Inspectors) -> Rows | None:
    """Results of this year's spot-check tasks; "day" is the day a result is published."""
    idx = e["idx"]
    parts = []
    for t in range(5):
        d = ctx.hd(idx, Slot.INSP + t)
        ws = int(ctx.task_start[t])
        length = 25 if t < 4 else 30
        alive = (e["status"] == OPERATING) | (e["status_on"] > ws + length)
        sampled = (d.u(Stream.INSP_HAS) < ctx.task_ratio[t]) & (e["est"] < ws) & alive
        if not sampled.any():
            continue
        sel = np.flatnonzero(sampled)
        d = ctx.hd(idx[sel], Slot.INSP + t)
        inspected = ws + d.below(Stream.INSP_DAY, length)
        ia, ib = _assign_inspectors(insp, e["county"][sel], d.u(Stream.INSP_A), d.u(Stream.INSP_B), e["uscc"][sel])
        parts.append({"pos": sel, "uscc": e["uscc"][sel], "county": e["county"][sel],
                      "task": np.full(sel.size, t), "inspected": inspected,
                      "code": pick(d.u(Stream.INSP_CODE), _RESULT_WEIGHTS),
                      "day": inspected + 2 + d.below(Stream.INSP_PUB, 12), "ia": ia, "ib": ib})
    return concat(parts)


def inspection_table(ctx: Context, r: Rows, insp: Inspectors) -> pa.Table:
    ids = pa.array(insp.ids, pa.string())
    codes = pa.array(RESULT_CODES).take(r["code"])
    return pa.table({
        "task_id": ctx.task_ids.take(r["task"]), "uscc": pa.array(r["uscc"]).cast(pa.string()),
        "inspected_on": date_text(r["inspected"]), "result_code": codes,
        "result": pa.array([RESULT_TEXT[c] for c in RESULT_CODES]).take(r["code"]),
        "inspector_ids": joined(ids.take(r["ia"]), ";", ids.take(r["ib"])),
        "doc_no": joined(words_of(COUNTY_DOC[r["county"]]), f"市监抽查〔{ctx.task_year}〕", as_text(r["task"] + 1), "号"),
    })

