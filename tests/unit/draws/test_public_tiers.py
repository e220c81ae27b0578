"""The public draw record names no entity's stratum (an outsider's acceptance pass, the most
serious finding: ``credit-draw-public/1`` published per drawn entity the strata that drew it and per
stratum its threshold, the highest key drawn in it).

A stratum is a credit-risk tier, and tiers are not public (domain.md §7; docs/api.md: never returned
to anyone but the bureau); a tier may rest on bank credit, never published (domain.md §11). The
public record ``credit-draw-public/2`` carries what anyone checks with SHA-256 alone and binds the
bureau's full record by its SHA-256; records of format /1, already in the field, still verify.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from credit.draws import records, verify
from tests.unit.draws.test_binding import FULL, PLAN, PUBLIC_V1, make_full, make_plan

PUBLIC = records.public_record_from(FULL)
# Words that would name a stratum; the strata of this draw, as tags and as tier letters.
FORBIDDEN_KEYS = {"strata", "stratum", "threshold", "thresholds", "tier", "tiers", "size", "inclusion_probability"}
TAGS = {f"{s['matter']}:{s['stratum']}" for s in FULL["strata"]}
TIERS = {s["stratum"] for s in FULL["strata"]}


def walk(doc: Any, path: str = "$") -> Iterator[tuple[str, str | None, Any]]:
    """Every (path, key, value) of a JSON document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield f"{path}.{k}", k, v
            yield from walk(v, f"{path}.{k}")
    elif isinstance(doc, list):
        for n, v in enumerate(doc):
            yield f"{path}[{n}]", None, v
            yield from walk(v, f"{path}[{n}]")


def stratum_mentions(doc: Any) -> list[str]:
    """The paths at which a record names a stratum: a stratum field, a tag, a tier letter."""
    out = []
    for path, key, value in walk(doc):
        if key in FORBIDDEN_KEYS:
            out.append(path)
        elif isinstance(value, str) and (value in TAGS or value in TIERS or any(t in value for t in TAGS)):
            out.append(path)
    return out


def test_the_public_record_names_no_stratum_anywhere() -> None:
    assert TAGS and TIERS and len(FULL["inspections"]) > 10
    assert PUBLIC["format"] == "credit-draw-public/2"
    assert stratum_mentions(PUBLIC) == []
    # The walk finds them where they are: the full record (the bureau's) and a /1 public record.
    assert any(".strata" in p for p in stratum_mentions(FULL))
    assert any(p.endswith(".threshold") for p in stratum_mentions(PUBLIC_V1))
    # No per-stratum figure either: the per-matter counts are the plan's sums (published before the draw).
    assert PUBLIC["sample_sizes"] == {"m1": sum(s["sample_size"] for s in PLAN["strata"])}
    assert {i["uscc"] for i in PUBLIC["inspections"]} == {i["uscc"] for i in FULL["inspections"]}


def test_the_plans_strata_figures_name_no_entity() -> None:
    """The plan publishes per stratum its size, sample size and probability: no USCC, no key."""
    col = FULL["entity_pool"]["columns"].index("uscc")
    usccs = {r[col] for r in FULL["entity_pool"]["rows"]} | {i["entity_key"] for i in FULL["inspections"]}
    for s in PLAN["strata"]:
        assert set(s) == {"matter", "stratum", "size", "sample_size", "inclusion_probability"}
        assert not {str(v) for v in s.values()} & usccs


def test_a_public_record_verifies_without_the_strata_and_says_what_needs_the_full_record() -> None:
    for plan in (None, PLAN):
        result = verify.verify_record(PUBLIC, plan)
        assert result.ok and result.unchecked == verify.NEEDS_FULL_RECORD
        assert any("阈值" in line and "threshold" in line for line in result.unchecked)
    # Held with the full record, every check runs: nothing is left unchecked.
    assert verify.verify_records([PUBLIC, FULL], PLAN) == verify.VerifyResult(True, None)


def test_a_v1_record_in_the_field_still_verifies() -> None:
    assert PUBLIC_V1["format"] == "credit-draw-public/1"
    assert verify.verify_record(PUBLIC_V1, PLAN) == verify.VerifyResult(True, None)
    assert verify.verify_records([PUBLIC_V1, FULL], PLAN) == verify.VerifyResult(True, None)
    edited = copy.deepcopy(PUBLIC_V1)
    edited["inspections"][0]["strata"] = ["m1:Z"]
    assert not verify.verify_record(edited, PLAN).ok


def _other_uscc(rec: dict[str, Any]) -> str:
    drawn = {i["uscc"] for i in rec["inspections"]}
    col = FULL["entity_pool"]["columns"].index("uscc")
    return str(next(r[col] for r in FULL["entity_pool"]["rows"] if r[col] not in drawn))


@pytest.mark.parametrize("edit,words", [
    (lambda r: r["inspections"][0].update(entity_key="0" * 64), ("entity key",)),
    (lambda r: r["inspections"][0].update(uscc=_other_uscc(r)), ("entity key",)),
    (lambda r: r["inspections"][1]["inspectors"][0].update(key="f" * 64), ("inspector", "key")),
    (lambda r: r["inspections"][1]["inspectors"].pop(), ("fewer than the minimum",)),
    (lambda r: r["inspections"].__setitem__(1, copy.deepcopy(r["inspections"][0])), ("twice",)),
    (lambda r: r["inspections"].pop(), ("m1", "sample size")),
    (lambda r: r["sample_sizes"].update(m1=r["sample_sizes"]["m1"] - 1), ("m1",)),
    (lambda r: r["inspections"][0].update(matters=["m1", "m2"]), ("m2",)),
    (lambda r: r.update(seed="another seed"), ("seed",)),
    (lambda r: r.update(excluded_drawn=[{"draw_id": "DRAW-20260801-001", "usccs": [r["inspections"][2]["uscc"]]}]),
     ("excluded_drawn",)),
    (lambda r: r.update(full_record_sha256="not a digest"), ("full_record_sha256",)),
])
def test_a_tampered_public_record_differs(edit: Any, words: tuple[str, ...]) -> None:
    rec = copy.deepcopy(PUBLIC)
    edit(rec)
    for plan in (None, PLAN):
        result = verify.verify_record(rec, plan)
        assert not result.ok and not result.malformed, result
        assert result.unchecked == ()
        if plan is None:
            for w in words:
                assert w in (result.first_difference or ""), result


def test_the_full_record_digest_binds_it_to_what_the_public_saw() -> None:
    # The digest is that of DRAW_ID.full.json's bytes (canonical JSON, as run_draw writes them).
    assert PUBLIC["full_record_sha256"] == hashlib.sha256(records.canonical_json(FULL)).hexdigest()
    # A full record that re-derives on its own but is not the one the public record binds.
    other = copy.deepcopy(FULL)
    other["rules"]["comment"] = "edited after the draw"
    assert verify.verify_record(other, PLAN).ok
    result = verify.verify_records([PUBLIC, other], PLAN)
    assert not result.ok and "full_record_sha256" in (result.first_difference or ""), result
    # Another full record of the same draw id (a forged seed) differs too.
    forged = make_full(make_plan(seed="forged"), seed="forged")
    assert not verify.verify_records([PUBLIC, forged]).ok
    # A public record whose digest was swapped to bind another full record.
    swapped = {**PUBLIC, "full_record_sha256": records.full_record_digest(other)}
    assert verify.verify_record(swapped, PLAN).ok   # alone, any digest is a digest: the public cannot tell
    result = verify.verify_records([swapped, FULL], PLAN)
    assert not result.ok and "full_record_sha256" in (result.first_difference or ""), result
