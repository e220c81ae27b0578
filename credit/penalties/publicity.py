"""Publicity windows of penalty information (行政处罚信息公示): pure rules, no database.

Every published penalty is shown for a period that depends on the rules in force on its
decision date (``config/publicity.yaml``): 45号令 before 2025-12-25 (short 3 months for criticism
and lower fines, otherwise 3 years from publication; domain.md §6 art. 13), order 107 from then
(minor 3 months, general 1 year, serious 3 years, from publication too: 45号令 art. 13 still counts
them; domain.md §5.1, §6, §13 example 10). Under both, the penalties of 45号令 art. 14 para. 3 are
never stopped early.
Each window has its earliest repair date (none where repair is not available, with the reason)
and its automatic end; a restriction longer than the period governs (45号令 art. 13 para. 3,
domain.md §4). A revoked, changed or void decision is withdrawn within 3 WD (45号令 art. 11).

:func:`windows` turns a frame of penalties into a frame of windows; the night stores them
(:mod:`credit.penalties.store`), the views read them (:mod:`credit.penalties.read`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit.calendar import UnknownCalendarYear, WorkingCalendar, add_months
from credit.config import ConfigDoc, load_config
from credit.rosters.rules import Period
from credit.settings import Settings, bundled, get_settings

WINDOW_COLUMNS = ["case_no", "uscc", "decided_on", "regime", "class", "published", "publicity_from",
                  "publicity_until", "repair_from", "repair_note", "revoked_on", "withdraw_due", "basis"]


def _months(p: Period) -> int:
    if p.unit == "months":
        return p.n
    if p.unit == "years":
        return 12 * p.n
    raise ValueError(f"publicity periods are months or years, not {p.unit!r}")


@dataclass(frozen=True)
class PenaltyClass:
    """One class of a regime: when it applies, how long it is published, when repair can succeed."""

    name: str
    when: dict[str, Any]
    published: bool
    period: Period | None
    repair_after: Period | None
    repair_note: str | None

    def matches(self, measures: Sequence[str], fine: float | None, heavier: bool, category: str,
                lower_fine_max: float) -> bool:
        w = self.when
        ms = set(measures)
        if "measures_within" in w and not ms <= set(w["measures_within"]):
            return False
        if w.get("fine_at_most_lower") and "fine" in ms and (fine is None or fine > lower_fine_max):
            return False
        if w.get("heavier") and not heavier:
            return False
        if "any_measure" in w and not ms & set(w["any_measure"]):
            return False
        return not ("categories" in w and category not in set(w["categories"]))


@dataclass(frozen=True)
class Regime:
    """The publicity rules of one period of law (e.g. 45号令, order 107), by decision date."""

    id: str
    valid_from: date
    valid_to: date | None
    runs_from: str                  # decision | publication
    publication_limit: Period | None
    basis: str
    classes: tuple[PenaltyClass, ...]

    @property
    def version(self) -> str:
        return f"{self.id}@{self.valid_from.isoformat()}"

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class PublicityRules:
    """``config/publicity.yaml`` parsed: the regimes, the lower-fine amount and the switches."""

    version: str
    regimes: tuple[Regime, ...]
    lower_fine_max: float
    withdraw_within: Period
    conditions: dict[str, bool]
    labels: dict[str, str]

    def regime_on(self, decided: date) -> Regime | None:
        """The regime in force on the decision date; None before the first (history not ours)."""
        return next((r for r in self.regimes if r.in_force(decided)), None)

    def label(self, cls: str) -> str:
        return self.labels.get(cls, cls)


def _day(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def parse_rules(doc: ConfigDoc) -> PublicityRules:
    regimes = []
    for r in doc.get("regimes") or []:
        classes = tuple(PenaltyClass(
            name=str(c["class"]), when=dict(c.get("when") or {}), published=bool(c.get("published", True)),
            period=Period.parse(c.get("period")), repair_after=Period.parse(c.get("repair_after")),
            repair_note=c.get("repair_note")) for c in r["classes"])
        for c in classes:
            if c.published and c.period is None:
                raise ValueError(f"publicity.yaml: class {c.name} of {r['id']} is published without a period")
        regimes.append(Regime(
            id=str(r["id"]), valid_from=_day(r["valid_from"]) or date.min, valid_to=_day(r.get("valid_to")),
            runs_from=str(r.get("runs_from", "decision")), publication_limit=Period.parse(r.get("publication_limit")),
            basis=str(r["basis"]), classes=classes))
    regimes.sort(key=lambda x: x.valid_from)
    for a, b in zip(regimes, regimes[1:], strict=False):
        if a.valid_to is None or a.valid_to >= b.valid_from:
            raise ValueError(f"publicity.yaml: regimes {a.id} and {b.id} overlap")
    withdraw = Period.parse(doc.get("withdraw_within")) or Period(3, "wd")
    return PublicityRules(doc.version, tuple(regimes), float(doc.get("lower_fine_max") or 0), withdraw,
                          {str(k): bool(v) for k, v in (doc.get("repair_conditions") or {}).items()},
                          {str(k): str(v) for k, v in (doc.get("labels") or {}).items()})


def load_publicity_rules(settings: Settings | None = None) -> PublicityRules:
    """The bureau's ``publicity.yaml``; the bundled one when the bureau's folder has none yet.

    Parsed once per version of the file (its modification time and size), like the roster rules
    (:class:`credit.rosters.env.RosterEnv`): a look-up does not parse YAML (issue 11), and an edited
    file is read again without a restart."""
    settings = settings or get_settings()
    folder = Path(settings.config_dir)
    if not (folder / "publicity.yaml").exists():
        folder = bundled("config")
    st = (folder / "publicity.yaml").stat()
    return _load_rules(str(folder), (st.st_mtime_ns, st.st_size))


@lru_cache(maxsize=8)
def _load_rules(config_dir: str, stamp: tuple[int, int]) -> PublicityRules:
    """Parsed once per configuration folder and file version (``stamp`` changes when the file does)."""
    return parse_rules(load_config("publicity", Settings(config_dir=Path(config_dir))))


def _end(start: date, p: Period) -> date:
    return add_months(start, _months(p))


def window_of(rules: PublicityRules, cal: WorkingCalendar, *, decided_on: date, measures: Sequence[str],
              fine: float | None, heavier: bool, category: str, first_night: date | None,
              restricted_until: date | None = None, revoked_on: date | None = None) -> dict[str, Any] | None:
    """The window of one penalty (keys of :data:`WINDOW_COLUMNS` but case_no/uscc/decided_on), or
    None when no regime covers its decision date (decided before the first regime)."""
    regime = rules.regime_on(decided_on)
    if regime is None:
        return None
    cls = next((c for c in regime.classes
                if c.matches(measures, fine, heavier, category, rules.lower_fine_max)), None)
    if cls is None:
        raise ValueError(f"publicity.yaml: no class of {regime.id} matches a penalty (add a catch-all class)")
    out: dict[str, Any] = {"regime": regime.version, "class": cls.name, "published": cls.published,
                           "publicity_from": None, "publicity_until": None, "repair_from": None,
                           "repair_note": cls.repair_note, "revoked_on": revoked_on, "withdraw_due": None,
                           "basis": regime.basis}
    if not cls.published or cls.period is None:
        out["repair_note"] = cls.repair_note or "该处罚信息不予公示，无需信用修复"
        return out
    start = decided_on
    if regime.runs_from == "publication":
        start = first_night or decided_on
        if regime.publication_limit is not None:
            try:
                start = min(start, regime.publication_limit.end(decided_on, cal))
            except UnknownCalendarYear:
                pass
        start = max(start, decided_on)
    until = _end(start, cls.period)
    repair_from = _end(start, cls.repair_after) + timedelta(days=1) if cls.repair_after else None
    if restricted_until is not None and restricted_until > until:
        # A restriction longer than the period governs (45号令 art. 13 para. 3, domain.md §4, §6).
        until = restricted_until
    if repair_from is not None and restricted_until is not None and restricted_until >= repair_from:
        # No early stop while a statutory restriction still runs (domain.md §4).
        repair_from = restricted_until + timedelta(days=1)
        if repair_from > until:
            # The restriction runs to the window's end: publicity stops by itself then, there is
            # nothing left to stop early (domain.md §4, §5.1, 45号令 art. 14; as for the serious
            # list, credit.rosters.early_removal).
            repair_from, out["repair_note"] = None, _RESTRICTED_TO_END_NOTE
    out |= {"publicity_from": start, "publicity_until": until, "repair_from": repair_from}
    if revoked_on is not None:
        try:
            out["withdraw_due"] = rules.withdraw_within.end(revoked_on, cal)
        except UnknownCalendarYear:
            out["withdraw_due"] = None
    return out


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as dicts keyed by column name."""
    return [{str(k): v for k, v in r.items()} for r in df.to_dict("records")]


_DAY = "datetime64[D]"
NAT = np.datetime64("NaT", "D")
_NOT_PUBLISHED_NOTE = "该处罚信息不予公示，无需信用修复"
_RESTRICTED_TO_END_NOTE = "行政处罚决定规定的限制期限至公示期满，限制期限届满前不得提前停止公示，公示期满自动停止公示"


def add_months_many(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """:func:`credit.calendar.add_months` over an array of days (民法典 art. 202: the corresponding
    day, or the end month's last day); NaT stays NaT."""
    days = np.asarray(days, dtype=_DAY)
    first = days.astype("datetime64[M]")
    offset = (days - first.astype(_DAY)).astype(np.int64)          # day of month, 0-based
    target = first + np.asarray(months, dtype=np.int64)
    length = ((target + 1).astype(_DAY) - target.astype(_DAY)).astype(np.int64)
    out = target.astype(_DAY) + np.minimum(offset, length - 1)
    return np.where(np.isnat(days), NAT, out)


def day_array(col: pd.Series | None, n: int) -> np.ndarray:
    """A column of dates (date objects, Timestamps, None/NaN/NaT) as ``datetime64[D]``.

    Converted once per distinct value: numpy turns ``date`` objects into days at ~5 µs each, and a
    night's penalties have a few thousand distinct dates (1,950 decision dates among 34,014 on the
    1 M drop's first night)."""
    if col is None:
        return np.full(n, NAT)
    if col.dtype.kind == "M":
        return col.to_numpy().astype(_DAY)
    codes, uniq = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=True)
    days = np.array([None if pd.isna(u) else u for u in uniq], dtype=_DAY)
    return np.where(codes < 0, NAT, days[np.maximum(codes, 0)] if len(days) else NAT)


def _measure_masks(measures: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each penalty's set of measures as a bit mask over the frame's distinct measure names.

    The windows depend on the *set* of measures only (:meth:`PenaltyClass.matches` and the heavier
    measures test sets), so one integer per penalty stands for the sorted tuple the per-row code
    built. A missing list (None/NaN) is the empty set; a NULL inside a list is the name "None" (the
    per-row code's ``str(m)``). Over 63 distinct names (the bureau's catalogue has 12) it raises
    OverflowError and the caller numbers the distinct sets instead."""
    s = pd.Series(measures.to_numpy(dtype=object), dtype=object)
    lengths = s.str.len().fillna(0).to_numpy()
    exploded = s.explode()
    positions = exploded.index.to_numpy()
    real = lengths[positions] > 0                    # an empty or missing list explodes to one NaN
    values = exploded.to_numpy(dtype=object)[real]
    values[pd.isna(values)] = None
    names = values.astype(str)
    codes, uniq = pd.factorize(names)
    if len(uniq) > 63:
        raise OverflowError("more than 63 distinct measures")
    mask = np.zeros(len(s), dtype=np.uint64)
    np.bitwise_or.at(mask, positions[real], np.left_shift(np.uint64(1), codes.astype(np.uint64)))
    return mask, [str(u) for u in uniq]


def windows(penalties: pd.DataFrame, rules: PublicityRules, cal: WorkingCalendar,
            heavier_measures: Sequence[str]) -> pd.DataFrame:
    """The window of every penalty of the frame (columns of the ``penalties`` store table; the
    optional ``restricted_until`` and ``revoked_on`` are used when present). Penalties decided
    before the first regime are left out.

    Columnar (issue 11): the rules of :func:`window_of` over whole columns. A penalty's class depends
    on its regime, its set of measures, whether its fine is lower, whether it is heavier and its
    category; the distinct combinations (a few dozen at 1 M entities) are classed by
    :meth:`PenaltyClass.matches` itself, and the dates are numpy arithmetic: the start is the
    publication (first night, at the latest the art. 9 limit of 20 WD, never before the decision:
    45号令 art. 9, 13, domain.md §6, §13 example 10), the end and the repair date are months after it
    (民法典 art. 202, domain.md §12), a longer restriction governs and delays repair (45号令 art. 13
    para. 3, domain.md §4), a revoked decision is withdrawn within 3 WD (45号令 art. 11). Working-day
    ends are computed once per distinct date (:meth:`Period.end_many`). On the 1 M drop's first
    night (34,014 penalties) the per-row version took 1.91 s of CPU and this one 0.28 s
    (6.9×; ten copies, 340,140 penalties: 17.1 s and 1.97 s, 8.7×; the per-row reference stays in
    tests/unit/penalties/test_windows_columnar.py, which compares both)."""
    n = len(penalties)
    if n == 0:
        return pd.DataFrame(columns=WINDOW_COLUMNS)
    decided = day_array(penalties["decided_on"], n)
    regime_of = np.full(n, -1, dtype=np.int64)
    for i, r in enumerate(rules.regimes):            # sorted and disjoint: at most one is in force
        inside = decided >= np.datetime64(r.valid_from, "D")
        if r.valid_to is not None:
            inside &= decided <= np.datetime64(r.valid_to, "D")
        regime_of[inside & (regime_of < 0)] = i
    kept = np.flatnonzero(regime_of >= 0)
    pens = penalties.iloc[kept]
    decided, regime_of = decided[kept], regime_of[kept]
    m = len(kept)

    try:
        mask, names = _measure_masks(pens["measures"])
    except OverflowError:
        codes, uniq = pd.factorize(pens["measures"].map(
            lambda raw: tuple(sorted({str(x) for x in (list(raw) if raw is not None and not isinstance(raw, float) else [])}))))
        mask, names = codes.astype(np.uint64), []
        sets = [set(u) for u in uniq]
    else:
        sets = []
    hm = set(heavier_measures)
    fine = pd.to_numeric(pens["fine_amount"]).to_numpy(dtype=float)
    fine_low = ~np.isnan(fine) & (fine <= rules.lower_fine_max)
    heavier = pens["heavier"].to_numpy(dtype=object).astype(bool) if pens["heavier"].dtype.kind != "b" \
        else pens["heavier"].to_numpy()
    if names:
        hm_bits = np.uint64(sum(1 << i for i, nm in enumerate(names) if nm in hm))
        heavier = heavier | ((mask & hm_bits) != 0)
    elif sets:
        heavier = heavier | np.array([bool(x & hm) for x in sets], dtype=bool)[mask.astype(np.int64)]
    category = pens["category"].to_numpy(dtype=object).astype(str)

    def measure_set(code: int) -> set[str]:
        return sets[code] if sets else {nm for i, nm in enumerate(names) if code >> i & 1}

    # the class of each distinct combination, by the per-penalty rule itself
    combos = pd.DataFrame({"r": regime_of, "m": mask, "f": fine_low, "h": heavier, "c": category})
    group = combos.groupby(["r", "m", "f", "h", "c"], sort=False).ngroup().to_numpy()
    firsts = combos.drop_duplicates(["r", "m", "f", "h", "c"]).itertuples(index=False)
    classes: list[PenaltyClass] = []
    for r, code, low, heavy, cat in firsts:
        regime = rules.regimes[int(r)]
        ms = measure_set(int(code))
        # the fine only matters against the lower-fine amount: the amount itself stands for "lower"
        fine_arg = rules.lower_fine_max if low else None
        cls = next((c for c in regime.classes
                    if c.matches(sorted(ms), fine_arg, bool(heavy), str(cat), rules.lower_fine_max)), None)
        if cls is None:
            raise ValueError(f"publicity.yaml: no class of {regime.id} matches a penalty (add a catch-all class)")
        classes.append(cls)

    def per_class(value: Any, dtype: Any = object) -> np.ndarray:
        return np.array([value(c) for c in classes], dtype=dtype)[group]

    regimes = rules.regimes
    published = per_class(lambda c: bool(c.published and c.period is not None), bool)
    period = per_class(lambda c: _months(c.period) if c.published and c.period is not None else 0, np.int64)
    has_repair = per_class(lambda c: c.repair_after is not None, bool) & published
    repair_after = per_class(lambda c: _months(c.repair_after) if c.repair_after is not None else 0, np.int64)
    note = per_class(lambda c: c.repair_note)
    note[~published] = per_class(lambda c: c.repair_note or _NOT_PUBLISHED_NOTE)[~published]

    first = day_array(pens["first_night"], m)
    restricted = day_array(pens["restricted_until"] if "restricted_until" in pens else None, m)
    revoked = day_array(pens["revoked_on"] if "revoked_on" in pens else None, m)
    start = decided.copy()
    for i, r in enumerate(regimes):
        if r.runs_from != "publication":
            continue
        rows = np.flatnonzero((regime_of == i) & published)
        s0 = np.where(np.isnat(first[rows]), decided[rows], first[rows])
        if r.publication_limit is not None:
            # the art. 9 limit where the calendar knows it (NaT, i.e. not applied, where it does not)
            limit, _ = r.publication_limit.end_many(decided[rows], cal)
            s0 = np.where(np.isnat(limit), s0, np.minimum(s0, limit))
        start[rows] = np.maximum(s0, decided[rows])
    until = np.where(published, add_months_many(start, period), NAT)
    repair = np.where(has_repair, add_months_many(start, repair_after) + np.timedelta64(1, "D"), NAT)
    longer = ~np.isnat(restricted) & published & (restricted > until)
    until[longer] = restricted[longer]                       # 45号令 art. 13 para. 3, domain.md §4, §6
    blocked = ~np.isnat(repair) & ~np.isnat(restricted) & (restricted >= repair)
    repair[blocked] = restricted[blocked] + np.timedelta64(1, "D")   # no early stop while restricted (§4)
    to_end = blocked & (repair > until)          # restricted to the window's end: nothing to stop early
    repair[to_end] = NAT
    note[to_end] = _RESTRICTED_TO_END_NOTE
    withdraw = np.full(m, NAT)
    due = published & ~np.isnat(revoked)
    if due.any():
        withdraw[due] = rules.withdraw_within.end_many(revoked[due], cal)[0]   # NaT: year not published

    revoked_raw = pens["revoked_on"].to_numpy(dtype=object).copy() if "revoked_on" in pens else np.full(m, None)
    revoked_raw[np.isnat(revoked)] = None
    out = pd.DataFrame({
        "case_no": pens["case_no"].to_numpy(dtype=object), "uscc": pens["uscc"].to_numpy(dtype=object),
        "decided_on": pens["decided_on"].to_numpy(dtype=object),
        "regime": np.array([r.version for r in regimes], dtype=object)[regime_of],
        "class": per_class(lambda c: c.name), "published": per_class(lambda c: c.published).astype(object),
        "publicity_from": np.where(published, start, NAT).astype(object), "publicity_until": until.astype(object),
        "repair_from": repair.astype(object), "repair_note": note, "revoked_on": revoked_raw,
        "withdraw_due": withdraw.astype(object),
        "basis": np.array([r.basis for r in regimes], dtype=object)[regime_of]}, columns=WINDOW_COLUMNS, dtype=object)
    return out
