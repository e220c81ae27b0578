"""A penalty (行政处罚) re-delivered by a later drop with another entity's USCC (reviewA of findfix).

contracts.md §1: ``penalties`` is keyed by ``case_no``, so the 07-03 row replaces the 07-01 one: a
correction, as for a finding (tests/db/rosters/test_corrected_finding.py). The penalty no longer
counts in the grade of the entity it named before (domain.md §6, §7), so an incremental night must
take that entity in, or its grade differs from a full recomputation's (issue 11).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.steps import run_night
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night
from tests.fingerprints import fingerprints

N1, N2, N3 = date(2026, 7, 1), date(2026, 7, 2), date(2026, 7, 3)
A = code(region="330106", body="MA2B3P01")
B = code(region="330203", body="MA2B3P02")


def _penalty(uscc: str) -> dict[str, str]:
    return {"case_no": "杭西市监罚〔2026〕17号", "uscc": uscc, "decided_on": "2026-06-16",
            "doc_no": "杭西市监处罚〔2026〕17号", "category": "food_safety", "measures": "warning;fine",
            "fine_amount": "200000", "heavier": "false", "fulfilled_on": "2026-06-20"}


def test_a_penalty_corrected_to_name_another_entity_regrades_the_first_in_an_incremental_night(
        tmp_path: Path, settings: Settings, second_settings: Settings) -> None:
    drop = tmp_path / "drop"
    regs = [registration_row(u, name=f"示例第{i}有限公司", legal_rep_hash=f"{i}c" * 32) for i, u in enumerate((A, B))]
    write_night(drop, N1, {"registration.csv": csv_file("registration", "full", regs),
                           "penalties.csv": csv_file("penalties", "delta", [_penalty(A)])})
    write_night(drop, N2, {"penalties.csv": csv_file("penalties", "delta", [])})
    write_night(drop, N3, {"penalties.csv": csv_file("penalties", "delta", [_penalty(B)])})
    engine: Engine = sa.create_engine(str(settings.database_url))
    other: Engine = sa.create_engine(str(second_settings.database_url))
    try:
        for night in (N1, N2, N3):
            run_night(drop, night, settings)
            run_night(drop, night, second_settings, full=True)
        with engine.connect() as c:
            scope = c.execute(sa.text("select summary -> 'scope' from night_runs where night = :n"), {"n": N3}).scalar_one()
        assert scope["mode"] == "incremental" and scope["reasons"].get("input:penalties_previous") == 1
        mine, theirs = fingerprints(engine), fingerprints(other)
        assert mine["grade_ranges"] == theirs["grade_ranges"]
    finally:
        engine.dispose()
        other.dispose()
