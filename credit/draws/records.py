"""The published draw record: its shape, its formats and how its parts are written.

Two formats: the public record (``credit-draw-public/1``: seed, strata thresholds, inspections,
checkable with SHA-256 alone) and the full record (``credit-draw-full/1``: the public record plus
the frozen pools, the rules and the redraws, from which an auditor re-derives the draw). Their
bytes are :func:`canonical_json`; ``docs/draws.md`` describes every field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

import pandas as pd

from credit.draws.core import ENTITY_COLUMNS, INSPECTOR_COLUMNS, DrawError, DrawnStratum

FULL_FORMAT = "credit-draw-full/1"
PUBLIC_FORMAT = "credit-draw-public/1"
# The plan published before the draw (``DRAW_ID.plan.json``): what a record is bound to.
PLAN_FORMAT = "credit-draw-plan/1"
# The plan fields a public record repeats, so that it can be checked without the plan.
PLAN_FIELDS = ("draw_id", "task", "as_of", "matters", "scope", "seed_commitment", "public_seed_source",
               "key_encoding", "entity_pool_digest", "inspector_pool_digest", "inspectors_per_inspection",
               "schedule_note", "config_version")


class Inspection(TypedDict):
    """One version of an inspection as the draw keeps it (a redraw adds a version, never edits one)."""

    uscc: str
    version: int
    event_seq: int | None
    state: str   # assigned, unscheduled, unstaffed or cancelled
    matters: list[str]
    strata: list[str]   # "matter:stratum" tags that drew the entity
    entity_key: str
    inspectors: list[str]
    inspector_keys: list[str]
    scheduled_on: str | None
    note: str | None
    # The competence level the team was drawn at; absent in plans made before the setting.
    competence: NotRequired[str | None]
    recused: NotRequired[list[str]]


class InspectorDraw(TypedDict):
    """An inspector on a published inspection, with the key that placed them."""

    inspector_id: str
    key: str


class PublicInspection(TypedDict):
    """One inspection as published: no tier except the strata that drew this entity."""

    uscc: str
    version: int
    event_seq: int | None
    state: str
    matters: list[str]
    strata: list[str]
    entity_key: str
    inspectors: list[InspectorDraw]
    scheduled_on: str | None
    competence: NotRequired[str | None]


class RedrawOutcome(TypedDict):
    """What one redraw changed: the new inspection versions, as published."""

    versions: list[PublicInspection]


def public_inspection(i: Inspection) -> PublicInspection:
    """One inspection as published: no tier except the strata that drew this entity."""
    out: PublicInspection = {
        "uscc": i["uscc"], "version": i["version"], "event_seq": i["event_seq"],
        "state": i["state"], "matters": list(i["matters"]), "strata": list(i["strata"]),
        "entity_key": i["entity_key"],
        "inspectors": [{"inspector_id": x, "key": k}
                       for x, k in zip(i["inspectors"], i["inspector_keys"], strict=True)],
        "scheduled_on": i["scheduled_on"]}
    # The competence level the team was drawn at (district / city / province); absent
    # from records of plans made before the setting.
    if "competence" in i:
        out["competence"] = i["competence"]
    return out


def canonical_json(doc: Any) -> bytes:
    """The bytes whose SHA-256 identifies a record: sorted keys, UTF-8, no spaces."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def pool_table(df: pd.DataFrame) -> dict[str, Any]:
    """A frozen pool as the full record holds it: ``{columns, rows}``."""
    return {"columns": list(df.columns), "rows": [list(r) for r in df.itertuples(index=False, name=None)]}


def public_record_from(public_plan: Mapping[str, Any], seed: str, strata: Sequence[DrawnStratum],
                       inspections: Sequence[PublicInspection]) -> dict[str, Any]:
    """The public record of a drawn plan: the plan's public fields, the seed, thresholds, inspections."""
    pp = public_plan
    return {**{k: pp[k] for k in PLAN_FIELDS},
            # The widening rule for inspectors' competence (plans made before it have none).
            **({"competence": pp["competence"]} if "competence" in pp else {}),
            # The entities earlier live draws drew, left out of the pool (plans made before the
            # rule have none, and their records stay as they were).
            **({"excluded_drawn": pp["excluded_drawn"]} if "excluded_drawn" in pp else {}),
            "format": PUBLIC_FORMAT, "seed": seed, "strata": list(strata), "inspections": list(inspections)}


def full_record_from(public_plan: Mapping[str, Any], rules: Mapping[str, Any], seed: str, ent: pd.DataFrame,
                     ins: pd.DataFrame, strata: Sequence[DrawnStratum], inspections: Sequence[PublicInspection],
                     events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The auditor's record: the public record plus the frozen pools, the rules and the redraws."""
    rec = public_record_from(public_plan, seed, strata, inspections)
    rec.update(format=FULL_FORMAT, rules=rules, entity_pool=pool_table(ent),
               inspector_pool=pool_table(ins), events=list(events))
    return rec


# -- shape -----------------------------------------------------------------------------------------
class RecordMalformed(DrawError):
    """A record that lacks a field the verifier needs, or has one of the wrong type."""


# What a record must hold to be verified: field → type (None: any value, the key must be there).
_PUBLIC_FIELDS: dict[str, Any] = {"format": str, "draw_id": str, "task": str, "seed": str,
                                  "inspectors_per_inspection": int, "strata": list, "inspections": list}
_FULL_FIELDS: dict[str, Any] = {"entity_pool": dict, "inspector_pool": dict, "entity_pool_digest": str,
                                "inspector_pool_digest": str, "rules": dict}
_STRATUM_FIELDS: dict[str, Any] = {"matter": str, "stratum": str, "sample_size": int, "threshold": None}
_FULL_STRATUM_FIELDS: dict[str, Any] = {"size": int, "inclusion_probability": str}
_INSPECTION_FIELDS: dict[str, Any] = {"uscc": str, "state": str, "strata": list, "entity_key": str,
                                      "inspectors": list}
_INSPECTOR_FIELDS: dict[str, Any] = {"inspector_id": str, "key": str}
_EXCLUDED_FIELDS: dict[str, Any] = {"draw_id": str, "usccs": list}
_EVENT_FIELDS: dict[str, Any] = {"seq": int, "kind": str, "uscc": str, "outcome": dict}
_PLAN_FIELDS: dict[str, Any] = {"format": str, "draw_id": str, "task": str, "strata": list,
                                "seed_commitment": None, "public_seed_source": None}
_PLAN_STRATUM_FIELDS: dict[str, Any] = {"matter": str, "stratum": str, "size": int, "sample_size": int,
                                        "inclusion_probability": str}
_TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def _fields(where: str, doc: Any, spec: Mapping[str, Any]) -> None:
    if not isinstance(doc, dict):
        raise RecordMalformed(f"{where} is not a JSON object")
    for name, kind in spec.items():
        if name not in doc:
            raise RecordMalformed(f"{where} has no field {name!r}")
        value = doc[name]
        if kind is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            raise RecordMalformed(f"field {name!r} of {where} is not {_TYPE_NAMES[kind]}: {value!r}"[:300])


def check_record_shape(record: Any) -> None:
    """Raise :class:`RecordMalformed` naming the first missing or mistyped field of a record."""
    _fields("the record", record, _PUBLIC_FIELDS)
    fmt = record["format"]
    if fmt not in (PUBLIC_FORMAT, FULL_FORMAT):
        raise RecordMalformed(f"field 'format' of the record is {fmt!r}, not {PUBLIC_FORMAT} or {FULL_FORMAT}")
    full = fmt == FULL_FORMAT
    for n, st in enumerate(record["strata"]):
        _fields(f"strata[{n}]", st, {**_STRATUM_FIELDS, **(_FULL_STRATUM_FIELDS if full else {})})
    for n, i in enumerate(record["inspections"]):
        _fields(f"inspections[{n}]", i, _INSPECTION_FIELDS)
        for m, x in enumerate(i["inspectors"]):
            _fields(f"inspections[{n}].inspectors[{m}]", x, _INSPECTOR_FIELDS)
    excluded = record.get("excluded_drawn", [])
    if not isinstance(excluded, list):
        raise RecordMalformed("field 'excluded_drawn' of the record is not a list")
    for n, d in enumerate(excluded):
        _fields(f"excluded_drawn[{n}]", d, _EXCLUDED_FIELDS)
        if not all(isinstance(u, str) for u in d["usccs"]):
            raise RecordMalformed(f"excluded_drawn[{n}].usccs is not a list of strings")
    if not full:
        return
    _fields("the record", record, _FULL_FIELDS)
    for name, columns in (("entity_pool", ENTITY_COLUMNS), ("inspector_pool", INSPECTOR_COLUMNS)):
        _fields(name, record[name], {"columns": list, "rows": list})
        missing = [c for c in columns if c not in record[name]["columns"]]
        if missing:
            raise RecordMalformed(f"{name} has no column {missing[0]!r}")
        width = len(record[name]["columns"])
        for n, row in enumerate(record[name]["rows"]):
            if not isinstance(row, list) or len(row) != width:
                raise RecordMalformed(f"{name}.rows[{n}] is not a list of {width} values")
    events = record.get("events", [])
    if not isinstance(events, list):
        raise RecordMalformed("field 'events' of the record is not a list")
    for n, ev in enumerate(events):
        _fields(f"events[{n}]", ev, _EVENT_FIELDS)
        if ev["kind"] == "inspector_recused":
            _fields(f"events[{n}]", ev, {"inspector_id": str})


def check_plan_shape(plan: Any) -> None:
    """Raise :class:`RecordMalformed` unless ``plan`` reads as a published plan (``DRAW_ID.plan.json``)."""
    _fields("the plan", plan, _PLAN_FIELDS)
    if plan["format"] != PLAN_FORMAT:
        raise RecordMalformed(f"field 'format' of the plan is {plan['format']!r}, not {PLAN_FORMAT}")
    for n, st in enumerate(plan["strata"]):
        _fields(f"the plan's strata[{n}]", st, _PLAN_STRATUM_FIELDS)


def first_difference(label: str, published: Any, derived: Any, other: str = "database") -> str | None:
    """The first path at which two JSON-like values differ, as ``label.key[n]: published …, <other> …``."""
    if published == derived:
        return None
    if isinstance(published, list) and isinstance(derived, list):
        for n, (a, b) in enumerate(zip(published, derived, strict=False)):
            d = first_difference(f"{label}[{n}]", a, b, other)
            if d:
                return d
        return f"{label}: {len(published)} published, {len(derived)} {other}"
    if isinstance(published, dict) and isinstance(derived, dict):
        for k in sorted(set(published) | set(derived)):
            if (k in published) != (k in derived):
                return f"{label}.{k}: {'only published' if k in published else f'only in the {other} copy'}"
            d = first_difference(f"{label}.{k}", published.get(k), derived.get(k), other)
            if d:
                return d
    return f"{label}: published {published!r}, {other} {derived!r}"
