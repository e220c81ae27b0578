"""Verifying a draw record: anyone's checks with SHA-256 alone, an auditor's full re-derivation.

A public record is checked selection by selection; a full record is in addition re-derived from
its frozen pools with the very functions the draw ran (:mod:`credit.draws.derive`), so any
difference between what was published and what the rules give is found (domain.md §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credit.draws.core import (
    ENTITY_COLUMNS,
    FORBIDDEN_CHARS,
    INSPECTOR_COLUMNS,
    DrawError,
    entity_pool_digest,
    inspector_key,
    inspector_pool_digest,
    plan_strata,
    pool_frame,
    rank_key,
    seed_commitment,
    stratum_sizes,
)
from credit.draws.derive import apply_event, derive_draw
from credit.draws.inspectors import COMPETENCE_LEVELS
from credit.draws.records import (
    FULL_FORMAT,
    RecordMalformed,
    check_record_shape,
    first_difference,
    public_inspection,
)


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, else the first difference; ``malformed`` when the record could not be read as a
    draw record at all (a missing or mistyped field: nothing was compared)."""

    ok: bool
    first_difference: str | None = None
    malformed: bool = False


def check_selections(record: Mapping[str, Any]) -> str | None:
    """Checks anyone can run with SHA-256 alone; returns the first difference or None."""
    seed = record.get("seed")
    task = record["task"]
    if not seed:
        return "the record has no seed"
    if any(c in seed for c in FORBIDDEN_CHARS):
        return "the seed contains '|' or a line break"
    commitment = record.get("seed_commitment")
    if commitment and seed_commitment(seed) != commitment:
        return f"seed: SHA-256 of the seed is {seed_commitment(seed)}, the plan committed to {commitment}"
    held = excluded_drawn(record)
    thresholds = {f"{s['matter']}:{s['stratum']}": s for s in record["strata"]}
    counts = {t: 0 for t in thresholds}
    per = int(record["inspectors_per_inspection"])
    for i in record["inspections"]:
        u = i["uscc"]
        key = rank_key(seed, task, u).hex()
        if i["entity_key"] != key:
            return f"{u}: entity key is {key}, the record says {i['entity_key']}"
        if u in held:
            return f"{u}: drawn, but the plan left it out of the pool as drawn by {held[u]} (excluded_drawn)"
        for tag in i["strata"]:
            st = thresholds.get(tag)
            if st is None:
                return f"{u}: drawn in unknown stratum {tag}"
            if st["threshold"] is None or key > st["threshold"]:
                return f"{u}: key {key} is above the threshold of stratum {tag} ({st['threshold']})"
            counts[tag] += 1
        ids = [x["inspector_id"] for x in i["inspectors"]]
        level = i.get("competence")
        if level is not None and level not in COMPETENCE_LEVELS:
            return f"{u}: unknown competence level {level!r}"
        if len(set(ids)) != len(ids):
            return f"{u}: the same inspector appears twice"
        if i["state"] in ("assigned", "unscheduled") and len(ids) < per:
            return f"{u}: {len(ids)} inspectors, fewer than the minimum {per} (行政处罚法 art. 42)"
        for x in i["inspectors"]:
            k = inspector_key(seed, task, u, x["inspector_id"])
            if x["key"] != k:
                return f"{u}: inspector {x['inspector_id']} key is {k}, the record says {x['key']}"
    for tag, st in thresholds.items():
        if counts[tag] != int(st["sample_size"]):
            return f"stratum {tag}: {counts[tag]} entities drawn, the plan fixed {st['sample_size']}"
    return None


def excluded_drawn(record: Mapping[str, Any]) -> dict[str, str]:
    """USCC → the earlier draw that drew it, for the entities the plan left out (domain.md §8);
    empty for records made before the rule."""
    out: dict[str, str] = {}
    for d in record.get("excluded_drawn") or []:
        for u in d["usccs"]:
            out.setdefault(u, d["draw_id"])
    return out


def verify_record(record: Mapping[str, Any]) -> VerifyResult:
    """Check a draw record: match, or the first difference.

    A public record (``credit-draw-public/1``) is checked selection by selection (seed against
    its commitment, every key recomputed, every key at or below its stratum's threshold, counts
    equal to the published sample sizes, at least the minimum of inspectors). A full record
    (``credit-draw-full/1``) is in addition re-derived from its frozen pools: pool digests, sample
    sizes, thresholds, every inspection and every redraw must come out identical.
    """
    try:
        check_record_shape(record)
    except RecordMalformed as e:
        return VerifyResult(False, f"the record is malformed: {e}", malformed=True)
    try:
        diff = check_selections(record)
        if diff or record.get("format") != FULL_FORMAT:
            return VerifyResult(diff is None, diff)
        ent = pool_frame(record["entity_pool"], ENTITY_COLUMNS)
        ins = pool_frame(record["inspector_pool"], INSPECTOR_COLUMNS)
        for label, got, want in (("entity pool digest", entity_pool_digest(ent), record["entity_pool_digest"]),
                                 ("inspector pool digest", inspector_pool_digest(ins),
                                  record["inspector_pool_digest"])):
            if got != want:
                return VerifyResult(False, f"{label}: the pool hashes to {got}, the plan published {want}")
        held = excluded_drawn(record)
        if held:
            inside = ent["uscc"][ent["uscc"].isin(list(held))]
            if len(inside):
                u = str(inside.iloc[0])
                return VerifyResult(False, f"entity pool: {u} is in the pool, but the plan left it out "
                                           f"as drawn by {held[u]} (excluded_drawn)")
        rules = record["rules"]
        allocation = plan_strata(rules, stratum_sizes(ent))
        planned = [{k: s[k] for k in ("matter", "stratum", "size", "sample_size", "inclusion_probability")}
                   for s in record["strata"]]
        diff = first_difference("strata", planned, allocation, "derived")
        if diff:
            return VerifyResult(False, diff)
        state = derive_draw(record["task"], record["seed"], rules, ent, ins, allocation)
        diff = first_difference("strata", record["strata"], state.strata, "derived")
        if diff:
            return VerifyResult(False, diff)
        derived = [public_inspection(i) for i in sorted(state.inspections.values(), key=lambda i: i["entity_key"])]
        diff = first_difference("inspections", record["inspections"], derived, "derived")
        if diff:
            return VerifyResult(False, diff)
        for ev in record.get("events", []):
            outcome = apply_event(state, record["seed"], record["task"], ev)
            diff = first_difference(f"event {ev['seq']}", ev["outcome"], outcome, "derived")
            if diff:
                return VerifyResult(False, diff)
        return VerifyResult(True, None)
    except KeyError as e:
        return VerifyResult(False, f"the record is malformed: no field {e.args[0]!r} where the verifier needs one",
                            malformed=True)
    except DrawError as e:   # a seed or redraw the rules refuse: a difference, not a malformed file
        return VerifyResult(False, str(e))
    except (TypeError, ValueError) as e:
        return VerifyResult(False, f"the record is malformed: {e}", malformed=True)
