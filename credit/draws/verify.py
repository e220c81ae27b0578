"""Verifying a draw record: anyone's checks with SHA-256 alone, an auditor's full re-derivation.

A public record is checked selection by selection; a full record is in addition re-derived from
its frozen pools with the very functions the draw ran (:mod:`credit.draws.derive`), so any
difference between what was published and what the rules give is found (domain.md §8).

A record is also *bound* to the draw it claims to be (一公开: the plan is published before the
draw, so nobody can pick the seed or the pool afterwards). On its own, a record must hash its keys
with its own draw id (the task) and name what fixed its seed beforehand; held against the plan
published before the draw (``DRAW_ID.plan.json``), its revealed seed must hash to the plan's
commitment and every field the plan published (draw id, matters, scope, pool digests, strata,
exclusions, …) must be the plan's. A public and a full record held together must be one draw's.
Without the plan, a self-consistent record of a seed chosen after the fact cannot be told from
the real one: the CLI says so.

A public record of format ``credit-draw-public/2`` names no stratum (a stratum is a credit-risk
tier, not public: domain.md §7, §11): it is checked in everything that does not need the strata,
and :data:`NEEDS_FULL_RECORD` says what is left to the full record, which it binds by SHA-256.
Public records of format ``credit-draw-public/1`` (with strata and thresholds) are in the field
and are checked as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    FULL_ONLY,
    PLAN_FIELDS,
    PUBLIC_FORMAT,
    PUBLIC_FORMATS,
    RecordMalformed,
    check_plan_shape,
    check_record_shape,
    first_difference,
    matter_sample_sizes,
    public_inspection,
    public_record_from,
)

# What a public /2 record cannot show, for it names no stratum (docs/draws.md, "What the public
# can and cannot check"): the full record, bound to it by ``full_record_sha256``, shows them.
NEEDS_FULL_RECORD = (
    "每个主体在其所属分层中按最小哈希值抽中（阈值） each entity was drawn by the lowest keys of a stratum "
    "it belongs to (the thresholds)",
    "各层抽取数量与计划一致 the count drawn per stratum equals the plan's sample size",
    "名录库摘要与分层数量 the pool digests and the strata sizes against the frozen pools",
    "检查人员取自名录库、检查日期符合规则 the inspectors are those the inspector pool gives, the dates "
    "those the date rule gives",
)
# The plan's fields a record repeats besides PLAN_FIELDS (absent from plans made before them).
LATER_PLAN_FIELDS = ("competence", "excluded_drawn")
PLANNED_STRATUM = ("matter", "stratum", "size", "sample_size", "inclusion_probability")


@dataclass(frozen=True)
class VerifyResult:
    """``ok``, else the first difference; ``malformed`` when the record could not be read as a
    draw record at all (a missing or mistyped field: nothing was compared); ``unchecked`` the
    checks left to the full record."""

    ok: bool
    first_difference: str | None = None
    malformed: bool = False
    # On a match: the checks this record could not run (a public /2 record: NEEDS_FULL_RECORD).
    unchecked: tuple[str, ...] = ()


def check_selections(record: Mapping[str, Any]) -> str | None:
    """Checks anyone can run with SHA-256 alone; returns the first difference or None.

    Every record: the seed against its commitment, every entity and inspector key, no entity
    twice, none the plan left out (``excluded_drawn``), at least the minimum of different
    inspectors. A record that names the strata (the full record, a /1 public record): every key
    at or below its stratum's threshold, the threshold the highest key drawn, the count per
    stratum. A public /2 record names none (domain.md §7: tiers are not public): the count per
    matter against ``sample_sizes``.
    """
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
    staged = record["format"] != PUBLIC_FORMAT
    thresholds = {f"{s['matter']}:{s['stratum']}": s for s in record["strata"]} if staged else {}
    counts = {t: 0 for t in thresholds}
    per_matter = {str(m): 0 for m in ({} if staged else record["sample_sizes"])}
    highest: dict[str, str] = {}
    seen: set[str] = set()
    per = int(record["inspectors_per_inspection"])
    for i in record["inspections"]:
        u = i["uscc"]
        if u in seen:   # one inspection per entity (a joint task inspects it once for all matters)
            return f"{u}: drawn twice (the record lists two inspections of it)"
        seen.add(u)
        key = rank_key(seed, task, u).hex()
        if i["entity_key"] != key:
            return f"{u}: entity key is {key}, the record says {i['entity_key']}"
        if u in held:
            return f"{u}: drawn, but the plan left it out of the pool as drawn by {held[u]} (excluded_drawn)"
        for tag in i["strata"] if staged else ():
            st = thresholds.get(tag)
            if st is None:
                return f"{u}: drawn in unknown stratum {tag}"
            if st["threshold"] is None or key > st["threshold"]:
                return f"{u}: key {key} is above the threshold of stratum {tag} ({st['threshold']})"
            counts[tag] += 1
            highest[tag] = max(highest.get(tag, key), key)
        if not staged:
            if len(set(i["matters"])) != len(i["matters"]):
                return f"{u}: a matter appears twice in its matters {i['matters']}"
            for m in i["matters"]:
                if m not in per_matter:
                    return f"{u}: drawn for matter {m}, which has no sample size in the record (sample_sizes)"
                per_matter[m] += 1
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
    for m, n in per_matter.items():
        if n != record["sample_sizes"][m]:
            return f"matter {m}: {n} entities drawn, the record's sample size is {record['sample_sizes'][m]}"
    for tag, st in thresholds.items():
        if counts[tag] != int(st["sample_size"]):
            return f"stratum {tag}: {counts[tag]} entities drawn, the plan fixed {st['sample_size']}"
    for tag, st in thresholds.items():
        # The threshold is the key of the last entity drawn: a higher one would let the record
        # keep any k entities under it instead of the k lowest.
        if st["threshold"] != highest.get(tag):
            return (f"stratum {tag}: threshold {st['threshold']} is not the highest key drawn in it "
                    f"({highest.get(tag)}): the threshold is the key of the last entity drawn")
    return None


def record_bindings(record: Mapping[str, Any]) -> str | None:
    """What a record alone must say of itself to be one draw's record; the first difference or None.

    Its keys are hashed with its task, which the plan sets to the draw id, so a record whose
    draw_id differs from its task is an edited record or one of another draw. Its seed must be
    fixed by something published before the draw: a commitment (checked against the seed by
    :func:`check_selections`) or a public seed source. A full record's frozen rules must agree
    with the fields it publishes (matters, inspectors per inspection, competence, key encoding).
    """
    if record["task"] != record["draw_id"]:
        return (f"task: the keys are hashed with task {record['task']}, but the record says it is draw "
                f"{record['draw_id']} (a draw's task is its draw id: an edited draw_id, or a record of another draw)")
    if not record.get("seed_commitment") and not record.get("public_seed_source"):
        return ("seed: the record names neither a seed commitment nor a public seed source, so nothing "
                "published before the draw fixed its seed (every plan publishes one of the two)")
    if record["format"] == PUBLIC_FORMAT:
        digest = record["full_record_sha256"]
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            return f"full_record_sha256: {digest!r} is not a SHA-256 (64 lower-case hex digits)"[:300]
        if "matters" in record:
            published = sorted(str(m["matter"]) for m in record["matters"])
            if published != sorted(record["sample_sizes"]):
                return (f"sample_sizes: the record gives sample sizes for {', '.join(sorted(record['sample_sizes']))}, "
                        f"it publishes the matters {', '.join(published)}")
    if record["format"] != FULL_FORMAT:
        return None
    rules = record["rules"]
    for k in ("inspectors_per_inspection", "competence", "key_encoding"):
        if k in record and k in rules and record[k] != rules[k]:
            return f"{k}: the record publishes {record[k]!r}, its frozen rules draw with {rules[k]!r}"
    if "matters" in record:
        published = sorted(m["matter"] for m in record["matters"])
        if published != sorted(rules["matters"]):
            return (f"matters: the record publishes {', '.join(published)}, its frozen rules draw for "
                    f"{', '.join(sorted(rules['matters']))}")
    return None


def plan_bindings(record: Mapping[str, Any], plan: Mapping[str, Any]) -> str | None:
    """The first difference between a record and the plan published before its draw, or None.

    In order: which draw (draw_id, task), the revealed seed against the plan's commitment, every
    plan field the record repeats, the strata (size, sample size, probability), and for a full
    record the frozen rules against the plan's inspection window and inspector pool size.
    """
    for k in ("draw_id", "task"):
        if record[k] != plan[k]:
            return (f"{k}: the record is of {record[k]}, the plan published before the draw is of {plan[k]} "
                    "(a record of another draw)")
    commitment = plan["seed_commitment"]
    if commitment and seed_commitment(record["seed"]) != commitment:
        return (f"seed: SHA-256 of the revealed seed is {seed_commitment(record['seed'])}, the plan's seed "
                f"commitment, published before the draw, is {commitment} (not the seed the bureau committed to)")
    for k in (*PLAN_FIELDS, *LATER_PLAN_FIELDS):
        if (k in record) != (k in plan):
            return f"record vs plan: {k}: {'only in the record' if k in record else 'in the plan, not in the record'}"
        diff = first_difference(f"record vs plan: {k}", record.get(k), plan.get(k), "plan")
        if diff:
            return diff
    if record["format"] == PUBLIC_FORMAT:
        # No strata in a public /2 record (domain.md §7): its count per matter is the plan's sum.
        diff = first_difference("record vs plan: sample_sizes (per matter: the sum of the plan's strata)",
                                record["sample_sizes"], matter_sample_sizes(plan.get("matters") or [], plan["strata"]),
                                "plan")
    else:
        planned = [{k: s.get(k) for k in PLANNED_STRATUM} for s in record["strata"]]
        diff = first_difference("record vs plan: strata", planned, plan["strata"], "plan")
    if diff:
        return diff
    if record.get("format") == FULL_FORMAT:
        days = record["rules"].get("schedule_days")
        if "schedule_window" in plan and days is not None:
            diff = first_difference("record vs plan: schedule_window (first and last day of the frozen rules)",
                                    [days[0], days[-1]] if days else [], plan["schedule_window"], "plan")
            if diff:
                return diff
        size = len(record["inspector_pool"]["rows"])
        if "inspector_pool_size" in plan and size != plan["inspector_pool_size"]:
            return f"inspector pool: {size} inspectors in the record, the plan published {plan['inspector_pool_size']}"
    return None


def public_part_difference(pub: Mapping[str, Any], full: Mapping[str, Any], pub_label: str = "public record",
                           full_label: str = "full record") -> str | None:
    """The first difference between a public record and the public part of a full record, or None.

    A public /2 record binds its full record by SHA-256 (``full_record_sha256``: the digest of
    ``DRAW_ID.full.json`` as the run wrote it) and must be exactly what the run publishes of it
    (:func:`credit.draws.records.public_record_from`); a /1 record must equal the full record
    without the pools, the rules and the events.
    """
    if pub["format"] == PUBLIC_FORMAT:
        full = public_record_from(full)
    # Which draw and which seed first: the plainest difference when the two are of different draws;
    # then the digest that binds a /2 record's full record.
    first = ("draw_id", "task", "seed_commitment", "public_seed_source", "seed", "full_record_sha256")
    rest = sorted((set(pub) | set(full)) - {"format", *FULL_ONLY, *first})
    for k in (*[k for k in first if k in pub or k in full], *rest):
        if k == "full_record_sha256" and k in pub and k in full and pub[k] != full[k]:
            return (f"{pub_label} vs {full_label}: full_record_sha256: the public record binds the full record "
                    f"{pub[k]}, the full record's SHA-256 is {full[k]} (not the full record of the draw the public saw)")
        if (k in pub) != (k in full):
            return f"{pub_label} vs {full_label}: {k}: only in the {'public' if k in pub else 'full'} record"
        diff = first_difference(f"{pub_label} vs {full_label}: {k}", pub[k], full[k], "full record")
        if diff:
            return diff
    return None


def excluded_drawn(record: Mapping[str, Any]) -> dict[str, str]:
    """USCC → the earlier draw that drew it, for the entities the plan left out (domain.md §8);
    empty for records made before the rule."""
    out: dict[str, str] = {}
    for d in record.get("excluded_drawn") or []:
        for u in d["usccs"]:
            out.setdefault(u, d["draw_id"])
    return out


def verify_record(record: Mapping[str, Any], plan: Mapping[str, Any] | None = None) -> VerifyResult:
    """Check a draw record: match, or the first difference.

    With ``plan`` (the plan published before the draw), the record is first bound to it
    (:func:`plan_bindings`); every record is bound to itself (:func:`record_bindings`). A public
    record is checked selection by selection (seed against its commitment, every key
    recomputed, no entity twice or left out by the plan, at least the minimum of inspectors; for
    ``credit-draw-public/2`` the count per matter, the stratum checks being left to the full
    record and named in ``unchecked``; for ``credit-draw-public/1`` every key at or below its
    stratum's threshold and the count per stratum). A full record
    (``credit-draw-full/1``) is in addition re-derived from its frozen pools: pool digests, sample
    sizes, thresholds, every inspection and every redraw must come out identical.
    """
    try:
        check_record_shape(record)
    except RecordMalformed as e:
        return VerifyResult(False, f"the record is malformed: {e}", malformed=True)
    if plan is not None:
        try:
            check_plan_shape(plan)
        except RecordMalformed as e:
            return VerifyResult(False, f"the plan is malformed: {e}", malformed=True)
    try:
        diff = (plan_bindings(record, plan) if plan is not None else None) or record_bindings(record)
        if diff:
            return VerifyResult(False, diff)
        diff = check_selections(record)
        if diff:
            return VerifyResult(False, diff)
        if record["format"] == PUBLIC_FORMAT:
            return VerifyResult(True, None, unchecked=NEEDS_FULL_RECORD)
        if record["format"] != FULL_FORMAT:
            return VerifyResult(True, None)
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


def verify_records(records: Sequence[Mapping[str, Any]], plan: Mapping[str, Any] | None = None,
                   labels: Sequence[str] | None = None) -> VerifyResult:
    """Check records an outsider holds together (say a public and a full record), against ``plan``.

    They must all be of one draw; each must verify (:func:`verify_record`); a public record must
    be the public part of every full record given (a /2 one binding it by its SHA-256). A difference names the record (``labels``).
    """
    names = list(labels) if labels is not None else [f"record {n + 1}" for n in range(len(records))]
    for n, rec in enumerate(records):
        try:
            check_record_shape(rec)
        except RecordMalformed as e:
            return VerifyResult(False, f"{names[n]} is malformed: {e}", malformed=True)
    ids = [rec["draw_id"] for rec in records]
    for n, i in enumerate(ids[1:], 1):
        if i != ids[0]:
            return VerifyResult(False, f"{names[0]} is of draw {ids[0]}, {names[n]} of draw {i}: "
                                       "records of different draws")
    for n, rec in enumerate(records):
        result = verify_record(rec, plan)
        if not result.ok:
            return VerifyResult(False, f"{names[n]}: {result.first_difference}", result.malformed)
    for a, pub in enumerate(records):
        for b, full in enumerate(records):
            if pub["format"] in PUBLIC_FORMATS and full["format"] == FULL_FORMAT:
                diff = public_part_difference(pub, full, names[a], names[b])
                if diff:
                    return VerifyResult(False, diff)
    # A full record given with a public /2 record runs the checks the public one could not.
    if any(rec["format"] == FULL_FORMAT for rec in records):
        return VerifyResult(True, None)
    return VerifyResult(True, None, unchecked=NEEDS_FULL_RECORD if any(
        rec["format"] == PUBLIC_FORMAT for rec in records) else ())
