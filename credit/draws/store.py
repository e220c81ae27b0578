"""Draws in the database: plans freeze the pools, runs reveal the seed, redraws append events.

The tables (migration 0004_draws) are append-only; the database refuses UPDATE and DELETE.
The record files (``<home>/reports/draws/<draw_id>.{plan,public,full}.json``) are the same
records as the tables; ``verify`` reads either.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, working_calendar
from credit.config import load_config
from credit.draws import core
from credit.settings import Settings

TIERS = ("A", "B", "C", "D")
RESULT_LABELS = {
    "normal": "未发现问题", "not_disclosed": "未按规定公示应当公示的信息",
    "false_disclosure": "公示信息隐瞒真实情况、弄虚作假", "unreachable": "通过登记的住所（经营场所）无法联系",
    "ordered_to_correct": "发现问题已责令改正", "not_cooperating": "不予配合情节严重",
    "not_operating": "未发现开展本次抽查涉及的经营活动", "pending": "发现问题待后续处理",
}


class DrawRefused(Exception):
    """A draw command refused with a reason for the clerk (CLI exit 2)."""


def _sql(name: str) -> sa.TextClause:
    return sqlfiles.statement(f"draws/{name}")


def _draws_dir(settings: Settings) -> Path:
    d = settings.reports_dir / "draws"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _write(path: Path, doc: Any) -> str:
    raw = core.canonical_json(doc)
    path.write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


# -- pools ---------------------------------------------------------------------------------------
def _grades(conn: Connection, as_of: date) -> tuple[pd.DataFrame, date | None]:
    """Tiers from the grading engine's ``grades`` table as of ``as_of`` (empty if none yet)."""
    if conn.execute(sa.text("select to_regclass('grades')")).scalar() is None:
        return pd.DataFrame({"uscc": [], "grade": []}), None
    night = conn.execute(sa.text("select max(night) from grades where night <= :d"), {"d": as_of}).scalar()
    if night is None:
        return pd.DataFrame({"uscc": [], "grade": []}), None
    df = pd.read_sql(sa.text("select uscc, grade from grades where night = :n"), conn, params={"n": night})
    return df, night


def _entity_pool(conn: Connection, rules: Mapping[str, Any], as_of: date,
                 scope: str | None) -> tuple[pd.DataFrame, dict[str, Any], date | None]:
    """One row per (matter, entity) in scope, with its stratum (tier), minus recent inspections."""
    live = pd.read_sql(_sql("entity_pool"), conn, params={"as_of": as_of})
    grades, grades_night = _grades(conn, as_of)
    tier = live["uscc"].map(grades.set_index("uscc")["grade"]) if len(grades) else pd.Series(np.nan, index=live.index)
    # An entity without a grade (or with a grade outside A–D) is drawn as the configured tier (B).
    ungraded = ~tier.isin(TIERS)
    live["stratum"] = tier.where(~ungraded, rules["ungraded_tier"]).astype(str)
    last = pd.to_datetime(live["last_inspected_on"])
    cutoff = pd.Timestamp(as_of - timedelta(days=int(rules["exclusion_window_days"])))
    recent = (last > cutoff) & ~live["stratum"].isin(rules["exclusion_exempt_tiers"])
    if scope:
        live = live[live["region_code"].str.startswith(scope)]
        recent = recent[live.index]
    stats: dict[str, Any] = {"live": int(len(live)), "ungraded": int(ungraded[live.index].sum()),
                             "excluded_recently_inspected": int(recent.sum())}
    live = live[~recent]
    parts = []
    for matter, spec in sorted(rules["matters"].items()):
        m = live
        if spec["industries"]:
            m = m[m["section"].isin(spec["industries"])]
        if spec["regions"]:
            m = m[m["region_code"].str.startswith(tuple(spec["regions"]))]
        parts.append(m.assign(matter=matter))
    pool = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=core.ENTITY_COLUMNS)
    pool["prev_inspectors"] = pool["prev_inspectors"].map(lambda v: sorted(v) if v is not None else [])
    return pool[core.ENTITY_COLUMNS].reset_index(drop=True), stats, grades_night


def _schedule_days(settings: Settings, as_of: date, lead: int, window: int) -> tuple[list[str], str | None]:
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
    days = cal.working[start:start + window]
    note = None
    if len(days) < window:
        last = cal.working[-1].astype(date)
        note = (f"provisional: the window is cut at {last.isoformat()}; the {last.year + 1} holiday "
                "schedule (国务院办公厅 节假日安排通知) is not published yet")
    if len(days) == 0:
        raise DrawRefused(str(UnknownCalendarYear(as_of.year + 1)))
    return [str(d) for d in days], note


def _rules(doc: Mapping[str, Any], matters: Sequence[str]) -> dict[str, Any]:
    """The values of config/draws.yaml a plan freezes (so later edits never change it)."""
    unknown = [m for m in matters if m not in doc["matters"]]
    if unknown:
        raise DrawRefused(f"unknown matter(s) {', '.join(unknown)}: not on the 抽查事项清单 "
                          f"(config/draws.yaml lists {', '.join(sorted(doc['matters']))})")
    per = int(doc["inspectors_per_inspection"])
    if per < 2:
        raise DrawRefused("inspectors_per_inspection must be at least 2 (行政处罚法 art. 42)")
    keep = ("tier_ratios", "ungraded_tier", "exclusion_window_days", "exclusion_exempt_tiers",
            "inspectors_per_inspection", "workload_spread", "schedule", "quiet_days")
    out = {k: doc[k] for k in keep}
    out["competence"] = list(doc.get("competence") or ["district"])
    try:
        core.competence_levels(out)
    except core.DrawError as e:
        raise DrawRefused(f"config/draws.yaml {e}") from e
    out["quiet_days"] = {str(k): v for k, v in (doc.get("quiet_days") or {}).items()}
    out["matters"] = {m: {"departments": [], "industries": [], "regions": [], "requires_field": False,
                          "quiet_days_apply": True, "min_count": None, "max_count": None,
                          **doc["matters"][m]} for m in matters}
    out["key_encoding"] = core.KEY_ENCODING
    return out


# A published record cites the law, never the project's own files (docs, rulebook, config, code).
_INTERNAL_CITATION = re.compile(r"[\w./-]+\.(?:md|py|ya?ml|sql)\b")


def _check_public_text(doc: Any, what: str) -> None:
    """Refuse to publish text from the config or the code (matter names, legal bases, notes) that
    cites an internal file (e.g. "domain.md §7"); the clerk's own seed source is not scanned."""
    text = core.canonical_json(doc).decode()
    hit = _INTERNAL_CITATION.search(text)
    if hit:
        start = max(0, hit.start() - 40)
        raise DrawRefused(f"the {what} would cite an internal file ({text[start:hit.end()]!r}): public "
                          "records cite the regulation (config/draws.yaml legal_basis, name)")


def _check_tokens(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    for c in cols:
        bad = df[c].astype(str).str.contains(r"[|\r\n]", regex=True)
        if bad.any():
            raise DrawRefused(f"{what} {c} {df[c][bad].iloc[0]!r} contains '|' or a line break: "
                              "it cannot be hashed unambiguously (docs/draws.md)")


def _copy(conn: Connection, table: str, columns: Sequence[str], rows: Any) -> None:
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"copy {table} ({', '.join(columns)}) from stdin") as cp:
        for r in rows:
            cp.write_row(r)


# -- plan ----------------------------------------------------------------------------------------
def plan_draw(conn: Connection, matter: str | Sequence[str], as_of: date, settings: Settings, *,
              scope: str | None = None, seed_commitment: str | None = None,
              public_seed_source: str | None = None) -> str:
    """Fix a task (抽查任务) before its draw; returns the draw id (= the task id).

    ``matter`` may name several matters: a joint task (联合抽查) of their departments, in which an
    entity drawn by several is inspected once. The plan freezes the entity pool (with tiers) and
    the inspector pool, publishes their SHA-256 digests, each stratum's size, sample size and
    inclusion probability (never an entity's tier), and either a commitment to the seed
    (SHA-256 hex) or the public value the seed will be (e.g. a lottery result on a named date).
    """
    matters = [matter] if isinstance(matter, str) else sorted(set(matter))
    if not matters:
        raise DrawRefused("a plan needs at least one matter")
    if (seed_commitment is None) == (public_seed_source is None):
        raise DrawRefused("give exactly one of --seed-commitment HEX or --public-seed-source TEXT")
    if seed_commitment is not None:
        seed_commitment = seed_commitment.strip().lower()
        if len(seed_commitment) != 64 or any(c not in "0123456789abcdef" for c in seed_commitment):
            raise DrawRefused("the seed commitment must be a SHA-256 digest: 64 hex digits")
    if scope is not None and not scope.isdigit():
        raise DrawRefused(f"scope {scope!r} is not a GB/T 2260 region code (prefix)")
    doc = load_config("draws", settings)
    rules = _rules(doc.data, matters)
    sched = rules["schedule"]
    rules["schedule_days"], schedule_note = _schedule_days(
        settings, as_of, int(sched["lead_working_days"]), int(sched["window_working_days"]))
    rules["schedule_note"] = schedule_note
    entities, stats, grades_night = _entity_pool(conn, rules, as_of, scope)
    inspectors = pd.read_sql(_sql("inspector_pool"), conn)
    _check_tokens(inspectors, ["inspector_id", "department", "region_code"], "inspector")
    n = conn.execute(sa.text("select count(*) from draw_plans where as_of = :d"), {"d": as_of}).scalar()
    draw_id = f"DRAW-{as_of:%Y%m%d}-{int(n or 0) + 1:03d}"
    sizes = entities.groupby(["matter", "stratum"]).size()
    strata = core.plan_strata(rules, {(str(m), str(s)): int(k) for (m, s), k in sizes.items()})
    e_digest = core.entity_pool_digest(entities)
    i_digest = core.inspector_pool_digest(inspectors)
    public_plan = {
        "format": "credit-draw-plan/1", "draw_id": draw_id, "task": draw_id, "as_of": as_of.isoformat(),
        "matters": [{"matter": m, "name": rules["matters"][m].get("name"),
                     "legal_basis": rules["matters"][m].get("legal_basis"),
                     "departments": rules["matters"][m]["departments"]} for m in matters],
        "scope": scope, "seed_commitment": seed_commitment, "public_seed_source": public_seed_source,
        "key_encoding": core.KEY_ENCODING, "entity_pool_digest": e_digest,
        "inspector_pool_digest": i_digest, "inspector_pool_size": int(len(inspectors)),
        "strata": strata, "inspectors_per_inspection": rules["inspectors_per_inspection"],
        "competence": rules["competence"], "schedule_window": [rules["schedule_days"][0], rules["schedule_days"][-1]],
        "schedule_note": schedule_note, "pool_stats": stats, "config_version": doc.version,
    }
    _check_public_text({k: public_plan[k] for k in ("matters", "schedule_note", "competence")}, "published plan")
    conn.execute(sa.text("""
        insert into draw_plans (draw_id, matters, scope, as_of, seed_commitment, public_seed_source,
            entity_pool_digest, inspector_pool_digest, grades_night, rules, strata, public_plan, config_version)
        values (:id, :matters, :scope, :as_of, :sc, :ps, :ed, :idg, :gn,
                cast(:rules as jsonb), cast(:strata as jsonb), cast(:pp as jsonb), :cv)"""),
        {"id": draw_id, "matters": matters, "scope": scope, "as_of": as_of, "sc": seed_commitment,
         "ps": public_seed_source, "ed": e_digest, "idg": i_digest, "gn": grades_night,
         "rules": json.dumps(rules, ensure_ascii=False), "strata": json.dumps(strata),
         "pp": json.dumps(public_plan, ensure_ascii=False), "cv": doc.version})
    _copy(conn, "draw_pool_entities", ["draw_id", *core.ENTITY_COLUMNS],
          ((draw_id, *r) for r in entities.itertuples(index=False, name=None)))
    _copy(conn, "draw_pool_inspectors", ["draw_id", *core.INSPECTOR_COLUMNS],
          ((draw_id, r[0], r[1], r[2], list(r[3]), list(r[4]))
           for r in inspectors[core.INSPECTOR_COLUMNS].itertuples(index=False, name=None)))
    _write(_draws_dir(settings) / f"{draw_id}.plan.json", public_plan)
    return draw_id


# -- loading a draw back -------------------------------------------------------------------------
def _plan(conn: Connection, draw_id: str) -> dict[str, Any]:
    row = conn.execute(sa.text("select * from draw_plans where draw_id = :id"), {"id": draw_id}).mappings().first()
    if row is None:
        raise DrawRefused(f"no draw plan {draw_id}")
    return dict(row)


def _pools(conn: Connection, draw_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ent = pd.read_sql(sa.text(f"select {', '.join(core.ENTITY_COLUMNS)} from draw_pool_entities "
                              "where draw_id = :id order by matter, uscc"), conn, params={"id": draw_id})
    ins = pd.read_sql(sa.text(f"select {', '.join(core.INSPECTOR_COLUMNS)} from draw_pool_inspectors "
                              "where draw_id = :id order by inspector_id"), conn, params={"id": draw_id})
    return ent, ins


def _table(df: pd.DataFrame) -> dict[str, Any]:
    return {"columns": list(df.columns), "rows": [list(r) for r in df.itertuples(index=False, name=None)]}


def _public_record(plan: Mapping[str, Any], seed: str, strata: list[dict[str, Any]],
                   inspections: list[dict[str, Any]]) -> dict[str, Any]:
    pp = plan["public_plan"]
    return {**{k: pp[k] for k in ("draw_id", "task", "as_of", "matters", "scope", "seed_commitment",
                                  "public_seed_source", "key_encoding", "entity_pool_digest",
                                  "inspector_pool_digest", "inspectors_per_inspection", "schedule_note",
                                  "config_version")},
            # The widening rule for inspectors' competence (plans made before it have none).
            **({"competence": pp["competence"]} if "competence" in pp else {}),
            "format": core.PUBLIC_FORMAT, "seed": seed, "strata": strata, "inspections": inspections}


# -- run -----------------------------------------------------------------------------------------
def run_draw(conn: Connection, draw_id: str, seed: str, settings: Settings) -> dict[str, Any]:
    """Reveal the seed and draw: entities by stratum, then inspectors and dates. Run once.

    Refused when the plan was already drawn, or when SHA-256(seed) differs from the plan's
    commitment. Writes the public and the full record (JSON files and tables) and returns a summary.
    """
    plan = _plan(conn, draw_id)
    done = conn.execute(sa.text("select 1 from draw_runs where draw_id = :id"), {"id": draw_id}).first()
    if done:
        raise DrawRefused(f"{draw_id} was drawn already; a draw is run once (use redraw for amendments)")
    try:
        core.check_token(seed, "seed")
    except core.DrawError as e:
        raise DrawRefused(str(e)) from e
    if plan["seed_commitment"] and core.seed_commitment(seed) != plan["seed_commitment"]:
        raise DrawRefused(f"SHA-256 of this seed is {core.seed_commitment(seed)}; the plan committed to "
                          f"{plan['seed_commitment']}: not the committed seed")
    ent, ins = _pools(conn, draw_id)
    state = core.derive_draw(draw_id, seed, plan["rules"], ent, ins, plan["strata"])
    inspections = [core.public_inspection(i)
                   for i in sorted(state.inspections.values(), key=lambda i: i["entity_key"])]
    public = _public_record(plan, seed, state.strata, inspections)
    full = full_record_from(plan, seed, ent, ins, state.strata, inspections, [])
    out = _draws_dir(settings)
    public_sha = _write(out / f"{draw_id}.public.json", public)
    full_sha = _write(out / f"{draw_id}.full.json", full)
    cv = plan["config_version"]
    conn.execute(sa.text("""
        insert into draw_runs (draw_id, seed, public_record, public_record_sha256, full_record_sha256, config_version)
        values (:id, :seed, cast(:pr as jsonb), :ps, :fs, :cv)"""),
        {"id": draw_id, "seed": seed, "pr": json.dumps(public, ensure_ascii=False), "ps": public_sha,
         "fs": full_sha, "cv": cv})
    _insert_versions(conn, draw_id, list(state.inspections.values()), cv)
    states = pd.Series([i["state"] for i in inspections], dtype=object).value_counts().to_dict()
    return {"draw_id": draw_id, "inspections": len(inspections), "states": {str(k): int(v) for k, v in states.items()},
            "strata": [{k: s[k] for k in ("matter", "stratum", "size", "sample_size", "inclusion_probability")}
                       for s in state.strata],
            "public_record": str(out / f"{draw_id}.public.json"), "public_record_sha256": public_sha,
            "full_record": str(out / f"{draw_id}.full.json"), "full_record_sha256": full_sha,
            "schedule_note": plan["rules"].get("schedule_note"), "config_version": cv}


def _insert_versions(conn: Connection, draw_id: str, versions: Sequence[Mapping[str, Any]], cv: str) -> None:
    _copy(conn, "draw_inspections",
          ["draw_id", "uscc", "version", "event_seq", "state", "matters", "strata", "entity_key",
           "inspectors", "scheduled_on", "note", "config_version"],
          ((draw_id, v["uscc"], v["version"], v["event_seq"], v["state"], list(v["matters"]),
            list(v["strata"]), v["entity_key"], list(v["inspectors"]),
            date.fromisoformat(v["scheduled_on"]) if v["scheduled_on"] else None, v.get("note"), cv)
           for v in versions))


def full_record_from(plan: Mapping[str, Any], seed: str, ent: pd.DataFrame, ins: pd.DataFrame,
                     strata: list[dict[str, Any]], inspections: list[dict[str, Any]],
                     events: list[dict[str, Any]]) -> dict[str, Any]:
    """The auditor's record: the public record plus the frozen pools, the rules and the redraws."""
    rec = _public_record(plan, seed, strata, inspections)
    rec.update(format=core.FULL_FORMAT, rules=plan["rules"], entity_pool=_table(ent),
               inspector_pool=_table(ins), events=events)
    return rec


def full_record(conn: Connection, draw_id: str) -> dict[str, Any]:
    """The full record of a drawn plan, rebuilt from the tables (what ``verify DRAW_ID`` checks)."""
    plan = _plan(conn, draw_id)
    run = conn.execute(sa.text("select seed from draw_runs where draw_id = :id"), {"id": draw_id}).first()
    if run is None:
        raise DrawRefused(f"{draw_id} has been planned but not drawn yet")
    ent, ins = _pools(conn, draw_id)
    rows = conn.execute(sa.text("""
        select uscc, version, event_seq, state, matters, strata, entity_key, inspectors, scheduled_on
        from draw_inspections where draw_id = :id and version = 0 and event_seq is null
        order by entity_key"""), {"id": draw_id}).mappings().all()
    # The thresholds and the competence levels are published data: take them from the stored
    # public record, so a changed seed or pool shows as a difference instead of being silently
    # recomputed (draw_inspections has no column for the level; its note says it in words).
    public = conn.execute(sa.text("select public_record from draw_runs where draw_id = :id"),
                          {"id": draw_id}).scalar_one()
    levels = {i["uscc"]: i["competence"] for i in public.get("inspections", []) if "competence" in i}
    inspections = [{"uscc": r["uscc"], "version": 0, "event_seq": None, "state": r["state"],
                    "matters": list(r["matters"]), "strata": list(r["strata"]), "entity_key": r["entity_key"],
                    "inspectors": [{"inspector_id": x, "key": core.inspector_key(run.seed, draw_id, r["uscc"], x)}
                                   for x in r["inspectors"]],
                    "scheduled_on": core.iso(r["scheduled_on"]),
                    **({"competence": levels.get(r["uscc"])} if "competence" in public else {})} for r in rows]
    events = [dict(e) for e in conn.execute(sa.text("""
        select seq, kind, uscc, inspector_id, reason, outcome from draw_events
        where draw_id = :id order by seq"""), {"id": draw_id}).mappings()]
    return full_record_from(plan, run.seed, ent, ins, public["strata"], inspections, events)


# -- verifying the published records ----------------------------------------------------------------
def _read_published(path: Path) -> tuple[bytes | None, Any, str | None]:
    """(bytes, parsed JSON, problem) of a published record file."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, None, f"{path.name}: cannot read the published file ({e.strerror or e})"
    try:
        return raw, json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return raw, None, f"{path.name}: not UTF-8 JSON ({e})"


def verify_published(conn: Connection, draw_id: str, settings: Settings) -> tuple[core.VerifyResult, list[str]]:
    """Check the published record files of a draw against their digests and the database.

    The files are ``<home>/reports/draws/<draw_id>.public.json`` and ``.full.json`` (written at
    run time, their SHA-256 kept in ``draw_runs``) and one ``.event-NNNN.json`` per redraw. In
    order, the first failing check is the difference returned:

    1. the public file: well formed, its selections checked (seed, keys, thresholds, counts);
    2. the full file, with the event files as its redraws: well formed and re-derived from its
       frozen pools (digests, strata, every inspection, every redraw outcome);
    3. the public file is the public part of the full file;
    4. the files equal the database copy (``draw_runs.public_record``; the full record rebuilt
       from the tables; ``draw_events``), and no event file is missing or extra;
    5. each file's SHA-256 equals the digest stored when the draw was run, and so does the
       database copy's canonical JSON.

    Returns the result and the list of checks passed (for the report).
    """
    db_full = full_record(conn, draw_id)   # DrawRefused when not planned or not drawn
    run = conn.execute(sa.text("""select public_record, public_record_sha256, full_record_sha256
                                  from draw_runs where draw_id = :id"""), {"id": draw_id}).mappings().one()
    db_events = {r["seq"]: dict(r) for r in conn.execute(sa.text("""
        select seq, kind, uscc, inspector_id, reason, amends_version, outcome from draw_events
        where draw_id = :id order by seq"""), {"id": draw_id}).mappings()}
    folder = settings.reports_dir / "draws"
    passed: list[str] = []

    def differs(diff: str) -> tuple[core.VerifyResult, list[str]]:
        return core.VerifyResult(False, diff), passed

    # 1. the public file
    pub_path = folder / f"{draw_id}.public.json"
    pub_raw, pub, problem = _read_published(pub_path)
    if problem:
        return differs(problem)
    if not isinstance(pub, dict) or pub.get("format") != core.PUBLIC_FORMAT:
        return differs(f"{pub_path.name}: not a public draw record ({core.PUBLIC_FORMAT})")
    result = core.verify_record(pub)
    if not result.ok:
        return differs(f"{pub_path.name}: {result.first_difference}")
    passed.append(f"{pub_path.name}: selections checked")

    # 2. the full file and the event files, re-derived
    full_path = folder / f"{draw_id}.full.json"
    full_raw, full, problem = _read_published(full_path)
    if problem:
        return differs(problem)
    if not isinstance(full, dict) or full.get("format") != core.FULL_FORMAT:
        return differs(f"{full_path.name}: not a full draw record ({core.FULL_FORMAT})")
    if full.get("events"):
        return differs(f"{full_path.name}: holds redraw events; at run time it had none "
                       "(redraws are published as separate event files)")
    event_files = sorted(folder.glob(f"{draw_id}.event-*.json"))
    published_events: dict[int, dict[str, Any]] = {}
    for path in event_files:
        _, ev, problem = _read_published(path)
        if problem:
            return differs(problem)
        if not isinstance(ev, dict) or not isinstance(ev.get("seq"), int):
            return differs(f"{path.name}: not a redraw event record (no integer field 'seq')")
        if path.name != f"{draw_id}.event-{ev['seq']:04d}.json" or ev.get("draw_id") != draw_id:
            return differs(f"{path.name}: holds event {ev.get('seq')} of {ev.get('draw_id')!r}")
        published_events[ev["seq"]] = ev
    for seq in sorted(set(db_events) | set(published_events)):
        if seq not in published_events:
            return differs(f"redraw {seq}: recorded in the database, no published file "
                           f"{draw_id}.event-{seq:04d}.json")
        if seq not in db_events:
            return differs(f"redraw {seq}: published file {draw_id}.event-{seq:04d}.json, "
                           "no such event in the database")
    event_keys = ("seq", "kind", "uscc", "inspector_id", "reason", "outcome")
    replay = {**full, "events": [{k: published_events[s].get(k) for k in event_keys}
                                 for s in sorted(published_events)]}
    result = core.verify_record(replay)
    if not result.ok:
        where = full_path.name if not published_events else f"{full_path.name} with {len(published_events)} event file(s)"
        return differs(f"{where}: {result.first_difference}")
    passed.append(f"{full_path.name}: re-derived from its frozen pools"
                  + (f", with {len(published_events)} redraw event file(s)" if published_events else ""))

    # 3. the public file is the public part of the full file
    for k in sorted(set(pub) - {"format"}):
        diff = core.first_difference(f"{pub_path.name} vs {full_path.name}: {k}", pub[k], full.get(k),
                                     "full record")
        if diff:
            return differs(diff)
    passed.append("the public record is the public part of the full record")

    # 4. the files equal the database copy
    for label, published, stored in (
            (f"{pub_path.name} vs database", pub, run["public_record"]),
            (f"{full_path.name} vs database", full, {**db_full, "events": []})):
        diff = core.first_difference(label, published, stored)
        if diff:
            return differs(diff)
    for seq, ev in sorted(published_events.items()):
        stored_ev = db_events[seq]
        for k in (*event_keys, "amends_version"):
            diff = core.first_difference(f"{draw_id}.event-{seq:04d}.json vs database: {k}", ev.get(k), stored_ev[k])
            if diff:
                return differs(diff)
    passed.append("the published files equal the database copy"
                  + (f" (and its {len(db_events)} redraw event(s))" if db_events else ""))

    # 5. digests recorded at run time
    for name, raw, want in ((pub_path.name, pub_raw, run["public_record_sha256"]),
                            (full_path.name, full_raw, run["full_record_sha256"])):
        got = hashlib.sha256(raw or b"").hexdigest()
        if got != want:
            return differs(f"{name}: SHA-256 of the file is {got}, the run recorded {want}")
    for name, doc, want in (("database copy of the public record", run["public_record"], run["public_record_sha256"]),
                            ("database copy of the full record", {**db_full, "events": []}, run["full_record_sha256"])):
        got = hashlib.sha256(core.canonical_json(doc)).hexdigest()
        if got != want:
            return differs(f"{name}: SHA-256 is {got}, the run recorded {want}")
    passed.append("SHA-256 of both files (and of the database copy) equal the digests recorded at run time")
    return core.VerifyResult(True, None), passed


# -- redraws -------------------------------------------------------------------------------------
def redraw(conn: Connection, draw_id: str, uscc: str, kind: str, reason: str, settings: Settings,
           inspector_id: str | None = None) -> dict[str, Any]:
    """Record a redraw (重新抽取) as a new event citing the inspection version it amends.

    ``kind`` is ``inspector_recused`` (needs ``inspector_id``) or ``entity_closed``; the rule
    is :func:`credit.draws.core.apply_event`, replayed from the full record so that the verifier
    re-derives exactly this outcome. Nothing is overwritten.
    """
    if kind not in ("inspector_recused", "entity_closed"):
        raise DrawRefused(f"unknown redraw kind {kind!r}")
    if kind == "inspector_recused" and not inspector_id:
        raise DrawRefused("an inspector recusal names the inspector (--inspector)")
    if not reason.strip():
        raise DrawRefused("a redraw states its reason")
    rec = full_record(conn, draw_id)
    plan = _plan(conn, draw_id)
    ent, ins = _pools(conn, draw_id)
    state = core.derive_draw(draw_id, rec["seed"], plan["rules"], ent, ins, plan["strata"])
    for ev in rec["events"]:
        core.apply_event(state, rec["seed"], draw_id, ev)
    cur = state.inspections.get(uscc)
    if cur is None:
        raise DrawRefused(f"{uscc} was not drawn in {draw_id}")
    seq = len(rec["events"]) + 1
    event = {"seq": seq, "kind": kind, "uscc": uscc, "inspector_id": inspector_id, "reason": reason}
    try:
        outcome = core.apply_event(state, rec["seed"], draw_id, event)
    except core.DrawError as e:
        raise DrawRefused(str(e)) from e
    cv = plan["config_version"]
    conn.execute(sa.text("""
        insert into draw_events (draw_id, seq, kind, uscc, inspector_id, amends_version, reason, outcome, config_version)
        values (:id, :seq, :kind, :uscc, :ins, :amends, :reason, cast(:outcome as jsonb), :cv)"""),
        {"id": draw_id, "seq": seq, "kind": kind, "uscc": uscc, "ins": inspector_id, "amends": cur["version"],
         "reason": reason, "outcome": json.dumps(outcome, ensure_ascii=False), "cv": cv})
    versions = [state.inspections[v["uscc"]] for v in outcome["versions"]]
    _insert_versions(conn, draw_id, versions, cv)
    _write(_draws_dir(settings) / f"{draw_id}.event-{seq:04d}.json",
           {"draw_id": draw_id, **event, "amends_version": cur["version"], "outcome": outcome})
    return {"draw_id": draw_id, "seq": seq, "amends_version": cur["version"], **outcome}


def current_inspections(conn: Connection, draw_id: str) -> pd.DataFrame:
    """The current version of every inspection of a draw (highest version per entity)."""
    return pd.read_sql(sa.text("""
        select distinct on (uscc) uscc, version, event_seq, state, matters, strata, inspectors, scheduled_on, note
        from draw_inspections where draw_id = :id order by uscc, version desc"""), conn, params={"id": draw_id})


# -- results (抽查检查结果公示) ---------------------------------------------------------------------
def public_results(conn: Connection, task_id: str, settings: Settings, as_of: date | None = None) -> list[dict[str, Any]]:
    """The public results of a task, each with its publication limit and state.

    Limit (domain.md §8): ``results_publication.days`` after the inspection, working days when so
    configured — "working" is (unverified), the config says so. A limit in a year without a
    published holiday schedule is shown as provisional (domain.md §12), never guessed. States:
    ``published`` (arrived by the limit), ``published_late``, ``awaiting`` (no result yet, limit
    not passed as of ``as_of``), ``overdue``, ``cancelled``, ``not_inspected`` (unstaffed/unscheduled).
    Results are published as they arrive; the night a result arrived stands for its publication.
    """
    _plan(conn, task_id)
    doc = load_config("draws", settings)
    pub = doc["results_publication"]
    cal = working_calendar(settings)
    df = pd.read_sql(_sql("results"), conn, params={"task_id": task_id})
    out: list[dict[str, Any]] = []
    for r in df.to_dict("records"):
        # Few rows per task (one per drawn entity): a loop over them is fine here.
        basis = r["inspected_on"] if r["inspected_on"] is not None and not pd.isna(r["inspected_on"]) else r["scheduled_on"]
        limit, provisional = None, False
        if basis is not None and not pd.isna(basis):
            try:
                limit = (cal.add_working_days(basis, int(pub["days"])) if pub.get("working_days")
                         else cal.end_of_calendar_period(basis, int(pub["days"])))
            except UnknownCalendarYear:
                provisional = True
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
            "scheduled_on": core.iso(r["scheduled_on"]), "inspected_on": core.iso(r["inspected_on"]) if got else None,
            "result_code": r["result_code"] if got else None,
            "result": (r["result"] or RESULT_LABELS.get(r["result_code"])) if got else None,
            "doc_no": r["doc_no"] if got else None,
            "publish_by": core.iso(limit), "publish_by_provisional": provisional,
            "limit_basis": f"{pub['days']} {'working ' if pub.get('working_days') else ''}days after the inspection"
                           + (" (working: unverified)" if pub.get("working_unverified") else ""),
            "status": status, "config_version": doc.version,
        })
    return out
