"""What a plan freezes: the entity pool with its strata (检查对象名录库) and the inspector pool
(执法检查人员名录库), read from the stores on the plan date (domain.md §7–§8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.draws.core import ENTITY_COLUMNS, DrawRefused
from credit.draws.inspectors import region_prefix
from credit.grading.scheme import TIERS


class PoolStats(TypedDict):
    """How the entity pool was formed, published with the plan."""

    live: int
    ungraded: int
    excluded_recently_inspected: int
    # Entities left out because an earlier, still-live draw drew them (may overlap the above).
    excluded_drawn_earlier: int
    # Per matter: its entities (of its ``entity_kinds``) operating in scope before the two
    # exclusions above, the base of a matter's ``min_ratio`` (企业公示信息抽查办法 art. 4: 3 % of the
    # enterprises in the jurisdiction, domain.md §7; such a matter draws enterprises only), not the
    # pool that is left.
    jurisdiction: dict[str, int]


class ExcludedDraw(TypedDict):
    """An earlier draw and the entities of it a new plan leaves out of its pool (published)."""

    draw_id: str
    usccs: list[str]


def grades_as_of(conn: Connection, as_of: date) -> tuple[pd.DataFrame, date | None]:
    """Tiers from the grading engine's ``grades`` table as of ``as_of`` (empty if none yet)."""
    if conn.execute(sqlfiles.statement("draws/grades_kept")).scalar() is None:
        return pd.DataFrame({"uscc": [], "grade": []}), None
    # The latest graded night (grades are validity ranges, migration 0015; grading_runs lists the nights).
    night: date | None = conn.execute(sqlfiles.statement("draws/graded_by"), {"d": as_of}).scalar()
    if night is None:
        return pd.DataFrame({"uscc": [], "grade": []}), None
    df = pd.read_sql(sqlfiles.statement("draws/grades_of_night"), conn, params={"n": night})
    return df, night


def entity_pool(conn: Connection, rules: Mapping[str, Any], as_of: date, scope: str | None,
                today: date) -> tuple[pd.DataFrame, PoolStats, date | None, list[ExcludedDraw]]:
    """One row per (matter, entity) in scope, with its stratum (tier), minus recent inspections.

    ``scope`` and a matter's ``regions`` are GB/T 2260 codes or prefixes; a code's trailing ``00``
    pairs name no area (411400 is 商丘市: it covers 411402), as for the inspectors' areas.

    Left out (domain.md §8: 国办发〔2024〕54号, no repeated checks of the same enterprise; tiers in
    ``exclusion_exempt_tiers`` excepted, domain.md §7): entities with an inspection result within
    ``exclusion_window_days`` before ``as_of`` or since (any result the store holds dated by
    ``today``, the day the plan is made: its inspections come after today, and an entity inspected
    after the roster date is inspected again no sooner), and entities drawn by an earlier draw that is still
    live (not cancelled, and not unstaffed: an inspection no team can carry out never happens)
    whose inspection falls after that cutoff — drawn, not yet inspected (sql/draws/drawn_earlier).
    The latter are returned per earlier draw, for the plan to publish (so anyone holding the
    earlier draws' public records sees why they are missing; ``verify`` checks none is drawn).
    """
    live = pd.read_sql(sqlfiles.statement("draws/entity_pool"), conn, params={"as_of": as_of, "today": max(as_of, today)})
    grades, grades_night = grades_as_of(conn, as_of)
    tier = live["uscc"].map(grades.set_index("uscc")["grade"]) if len(grades) else pd.Series(np.nan, index=live.index)
    # An entity without a grade (or with a grade outside A–D) is drawn as the configured tier (B).
    ungraded = ~tier.isin(TIERS)
    live["stratum"] = tier.where(~ungraded, rules["ungraded_tier"]).astype(str)
    last = pd.to_datetime(live["last_inspected_on"])
    cutoff = pd.Timestamp(as_of - timedelta(days=int(rules["exclusion_window_days"])))
    exempt = live["stratum"].isin(rules["exclusion_exempt_tiers"])
    recent = (last > cutoff) & ~exempt
    drawn = pd.read_sql(sqlfiles.statement("draws/drawn_earlier"), conn, params={"cutoff": cutoff.date()})
    held = live["uscc"].isin(drawn["uscc"]) & ~exempt
    if scope:
        live = live[live["region_code"].str.startswith(region_prefix(scope))]
        recent, held = recent[live.index], held[live.index]
    left_out = set(live["uscc"][held])
    excluded: list[ExcludedDraw] = [
        {"draw_id": str(d), "usccs": sorted(g)}
        for d, g in drawn[drawn["uscc"].isin(left_out)].groupby("draw_id", sort=True)["uscc"]]
    parts: list[pd.DataFrame] = []
    jurisdiction: dict[str, int] = {}
    for matter, spec in sorted(rules["matters"].items()):
        m = live
        if spec["industries"]:
            m = m[m["section"].isin(spec["industries"])]
        if spec["regions"]:
            m = m[m["region_code"].str.startswith(tuple(region_prefix(str(r)) for r in spec["regions"]))]
        if spec["entity_kinds"]:   # empty: every kind
            m = m[m["entity_kind"].isin(spec["entity_kinds"])]
        jurisdiction[matter] = int(len(m))
        parts.append(m[~(recent[m.index] | held[m.index])].assign(matter=matter))
    stats: PoolStats = {"live": int(len(live)), "ungraded": int(ungraded[live.index].sum()),
                        "excluded_recently_inspected": int(recent.sum()),
                        "excluded_drawn_earlier": len(left_out), "jurisdiction": jurisdiction}
    pool = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ENTITY_COLUMNS)
    pool["prev_inspectors"] = pool["prev_inspectors"].map(lambda v: sorted(v) if v is not None else [])
    return pool[ENTITY_COLUMNS].reset_index(drop=True), stats, grades_night, excluded


def drawn_since_plan(conn: Connection, draw_id: str, rules: Mapping[str, Any], as_of: date,
                     entities: pd.DataFrame) -> list[ExcludedDraw]:
    """Entities of a plan's frozen pool that another draw, run after the plan was made, now holds
    (the rule :func:`entity_pool` applies at plan time, applied again at the run: two plans made
    before either is drawn freeze the same enterprises, and drawing both would inspect them twice,
    domain.md §8: 国办发〔2024〕54号). Tiers in ``exclusion_exempt_tiers`` are exempt, as at plan
    time. Those drawn before the plan are not in its pool (left out and published then); the draw's
    own inspections (``draw_id``) are never "another draw"."""
    cutoff = as_of - timedelta(days=int(rules["exclusion_window_days"]))
    drawn = pd.read_sql(sqlfiles.statement("draws/drawn_earlier"), conn, params={"cutoff": cutoff})
    held = entities[~entities["stratum"].isin(rules["exclusion_exempt_tiers"])]["uscc"]
    hit = drawn[drawn["uscc"].isin(set(held)) & (drawn["draw_id"] != draw_id)]
    return [{"draw_id": str(d), "usccs": sorted(set(g))} for d, g in hit.groupby("draw_id", sort=True)["uscc"]]


def inspector_pool(conn: Connection) -> pd.DataFrame:
    """The active inspectors with their competence and declared conflicts."""
    inspectors = pd.read_sql(sqlfiles.statement("draws/inspector_pool"), conn)
    check_tokens(inspectors, ["inspector_id", "department", "region_code"], "inspector")
    return inspectors


def check_tokens(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    """Refuse a value that would make the ``|``-joined key encoding ambiguous."""
    for c in cols:
        bad = df[c].astype(str).str.contains(r"[|\r\n]", regex=True)
        if bad.any():
            raise DrawRefused(f"{what} {c} {df[c][bad].iloc[0]!r} contains '|' or a line break: "
                              "it cannot be hashed unambiguously (docs/draws.md)")
