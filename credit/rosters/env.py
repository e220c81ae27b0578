"""The rule environment of every roster decision: rules, roster configuration and calendar.

A decision is judged by the rule in force on its date (``config/rules.yaml``), worded and dated
by that rule's version, and decided by the authority the configuration names for the entity's
region (谁认定、谁修复, domain.md §5.1). :class:`RosterEnv` bundles the three, parsed once per
version of the configuration files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from credit.annual_reports import ended_before
from credit.calendar import UnknownCalendarYear, WorkingCalendar, working_calendar
from credit.config import ConfigDoc, load_config
from credit.rosters.authorities import Authority, authority_of, remedy_text
from credit.rosters.rules import RuleBook, load_rules
from credit.settings import Settings, get_settings

ROSTERS = ("abnormal", "abnormal_status", "serious")


def heavier_measures_of(rosters: Mapping[str, Any]) -> list[str]:
    """``heavier_measures`` of a rosters.yaml document: the penalty measures that make a penalty
    较重行政处罚 whatever the drop's flag (domain.md §4). The document is today's file
    (:meth:`RosterEnv.heavier_measures`) or the one a graded night recorded
    (``grading_runs.rosters_config``, :func:`credit.grading.read.grade_of`)."""
    return [str(m) for m in (rosters.get("heavier_measures") or [])]


@dataclass(frozen=True)
class RosterEnv:
    """Everything a decision needs besides the store: rules, config, calendar."""

    rules: RuleBook
    cfg: ConfigDoc
    cal: WorkingCalendar

    @property
    def config_version(self) -> str:
        return f"{self.rules.version};{self.cfg.version};{self.cal.version}"

    @classmethod
    def load(cls, settings: Settings | None = None) -> RosterEnv:
        settings = settings or get_settings()
        folder = Path(settings.config_dir)
        # calendar.yaml too: a newly published year must reach the due dates without a restart.
        stats = [os.stat(folder / f) for f in ("rules.yaml", "rosters.yaml", "calendar.yaml")]   # one stat each
        stamp = tuple((st.st_mtime_ns, st.st_size) for st in stats)
        return _load_env(str(folder), stamp)

    def annual_report_period_ends(self, night: date) -> tuple[list[tuple[int, date]], list[str]]:
        """The report years cause 1 decides on ``night`` (from ``rosters.yaml``
        ``annual_report_first_year``) with the end of each one's filing period, and warnings for the
        years whose end the calendar cannot give (:func:`credit.annual_reports.ended_before`). One
        answer for the night's decisions (:mod:`credit.rosters.decide`), the deadline watch's
        quarantine holds (:mod:`credit.rosters.deadlines`) and the scope's full-night trigger
        (:func:`credit.night.scope.global_events`)."""
        return ended_before(night, int(self.cfg.get("annual_report_first_year", 2025)), self.cal)

    def drafts(self, roster: str, on: date) -> bool:
        """Whether decisions on ``roster`` made on ``on`` are drafts awaiting an officer (config switch)."""
        entries = sorted((self.cfg.get("drafts") or {}).get(roster) or [], key=lambda e: str(e["from"]))
        out = False
        for e in entries:
            if date.fromisoformat(str(e["from"])) <= on:
                out = bool(e["drafts"])
        return out

    def authority(self, region: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(code, name, 文号 prefix) of the deciding authority per entity, named from its GB/T 2260
        division (谁认定、谁修复, domain.md §5.1; :mod:`credit.rosters.authorities`)."""
        region = region.fillna("000000").astype(str)
        found = {r: self.authority_of(r) for r in region.unique()}
        return (region.map({r: a.code for r, a in found.items()}), region.map({r: a.name for r, a in found.items()}),
                region.map({r: a.doc_prefix for r, a in found.items()}))

    def authority_of(self, region: str) -> Authority:
        """The deciding authority of one region code (``rosters.yaml`` ``authority``)."""
        return authority_of(region, self.cfg.get("authority") or {})

    def remedy(self, region: str, on: date) -> str:
        """The remedy statement (救济途径) of a decision dated ``on`` by the authority of ``region``."""
        return remedy_text(self.authority_of(region), on, self.cfg.get("remedy") or {})

    def limit_from(self, rule_id: str) -> str:
        """Where a removal rule's decision limit starts: ``receipt`` of the application (causes 1, 2,
        serious list) or ``cure``, the bureau's 查实 of the cure (causes 3 and 4: 68号令 arts. 13–14,
        69号令 art. 18; domain.md §3.3) — such applications are never refused by the clock."""
        return str((self.rules.meta.get(rule_id) or {}).get("limit_from", "receipt"))

    def lapses_on_cure(self, rule_id: str) -> bool:
        """Whether an inclusion rule's cause ends with the bureau's 查实 of its cure (rules.yaml
        ``lapses_on_cure``: causes 3 and 4, domain.md §3.3, §3.4): a cure established by the
        decision leaves nothing to list."""
        return bool((self.rules.meta.get(rule_id) or {}).get("lapses_on_cure", False))

    def lapsing_rules(self) -> list[str]:
        """The inclusion rules whose cause lapses on its cure (:meth:`lapses_on_cure`)."""
        return sorted(r for r in self.rules.rules if self.lapses_on_cure(r))

    def for_kind(self, rule_id: str, kind: object) -> str:
        """The rule with the entity kind's own text where rules.yaml has one: farmer co-ops are
        listed and removed under 农民专业合作社年度报告公示办法 (``coop.*``, domain.md §2)."""
        if kind == "farmer_coop" and rule_id.startswith("abn."):
            own = "coop." + rule_id.removeprefix("abn.")
            if own in self.rules.rules:
                return own
        return rule_id

    def heavier_measures(self) -> list[str]:
        """Penalty measures that make a penalty 较重行政处罚 whatever the drop's flag (config switch)."""
        return heavier_measures_of(self.cfg.data)

    def derive_due(self, rule_id: str, start: date | None) -> tuple[date | None, date | None]:
        """(due, provisional) of ``rule_id``'s main period from ``start``, computed now: the version
        in force on the start day (the first version for earlier starts), as the night does."""
        if start is None or rule_id not in self.rules.rules:
            return None, None
        versions = self.rules.versions(rule_id)
        v = self.rules.find(rule_id, start) or (versions[0] if start < versions[0].valid_from else None)
        if v is None or v.period is None:
            return None, None
        try:
            return v.period.end(start, self.cal), None
        except UnknownCalendarYear:
            return None, v.period.weekday_estimate(start)


def effective_due(env: RosterEnv, rule_id: str | None, start: date | None, due: date | None,
                  provisional: date | None) -> tuple[date | None, date | None]:
    """The due date as known *now*: a stored provisional due date (year without a published holiday
    notice) is recomputed from the rule and the start day once the calendar knows the year. Nothing
    is appended to the log; the stored estimate stays as evidence of what was known then."""
    if due is not None or provisional is None or rule_id is None:
        return due, provisional
    d, p = env.derive_due(rule_id, start)
    return (d, None) if d is not None else (None, provisional)


@lru_cache(maxsize=8)
def _load_env(config_dir: str, stamp: tuple[tuple[int, int], ...]) -> RosterEnv:
    """Parsed once per configuration folder and file version (``stamp`` changes when a file does)."""
    settings = Settings(config_dir=Path(config_dir))
    return RosterEnv(load_rules(settings), load_config("rosters", settings), working_calendar(settings))


def removal_rule(roster: str, cause: str) -> str:
    """The rule that removes an entry of ``roster`` on ``cause`` (early removal on the serious list)."""
    if roster == "serious":
        return "ser.remove.early"
    return ("ind.restore." if roster == "abnormal_status" else "abn.remove.") + cause


def decided_statuses(env: RosterEnv) -> list[str]:
    """Registration statuses whose entities the night decides on (config ``statuses_decided``)."""
    return [str(s) for s in env.cfg.get("statuses_decided", ["operating"])]


#: The rule whose revocation old rows worded with the officer's note (credit.rosters.repair.decide_objection).
OBJECTION_UPHELD = "any.revoke.objection_upheld"


def shown_reasons(reasons: Sequence[str | None], note_versions: Sequence[str | None],
                  settings: Settings | None = None) -> list[str | None]:
    """The reason each decision shows: its stored reason, except where ``note_versions`` names a rule version.

    An upheld objection's revocation (``any.revoke.objection_upheld``) recorded before 133e4b8 took
    the officer's free-text note as its reason, and the removal_reason of every answer showed it;
    a decision is never updated, so it is worded when read. The reading SQL sets a row's
    note version when the stored reason is the decision's own ``facts.note``: the row shows the
    reason its rule version gives, as rows recorded since do (contracts.md §2: ``removal_reason`` is
    the Chinese legal wording; domain.md §3.4). A version no longer in rules.yaml is worded by the
    rule's latest version; the note stays in the decision's facts. The rules are loaded only when a
    row needs them.
    """
    out = list(reasons)
    if not any(v is not None for v in note_versions):
        return out
    rules = RosterEnv.load(settings).rules
    latest = rules.rules.get(OBJECTION_UPHELD, ())
    for i, version in enumerate(note_versions):
        if version is None:
            continue
        v = rules.by_version(version) or (latest[-1] if latest else None)
        if v is not None:
            out[i] = v.reason or v.wording
    return out
