"""The command line for people and machines (issue 15): the bureau's "today", a full-width USCC,
a quarantine listing sent to a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from credit import clock
from credit.cli.commands import rosters as cmd
from tests.db.rosters.helpers import night, published, reg

V = "91110105MA00000012"
V_FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in V.lower())   # ９１１１…ｍａ… from a Chinese input method


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.command("deadlines")(cmd.deadlines_command)
    return app


def test_deadlines_default_to_the_bureaus_today(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Just after 16:00 UTC on 30 September it is 1 October in Shanghai: the watch is for 1 October."""
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 9, 30, 16, 1, tzinfo=UTC))
    r = CliRunner().invoke(_app(), ["deadlines"])
    assert r.exit_code == 0, r.output
    assert "deadlines on 2026-10-01" in r.output and "2026-09-30" not in r.output


def test_a_full_width_uscc_gets_the_same_answer(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, V)
        night(c, settings, "2026-07-01")
        published(c, "2026-10-13")
    ascii_ = CliRunner().invoke(_app(), ["status", V, "--json"])
    full = CliRunner().invoke(_app(), ["status", V_FULL_WIDTH, "--json"])
    assert ascii_.exit_code == 0 and full.exit_code == 0, full.output
    assert json.loads(full.output) == json.loads(ascii_.output) and json.loads(full.output)["uscc"] == V
    bad = CliRunner().invoke(_app(), ["status", V_FULL_WIDTH[:-1] + "Ｘ"])
    assert bad.exit_code == 2


def test_quarantine_sent_to_a_file_shows_every_column_and_what_it_left_out(  # type: ignore[no-untyped-def]
        engine, database_url, settings, tmp_path, monkeypatch) -> None:
    reason = "第 7 行：统一社会信用代码校验位错误，应为“L”——该行未入库，待报送部门更正后重新报送 (check character)"
    with engine.begin() as c:
        published(c, "2026-07-15")
        for line in range(2, 9):
            c.execute(sa.text("insert into quarantine values ('2026-07-15', 'annual_reports.csv', :l, 'annual_reports', "
                              "'uscc_check_digit', :r, cast(:raw as jsonb))"),
                      {"l": line, "r": reason, "raw": json.dumps({"uscc": "91110000600037341X", "report_year": "2025",
                                                                  "revenue": "1234567.89"}, ensure_ascii=False)})
    out = tmp_path / "q.txt"
    env = {**os.environ, "CREDIT_DATABASE_URL": database_url, "CREDIT_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    with out.open("w", encoding="utf-8") as f:
        done = subprocess.run([sys.executable, "-c", "from credit.cli.main import main; main()", "quarantine",
                               "--date", "2026-07-15", "--limit", "5"], stdout=f, stderr=subprocess.PIPE, env=env,
                              timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    text = Path(out).read_text(encoding="utf-8")
    assert reason in text and "uscc_check_digit" in text and "annual_reports.csv" in text
    assert "report_year: 2025" in text and "revenue: 1234567.89" in text       # the raw row, not a dict repr
    assert "…" not in text and "{'" not in text
    assert "共 7 行，显示前 5 行" in text and "showing 5 of 7" in text
    from credit.cli.main import app

    monkeypatch.setattr("credit.settings.get_settings", lambda: settings)
    r = CliRunner().invoke(app, ["quarantine", "--date", "2026-07-15", "--limit", "5", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert (doc["total"], doc["shown"], len(doc["rows"])) == (7, 5, 5)


def test_a_due_date_the_calendar_cannot_compute_says_so(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """contracts.md §2 ``credit deadlines --json``: ``due_date`` is ``YYYY-MM-DD``; a limit in 2027,
    whose working calendar is not published (chinesecalendar stops at 2026), is provisional with a
    note — never a blank date with ``provisional: false``, never "by ?" in ``credit status``."""
    import re

    from credit.rosters import serious_officers
    from tests.db.rosters.helpers import penalty
    from tests.dropkit import code

    late, early = V, code(region="110000", body="MA000009")
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, late)
        reg(c, early)
        penalty(c, "P1", early, "2026-12-01", category="food_safety")
        night(c, settings, "2026-12-01")
        penalty(c, "P2", late, "2026-12-29", category="food_safety")   # notice Tue 12-29: 5 WD run into 2027
        night(c, settings, "2026-12-29")
        published(c, "2026-12-29")
    r = CliRunner().invoke(_app(), ["deadlines", "--on", "2027-01-02", "--within", "10", "--json"])
    assert r.exit_code == 0, r.output
    items = {i["uscc"]: i for i in json.loads(r.output)}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", i["due_date"]) for i in items.values()), items
    window = items[late]
    assert window["kind"] == "serious:statement_window" and window["provisional"] is True
    assert window["due_date"] == "2027-01-06"              # Mon–Fri estimate: Dec 30, 31, (元旦), Jan 4, 5, 6
    assert "2027" in window["note"] and "暂定" in window["note"]
    assert items[early]["provisional"] is False
    r = CliRunner().invoke(_app(), ["status", late, "--as-of", "2027-01-02"])
    assert r.exit_code == 0, r.output
    assert "by ?" not in r.output and "by 2027-01-06 (暂定 provisional: 2027 年" in r.output
    with engine.begin() as c:   # the window is not known to be over: no assessment yet
        with pytest.raises(serious_officers.Refused, match="陈述申辩期限至 2027-01-06（暂定"):
            serious_officers.record_assessment(c, "P2", officer="王科长", on=date(2027, 1, 2), intent="intentional",
                                      frequency="首次", harm="无", outcome="list", settings=settings)


def test_an_export_into_a_missing_folder_makes_it_and_a_folder_as_the_file_is_refused(  # type: ignore[no-untyped-def]
        engine, settings, cli_env, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    app = typer.Typer()
    app.add_typer(cmd.roster_app, name="roster")
    with engine.begin() as c:
        reg(c, V)
        published(c, "2026-07-01")
    out = tmp_path / "nonexist" / "dir" / "x.json"
    r = CliRunner().invoke(app, ["roster", "export", "--roster", "abnormal", "--format", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8")) == [] and (out.parent / "x.json.sig.json").is_file()
    r = CliRunner().invoke(app, ["roster", "export", "--roster", "abnormal", "--format", "json", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "is a folder" in r.output, r.output
    (tmp_path / "y.json.sig.json").mkdir()       # the signature cannot be written: one line, exit 2
    r = CliRunner().invoke(app, ["roster", "export", "--roster", "abnormal", "--format", "json",
                                 "--out", str(tmp_path / "y.json")])
    assert r.exit_code == 2 and "cannot write" in r.output, r.output


def test_quarantine_shows_a_held_rows_fields_in_its_files_column_order(  # type: ignore[no-untyped-def]
        engine, settings, monkeypatch) -> None:
    """jsonb keeps an object's keys shortest first (uscc, revenue, filed_on …); an officer compares
    the row with the file, whose columns come in the contract's order (contracts.md §1). A column
    the contract does not name comes after them."""
    from credit.cli.main import app
    from credit.contract.sources import SOURCES

    raw = {"uscc": "91110000600037341X", "report_year": "2025", "filed_on": "2026-03-11", "employees": "4",
           "revenue": "285205.09", "total_tax": "12182.50", "x": "extra"}
    with engine.begin() as c:
        published(c, "2026-07-15")
        c.execute(sa.text("insert into quarantine values ('2026-07-15', 'annual_reports.csv', 2, 'annual_reports', "
                          "'uscc_check_digit', 'uscc', cast(:raw as jsonb))"), {"raw": json.dumps(raw)})
    monkeypatch.setattr("credit.settings.get_settings", lambda: settings)
    r = CliRunner().invoke(app, ["quarantine", "--date", "2026-07-15"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    shown = [line.split("│")[5].strip().split(":")[0] for line in r.output.splitlines()
             if line.startswith("│") and ": " in line.split("│")[5]]
    assert shown == [*SOURCES["annual_reports"].column_names, "x"]
    r = CliRunner().invoke(app, ["quarantine", "--date", "2026-07-15", "--json"])
    assert list(json.loads(r.output)["rows"][0]["raw"]) == [*SOURCES["annual_reports"].column_names, "x"]


def test_an_unknown_entity_is_refused_in_chinese_and_english(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A well-formed USCC the store does not know: refused (exit 2) in the API's words, Chinese first."""
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        published(c, "2026-07-13")
    r = CliRunner().invoke(_app(), ["status", V])
    assert r.exit_code == 2, r.output
    assert "未找到该主体" in r.output and "no entity with this USCC" in r.output and "Traceback" not in r.output


def test_quarantine_of_a_night_not_published_or_an_unknown_source_is_refused(  # type: ignore[no-untyped-def]
        engine, settings, monkeypatch) -> None:
    """An empty listing reads as "nothing held back" (hostile pass, bbin): a night not run or refused
    has no quarantine recorded (a refused night's reasons are its run's output), and a misspelt
    ``--source`` matches no row. Both are refused with exit 2, as ``credit notices`` refuses a night
    not published, naming the night or the sources."""
    from credit.cli.main import app

    monkeypatch.setattr("credit.settings.get_settings", lambda: settings)
    with engine.begin() as c:
        published(c, "2026-07-15")
    r = CliRunner().invoke(app, ["quarantine", "--date", "2026-07-16"])
    assert r.exit_code == 2 and "2026-07-16" in r.output and "not published" in r.output, r.output
    r = CliRunner().invoke(app, ["quarantine", "--date", "2026-07-15", "--source", "registraton"])
    assert r.exit_code == 2 and "registraton" in r.output and "registration" in r.output, r.output
    r = CliRunner().invoke(app, ["quarantine", "--date", "2026-07-15", "--source", "registration", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["total"] == 0, r.output
