"""Inspectors for inspections (执法检查人员随机匹配, domain.md §8): competence, conflicts, workloads.

Pure like :mod:`credit.draws.core`: an inspector's place among the competent is the order of
their inspector keys, so an auditor with the frozen pool re-derives every team.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from credit.draws.core import DrawError, inspector_key

# Competence levels (执法检查人员的管辖层级), narrowest first: the number of leading digits of a
# GB/T 2260 code that an inspector's code must share with the entity's at that level.
COMPETENCE_LEVELS: dict[str, int] = {"district": 6, "city": 4, "province": 2}


def competence_levels(rules: Mapping[str, Any]) -> tuple[str, ...]:
    """The plan's widening order (``competence`` in config/draws.yaml); ``district`` alone when
    the plan predates the setting, so older records re-derive unchanged."""
    levels = tuple(rules.get("competence") or ("district",))
    widths = [COMPETENCE_LEVELS.get(x) for x in levels]
    known = [w for w in widths if w is not None]
    if len(known) != len(widths) or known != sorted(known, reverse=True) or len(set(levels)) != len(levels):
        raise DrawError(f"competence {list(levels)!r}: levels must be distinct, among "
                        f"{', '.join(COMPETENCE_LEVELS)}, narrowest first")
    return levels


# How an inspector's department (执法检查人员名录库) matches a department a matter names
# (config/draws.yaml ``department_match``, frozen with each plan):
# ``exact`` — the same text; ``suffix`` — the same text, or the roster's name ending with the
# configured division: 杭州市西湖区市场监督管理局食品生产安全监督管理科 matches 食品生产安全监督管理科
# (a roster names the bureau and its division; a matter names the division in every bureau).
DEPARTMENT_MATCHES = ("exact", "suffix")


def department_match(rules: Mapping[str, Any]) -> str:
    """The plan's department rule; ``exact`` when the plan predates the setting, so older records
    re-derive unchanged (domain.md §8: the inspector pool is matched by the frozen rules)."""
    how = str(rules.get("department_match") or "exact")
    if how not in DEPARTMENT_MATCHES:
        raise DrawError(f"department_match {how!r}: one of {', '.join(DEPARTMENT_MATCHES)}")
    return how


def department_matches(department: str, named: Iterable[str], how: str) -> bool:
    """Whether an inspector of ``department`` is of one of the ``named`` departments (see
    :data:`DEPARTMENT_MATCHES`); an empty configured name never matches."""
    if how == "suffix":
        # the division's whole name after the bureau's (…局), never the tail of a longer division's:
        # 特殊食品生产安全监督管理科 is not 食品生产安全监督管理科 (an outside review)
        return any(d and (department == d or department.endswith("局" + d)) for d in named)
    return department in set(named)


# How the team of a joint inspection (联合抽查: one visit for several matters, 国发〔2019〕5号,
# domain.md §8) is competent (config/draws.yaml ``joint_team``, frozen with each plan):
# ``each_matter`` — every matter has at least one inspector competent for it on the team (a food
# inspection joined to an annual-report check keeps a food officer); ``any`` — every inspector
# competent for the matters taken together (any department when one matter names none), as plans
# made before the setting drew, so their records re-derive unchanged.
JOINT_TEAMS = ("any", "each_matter")


def joint_team(rules: Mapping[str, Any]) -> str:
    """The plan's joint-team rule; ``any`` when the plan predates the setting."""
    how = str(rules.get("joint_team") or "any")
    if how not in JOINT_TEAMS:
        raise DrawError(f"joint_team {how!r}: one of {', '.join(JOINT_TEAMS)}")
    return how


def region_prefix(region_code: str) -> str:
    """The part of a GB/T 2260 code that names its area: 411400 → 4114 (a city covers its counties)."""
    p = region_code
    while p.endswith("00"):
        p = p[:-2]
    return p


@dataclass
class Assigner:
    """Draws inspectors for inspections, keeping the draw's workloads (执法检查人员随机匹配).

    Rule for one inspection (domain.md §8): the competent inspectors are those active in the
    frozen pool whose area covers the entity's region, of a department of one of the inspection's
    matters (any when a matter names none; matched by the plan's ``department_match``), with the entity's GB/T 4754 section among their fields
    when a matter requires it; minus any with the entity in their conflicts (回避, 行政处罚法
    art. 43), minus the inspectors of the entity's previous inspection, minus those already
    excluded for it (recused). Fewer than needed left → the pool widens to the next level of the
    plan's ``competence`` list (``city``: also inspectors whose code shares the entity's first 4
    digits; ``province``: the first 2), and the level used is recorded; fewer than needed at the
    widest level → the inspection is unstaffed, never staffed short (art. 42). Otherwise, that many
    times: among the remaining, those whose load in this draw is below (least load among them +
    spread), the lowest inspector key.
    """

    seed: str
    task: str
    rules: Mapping[str, Any]
    inspectors: pd.DataFrame
    _load: list[int] = field(init=False)
    _cache: dict[tuple[str, str, tuple[str, ...], str], np.ndarray] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        ins = self.inspectors.sort_values("inspector_id", kind="stable").reset_index(drop=True)
        self.inspectors = ins
        self.ids: list[str] = ins["inspector_id"].tolist()
        self.index = {x: i for i, x in enumerate(self.ids)}
        self._load = [0] * len(ins)
        self._prefix = np.array([region_prefix(r) for r in ins["region_code"]], dtype=object)
        self._code = ins["region_code"].to_numpy(dtype=object)
        self.levels = competence_levels(self.rules)
        self._dept = ins["department"].to_numpy(dtype=object)
        self.department_match = department_match(self.rules)
        self.joint_team = joint_team(self.rules)
        self._fields = [frozenset(f or ()) for f in ins["fields"]]
        self.conflicts: dict[str, set[int]] = {}
        for i, cs in enumerate(ins["conflicts"]):
            for u in cs or ():
                self.conflicts.setdefault(u, set()).add(i)
        self.per = int(self.rules["inspectors_per_inspection"])
        self.spread = int(self.rules["workload_spread"])

    def competent(self, region_code: str, section: str, matters: tuple[str, ...],
                  level: str = "district") -> np.ndarray:
        """Positions of the inspectors competent for an inspection at one competence level."""
        key = (region_code, section, matters, level)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        ok = np.array([region_code.startswith(p) for p in self._prefix], dtype=bool)
        width = COMPETENCE_LEVELS[level]
        if width < len(region_code):
            area = region_code[:width]
            ok |= np.array([c[:width] == area for c in self._code], dtype=bool)
        specs = [self.rules["matters"][m] for m in matters]
        depts = set()
        if all(s["departments"] for s in specs):
            depts = {d for s in specs for d in s["departments"]}
            how = self.department_match
            ok &= np.array([department_matches(str(d), depts, how) for d in self._dept], dtype=bool)
        if any(s["requires_field"] for s in specs):
            ok &= np.array([section in f for f in self._fields], dtype=bool)
        hit = np.flatnonzero(ok)
        self._cache[key] = hit
        return hit

    def pick(self, uscc: str, region_code: str, section: str, matters: tuple[str, ...],
             exclude: Iterable[str], need: int,
             team: Iterable[str] = ()) -> tuple[list[tuple[str, str]], str] | None:
        """``need`` inspectors as (id, key) in drawing order and the competence level they were
        drawn at (the narrowest with enough), loads updated; None if too few even at the widest.

        Under ``joint_team: each_matter`` a joint inspection's team (``team``, those staying on
        it, plus those drawn) has an inspector competent for each of its matters: for each
        matter in turn that no one covers yet, one is drawn among its own competent inspectors,
        then the rest among those competent for any of the matters (so more than ``need`` may be
        drawn when the matters' inspectors are disjoint)."""
        # Candidate lists are short (the competent inspectors of one area): plain Python beats
        # numpy's per-call overhead here.
        barred = set(self.conflicts.get(uscc, ()))
        barred.update(self.index[x] for x in exclude if x in self.index)
        for level in self.levels:
            if self.joint_team == "each_matter" and len(matters) > 1:
                kept = {self.index[x] for x in team if x in self.index}
                full = [self.competent(region_code, section, (m,), level).tolist() for m in matters]
                each = [[i for i in c if i not in barred] for c in full]
                union = sorted(set().union(*each))
                # the matters no one staying on the team is competent for (at this level)
                open_ = [c for c, f in zip(each, full, strict=True) if not kept & set(f)]
                if len(union) >= need and all(open_):
                    return self._cover(uscc, open_, union, need), level
                continue
            cand = [i for i in self.competent(region_code, section, matters, level).tolist() if i not in barred]
            if len(cand) >= need:
                return self._choose(uscc, cand, need), level
        return None

    def _cover(self, uscc: str, open_: list[list[int]], union: list[int], need: int) -> list[tuple[str, str]]:
        """Draw one inspector for each matter no one on the team covers (``open_``: their
        candidates), then up to ``need`` among all of them (feasibility checked by :meth:`pick`:
        a matter left uncovered always has a candidate not yet drawn, since drawing all of its
        candidates would cover it)."""
        chosen: list[tuple[str, str]] = []
        on: set[int] = set()
        for cand in open_:
            if on & set(cand):
                continue
            got = self._choose(uscc, [i for i in cand if i not in on], 1)
            chosen += got
            on.add(self.index[got[0][0]])
        rest = need - len(chosen)
        if rest > 0:
            chosen += self._choose(uscc, [i for i in union if i not in on], rest)
        return chosen

    def _choose(self, uscc: str, cand: list[int], need: int) -> list[tuple[str, str]]:
        load = self._load
        keys: dict[int, str] = {}
        chosen: list[tuple[str, str]] = []
        for _ in range(need):
            limit = min(load[i] for i in cand) + self.spread
            best, best_key = -1, ""
            for i in cand:
                if load[i] < limit:
                    k = keys.get(i)
                    if k is None:
                        k = keys[i] = inspector_key(self.seed, self.task, uscc, self.ids[i])
                    if best < 0 or k < best_key:
                        best, best_key = i, k
            chosen.append((self.ids[best], best_key))
            load[best] += 1
            cand.remove(best)
        return chosen

    def wider(self, a: str | None, b: str | None) -> str | None:
        """The wider of two competence levels (None when neither is set)."""
        got = [x for x in (a, b) if x is not None]
        return max(got, key=self.levels.index) if got else None

    @property
    def loads(self) -> np.ndarray:
        """Inspections per inspector in this draw, in inspector-id order."""
        return np.array(self._load, dtype=np.int64)

    def release(self, inspector_ids: Iterable[str]) -> None:
        for x in inspector_ids:
            self._load[self.index[x]] -= 1


class MatterStaffing(TypedDict):
    """How far a matter's pool can be staffed at all, published with the plan (domain.md §8)."""

    matter: str
    entities: int          # entities of the matter's pool
    inspectors: int        # inspectors competent for at least one of them, at the widest level
    unstaffable: int       # entities with fewer than inspectors_per_inspection competent even then


def matter_staffing(assigner: Assigner, pool: pd.DataFrame) -> list[MatterStaffing]:
    """Per matter: the competent inspectors of its pool, and the entities that can never get a
    team (fewer than ``inspectors_per_inspection`` competent at the widest level, before any
    conflict or workload: 行政处罚法 art. 42, domain.md §8). A plan counts these so that a matter
    whose departments, areas or fields no inspector has is refused or warned about before the
    draw, instead of drawing enterprises no one will inspect (an outsider's acceptance pass)."""
    widest = assigner.levels[-1]
    out: list[MatterStaffing] = []
    for matter in sorted(assigner.rules["matters"]):
        g = pool[pool["matter"] == matter]
        union: set[int] = set()
        short = 0
        # Few distinct (region, section) pairs per matter (districts × sections): one look-up each.
        for key, n in g.groupby(["region_code", "section"], dropna=False).size().items():
            region, section = (str(x) for x in key)
            pos = assigner.competent(region, section, (matter,), widest)
            union.update(pos.tolist())
            if len(pos) < assigner.per:
                short += int(n)
        out.append({"matter": matter, "entities": int(len(g)), "inspectors": len(union), "unstaffable": short})
    return out
