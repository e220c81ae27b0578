"""A generated night with every defect kind, ingested end to end: the quarantine matches the ledger.

The generator records each defect it injects (file, line, kind, whether it is unambiguous).
Outsiders will send such rows; here every one must end where the contract says: normalised and
accepted when unambiguous, quarantined with a reason otherwise — and nothing else quarantined.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.steps import run_night
from credit.sample import defects_path, write_sample
from credit.settings import Settings

NIGHT = date(2026, 7, 13)


def test_every_injected_defect_lands_where_the_contract_says(settings: Settings, engine: Engine,
                                                              tmp_path: Path) -> None:
    write_sample(tmp_path / "drop", 1500, 1, seed=11, start=NIGHT, defect_rate=0.03)
    ledger = json.loads(defects_path(tmp_path / "drop" / NIGHT.isoformat()).read_text(encoding="utf-8"))
    summary = run_night(tmp_path / "drop", NIGHT, settings)
    assert "unlisted" not in summary   # the ledger is beside the night's folder, not an unlisted file in it
    with engine.connect() as c:
        held = {(f, line): reason for f, line, reason in c.execute(sa.text("select file, line, reason from quarantine"))}
    kinds = {e["kind"] for entries in ledger.values() for e in entries}
    assert {"bad_check_digit", "future_date", "unparsable_value", "unknown_enum", "duplicate_key_conflict",
            "exact_duplicate", "fullwidth_digits", "slash_date", "lowercase_uscc"} <= kinds

    expected: set[tuple[str, int]] = set()
    for file, entries in ledger.items():
        for e in entries:
            if e["kind"] == "exact_duplicate":
                expected.add((file, e["line"]))           # the copy is held back, the first kept
            elif e["kind"] == "duplicate_key_conflict":
                expected |= {(file, e["line"]), (file, e["duplicate_of"])}   # neither can be chosen
            elif not e["normalisable"]:
                expected.add((file, e["line"]))
    normalised = {(f, e["line"]) for f, entries in ledger.items() for e in entries
                  if e["normalisable"] and e["kind"] != "exact_duplicate"} - expected
    assert expected <= set(held), sorted(expected - set(held))[:5]
    assert not normalised & set(held), sorted(normalised & set(held))[:5]
    assert set(held) <= expected, sorted(set(held) - expected)[:5]
    assert all(held.values())
    for f in summary["files"]:
        assert f["rows_in"] == f["accepted"] + f["quarantined"]
