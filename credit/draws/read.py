"""The draws as read: plans, frozen pools, records rebuilt from the tables, inspections, results.

Nothing here writes. The full record is rebuilt from the append-only tables (migration
0004_draws) exactly as the run wrote it, so ``verify DRAW_ID`` compares like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypedDict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, working_calendar
from credit.config import load_config
from credit.draws.core import (
    ENTITY_COLUMNS,
    INSPECTOR_COLUMNS,
    DrawnStratum,
    DrawRefused,
    PlannedStratum,
    inspector_key,
)
from credit.draws.dates import iso
from credit.draws.records import PublicInspection, full_record_from
from credit.rosters.rules import Period
from credit.settings import Settings

RESULT_LABELS = {
    "normal": "未发现问题", "not_disclosed": "未按规定公示应当公示的信息",
    "false_disclosure": "公示信息隐瞒真实情况、弄虚作假", "unreachable": "通过登记的住所（经营场所）无法联系",
    "ordered_to_correct": "发现问题已责令改正", "not_cooperating": "不予配合情节严重",
    "not_operating": "未发现开展本次抽查涉及的经营活动", "pending": "发现问题待后续处理",
}
# The fields of a redraw the full record holds (the database also keeps the version it amends).
# ``skipped`` (migration 0047): absent from events recorded before it, which re-derive as before.
EVENT_KEYS = ("seq", "kind", "uscc", "inspector_id", "reason", "skipped", "outcome")
# Only results that exist are public: who is drawn and not yet inspected is a draw in progress.
PUBLISHED_STATES = ("published", "published_late")


class DrawPlan(TypedDict):
    """A row of ``draw_plans``: what a plan froze before its draw."""

    draw_id: str
    matters: list[str]
    scope: str | None
    as_of: date
    seed_commitment: str | None
    public_seed_source: str | None
    entity_pool_digest: str
    inspector_pool_digest: str
    grades_night: date | None
    rules: dict[str, Any]
    strata: list[PlannedStratum]
    public_plan: dict[str, Any]
    config_version: str


class DrawListing(TypedDict):
    """One plan in the list of draws, and whether it has been drawn."""

    draw_id: str
    matters: list[str]
    scope: str | None
    as_of: date
    config_version: str
    drawn: bool
    # The first day of the plan's inspection window (ISO): undrawn once it is before today.
    window_start: str | None


class RedrawEvent(TypedDict):
    """A row of ``draw_events``: one redraw, the version it amends and its outcome."""

    seq: int
    kind: str
    uscc: str
    inspector_id: str | None
    reason: str
    amends_version: int
    outcome: dict[str, Any]
    skipped: list[str] | None   # entity_closed since migration 0047: passed over, held by other live draws


class PublicResult(TypedDict):
    """One inspection's result with its publication limit and state (domain.md §8)."""

    task_id: str
    uscc: str
    name: str | None
    matters: list[str]
    scheduled_on: str | None
    inspected_on: str | None
    result_code: str | None
    result: str | None
    doc_no: str | None
    publish_by: str | None
    publish_by_provisional: bool
    publish_by_estimate: str | None   # when provisional: a weekday-only estimate (domain.md §12, §13 ex. 11)
    limit_basis: str
    status: str
    config_version: str


class StoredRun(TypedDict):
    """What ``draw_runs`` keeps of a run: the public record and the digests of both record files."""

    public_record: dict[str, Any]
    public_record_sha256: str
    full_record_sha256: str


class TaskResults(TypedDict):
    """An inspection task with the number of its published results."""

    task_id: str
    results: int


# -- plans and pools -------------------------------------------------------------------------------
def load_plan(conn: Connection, draw_id: str) -> DrawPlan:
    """The plan of ``draw_id``; :class:`DrawRefused` when there is none."""
    row = conn.execute(sqlfiles.statement("draws/plan"), {"id": draw_id}).mappings().first()
    if row is None:
        raise DrawRefused(f"没有抽查任务「{draw_id}」 (no draw plan {draw_id})")
    return {"draw_id": row["draw_id"], "matters": list(row["matters"]), "scope": row["scope"],
            "as_of": row["as_of"], "seed_commitment": row["seed_commitment"],
            "public_seed_source": row["public_seed_source"], "entity_pool_digest": row["entity_pool_digest"],
            "inspector_pool_digest": row["inspector_pool_digest"], "grades_night": row["grades_night"],
            "rules": row["rules"], "strata": row["strata"], "public_plan": row["public_plan"],
            "config_version": row["config_version"]}


def public_plan(conn: Connection, draw_id: str) -> dict[str, Any] | None:
    """The plan as published (``<draw_id>.plan.json``), or None when there is no such plan."""
    plan: dict[str, Any] | None = conn.execute(sqlfiles.statement("draws/public_plan"),
                                               {"i": draw_id}).scalar()
    return plan


def draw_listing(conn: Connection) -> list[DrawListing]:
    """Every plan, planned and drawn, in draw-id order."""
    rows = conn.execute(sqlfiles.statement("draws/listing")).mappings().all()
    return [{"draw_id": r["draw_id"], "matters": r["matters"], "scope": r["scope"], "as_of": r["as_of"],
             "config_version": r["config_version"], "drawn": r["drawn"], "window_start": r["window_start"]}
            for r in rows]


def frozen_pools(conn: Connection, draw_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The entity and the inspector pool the plan froze, in the order their digests hash them."""
    ent = pd.read_sql(sa.text(sqlfiles.text_of("draws/frozen_entities").format(columns=", ".join(ENTITY_COLUMNS))),
                      conn, params={"id": draw_id})
    ins = pd.read_sql(sa.text(sqlfiles.text_of("draws/frozen_inspectors").format(columns=", ".join(INSPECTOR_COLUMNS))),
                      conn, params={"id": draw_id})
    return ent, ins


# -- runs and records ------------------------------------------------------------------------------
def is_drawn(conn: Connection, draw_id: str) -> bool:
    """Whether the plan has been run (a draw is run once)."""
    return conn.execute(sqlfiles.statement("draws/is_drawn"), {"id": draw_id}).first() is not None


def stored_public_record(conn: Connection, draw_id: str) -> dict[str, Any] | None:
    """The public record the run stored (``draw_runs.public_record``), or None when not drawn."""
    rec: dict[str, Any] | None = conn.execute(sqlfiles.statement("draws/stored_public_record"),
                                              {"i": draw_id}).scalar()
    return rec


def stored_run(conn: Connection, draw_id: str) -> StoredRun:
    """The stored public record and the record digests of a run; :class:`DrawRefused` when not drawn."""
    row = conn.execute(sqlfiles.statement("draws/stored_run"), {"id": draw_id}).mappings().first()
    if row is None:
        raise DrawRefused(f"抽查任务「{draw_id}」已确定，尚未抽取 ({draw_id} has been planned but not drawn yet)")
    return {"public_record": row["public_record"], "public_record_sha256": row["public_record_sha256"],
            "full_record_sha256": row["full_record_sha256"]}


def redraw_events(conn: Connection, draw_id: str) -> list[RedrawEvent]:
    """The redraws of a draw in order."""
    rows = conn.execute(sqlfiles.statement("draws/events"), {"id": draw_id}).mappings().all()
    return [{"seq": r["seq"], "kind": r["kind"], "uscc": r["uscc"], "inspector_id": r["inspector_id"],
             "reason": r["reason"], "amends_version": r["amends_version"], "outcome": r["outcome"],
             "skipped": None if r["skipped"] is None else list(r["skipped"])} for r in rows]


def full_record(conn: Connection, draw_id: str) -> dict[str, Any]:
    """The full record of a drawn plan, rebuilt from the tables (what ``verify DRAW_ID`` checks)."""
    plan = load_plan(conn, draw_id)
    seed = conn.execute(sqlfiles.statement("draws/run_seed"), {"id": draw_id}).scalar()
    if seed is None:
        raise DrawRefused(f"抽查任务「{draw_id}」已确定，尚未抽取 ({draw_id} has been planned but not drawn yet)")
    ent, ins = frozen_pools(conn, draw_id)
    rows = conn.execute(sqlfiles.statement("draws/first_inspections"), {"id": draw_id}).mappings().all()
    # The competence levels are published data: take them from the stored public record, so a
    # changed seed or pool shows as a difference instead of being silently recomputed
    # (draw_inspections has no column for the level; its note says it in words). The thresholds
    # likewise from what the run stored (drawn_strata).
    public = stored_public_record(conn, draw_id) or {}
    levels = {i["uscc"]: i["competence"] for i in public.get("inspections", []) if "competence" in i}
    inspections: list[PublicInspection] = []
    for r in rows:
        item: PublicInspection = {
            "uscc": r["uscc"], "version": 0, "event_seq": None, "state": r["state"],
            "matters": list(r["matters"]), "strata": list(r["strata"]), "entity_key": r["entity_key"],
            "inspectors": [{"inspector_id": x, "key": inspector_key(seed, draw_id, r["uscc"], x)}
                           for x in r["inspectors"]],
            "scheduled_on": iso(r["scheduled_on"])}
        if "competence" in public:
            item["competence"] = levels.get(r["uscc"])
        inspections.append(item)
    # An event recorded before migration 0047 has no ``skipped`` and keeps the fields it had.
    events = [{"seq": e["seq"], "kind": e["kind"], "uscc": e["uscc"], "inspector_id": e["inspector_id"],
               "reason": e["reason"], **({} if e["skipped"] is None else {"skipped": e["skipped"]}),
               "outcome": e["outcome"]} for e in redraw_events(conn, draw_id)]
    return full_record_from(plan["public_plan"], plan["rules"], seed, ent, ins,
                            _drawn_strata(plan, public, rows), inspections, events)


def _drawn_strata(plan: DrawPlan, public: dict[str, Any], first: Sequence[RowMapping]) -> list[DrawnStratum]:
    """The plan's strata with the thresholds the run fixed.

    A /1 public record published them; a /2 one does not (a threshold names a drawn entity's
    tier, domain.md §7): the threshold is then the highest key of the stratum's first
    inspections as the run stored them in ``draw_inspections`` (never recomputed from the seed).
    """
    if "strata" in public:
        return list(public["strata"])
    highest: dict[str, str] = {}
    for r in first:
        for tag in r["strata"]:
            highest[tag] = max(highest.get(tag, r["entity_key"]), r["entity_key"])
    return [{**s, "threshold": highest.get(f"{s['matter']}:{s['stratum']}") if s["sample_size"] else None}
            for s in plan["strata"]]


def drawn_strata(conn: Connection, draw_id: str) -> list[DrawnStratum]:
    """The strata of a drawn plan with their thresholds (bureau only: they name tiers)."""
    plan = load_plan(conn, draw_id)
    rows = conn.execute(sqlfiles.statement("draws/first_inspections"), {"id": draw_id}).mappings().all()
    return _drawn_strata(plan, stored_public_record(conn, draw_id) or {}, rows)


def current_inspections(conn: Connection, draw_id: str) -> pd.DataFrame:
    """The current version of every inspection of a draw (highest version per entity)."""
    return pd.read_sql(sqlfiles.statement("draws/current_inspections"), conn, params={"id": draw_id})


# -- results (抽查检查结果公示) ---------------------------------------------------------------------
def public_results(conn: Connection, task_id: str, settings: Settings, as_of: date | None = None) -> list[PublicResult]:
    """The public results of a task, each with its publication limit and state.

    Limit (domain.md §8): ``results_publication.days`` after the inspection, working days when so
    configured — "working" is (unverified), the config says so. A limit in a year without a
    published holiday schedule is shown as provisional (domain.md §12), never guessed. States:
    ``published`` (arrived by the limit), ``published_late``, ``awaiting`` (no result yet, limit
    not passed as of ``as_of``), ``overdue``, ``cancelled``, ``not_inspected`` (unstaffed/unscheduled).
    Results are published as they arrive; the night a result arrived stands for its publication.

    A task this installation did not draw (an earlier task, another department's joint task) is
    read from the ``inspection_results`` source alone (contracts.md §1): its delivered results, by
    the same rule (no matters or schedule are known for it). :class:`DrawRefused` when the task is
    neither planned here nor in the source.
    """
    # One statement for both: a task not drawn here has no inspections, so all its rows are the
    # delivered results (state ``not_drawn``), each of which has a result code and is judged by it.
    df = pd.read_sql(sqlfiles.statement("draws/results"), conn, params={"task_id": task_id})
    if df.empty and not is_drawn(conn, task_id):
        try:
            load_plan(conn, task_id)   # planned here, not drawn yet: no results
        except DrawRefused:
            raise DrawRefused(f"no inspection task {task_id}: not drawn here and no result of it "
                              "in the inspection_results source") from None
    doc = load_config("draws", settings)
    pub = doc["results_publication"]
    cal = working_calendar(settings)
    out: list[PublicResult] = []
    # A missing value as None, not the NaN pandas reads a SQL null of a text column as (a result
    # of an entity the registration store does not know has no name): NaN is truthy, prints as a
    # float and is not JSON (an outsider's acceptance pass: the CLI's traceback, the API's 500).
    df = df.astype(object).where(df.notna(), None)
    for r in df.to_dict("records"):
        # Few rows per task (one per drawn entity): a loop over them is fine here.
        basis = r["inspected_on"] if r["inspected_on"] is not None and not pd.isna(r["inspected_on"]) else r["scheduled_on"]
        limit, provisional, estimate = None, False, None
        if basis is not None and not pd.isna(basis):
            period = Period(int(pub["days"]), "wd" if pub.get("working_days") else "days")
            try:
                limit = period.end(basis, cal)
            except UnknownCalendarYear:
                # The year's holiday notice is not published: an estimate, said to be one (domain.md §12).
                provisional, estimate = True, period.weekday_estimate(basis)
        got = r["result_code"] is not None and not pd.isna(r["result_code"])
        if r["state"] == "cancelled":
            status = "cancelled"
        elif got:
            status = "published_late" if limit and r["result_received_on"] > limit else "published"
        elif r["state"] != "assigned":
            status = "not_inspected"
        elif limit is None:
            status = "awaiting"
        else:
            status = "overdue" if as_of is not None and as_of > limit else "awaiting"
        out.append({
            "task_id": task_id, "uscc": r["uscc"], "name": r["name"], "matters": list(r["matters"]),
            "scheduled_on": iso(r["scheduled_on"]), "inspected_on": iso(r["inspected_on"]) if got else None,
            "result_code": r["result_code"] if got else None,
            "result": (r["result"] or RESULT_LABELS.get(r["result_code"])) if got else None,
            "doc_no": r["doc_no"] if got else None,
            "publish_by": iso(limit), "publish_by_provisional": provisional, "publish_by_estimate": iso(estimate),
            "limit_basis": f"{pub['days']} {'working ' if pub.get('working_days') else ''}days after the inspection"
                           + (" (working: unverified)" if pub.get("working_unverified") else ""),
            "status": status, "config_version": doc.version,
        })
    return out


def published_results(conn: Connection, task_id: str, settings: Settings, as_of: date | None = None) -> list[PublicResult]:
    """The results of a task that are public: those that arrived (:class:`DrawRefused` for no task)."""
    return [r for r in public_results(conn, task_id, settings, as_of) if r["status"] in PUBLISHED_STATES]


def tasks_with_published_results(conn: Connection, settings: Settings, as_of: date | None = None) -> list[TaskResults]:
    """Inspection tasks (抽查任务) that have published results, with their number."""
    tasks = conn.execute(sqlfiles.statement("draws/drawn_tasks")).scalars().all()
    out: list[TaskResults] = []
    for t in tasks:  # tasks are few (tens a year): one look-up each
        n = len(published_results(conn, t, settings, as_of))
        if n:
            out.append({"task_id": t, "results": n})
    # Tasks not drawn here: every delivered result is published (public_results).
    for r in conn.execute(sqlfiles.statement("draws/delivered_tasks")).mappings():
        out.append({"task_id": r["task_id"], "results": int(r["results"])})
    return sorted(out, key=lambda t: t["task_id"])
