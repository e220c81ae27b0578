"""Roster rules as data (名录规则): versioned entries with effective-date ranges.

The legal texts changed in 2021 (44号令), 2024 (国务院令第777号) and 2025 (order 107) and some
are still open (domain.md §0, §14), so a rule is never code: ``config/rules.yaml`` holds every
version of every rule — cause, trigger, period and unit, basis, Chinese wording — and a
decision is judged by the version in force on its date.

Two dates matter for one decision (domain.md §12):
- the **decision date** picks the version whose wording/basis the decision carries and whether
  the night may decide it at all (``enabled``: historical or unverified rules such as the
  3-year escalation, domain.md §3.5, are switched off by date, not deleted);
- the **trigger date** (the day the period started running) picks the period used for the due
  date, because a limit that started under one text keeps that text's length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from credit.calendar import FIXED_DAYS_OFF, UnknownCalendarYear, WorkingCalendar, add_months, add_years
from credit.config import load_config
from credit.settings import Settings

UNITS = ("wd", "days", "months", "years")


@dataclass(frozen=True)
class Period:
    """A legal period: N working days (工作日), calendar days (日), months or years."""

    n: int
    unit: str

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> Period | None:
        if raw is None:
            return None
        unit = str(raw["unit"])
        if unit not in UNITS:
            raise ValueError(f"period unit {unit!r} is not one of {UNITS}")
        return cls(int(raw["n"]), unit)

    def end(self, start: date, cal: WorkingCalendar) -> date:
        """Last day of the period starting after ``start`` (start day not counted, domain.md §12).

        Raises :class:`UnknownCalendarYear` when a working-day answer needs an unpublished year.
        """
        if self.unit == "wd":
            return start if self.n == 0 else cal.add_working_days(start, self.n)
        if self.unit == "days":
            return start if self.n == 0 else cal.end_of_calendar_period(start, self.n)
        if self.unit == "months":
            return add_months(start, self.n)
        return add_years(start, self.n)

    def end_many(self, starts: np.ndarray, cal: WorkingCalendar) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`end` → (due, provisional).

        ``due`` is NaT where the calendar cannot answer; ``provisional`` then holds a weekday-only
        estimate (domain.md §13 example 11), never to be used as a hard deadline.
        """
        starts = np.asarray(starts, dtype="datetime64[D]")
        due = np.full(starts.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        prov = np.full(starts.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        if starts.size == 0:
            return due, prov
        # Few distinct start dates per night: compute each once, then scatter (no per-entity loop).
        valid = ~np.isnat(starts)
        uniq, inverse = np.unique(starts[valid], return_inverse=True)
        u_due = np.full(uniq.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        u_prov = np.full(uniq.shape, np.datetime64("NaT"), dtype="datetime64[D]")
        for i, s in enumerate(uniq):
            d = s.astype(date)
            try:
                u_due[i] = np.datetime64(self.end(d, cal), "D")
            except UnknownCalendarYear:
                u_prov[i] = np.datetime64(self.weekday_estimate(d), "D")
        due[valid] = u_due[inverse]
        prov[valid] = u_prov[inverse]
        return due, prov

    def weekday_estimate(self, start: date) -> date:
        """Monday–Friday-only count, for display as *provisional* when the year is unknown
        (domain.md §13 example 11), skipping the days off the law fixes by date (:data:`credit.calendar.FIXED_DAYS_OFF`)."""
        if self.unit == "wd":
            return _busday(start, self.n)
        end = start + timedelta(days=self.n) if self.unit == "days" else \
            (add_months(start, self.n) if self.unit == "months" else add_years(start, self.n))
        return _busday(end, 0)


def _busday(day: date, n: int) -> date:
    """The ``n``-th Monday–Friday day after ``day`` that is not one of :data:`credit.calendar.FIXED_DAYS_OFF`
    (start day not counted); ``n`` = 0: ``day`` itself, or the first such day after it."""
    at = np.datetime64(day, "D")
    off = [np.datetime64(date(y, m, d), "D") for y in range(day.year, day.year + 2 + n // 200) for m, d in FIXED_DAYS_OFF]
    # numpy counts from ``day`` rolled forward onto such a day, which is then the first one after it
    first = n if n == 0 or np.is_busday(at, holidays=off) else n - 1
    moved: date = np.busday_offset(at, first, roll="forward", holidays=off).astype(date)
    return moved


@dataclass(frozen=True)
class RuleVersion:
    """One version of a rule, in force from ``valid_from`` to ``valid_to`` (inclusive)."""

    rule_id: str
    roster: str
    action: str
    cause_code: str
    valid_from: date
    valid_to: date | None
    enabled: bool
    period: Period | None
    wording: str
    basis: str
    status: str
    reason: str | None = None
    listing_years: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Identity of this version, recorded with each decision (rule id @ first day in force)."""
        return f"{self.rule_id}@{self.valid_from.isoformat()}"

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def main_period(self) -> Period:
        """The period of the rule itself (e.g. the decision limit); a rule without one raises KeyError."""
        if self.period is None:
            raise KeyError(f"rule {self.version} has no period")
        return self.period

    def sub_period(self, key: str) -> Period:
        p = Period.parse(self.extra.get(key))
        if p is None:
            raise KeyError(f"rule {self.version} has no {key}")
        return p


class NoRuleInForce(LookupError):
    """No version of a rule covers the date: the decision cannot be judged, so it is not made."""


@dataclass(frozen=True)
class RuleBook:
    """All rules of ``config/rules.yaml``; look-ups by id and date."""

    version: str
    rules: dict[str, tuple[RuleVersion, ...]]
    meta: dict[str, dict[str, Any]]

    def versions(self, rule_id: str) -> tuple[RuleVersion, ...]:
        return self.rules[rule_id]

    def at(self, rule_id: str, on: date) -> RuleVersion:
        """The version in force on ``on``; raises :class:`NoRuleInForce`."""
        for v in self.rules[rule_id]:
            if v.in_force(on):
                return v
        raise NoRuleInForce(f"no version of rule {rule_id} is in force on {on.isoformat()}")

    def find(self, rule_id: str, on: date) -> RuleVersion | None:
        try:
            return self.at(rule_id, on)
        except NoRuleInForce:
            return None

    def enabled(self, rule_id: str, on: date) -> bool:
        """Whether the night may decide under this rule on ``on`` (a version in force and switched on)."""
        v = self.find(rule_id, on)
        return v is not None and v.enabled

    def by_version(self, version: str) -> RuleVersion | None:
        rule_id, _, start = version.partition("@")
        for v in self.rules.get(rule_id, ()):
            if v.valid_from.isoformat() == start:
                return v
        return None

def _day(raw: Any) -> date | None:
    if raw is None or raw == "":
        return None
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def load_rules(settings: Settings | None = None) -> RuleBook:
    """Read ``config/rules.yaml``; refuses overlapping or unordered versions of one rule."""
    doc = load_config("rules", settings)
    rules: dict[str, tuple[RuleVersion, ...]] = {}
    meta: dict[str, dict[str, Any]] = {}
    for rule_id, raw in (doc.get("rules") or {}).items():
        m = {k: v for k, v in raw.items() if k != "versions"}
        meta[rule_id] = m
        out: list[RuleVersion] = []
        for v in raw["versions"]:
            known = {"valid_from", "valid_to", "enabled", "period", "wording", "basis", "status", "reason",
                     "listing_years"}
            out.append(RuleVersion(
                rule_id=rule_id, roster=str(m.get("roster")), action=str(m.get("action")),
                cause_code=str(m.get("cause_code") or m.get("removes") or rule_id),
                valid_from=_day(v["valid_from"]) or date.min, valid_to=_day(v.get("valid_to")),
                enabled=bool(v.get("enabled", True)), period=Period.parse(v.get("period")),
                wording=str(v["wording"]), basis=str(v["basis"]), status=str(v.get("status", "unverified")),
                reason=v.get("reason"), listing_years=v.get("listing_years"),
                # rule-level keys (e.g. order_period, families) apply to every version unless overridden
                extra={k: x for k, x in m.items() if k not in ("roster", "action", "cause_code", "removes", "trigger")}
                | {"families": m.get("families", {})} | {k: x for k, x in v.items() if k not in known},
            ))
        out.sort(key=lambda r: r.valid_from)
        for a, b in zip(out, out[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise ValueError(f"rules.yaml: versions of {rule_id} overlap ({a.version} and {b.version})")
        rules[rule_id] = tuple(out)
    return RuleBook(doc.version, rules, meta)
