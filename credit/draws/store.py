"""Draws in the database, the write side: plans freeze the pools, runs reveal the seed, redraws append events.

The tables (migration 0004_draws) are append-only; the database refuses UPDATE and DELETE.
The record files (``<home>/reports/draws/<draw_id>.{plan,public,full}.json`` and one
``.event-NNNN.json`` per redraw) are the same records as the tables; :mod:`credit.draws.read`
reads them back and :mod:`credit.draws.published` checks one against the other.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from credit import clock, sqlfiles
from credit.calendar import UnknownCalendarYear, working_calendar
from credit.config import load_config
from credit.draws.core import (
    ENTITY_COLUMNS,
    INSPECTOR_COLUMNS,
    KEY_ENCODING,
    DrawError,
    DrawnStratum,
    DrawRefused,
    check_ratios,
    check_token,
    entity_pool_digest,
    inspector_pool_digest,
    plan_strata,
    seed_commitment,
    stratum_sizes,
)
from credit.draws.dates import parse_days
from credit.draws.derive import apply_event, derive_draw, passed_over
from credit.draws.inspectors import (
    Assigner,
    MatterStaffing,
    competence_levels,
    department_match,
    joint_team,
    matter_staffing,
    region_prefix,
)
from credit.draws.pools import drawn_since_plan, entity_pool, inspector_pool
from credit.draws.read import frozen_pools, full_record, is_drawn, load_plan
from credit.draws.records import (
    Inspection,
    PublicInspection,
    canonical_json,
    full_record_from,
    public_inspection,
    public_record_from,
)
from credit.grading.scheme import TIERS
from credit.settings import Settings


class RunSummary(TypedDict):
    """What ``credit draw run`` reports: counts, strata and where the records were written."""

    draw_id: str
    inspections: int
    states: dict[str, int]
    strata: list[DrawnStratum]   # with the thresholds the run fixed
    public_record: str
    public_record_sha256: str
    full_record: str
    full_record_sha256: str
    schedule_note: str | None
    config_version: str


class RedrawResult(TypedDict):
    """A recorded redraw: its sequence number, the version it amends, the new versions and the
    entities an entity-closed replacement passed over as held by other live draws."""

    draw_id: str
    seq: int
    amends_version: int
    versions: list[PublicInspection]
    skipped: list[str]


def draws_dir(settings: Settings) -> Path:
    """Where the record files are published (created on first use)."""
    d = settings.reports_dir / "draws"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _write(path: Path, doc: Any) -> str:
    raw = canonical_json(doc)
    path.write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def _copy(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    raw = conn.connection.driver_connection
    assert raw is not None   # an open connection always has its driver connection
    with raw.cursor() as cur, cur.copy(sqlfiles.text_of("draws/copy_rows").format(table=table, columns=", ".join(columns))) as cp:
        for r in rows:
            cp.write_row(r)


# -- plan ----------------------------------------------------------------------------------------
def schedule_days(settings: Settings, as_of: date, lead: int, window: int) -> tuple[list[str], str | None]:
    """Working days of the inspection window (lead-th WD after as_of, ``window`` WD long).

    A window running into a year whose holiday notice is not published is cut at the last known
    day and marked provisional (domain.md §12: never guess); none left → refusal.
    """
    cal = working_calendar(settings)
    try:
        cal.is_working_day(as_of)
    except UnknownCalendarYear as e:
        raise DrawRefused(str(e)) from e
    start = int(np.searchsorted(cal.working, np.datetime64(as_of, "D"), "right")) + lead - 1
    # Never past the unbroken run of known years: a later year entered before the one in between
    # would carry the window over that unknown year as if it had no working days.
    known = int(np.searchsorted(cal.working, np.datetime64(cal.known_until(as_of), "D"), "right"))
    days = cal.working[start:min(start + window, known)]
    note = None
    if len(days) < window:
        last = cal.working[known - 1].astype(date)
        # Published in the plan and the public record: Chinese first, English in brackets.
        note = (f"暂定：检查期间截至 {last.isoformat()}，{last.year + 1} 年节假日安排（国务院办公厅通知）尚未公布 "
                f"(provisional: the window is cut at {last.isoformat()}; the {last.year + 1} holiday "
                "schedule is not published yet)")
    if len(days) == 0:
        raise DrawRefused(str(UnknownCalendarYear(as_of.year + 1)))
    return [str(d) for d in days], note


def frozen_rules(doc: Mapping[str, Any], matters: Sequence[str]) -> dict[str, Any]:
    """The values of config/draws.yaml a plan freezes (so later edits never change it)."""
    unknown = [m for m in matters if m not in doc["matters"]]
    if unknown:
        raise DrawRefused(f"抽查事项 {'、'.join(unknown)} 不在抽查事项清单内 (unknown matter(s) {', '.join(unknown)}: "
                          f"not on the 抽查事项清单; config/draws.yaml lists {', '.join(sorted(doc['matters']))})")
    check_values(doc, matters)
    keep = ("tier_ratios", "ungraded_tier", "exclusion_window_days", "exclusion_exempt_tiers",
            "inspectors_per_inspection", "workload_spread", "schedule", "quiet_days")
    out = {k: doc.get(k) for k in keep}   # all checked above; quiet_days may be left out
    out["competence"] = list(doc.get("competence") or ["district"])
    try:
        competence_levels(out)
    except DrawError as e:
        raise DrawRefused(f"config/draws.yaml {e}") from e
    # How an inspector's department matches a matter's (config/draws.yaml department_match).
    out["department_match"] = str(doc.get("department_match") or "exact")
    try:
        department_match(out)
    except DrawError as e:
        raise DrawRefused(f"config/draws.yaml {e}") from e
    # How a joint inspection's team is competent (config/draws.yaml joint_team; domain.md §8).
    out["joint_team"] = str(doc.get("joint_team") or "any")
    try:
        joint_team(out)
    except DrawError as e:
        raise DrawRefused(f"config/draws.yaml {e}") from e
    out["quiet_days"] = {str(k): v for k, v in (doc.get("quiet_days") or {}).items()}
    out["matters"] = {m: {"departments": [], "industries": [], "regions": [], "entity_kinds": [], "requires_field": False,
                          "quiet_days_apply": True, "min_count": None, "max_count": None,
                          **doc["matters"][m]} for m in matters}
    out["key_encoding"] = KEY_ENCODING
    return out


def check_values(doc: Mapping[str, Any], matters: Sequence[str]) -> None:
    """Refuse a config/draws.yaml value a plan would freeze and publish or draw by wrongly: the
    ratios (domain.md §7), the tiers named, the counts, the window and the quiet days (§9)."""
    def whole(v: Any, least: int) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v >= least

    def count(v: Any) -> bool:
        return v is None or whole(v, 0)

    try:
        for k in ("tier_ratios", "ungraded_tier", "exclusion_exempt_tiers", "schedule"):
            if k not in doc:
                raise DrawError(f"缺少 {k} ({k} is missing)")
        check_ratios(doc["tier_ratios"], "tier_ratios", TIERS)
        for m in matters:
            spec = doc["matters"][m]
            if spec.get("tier_ratios") is not None:
                check_ratios(spec["tier_ratios"], f"matters.{m}.tier_ratios", TIERS)
            kinds = spec.get("entity_kinds") or []
            if not isinstance(kinds, list) or any(k not in ENTITY_KINDS for k in kinds):
                raise DrawError(f"matters.{m}.entity_kinds 应为主体类型列表（{'、'.join(ENTITY_KINDS)}） "
                                f"(matters.{m}.entity_kinds {kinds!r}: a list among {', '.join(ENTITY_KINDS)})")
            if spec.get("min_ratio") is not None:
                check_ratios({"all": spec["min_ratio"]}, f"matters.{m}.min_ratio", ["all"])
                # 企业公示信息抽查办法 art. 4 (domain.md §7): a share of the enterprises in the
                # jurisdiction, counted and drawn among enterprises; a pool with other kinds would
                # fill the floor with them (个体工商户 and 农民专业合作社 have their own rules).
                if kinds != ["enterprise"]:
                    raise DrawError(f"matters.{m}.min_ratio 为企业的抽查比例，该事项须只抽取企业（entity_kinds: [enterprise]） "
                                    f"(matters.{m}.min_ratio is a share of the enterprises: the matter needs "
                                    f"entity_kinds: [enterprise], not {kinds!r})")
            for k in ("min_count", "max_count"):
                if not count(spec.get(k)):
                    raise DrawError(f"matters.{m}.{k} {spec.get(k)!r}: a whole number ≥ 0, or null")
            # A matter's regions are GB/T 2260 codes or prefixes, as --scope is: "00" or "000000"
            # names no area, and as an empty prefix it would cover the whole province.
            regions = spec.get("regions") or []
            if not isinstance(regions, list) or not all(
                    isinstance(r, str | int) and not isinstance(r, bool) and str(r).isdigit()
                    and region_prefix(str(r)) for r in regions):   # YAML reads 411400 as a number
                raise DrawError(f"matters.{m}.regions 应为行政区划代码（GB/T 2260）或其前缀的列表 "
                                f"(matters.{m}.regions {regions!r}: a list of GB/T 2260 region codes or prefixes)")
        if doc["ungraded_tier"] not in TIERS:
            raise DrawError(f"ungraded_tier {doc['ungraded_tier']!r}: one of {', '.join(TIERS)}")
        exempt = doc["exclusion_exempt_tiers"]
        if exempt is not None and not isinstance(exempt, list):   # a string "CD" iterates as tiers
            raise DrawError(f"exclusion_exempt_tiers 应为等级列表，如 [D] "
                            f"(exclusion_exempt_tiers {exempt!r}: a list of tiers among {', '.join(TIERS)}, e.g. [D])")
        bad = [t for t in exempt or () if t not in TIERS]
        if bad:
            raise DrawError(f"exclusion_exempt_tiers {bad!r}: tiers among {', '.join(TIERS)}")
        for k, least, why in (("inspectors_per_inspection", 2, " (行政处罚法 art. 42)"), ("workload_spread", 1, ""),
                              ("exclusion_window_days", 0, "")):
            if not whole(doc.get(k), least):   # spread 0: no one is below "least + 0" (a traceback)
                raise DrawError(f"{k} {doc.get(k)!r}: a whole number ≥ {least}{why}")
        sched = doc["schedule"]
        if not isinstance(sched, Mapping):
            raise DrawError(f"schedule 应为含 lead_working_days、window_working_days 的映射 "
                            f"(schedule {sched!r}: a mapping of lead_working_days and window_working_days)")
        for k, least in (("lead_working_days", 0), ("window_working_days", 1)):
            v = sched.get(k)
            if not whole(v, least):
                raise DrawError(f"schedule.{k} {v!r}: a whole number ≥ {least}")
        quiet = doc.get("quiet_days") or {}
        if not isinstance(quiet, Mapping):
            raise DrawError(f"quiet_days 应为以行政区划代码为键的映射 "
                            f"(quiet_days {quiet!r}: a mapping of GB/T 2260 region prefixes to days_of_month)")
        for prefix, q in quiet.items():
            try:
                days = parse_days(q["days_of_month"])
            except (DrawError, KeyError, TypeError) as e:
                raise DrawError(f"quiet_days {prefix}: {e}") from None
            if not days or not all(1 <= d <= 31 for d in days):
                raise DrawError(f"quiet_days {prefix}: days_of_month {q['days_of_month']!r}: days from 1 to 31")
    except DrawError as e:
        raise DrawRefused(f"抽查配置取值有误 (bad value in config/draws.yaml): {e}") from e


# Registration kinds (contracts.md §1, the registration source's entity_kind).
ENTITY_KINDS = ("enterprise", "individual", "farmer_coop")


# A published record cites the law, never the project's own files (docs, rulebook, config, code).
_INTERNAL_CITATION = re.compile(r"[\w./-]+\.(?:md|py|ya?ml|sql)\b")


def check_public_text(doc: Any, what: str) -> None:
    """Refuse to publish text from the config or the code (matter names, legal bases, notes) that
    cites an internal file (e.g. "domain.md §7"); the clerk's own seed source is not scanned."""
    text = canonical_json(doc).decode()
    hit = _INTERNAL_CITATION.search(text)
    if hit:
        start = max(0, hit.start() - 40)
        raise DrawRefused(f"the {what} would cite an internal file ({text[start:hit.end()]!r}): public "
                          "records cite the regulation (config/draws.yaml legal_basis, name)")


def plan_draw(conn: Connection, matter: str | Sequence[str], as_of: date, settings: Settings, *,
              scope: str | None = None, seed_commitment: str | None = None,
              public_seed_source: str | None = None, today: date | None = None) -> str:
    """Fix a task (抽查任务) before its draw; returns the draw id (= the task id).

    ``today`` is the bureau's day (default: :func:`credit.clock.today`; the workbench passes the
    day its own date checks use, so that one request judges dates by one clock).

    ``matter`` may name several matters: a joint task (联合抽查) of their departments, in which an
    entity drawn by several is inspected once. The plan freezes the entity pool (with tiers) and
    the inspector pool, publishes their SHA-256 digests, each stratum's size, sample size and
    inclusion probability (never an entity's tier), and either a commitment to the seed
    (SHA-256 hex) or the public value the seed will be (e.g. a lottery result on a named date).
    """
    matters = [matter] if isinstance(matter, str) else sorted(set(matter))
    if not matters:
        raise DrawRefused("请至少选择一个抽查事项 (a plan needs at least one matter)")
    if (seed_commitment is None) == (public_seed_source is None):
        raise DrawRefused("随机种子承诺值和公开种子来源须填写其中一项，且只填一项 "
                          "(give exactly one of --seed-commitment HEX or --public-seed-source TEXT)")
    if seed_commitment is not None:
        seed_commitment = seed_commitment.strip().lower()
        if len(seed_commitment) != 64 or any(c not in "0123456789abcdef" for c in seed_commitment):
            raise DrawRefused("随机种子承诺值应为 SHA-256 摘要：64 位十六进制数字 "
                              "(the seed commitment must be a SHA-256 digest: 64 hex digits)")
    # Only digits, and some left once the "00" pairs that name no area are cut (region_prefix):
    # "00" or "000000" is no region, and as an empty prefix it covered the whole province.
    if scope is not None and not (scope.isdigit() and region_prefix(scope)):
        raise DrawRefused(f"范围“{scope}”不是行政区划代码（GB/T 2260）或其前缀 "
                          f"(scope {scope!r} is not a GB/T 2260 region code (prefix))")
    # The pools are frozen as of the plan's date: a date after today (the bureau's clock) would
    # freeze today's tiers under a later date. The workbench's form says the same before it calls
    # here; the command line had no check (an outsider's acceptance pass).
    today = today or clock.today(settings)
    if as_of > today:
        raise DrawRefused(f"名录日期 {as_of.isoformat()} 晚于今天（本局时间 {today.isoformat()}），"
                          f"不能确定任务 (the plan date is after today on the bureau's clock)")
    doc = load_config("draws", settings)
    rules = frozen_rules(doc.data, matters)
    sched = rules["schedule"]
    # --as-of is the date of the roster the plan draws from (名录日期: the pool as the store held it
    # after that night, sql/draws/entity_pool). The inspections are scheduled from the lead-th
    # working day after it (config/draws.yaml schedule), or, when that window would already have
    # begun (a roster date older than the lead: a store not published for a while, a plan as of an
    # earlier night), from the lead-th working day after today, never in the past: the tasks a
    # draw assigns (domain.md §8) are for inspectors to carry out, not dates already gone.
    lead, window = int(sched["lead_working_days"]), int(sched["window_working_days"])
    rules["schedule_days"], schedule_note = schedule_days(settings, as_of, lead, window)
    if rules["schedule_days"] and rules["schedule_days"][0] < today.isoformat():
        rules["schedule_days"], schedule_note = schedule_days(settings, today, lead, window)
        rules["schedule_from"] = today.isoformat()
    rules["schedule_note"] = schedule_note
    # A plan draws from the store as published: not as of a day before the store's first night
    # (its pool would be today's entities put back in time), and never from an empty pool.
    first = conn.execute(sqlfiles.statement("draws/first_night")).scalar()
    if first is None or as_of < first:
        raise DrawRefused(f"名录日期 {as_of} 时尚无已发布的数据（最早批次：{first or '无'}），请以已发布批次之日或其后为名录日期 "
                          f"(as of {as_of} the store holds nothing yet (its first night: {first or 'none'}): "
                          "plan as of a published night or later)")
    entities, stats, grades_night, excluded = entity_pool(conn, rules, as_of, scope, today)
    # The base of a matter's floor ratio, frozen with the rules so that the record re-derives it
    # (企业公示信息抽查办法 art. 4: a share of the enterprises in the jurisdiction, domain.md §7).
    for m, count in stats["jurisdiction"].items():
        rules["matters"][m]["jurisdiction"] = count
    if entities.empty:
        where = f"scope {scope}" if scope else "the store"
        raise DrawRefused(f"{f'范围 {scope} 内' if scope else ''}没有可抽取的主体：{as_of} 时没有主体属于所选抽查事项的检查对象名录库 "
                          f"(nothing to draw: no entity of {where} is in the pool of {', '.join(matters)} as of {as_of})")
    inspectors = inspector_pool(conn)
    staffing, staffing_warnings = check_staffing(rules, entities, inspectors)
    n = conn.execute(sqlfiles.statement("draws/plans_on"), {"d": as_of}).scalar()
    draw_id = f"DRAW-{as_of:%Y%m%d}-{int(n or 0) + 1:03d}"
    strata = plan_strata(rules, stratum_sizes(entities))
    e_digest = entity_pool_digest(entities)
    i_digest = inspector_pool_digest(inspectors)
    public_plan = {
        "format": "credit-draw-plan/1", "draw_id": draw_id, "task": draw_id, "as_of": as_of.isoformat(),
        "matters": [{"matter": m, "name": rules["matters"][m].get("name"),
                     "legal_basis": rules["matters"][m].get("legal_basis"),
                     "departments": rules["matters"][m]["departments"],
                     # the kinds of entity it draws ([]: every kind), published with its pool figures
                     "entity_kinds": rules["matters"][m]["entity_kinds"]} for m in matters],
        "scope": scope, "seed_commitment": seed_commitment, "public_seed_source": public_seed_source,
        "key_encoding": KEY_ENCODING, "entity_pool_digest": e_digest,
        "inspector_pool_digest": i_digest, "inspector_pool_size": int(len(inspectors)),
        "strata": strata, "inspectors_per_inspection": rules["inspectors_per_inspection"],
        "competence": rules["competence"], "schedule_window": [rules["schedule_days"][0], rules["schedule_days"][-1]],
        "schedule_note": schedule_note, "pool_stats": stats, "config_version": doc.version,
        # Entities an earlier live draw drew, left out of this pool (domain.md §8); repeated in
        # the public record, where ``verify`` checks that none of them is drawn.
        "excluded_drawn": excluded,
        # The rule behind it, so that anyone recomputes the list from the earlier draws' public
        # records (docs/draws.md, an outsider's step 3): the window and the exempt tiers.
        "exclusion_window_days": int(rules["exclusion_window_days"]),
        "exclusion_exempt_tiers": list(rules["exclusion_exempt_tiers"] or []),
        # Per matter: its competent inspectors and the entities no team can be found for, with a
        # warning when there are such entities (check_staffing, domain.md §8).
        "staffing": staffing, "staffing_warnings": staffing_warnings,
    }
    check_public_text({k: public_plan[k] for k in ("matters", "schedule_note", "competence", "staffing_warnings")},
                      "published plan")
    conn.execute(sqlfiles.statement("draws/insert_plan"), {
        "id": draw_id, "matters": matters, "scope": scope, "as_of": as_of, "sc": seed_commitment,
        "ps": public_seed_source, "ed": e_digest, "idg": i_digest, "gn": grades_night,
        "rules": json.dumps(rules, ensure_ascii=False), "strata": json.dumps(strata),
        "pp": json.dumps(public_plan, ensure_ascii=False), "cv": doc.version})
    _copy(conn, "draw_pool_entities", ["draw_id", *ENTITY_COLUMNS],
          ((draw_id, *r) for r in entities.itertuples(index=False, name=None)))
    _copy(conn, "draw_pool_inspectors", ["draw_id", *INSPECTOR_COLUMNS],
          ((draw_id, r[0], r[1], r[2], list(r[3]), list(r[4]))
           for r in inspectors[INSPECTOR_COLUMNS].itertuples(index=False, name=None)))
    _write(draws_dir(settings) / f"{draw_id}.plan.json", public_plan)
    return draw_id


def check_staffing(rules: Mapping[str, Any], entities: pd.DataFrame,
                   inspectors: pd.DataFrame) -> tuple[list[MatterStaffing], list[str]]:
    """Count each matter's competent inspectors over its pool in scope (at the widest competence
    level, before conflicts and workloads); refuse a plan in which a matter's entities can none of
    them get ``inspectors_per_inspection`` inspectors (行政处罚法 art. 42: at least two; domain.md
    §8: inspectors are drawn from the roster), and warn when some of them cannot. Drawing such
    entities would only record unstaffed inspections (an outsider's acceptance pass: a matter
    naming departments no inspector had drew 44 unstaffed inspections after a plan that said
    "18 名检查人员")."""
    assigner = Assigner("", "", rules, inspectors)
    staffing = matter_staffing(assigner, entities)
    per = assigner.per
    widest = assigner.levels[-1]
    warnings: list[str] = []
    for st in staffing:
        m, n, k = st["matter"], st["entities"], st["unstaffable"]
        name = rules["matters"][m].get("name") or m
        if n and k == n:
            raise DrawRefused(
                f"抽查事项“{name}”的 {n} 户检查对象均无法安排检查：符合条件（所属科室、辖区、专业领域）的执法检查人员"
                f"不足 {per} 名，不能确定任务，请先补充执法检查人员名录库或核对抽查事项清单的科室设置 "
                f"(matter {m}: none of its {n} entities can be staffed, fewer than {per} competent inspectors "
                f"(department, area, fields) even at the {widest} level; {st['inspectors']} competent in all: plan refused)")
        if k:
            warnings.append(
                f"抽查事项“{name}”：{n} 户检查对象中有 {k} 户符合条件的执法检查人员不足 {per} 名，抽中后将无法安排检查 "
                f"(matter {m}: {k} of its {n} entities have fewer than {per} competent inspectors even at the "
                f"{widest} level; if drawn they stay unstaffed)")
    return staffing, warnings


# -- run -----------------------------------------------------------------------------------------
def _drawn_already(draw_id: str) -> DrawRefused:
    return DrawRefused(f"{draw_id} 已经抽取，每项抽查只抽取一次（变更须按重新抽取办理） "
                       f"({draw_id} was drawn already; a draw is run once (use redraw for amendments))")


def check_window_open(draw_id: str, rules: Mapping[str, Any], today: date) -> None:
    """Refuse to draw a plan whose inspection window began before ``today`` (``plan_draw`` never
    makes one: it counts the window from today when the roster date's has begun): the frozen window would date the inspections the draw assigns (domain.md
    §8) in the past. A plan waiting for its public seed value, or left undrawn, is not drawn late;
    a new plan (its own pools, window and seed) takes its place. The window's first day is still open."""
    days = rules.get("schedule_days") or []
    if not days or days[0] >= today.isoformat():
        return
    raise DrawRefused(
        f"{draw_id} 的检查期间为 {days[0]} 至 {days[-1]}，已于 {days[0]} 开始，早于今天（本局时间 {today.isoformat()}），"
        "现在抽取将把检查排在过去的日期，不能抽取；请重新制定计划（credit draw plan，以最近的已发布批次为名录日期），"
        "并另定种子（公开种子来源须为新计划公布之后才确定的数值） "
        f"({draw_id}: its inspection window {days[0]} … {days[-1]} began on {days[0]}, before today "
        f"{today.isoformat()} on the bureau's clock: drawing it now would schedule inspections in the past; "
        "plan again (credit draw plan, as of the latest published night) with a new seed; a public seed source "
        "must be a value fixed after the new plan is published)")


RUN_LOCK = 7262835  # the advisory lock that orders draw runs (apart from the night's and the schema's)
def run_draw(conn: Connection, draw_id: str, seed: str, settings: Settings, *,
             today: date | None = None) -> RunSummary:
    """Reveal the seed and draw: entities by stratum, then inspectors and dates. Run once.

    Refused when the plan was already drawn, when its inspection window began before ``today``
    (default: :func:`credit.clock.today`; the workbench passes its own day), or when SHA-256(seed)
    differs from the plan's commitment. Writes the public and the full record (JSON files and
    tables) and returns a summary.
    """
    plan = load_plan(conn, draw_id)
    if is_drawn(conn, draw_id):
        raise _drawn_already(draw_id)
    check_window_open(draw_id, plan["rules"], today or clock.today(settings))
    try:
        check_token(seed, "seed")
    except DrawError as e:
        raise DrawRefused(str(e)) from e
    if plan["seed_commitment"] and seed_commitment(seed) != plan["seed_commitment"]:
        raise DrawRefused(f"该种子的 SHA-256 摘要为 {seed_commitment(seed)}，与计划公布的承诺值 "
                          f"{plan['seed_commitment']} 不符，不是承诺的种子 (not the committed seed)")
    ent, ins = frozen_pools(conn, draw_id)
    # One run at a time, so that each sees the draws run before it (the checks below).
    conn.execute(sqlfiles.statement("storage/advisory_xact_lock"), {"k": RUN_LOCK})
    # Again under the lock: a run of this same draw may have committed while this one waited
    # (the CLI twice, or the workbench and the CLI); it is drawn already, not a stale pool, and an
    # all-exempt pool (no draw holds its entities) must not reach the inserts a second time.
    if is_drawn(conn, draw_id):
        raise _drawn_already(draw_id)
    taken = drawn_since_plan(conn, draw_id, plan["rules"], date.fromisoformat(str(plan["as_of"])), ent)
    if taken:
        names = "、".join(f"{t['draw_id']}（{len(t['usccs'])} 户）" for t in taken)
        n = sum(len(t["usccs"]) for t in taken)
        raise DrawRefused(
            f"本计划制定后，{names} 已抽中本计划检查对象名录库中的 {n} 户企业（如 {taken[0]['usccs'][0]}），"
            f"同一企业不得重复检查（国办发〔2024〕54号），本计划不能抽取，请重新制定计划 "
            f"({draw_id}: since it was planned, {', '.join(t['draw_id'] for t in taken)} drew {n} entities of its "
            "frozen pool; drawing it would inspect them twice: plan again, the new plan leaves them out)")
    state = derive_draw(draw_id, seed, plan["rules"], ent, ins, plan["strata"])
    inspections = [public_inspection(i)
                   for i in sorted(state.inspections.values(), key=lambda i: i["entity_key"])]
    full = full_record_from(plan["public_plan"], plan["rules"], seed, ent, ins, state.strata, inspections, [])
    # The public record names no stratum (a tier: domain.md §7, §11) and binds the full record
    # by its SHA-256 instead (records.public_record_from).
    public = public_record_from(full)
    out = draws_dir(settings)
    full_sha = _write(out / f"{draw_id}.full.json", full)
    public_sha = _write(out / f"{draw_id}.public.json", public)
    assert public["full_record_sha256"] == full_sha   # both are the SHA-256 of the same canonical JSON
    cv = plan["config_version"]
    conn.execute(sqlfiles.statement("draws/insert_run"), {
        "id": draw_id, "seed": seed, "pr": json.dumps(public, ensure_ascii=False), "ps": public_sha,
        "fs": full_sha, "cv": cv})
    _insert_versions(conn, draw_id, list(state.inspections.values()), cv)
    states = pd.Series([i["state"] for i in inspections], dtype=object).value_counts().to_dict()
    return {"draw_id": draw_id, "inspections": len(inspections), "states": {str(k): int(v) for k, v in states.items()},
            "strata": list(state.strata),
            "public_record": str(out / f"{draw_id}.public.json"), "public_record_sha256": public_sha,
            "full_record": str(out / f"{draw_id}.full.json"), "full_record_sha256": full_sha,
            "schedule_note": plan["rules"].get("schedule_note"), "config_version": cv}


def _insert_versions(conn: Connection, draw_id: str, versions: Sequence[Inspection], cv: str) -> None:
    _copy(conn, "draw_inspections",
          ["draw_id", "uscc", "version", "event_seq", "state", "matters", "strata", "entity_key",
           "inspectors", "scheduled_on", "note", "config_version"],
          ((draw_id, v["uscc"], v["version"], v["event_seq"], v["state"], list(v["matters"]),
            list(v["strata"]), v["entity_key"], list(v["inspectors"]),
            date.fromisoformat(v["scheduled_on"]) if v["scheduled_on"] else None, v.get("note"), cv)
           for v in versions))


# -- redraws -------------------------------------------------------------------------------------
STATUS_LABELS = {"operating": "存续（在营）", "cancelled": "注销", "revoked": "吊销", "moved_out": "迁出"}
# Registration statuses of an entity that has closed or left the bureau's jurisdiction (市场主体
# 登记管理条例: 注销 cancelled, 吊销 revoked, 迁出 moved_out; contracts.md §1, the registration source).
CLOSED_STATUSES = ("cancelled", "revoked", "moved_out")


def check_closed(conn: Connection, uscc: str) -> None:
    """Refuse a redraw on the ground that the entity closed unless the store says so: its
    registration is cancelled, revoked or moved out, or the store does not know it. The swap of
    a drawn enterprise for another must rest on the record (domain.md §8: the draw is public and
    random; an outsider's acceptance pass swapped an operating enterprise out with no trace of
    why in the public record); exit 2 (contracts.md §2)."""
    status = conn.execute(sqlfiles.statement("draws/registration_status"), {"uscc": uscc}).scalar()
    if status is not None and status not in CLOSED_STATUSES:
        raise DrawRefused(
            f"{uscc} 的登记状态为“{STATUS_LABELS.get(status, status)}”，不是已注销、已吊销或已迁出，"
            f"不能以主体已关闭为由重新抽取 (the store registers {uscc} as {status}, not cancelled, revoked "
            "or moved out: a redraw for a closed entity is refused)")


def redraw(conn: Connection, draw_id: str, uscc: str, kind: str, reason: str, settings: Settings,
           inspector_id: str | None = None) -> RedrawResult:
    """Record a redraw (重新抽取) as a new event citing the inspection version it amends.

    ``kind`` is ``inspector_recused`` (needs ``inspector_id``) or ``entity_closed``; the rule
    is :func:`credit.draws.derive.apply_event`, replayed from the full record so that the verifier
    re-derives exactly this outcome. Nothing is overwritten.
    """
    if kind not in ("inspector_recused", "entity_closed"):
        raise DrawRefused(f"重新抽取的类型「{kind}」不明 (unknown redraw kind {kind!r})")
    if kind == "inspector_recused" and not inspector_id:
        raise DrawRefused("检查人员回避须写明回避的检查人员 (an inspector recusal names the inspector: --recuse)")
    if not reason.strip():
        raise DrawRefused("重新抽取须写明理由 (a redraw states its reason)")
    if kind == "entity_closed":
        check_closed(conn, uscc)
    rec = full_record(conn, draw_id)
    plan = load_plan(conn, draw_id)
    ent, ins = frozen_pools(conn, draw_id)
    state = derive_draw(draw_id, rec["seed"], plan["rules"], ent, ins, plan["strata"])
    for ev in rec["events"]:
        apply_event(state, rec["seed"], draw_id, ev)
    cur = state.inspections.get(uscc)
    if cur is None:
        raise DrawRefused(f"{uscc} 在 {draw_id} 中未被抽中 ({uscc} was not drawn in {draw_id})")
    seq = len(rec["events"]) + 1
    event: dict[str, Any] = {"seq": seq, "kind": kind, "uscc": uscc, "inspector_id": inspector_id, "reason": reason}
    if kind == "entity_closed":
        # The replacement passes over entities another live draw holds now (domain.md §8: no
        # enterprise inspected twice); which, the event records, so that it re-derives from the record.
        others = drawn_since_plan(conn, draw_id, plan["rules"], date.fromisoformat(str(plan["as_of"])), ent)
        event["skipped"] = passed_over(state, uscc, (u for d in others for u in d["usccs"]))
    try:
        outcome = apply_event(state, rec["seed"], draw_id, event)
    except DrawError as e:
        raise DrawRefused(str(e)) from e
    cv = plan["config_version"]
    conn.execute(sqlfiles.statement("draws/insert_event"), {
        "id": draw_id, "seq": seq, "kind": kind, "uscc": uscc, "ins": inspector_id, "amends": cur["version"],
        "reason": reason, "outcome": json.dumps(outcome, ensure_ascii=False), "cv": cv,
        "skipped": event.get("skipped")})
    versions = [state.inspections[v["uscc"]] for v in outcome["versions"]]
    _insert_versions(conn, draw_id, versions, cv)
    _write(draws_dir(settings) / f"{draw_id}.event-{seq:04d}.json",
           {"draw_id": draw_id, **event, "amends_version": cur["version"], "outcome": outcome})
    return {"draw_id": draw_id, "seq": seq, "amends_version": cur["version"], **outcome,
            "skipped": event.get("skipped") or []}
