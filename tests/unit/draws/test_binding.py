"""A draw record verified on its own is bound to the draw it claims to be (review: `verify --record`
did not bind the record's draw_id).

An outsider holds the plan published before the draw (``DRAW_ID.plan.json``: draw id, seed
commitment, pool digests, strata) and, after the draw, its public and/or full record. A record
of another draw, with an edited draw id, with its own seed and commitment, or a public and a full
record of different draws must not verify as "match".
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from credit.draws import core, derive, records, verify
from tests.unit.draws.test_core import SCHEDULE_DAYS, TASK, entities, inspectors, rules

SEED = "2026-09-01 provincial lottery 03 17 22 41"
ENT, INS = entities(600), inspectors(10)


def make_plan(draw_id: str = TASK, seed: str = SEED, ent: pd.DataFrame = ENT, ins: pd.DataFrame = INS,
              r: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """The plan as ``plan_draw`` publishes it (``DRAW_ID.plan.json``)."""
    r = r or rules()
    sizes = ent.groupby(["matter", "stratum"]).size()
    strata = core.plan_strata(r, {(m, s): int(n) for (m, s), n in sizes.items()})
    return {"format": records.PLAN_FORMAT, "draw_id": draw_id, "task": draw_id, "as_of": "2026-09-01",
            "matters": [{"matter": m, "name": "年度报告公示信息抽查", "legal_basis": "企业公示信息抽查办法 第4条",
                         "departments": []} for m in sorted(r["matters"])],
            "scope": None, "seed_commitment": core.seed_commitment(seed), "public_seed_source": None,
            "key_encoding": core.KEY_ENCODING, "entity_pool_digest": core.entity_pool_digest(ent),
            "inspector_pool_digest": core.inspector_pool_digest(ins), "inspector_pool_size": len(ins),
            "strata": strata, "inspectors_per_inspection": r["inspectors_per_inspection"],
            "schedule_window": [SCHEDULE_DAYS[0], SCHEDULE_DAYS[-1]], "schedule_note": None,
            "pool_stats": {"live": len(ent), "ungraded": 0, "excluded_recently_inspected": 0,
                           "excluded_drawn_earlier": 0},
            "config_version": "draws-test", **extra}


def make_full(plan: dict[str, Any], seed: str = SEED, ent: pd.DataFrame = ENT, ins: pd.DataFrame = INS,
              r: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full record ``run_draw`` writes for ``plan`` with ``seed``."""
    r = r or rules()
    state = derive.derive_draw(plan["task"], seed, r, ent, ins, plan["strata"])
    inspections = [records.public_inspection(i) for i in sorted(state.inspections.values(),
                                                                key=lambda i: i["entity_key"])]
    return records.full_record_from(plan, r, seed, ent, ins, state.strata, inspections, [])


def public_part(full: dict[str, Any]) -> dict[str, Any]:
    """The public record ``run_draw`` writes (``credit-draw-public/2``)."""
    return records.public_record_from(full)


def public_part_v1(full: dict[str, Any]) -> dict[str, Any]:
    """A public record as draws before ``credit-draw-public/2`` published it (with the strata)."""
    pub = {k: v for k, v in full.items() if k not in ("entity_pool", "inspector_pool", "rules", "events")}
    pub["format"] = records.PUBLIC_FORMAT_V1
    return pub


PLAN = make_plan()
FULL = make_full(PLAN)
PUBLIC = public_part(FULL)
PUBLIC_V1 = public_part_v1(FULL)


def differs(result: verify.VerifyResult, *words: str) -> None:
    assert not result.ok and not result.malformed, result
    for w in words:
        assert w in (result.first_difference or ""), result


def test_an_honest_record_matches_alone_and_against_its_plan() -> None:
    for rec in (FULL, PUBLIC_V1):
        assert verify.verify_record(rec) == verify.VerifyResult(True, None)
        assert verify.verify_record(rec, plan=PLAN) == verify.VerifyResult(True, None)
    # A /2 public record matches, and says what only the full record can show.
    for result in (verify.verify_record(PUBLIC), verify.verify_record(PUBLIC, plan=PLAN)):
        assert result == verify.VerifyResult(True, None, unchecked=verify.NEEDS_FULL_RECORD)
    for pub in (PUBLIC, PUBLIC_V1):
        assert verify.verify_records([pub, FULL], plan=PLAN) == verify.VerifyResult(True, None)


@pytest.mark.parametrize("rec", [FULL, PUBLIC], ids=["full", "public"])
def test_an_edited_draw_id_differs_even_without_the_plan(rec: dict[str, Any]) -> None:
    """The keys are hashed with the task (= the draw id): a record whose draw_id was edited kept
    its old task, so every key still checked and verify said "match"."""
    edited = {**copy.deepcopy(rec), "draw_id": "DRAW-20260901-002"}
    differs(verify.verify_record(edited), "DRAW-20260901-002", TASK, "task")
    differs(verify.verify_record(edited, plan=PLAN), "draw_id", "DRAW-20260901-002", TASK)


@pytest.mark.parametrize("rec", [FULL, PUBLIC], ids=["full", "public"])
def test_a_record_of_another_draw_differs_from_the_plan(rec: dict[str, Any]) -> None:
    """A genuine record of DRAW-…-002 held against the plan of DRAW-…-001."""
    other_plan = make_plan("DRAW-20260901-002", seed="other lottery")
    other = make_full(other_plan, seed="other lottery")
    other = other if rec is FULL else public_part(other)
    assert verify.verify_record(other).ok   # self-consistent
    differs(verify.verify_record(other, plan=PLAN), "draw_id", "DRAW-20260901-002", TASK)


@pytest.mark.parametrize("public", [False, True], ids=["full", "public"])
def test_a_fabricated_self_consistent_record_differs_from_the_plan(public: bool) -> None:
    """Own seed, own commitment, keys recomputed: checks alone, but it is not the draw the bureau
    committed to before drawing."""
    forged_plan = make_plan(seed="a seed chosen after the fact")
    forged = make_full(forged_plan, seed="a seed chosen after the fact")
    forged = public_part(forged) if public else forged
    assert verify.verify_record(forged).ok
    differs(verify.verify_record(forged, plan=PLAN), "seed commitment", PLAN["seed_commitment"])


def test_a_seed_bound_to_nothing_differs() -> None:
    """A record whose seed commitment (and public seed source) was removed: any seed would check."""
    forged = make_full(make_plan(seed="any seed"), seed="any seed")
    forged["seed_commitment"] = None
    differs(verify.verify_record(forged), "seed", "commitment")
    differs(verify.verify_record(public_part(forged)), "seed", "commitment")
    differs(verify.verify_record(forged, plan=PLAN), "seed", PLAN["seed_commitment"])


def test_a_plan_with_a_public_seed_source_binds_its_fields_but_not_the_value() -> None:
    plan = make_plan(seed_commitment=None, public_seed_source="上证综指 2026-09-04 收盘价")
    full = make_full(plan)
    assert verify.verify_record(full, plan=plan).ok and verify.verify_record(full).ok
    differs(verify.verify_record({**full, "public_seed_source": "another value"}, plan=plan), "public_seed_source")


@pytest.mark.parametrize("edit,words", [
    (lambda p: p.update(entity_pool_digest="0" * 64), ("entity_pool_digest",)),
    (lambda p: p.update(inspector_pool_digest="0" * 64), ("inspector_pool_digest",)),
    (lambda p: p.update(scope="3410"), ("scope",)),
    (lambda p: p.update(as_of="2026-08-31"), ("as_of",)),
    (lambda p: p["matters"][0].update(matter="m2"), ("matters",)),
    (lambda p: p["strata"][0].update(sample_size=p["strata"][0]["sample_size"] + 1), ("sample_size",)),
    (lambda p: p.update(inspectors_per_inspection=3), ("inspectors_per_inspection",)),
    (lambda p: p.update(excluded_drawn=[{"draw_id": "DRAW-20260801-001", "usccs": ["91341000MA00000000X"]}]),
     ("excluded_drawn",)),
    (lambda p: p.update(schedule_window=["2026-09-08", SCHEDULE_DAYS[-1]]), ("schedule_window",)),
])
def test_every_published_plan_field_binds_the_record(edit: Any, words: tuple[str, ...]) -> None:
    plan = copy.deepcopy(PLAN)
    edit(plan)
    differs(verify.verify_record(FULL, plan=plan), *words)
    if words != ("schedule_window",):   # the public record does not repeat the window
        differs(verify.verify_record(PUBLIC, plan=plan), *words)
        differs(verify.verify_record(PUBLIC_V1, plan=plan), *words)


def test_a_record_that_drops_the_plans_exclusions_differs() -> None:
    """Without the plan, a record whose excluded_drawn was removed hid a repeated inspection."""
    held = PUBLIC["inspections"][0]["uscc"]
    plan = {**PLAN, "excluded_drawn": [{"draw_id": "DRAW-20260801-001", "usccs": [held]}]}
    rec = {**PUBLIC, "excluded_drawn": plan["excluded_drawn"]}
    differs(verify.verify_record(rec, plan=plan), held, "DRAW-20260801-001")
    differs(verify.verify_record(PUBLIC, plan=plan), "excluded_drawn")


def test_a_public_and_a_full_record_of_different_draws_differ() -> None:
    other = make_full(make_plan("DRAW-20260901-002", seed="other lottery"), seed="other lottery")
    differs(verify.verify_records([PUBLIC, other]), "DRAW-20260901-002", TASK)
    # Same draw id, other content (a forged full record behind a genuine public one).
    forged = make_full(make_plan(seed="forged"), seed="forged")
    differs(verify.verify_records([PUBLIC, forged]), "seed")
    # The public record lacks a part the full record publishes.
    differs(verify.verify_records([{k: v for k, v in PUBLIC.items() if k != "scope"}, FULL]), "scope")


def test_a_full_record_whose_rules_disagree_with_its_published_fields_differs() -> None:
    rec = copy.deepcopy(FULL)
    rec["matters"][0]["matter"] = "m2"
    differs(verify.verify_record(rec), "matters", "m2")


def test_a_public_record_with_a_repeated_entity_or_a_raised_threshold_differs() -> None:
    """Cherry-picking: k entities, each under an inflated threshold, or one entity twice."""
    rec = copy.deepcopy(PUBLIC)
    rec["inspections"][1] = copy.deepcopy(rec["inspections"][0])
    differs(verify.verify_record(rec), rec["inspections"][0]["uscc"], "twice")
    rec = copy.deepcopy(PUBLIC_V1)   # a /2 record has no thresholds: tests/unit/draws/test_public_tiers.py
    st = next(s for s in rec["strata"] if s["sample_size"])
    st["threshold"] = "f" * 64
    differs(verify.verify_record(rec), "threshold", f"{st['matter']}:{st['stratum']}")
