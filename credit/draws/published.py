"""The published record files of a draw, checked against their digests and the database.

What ``credit draw verify DRAW_ID`` runs: the files under ``<home>/reports/draws/`` are what the
public and auditors hold, so they are checked on their own, re-derived, and compared with the
database copy and the digests recorded at run time (domain.md §8: 一公开).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from credit.draws.read import EVENT_KEYS, full_record, public_plan, redraw_events, stored_run
from credit.draws.records import FULL_FORMAT, PLAN_FORMAT, PUBLIC_FORMATS, canonical_json, first_difference
from credit.draws.verify import VerifyResult, public_part_difference, verify_record
from credit.settings import Settings


class PublishedUnreadable(Exception):
    """A published file ``verify`` needs cannot be read — missing, not permitted, not UTF-8 or not
    JSON: the draw cannot be checked (exit 2), which is not a difference found (exit 1)."""

    def __init__(self, path: Path, error: OSError | UnicodeDecodeError | json.JSONDecodeError) -> None:
        super().__init__(f"{path}: {error}")
        self.path, self.error = path, error


def _read_published(path: Path) -> tuple[bytes, Any]:
    """(bytes, parsed JSON) of a published record file; :class:`PublishedUnreadable` when it
    cannot be read."""
    try:
        raw = path.read_bytes()
        return raw, json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PublishedUnreadable(path, e) from e


def _read_record(path: Path, fmt: str | tuple[str, ...], what: str) -> tuple[bytes | None, dict[str, Any], str | None]:
    """(bytes, document, problem) of a published file that must be a ``what`` of format ``fmt``
    (or of one of the formats ``fmt`` lists)."""
    raw, doc = _read_published(path)
    formats = (fmt,) if isinstance(fmt, str) else fmt
    if not isinstance(doc, dict) or doc.get("format") not in formats:
        return raw, {}, f"{path.name}: not a {what} ({' or '.join(formats)})"
    return raw, doc, None


def verify_published(conn: Connection, draw_id: str, settings: Settings) -> tuple[VerifyResult, list[str]]:
    """Check the published record files of a draw against their digests and the database.

    The files are ``<home>/reports/draws/<draw_id>.public.json`` and ``.full.json`` (written at
    run time, their SHA-256 kept in ``draw_runs``) and one ``.event-NNNN.json`` per redraw. In
    order, the first failing check is the difference returned:

    0. the plan file ``<draw_id>.plan.json`` (published before the draw) equals the database's
       plan; both record files below are bound to it (draw id, the seed against its commitment,
       every published plan field and stratum: :func:`credit.draws.verify.plan_bindings`);
    1. the public file: well formed, its selections checked (seed, keys, counts per matter; a
       ``credit-draw-public/1`` file, drawn before the public record left out the strata:
       thresholds and counts per stratum);
    2. the full file, with the event files as its redraws: well formed and re-derived from its
       frozen pools (digests, strata, every inspection, every redraw outcome);
    3. the public file is the public part of the full file (a /2 file: it binds the full file by
       its SHA-256, ``full_record_sha256``);
    4. the files equal the database copy (``draw_runs.public_record``; the full record rebuilt
       from the tables; ``draw_events``), and no event file is missing or extra;
    5. each file's SHA-256 equals the digest stored when the draw was run, and so does the
       database copy's canonical JSON.

    Returns the result and the list of checks passed (for the report). A file that cannot be read
    (missing, not permitted, not UTF-8, not JSON) is no difference but a draw that cannot be
    checked: :class:`PublishedUnreadable`.
    """
    db_full = full_record(conn, draw_id)   # DrawRefused when not planned or not drawn
    run = stored_run(conn, draw_id)
    db_events = {e["seq"]: dict(e) for e in redraw_events(conn, draw_id)}
    folder = settings.reports_dir / "draws"
    passed: list[str] = []

    def differs(diff: str) -> tuple[VerifyResult, list[str]]:
        return VerifyResult(False, diff), passed

    # 0. the plan published before the draw, which the records are bound to
    db_plan = public_plan(conn, draw_id)
    plan_path = folder / f"{draw_id}.plan.json"
    _, plan, problem = _read_record(plan_path, PLAN_FORMAT, "draw plan")
    if problem:
        return differs(problem)
    diff = first_difference(f"{plan_path.name} vs database", plan, db_plan)
    if diff:
        return differs(diff)
    passed.append(f"{plan_path.name}: the plan published before the draw equals the database's")

    # 1. the public file
    pub_path = folder / f"{draw_id}.public.json"
    pub_raw, pub, problem = _read_record(pub_path, PUBLIC_FORMATS, "public draw record")
    if problem:
        return differs(problem)
    result = verify_record(pub, plan)
    if not result.ok:
        return differs(f"{pub_path.name}: {result.first_difference}")
    passed.append(f"{pub_path.name} ({pub['format']}): bound to the plan (draw id, seed commitment, pool digests, "
                  + ("sample sizes per matter), selections checked (the stratum checks: with the full file below)"
                     if result.unchecked else "strata), selections checked"))

    # 2. the full file and the event files, re-derived
    full_path = folder / f"{draw_id}.full.json"
    full_raw, full, problem = _read_record(full_path, FULL_FORMAT, "full draw record")
    if problem:
        return differs(problem)
    if full.get("events"):
        return differs(f"{full_path.name}: holds redraw events; at run time it had none "
                       "(redraws are published as separate event files)")
    event_files = sorted(folder.glob(f"{draw_id}.event-*.json"))
    published_events: dict[int, dict[str, Any]] = {}
    for path in event_files:
        _, ev = _read_published(path)
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
    replay = {**full, "events": [{k: published_events[s].get(k) for k in EVENT_KEYS}
                                 for s in sorted(published_events)]}
    result = verify_record(replay, plan)
    if not result.ok:
        where = full_path.name if not published_events else f"{full_path.name} with {len(published_events)} event file(s)"
        return differs(f"{where}: {result.first_difference}")
    passed.append(f"{full_path.name}: re-derived from its frozen pools"
                  + (f", with {len(published_events)} redraw event file(s)" if published_events else ""))

    # 3. the public file is the public part of the full file
    diff = public_part_difference(pub, full, pub_path.name, full_path.name)
    if diff:
        return differs(diff)
    passed.append("the public record is the public part of the full record"
                  + (" and binds it by its SHA-256" if "full_record_sha256" in pub else ""))

    # 4. the files equal the database copy
    for label, published, stored in (
            (f"{pub_path.name} vs database", pub, run["public_record"]),
            (f"{full_path.name} vs database", full, {**db_full, "events": []})):
        diff = first_difference(label, published, stored)
        if diff:
            return differs(diff)
    for seq, ev in sorted(published_events.items()):
        stored_ev = db_events[seq]
        for k in (*EVENT_KEYS, "amends_version"):
            diff = first_difference(f"{draw_id}.event-{seq:04d}.json vs database: {k}", ev.get(k), stored_ev[k])
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
        got = hashlib.sha256(canonical_json(doc)).hexdigest()
        if got != want:
            return differs(f"{name}: SHA-256 is {got}, the run recorded {want}")
    passed.append("SHA-256 of both files (and of the database copy) equal the digests recorded at run time")
    return VerifyResult(True, None), passed
