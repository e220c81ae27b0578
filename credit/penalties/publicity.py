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


def windows(penalties: pd.DataFrame, rules: PublicityRules, cal: WorkingCalendar,
            heavier_measures: Sequence[str]) -> pd.DataFrame:
    """The window of every penalty of the frame (columns of the ``penalties`` store table; the
    optional ``restricted_until`` and ``revoked_on`` are used when present). Penalties decided
    before the first regime are left out."""
    hm = set(heavier_measures)
    rows = []
    has_restricted = "restricted_until" in penalties
    has_revoked = "revoked_on" in penalties
    # Many penalties share what their window depends on (the fine only matters against the
    # lower-fine amount): each distinct combination is computed once.
    memo: dict[tuple[Any, ...], dict[str, Any] | None] = {}
    for p in records(penalties):
        raw = p["measures"]
        measures = tuple(sorted(str(m) for m in (list(raw) if raw is not None and not isinstance(raw, float) else [])))
        fine = None if p["fine_amount"] is None or pd.isna(p["fine_amount"]) else float(p["fine_amount"])
        fine_key = None if fine is None else fine <= rules.lower_fine_max
        restricted = p["restricted_until"] if has_restricted else None
        revoked = p["revoked_on"] if has_revoked else None
        restricted = None if restricted is None or pd.isna(restricted) else restricted
        revoked = None if revoked is None or pd.isna(revoked) else revoked
        heavier = bool(p["heavier"]) or bool(set(measures) & hm)
        key = (p["decided_on"], measures, fine_key, heavier, str(p["category"]), p["first_night"], restricted, revoked)
        if key not in memo:
            memo[key] = window_of(rules, cal, decided_on=p["decided_on"], measures=measures, fine=fine,
                                  heavier=heavier, category=str(p["category"]), first_night=p["first_night"],
                                  restricted_until=restricted, revoked_on=revoked)
        w = memo[key]
        if w is not None:
            rows.append({"case_no": p["case_no"], "uscc": p["uscc"], "decided_on": p["decided_on"], **w})
    return pd.DataFrame(rows, columns=WINDOW_COLUMNS)
