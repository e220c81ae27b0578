"""docs/draws.md tells an outsider every field of a public record's inspection, and how a stratum
tag is written, so that a check by hand (sha256sum and a JSON reader) needs nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from credit.draws.records import InspectorDraw, PublicInspection

DOC = (Path(__file__).resolve().parents[3] / "docs" / "draws.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", DOC, flags=re.S | re.M)
    assert m, f"docs/draws.md has a section '{title}'"
    return m.group(1)


def test_every_field_of_a_public_inspection_is_explained() -> None:
    steps = _section("Checking a public record by hand (an outsider's steps)")
    for field in [*PublicInspection.__annotations__, *InspectorDraw.__annotations__]:
        assert f"`{field}`" in steps, f"docs/draws.md does not explain the inspection field {field!r}"


def test_the_stratum_tag_is_written_as_the_verifier_reads_it() -> None:
    steps = _section("Checking a public record by hand (an outsider's steps)")
    assert "`matter:stratum`" in steps and "`annual_report:C`" in steps
    # The verifier keys its strata the same way (credit.draws.verify).
    source = (Path(__file__).resolve().parents[3] / "credit" / "draws" / "verify.py").read_text(encoding="utf-8")
    assert "f\"{s['matter']}:{s['stratum']}\"" in source


def test_what_a_public_record_cannot_show_is_said() -> None:
    steps = _section("Checking a public record by hand (an outsider's steps)")
    assert "**cannot**" in steps and "scheduled_on" in steps and "inspector pool" in steps
