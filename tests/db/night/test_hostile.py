"""The hostile corpus through a whole night (issue 14): every case ends in a refusal naming the
file, the line and the rule, or in a published night whose quarantine holds each bad row at its
true physical line — never a traceback, never a row lost (``rows_in = accepted + quarantined``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night.issues import NightRefused
from credit.night.steps import run_night
from credit.settings import Settings
from tests.db.night.hostile import CASES, NIGHT, Case, Published, Refusal, case_ids


def run_case(case: Case, settings: Settings, engine: Engine, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    case.build(drop)
    expected = case.expected
    if isinstance(expected, Refusal):
        with pytest.raises(NightRefused) as refused:
            run_night(drop, NIGHT, settings)
        issues = refused.value.issues
        if expected.file == "OUTSIDE":  # an absolute path named as listed
            hits = [i for i in issues if os.path.isabs(i.file) and i.code == expected.code]
        else:
            hits = [i for i in issues if (i.file, i.code) == (expected.file, expected.code)]
        assert hits, [i.text() for i in issues]
        assert all(i.level == "refusal" and i.zh and i.en for i in issues)
        if expected.line is not None:
            assert hits[0].line == expected.line, hits[0].text()
        assert all(word in hits[0].text() for word in expected.says), hits[0].text()
        with engine.connect() as c:
            assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0
            assert c.execute(sa.text("select count(*) from quarantine")).scalar() == 0
            assert c.execute(sa.text("select count(*) from roster_decisions")).scalar() == 0
        return
    assert isinstance(expected, Published)
    summary = run_night(drop, NIGHT, settings)
    [f] = summary["files"]
    assert f["rows_in"] == f["accepted"] + f["quarantined"], f
    assert f["accepted"] == expected.accepted and f["quarantined"] == len(expected.held), f
    with engine.connect() as c:
        held = c.execute(sa.text("select line, rule, reason, raw from quarantine order by line")).all()
        loads = c.execute(sa.text("select rows_in, accepted, quarantined from file_loads")).one()
        stored = c.execute(sa.text(f"select count(*) from {f['source']}")).scalar()
    assert tuple(loads) == (f["rows_in"], f["accepted"], f["quarantined"])
    assert stored == expected.accepted  # a held row never reaches the store
    assert len(held) == len(expected.held)
    for (line, rule, reason, raw), (want_line, want_rule) in zip(held, expected.held, strict=True):
        assert line == want_line and want_rule in rule, (line, rule, reason)
        assert reason and isinstance(raw, dict) and raw
        assert "\x00" not in json.dumps(raw, ensure_ascii=False)
    reasons = " ".join(reason for _, _, reason, _ in held)
    assert all(word in reasons for word in expected.says), reasons


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_hostile_input(case: Case, settings: Settings, engine: Engine, tmp_path: Path) -> None:
    run_case(case, settings, engine, tmp_path)
