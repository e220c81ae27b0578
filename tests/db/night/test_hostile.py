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


def test_the_record_byte_bound_is_the_setting_the_night_reads(cli_env: Settings, engine: Engine, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``CREDIT_INGEST_MAX_RECORD_BYTES`` reaches every read of a night (ingest, and the second reads
    for duplicates and stale rows): under a bound set below a 3,000-byte line, `credit nightly`
    refuses the file with exit 2, the line and the rule on stderr in Chinese then English, no
    traceback, nothing published; with the default the same drop publishes."""
    from typer.testing import CliRunner

    from credit.cli.main import app
    from credit.settings import get_settings
    from tests.db.night.hostile import HEADER, A, B, csv_case, reg

    drop = tmp_path / "drop"
    drop.mkdir()
    csv_case("wide", f"{HEADER}\n{reg(A)}\n{reg(B, address='杭' * 1000)}\n", 2, Published(2)).build(drop)
    args = ["nightly", "--date", NIGHT.isoformat(), "--drop", str(drop)]
    monkeypatch.setenv("CREDIT_INGEST_MAX_RECORD_BYTES", "2000")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, r.output
    err = r.stderr
    assert "Traceback" not in r.output and "record_too_large" in err, err
    assert "registration.csv" in err and err.index("第 3 行") < err.index("line 3") and "2000 字节" in err, err
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 0
    monkeypatch.delenv("CREDIT_INGEST_MAX_RECORD_BYTES")
    get_settings.cache_clear()
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 2
