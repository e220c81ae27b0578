"""The published draw record: its shape, its formats and how its parts are written.

The public record (``credit-draw-public/2``: seed, inspections, drawn count per matter, the
SHA-256 of the full record; checkable with SHA-256 alone) and the full record
(``credit-draw-full/1``: the strata with their thresholds, the strata that drew each entity, the
frozen pools, the rules and the redraws, from which an auditor re-derives the draw). Their bytes
are :func:`canonical_json`; ``docs/draws.md`` describes every field.

The public record links no entity to a stratum. A stratum is a credit-risk tier, and tiers are
not public (domain.md §7, "not public"; docs/api.md: tiers are returned to the bureau alone); a
tier may rest on bank credit, which is never published (domain.md §11). Records of format
``credit-draw-public/1`` named the strata that drew each entity and each stratum's threshold
(the highest key drawn in it, which names a drawn entity's stratum too): they are published
already and still verify, but no draw writes one any more.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

import pandas as pd

from credit.draws.core import ENTITY_COLUMNS, INSPECTOR_COLUMNS, DrawError, DrawnStratum

FULL_FORMAT = "credit-draw-full/1"
PUBLIC_FORMAT = "credit-draw-public/2"
# Public records published before /2: per entity the strata that drew it, per stratum its
# threshold. They are in the field and verify as they are; nothing writes one any more.
PUBLIC_FORMAT_V1 = "credit-draw-public/1"
PUBLIC_FORMATS = (PUBLIC_FORMAT, PUBLIC_FORMAT_V1)
# What the full record adds to the public fields; the public /2 record also leaves out the strata.
FULL_ONLY = ("rules", "entity_pool", "inspector_pool", "events")
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
    """One inspection as the full record (and a /1 public record) holds it: with the strata that
    drew this entity. The public /2 record holds it without them (:func:`public_record_from`)."""

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
    """One inspection as the full record holds it: no tier except the strata that drew this entity."""
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


def matter_sample_sizes(matters: Sequence[Mapping[str, Any]], strata: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Matter → the number of entities drawn for it: the sum of the sample sizes of its strata.

    The one per-matter figure the public record gives. It names no entity, and the plan
    published the strata it sums before the draw (domain.md §8: the plan's figures are public).
    """
    out = {str(m["matter"]): 0 for m in matters}
    for st in strata:
        out[str(st["matter"])] = out.get(str(st["matter"]), 0) + int(st["sample_size"])
    return out


def full_record_digest(full: Mapping[str, Any]) -> str:
    """SHA-256 of a full record's canonical JSON: of ``DRAW_ID.full.json`` as the run wrote it."""
    return hashlib.sha256(canonical_json(full)).hexdigest()


def full_record_from(public_plan: Mapping[str, Any], rules: Mapping[str, Any], seed: str, ent: pd.DataFrame,
                     ins: pd.DataFrame, strata: Sequence[DrawnStratum], inspections: Sequence[PublicInspection],
                     events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The auditor's record: the plan's public fields, the seed, the strata with their thresholds,
    the inspections with the strata that drew them, the frozen pools, the rules and the redraws."""
    pp = public_plan
    return {**{k: pp[k] for k in PLAN_FIELDS},
            # The widening rule for inspectors' competence (plans made before it have none).
            **({"competence": pp["competence"]} if "competence" in pp else {}),
            # The entities earlier live draws drew, left out of the pool (plans made before the
            # rule have none, and their records stay as they were).
            **({"excluded_drawn": pp["excluded_drawn"]} if "excluded_drawn" in pp else {}),
            "format": FULL_FORMAT, "seed": seed, "strata": list(strata), "inspections": list(inspections),
            "rules": rules, "entity_pool": pool_table(ent), "inspector_pool": pool_table(ins),
            "events": list(events)}


def public_record_from(full: Mapping[str, Any]) -> dict[str, Any]:
    """The public record (``credit-draw-public/2``) of a full record as the run wrote it.

    Everything an outsider checks with SHA-256 alone — the plan's public fields, the seed, every
    inspection with its entity and inspector keys, the number drawn per matter — and nothing from
    which an entity's stratum follows: no strata per inspection, no per-stratum threshold (the
    highest key drawn in a stratum: keys are public, so it would name that entity's tier). Tiers
    are not public (domain.md §7) and may rest on bank credit (domain.md §11). The stratum checks
    need the full record, which this one binds by its SHA-256 (``full_record_sha256``).
    """
    return {**{k: full[k] for k in PLAN_FIELDS},
            **({"competence": full["competence"]} if "competence" in full else {}),
            **({"excluded_drawn": full["excluded_drawn"]} if "excluded_drawn" in full else {}),
            "format": PUBLIC_FORMAT, "seed": full["seed"],
            "sample_sizes": matter_sample_sizes(full["matters"], full["strata"]),
            "inspections": [{k: v for k, v in i.items() if k != "strata"} for i in full["inspections"]],
            "full_record_sha256": full_record_digest(full)}


# -- shape -----------------------------------------------------------------------------------------
class RecordMalformed(DrawError):
    """A record that lacks a field the verifier needs, or has one of the wrong type."""


# What a record must hold to be verified: field → type (None: any value, the key must be there).
_PUBLIC_FIELDS: dict[str, Any] = {"format": str, "draw_id": str, "task": str, "seed": str,
                                  "inspectors_per_inspection": int, "inspections": list}
_STAGED_FIELDS: dict[str, Any] = {"strata": list}   # the full record and /1 public records
_PUBLIC_2_FIELDS: dict[str, Any] = {"sample_sizes": dict, "full_record_sha256": str}
_FULL_FIELDS: dict[str, Any] = {"entity_pool": dict, "inspector_pool": dict, "entity_pool_digest": str,
                                "inspector_pool_digest": str, "rules": dict}
_STRATUM_FIELDS: dict[str, Any] = {"matter": str, "stratum": str, "sample_size": int, "threshold": None}
_FULL_STRATUM_FIELDS: dict[str, Any] = {"size": int, "inclusion_probability": str}
_INSPECTION_FIELDS: dict[str, Any] = {"uscc": str, "state": str, "entity_key": str, "inspectors": list}
_STAGED_INSPECTION_FIELDS: dict[str, Any] = {"strata": list}
_PUBLIC_2_INSPECTION_FIELDS: dict[str, Any] = {"matters": list}
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
    if fmt not in (*PUBLIC_FORMATS, FULL_FORMAT):
        raise RecordMalformed(f"field 'format' of the record is {fmt!r}, not {PUBLIC_FORMAT}, {FULL_FORMAT} "
                              f"or {PUBLIC_FORMAT_V1}")
    full = fmt == FULL_FORMAT
    staged = fmt != PUBLIC_FORMAT   # it names the strata (the full record, a /1 public record)
    _fields("the record", record, _STAGED_FIELDS if staged else _PUBLIC_2_FIELDS)
    if staged:
        for n, st in enumerate(record["strata"]):
            _fields(f"strata[{n}]", st, {**_STRATUM_FIELDS, **(_FULL_STRATUM_FIELDS if full else {})})
    else:
        for m, k in record["sample_sizes"].items():
            if not isinstance(k, int) or isinstance(k, bool):
                raise RecordMalformed(f"sample_sizes[{m!r}] of the record is not an integer: {k!r}"[:300])
    for n, i in enumerate(record["inspections"]):
        _fields(f"inspections[{n}]", i, {**_INSPECTION_FIELDS,
                                         **(_STAGED_INSPECTION_FIELDS if staged else _PUBLIC_2_INSPECTION_FIELDS)})
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
        skipped = ev.get("skipped")   # absent (or null) before migration 0047
        if skipped is not None and not (isinstance(skipped, list) and all(isinstance(u, str) for u in skipped)):
            raise RecordMalformed(f"events[{n}].skipped is not a list of strings")


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
