"""The applicant's half of 双告知 on a sample night (domain.md §11): ``credit notices --letters``
gives the registration counter one letter per new registration in a licensed industry, and the
entity's public page tells the applicant which licence it needs; an unlicensed industry gets
neither."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.api import create_app
from credit.cli.main import app
from credit.night.steps import run_night
from credit.settings import Settings
from tests.db.api.support import ServerThread
from tests.db.notices.test_sample_night import CONSULTING, FOOD, FOOD_DEPT, N1, sample_drop

runner = CliRunner()


def test_letters_on_the_counter_and_on_the_applicants_page(
        tmp_path: Path, engine: Engine, settings: Settings, cli_env: None) -> None:
    run_night(sample_drop(tmp_path), N1, settings)

    res = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--letters", "--format", "json"])
    assert res.exit_code == 0, res.output
    letters = {x["uscc"]: x for x in json.loads(res.output)}
    assert letters[FOOD]["licences"] == [{"licence": "食品生产许可证", "department": FOOD_DEPT}]
    assert "食品生产许可证" in letters[FOOD]["text"] and CONSULTING not in letters
    # one letter per entity and event, whatever the number of departments told
    assert len(letters) == len(json.loads(res.output))

    res = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--letters", "--department", FOOD_DEPT,
                              "--format", "csv", "--out", str(tmp_path / "letters.csv")])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "letters.csv").read_text(encoding="utf-8-sig"))))
    assert FOOD in {r["统一社会信用代码"] for r in rows} and all(FOOD_DEPT in r["许可部门"] for r in rows)
    assert (tmp_path / "letters.csv.sig.json").exists()
    table = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--letters"], env={"COLUMNS": "240"})
    assert table.exit_code == 0 and FOOD in table.output and "许可告知书" in table.output

    with ServerThread(create_app(settings, today=lambda: N1)) as srv:
        page = httpx.get(f"{srv.url}/entity", params={"uscc": FOOD, "as_of": N1.isoformat()}, timeout=60)
        assert page.status_code == 200
        assert "许可办理告知" in page.text and "食品生产许可证" in page.text and FOOD_DEPT in page.text
        other = httpx.get(f"{srv.url}/entity", params={"uscc": CONSULTING, "as_of": N1.isoformat()}, timeout=60)
        assert other.status_code == 200 and "许可办理告知" not in other.text


def test_an_entitys_notices_are_read_by_index(engine: Engine, settings: Settings) -> None:
    from credit.db import engine_for

    engine_for(settings).dispose()   # migrated
    with engine.begin() as c:
        c.execute(sa.text("set local enable_seqscan = off"))
        plan = "\n".join(r[0] for r in c.execute(sa.text(
            "explain select * from notices where uscc = '91330106MA7FD0010X' and night <= date '2026-07-13'")))
    assert "ix_notices_uscc_night" in plan, plan


def test_out_without_a_format_is_refused_not_ignored(
        tmp_path: Path, engine: Engine, settings: Settings, cli_env: None) -> None:
    """``--out F`` without ``--format`` printed the table, wrote nothing and exited 0: the counter
    believed the letters were in F. Refused (exit 2, Chinese first) before anything is read."""
    run_night(sample_drop(tmp_path), N1, settings)
    for extra in (["--letters"], []):
        res = runner.invoke(app, ["notices", "--night", N1.isoformat(), *extra, "--out", str(tmp_path / "x.csv")])
        assert res.exit_code == 2 and "须同时给出 --format" in res.output, (extra, res.output)
        assert not (tmp_path / "x.csv").exists()
