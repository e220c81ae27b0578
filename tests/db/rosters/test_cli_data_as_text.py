"""Text from a drop is shown as it came, never obeyed (review D3): rich markup in a name, a file name
or a quarantined value (``[/]`` crashed the command with a MarkupError traceback, ``[bold]…`` restyled
it) and terminal escapes (``\\x1b[31m`` recoloured the terminal) reach the officer as plain text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from credit.cli.main import app
from credit.settings import Settings
from tests.db.rosters.helpers import night, published, reg

A = "91110105MA00000012"
HOSTILE = ("[/]", "[bold]x[/bold]", "[/red]", "\x1b[31mRED\x1b[0m\x1b]0;pwned\x07", "\x9b31m")
NAME = "食品[/]公司 [bold]x[/bold] [/red] \x1b[31mRED\x1b[0m\x1b]0;pwned\x07 \x9b31m"
SHOWN = r"食品[/]公司 [bold]x[/bold] [/red] \x1b[31mRED\x1b[0m\x1b]0;pwned\x07 \u009b31m"


def _run(args: list[str]) -> Result:
    r = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert r.exit_code == 0 and r.exception is None, (r.output, r.exception)
    return r


def _shown_literally(output: str) -> None:
    flat = "".join(output.split())          # a table may break a long cell over lines
    assert "".join(SHOWN.split()) in flat, output
    assert "\x1b" not in output and "\x9b" not in output and "\x07" not in output, repr(output)


@pytest.fixture()
def hostile_store(engine: sa.Engine, settings: Settings, cli_env: Settings) -> Settings:
    with engine.begin() as c:
        reg(c, A, name=NAME, address=NAME)
        night(c, settings, "2026-07-01")                  # listed: no 2025 annual report (cause 1)
        published(c, "2026-07-01")
        c.execute(sa.text("insert into quarantine values ('2026-07-01', :f, 3, 'annual_reports', 'malformed_record', "
                          ":r, cast(:raw as jsonb))"),
                  {"f": "ab[/red].csv", "r": "原因 [/] \x1b[2J", "raw": json.dumps({"uscc": A, "filed_on": "[/red]",
                                                                                   "employees": NAME})})
        c.execute(sa.text("""
            insert into notices (night, produced_at, department, licence, event, event_key, uscc, name, entity_kind,
                                 region_code, industry_code, established_on, address, matched, config_version)
            values ('2026-07-01', now(), '市场监管局[/]', '食品经营许可', 'registered', 'k1', :u, :n, 'enterprise',
                    '110105', '5223', '2026-06-30', :n, '52', 'test')"""), {"u": A, "n": NAME})
    return cli_env


def test_quarantine_shows_markup_and_escapes_in_raw_values_as_text(hostile_store: Settings) -> None:
    out = _run(["quarantine", "--date", "2026-07-01"]).output
    _shown_literally(out)
    assert "ab[/red].csv" in out and "filed_on: [/red]" in out and r"原因 [/] \x1b[2J" in out
    assert "\x1b" not in _run(["quarantine", "--date", "2026-07-01", "--limit", "0", "--json"]).output


def test_status_shows_a_hostile_name_as_text(hostile_store: Settings) -> None:
    out = _run(["status", A]).output
    _shown_literally(out)
    assert "经营异常名录" in out
    as_json = _run(["status", A, "--json"]).output
    assert json.loads(as_json)["name"] == NAME and "\x1b" not in as_json and "\x9b" not in as_json


def test_notices_show_a_hostile_name_as_text(hostile_store: Settings) -> None:
    out = _run(["notices", "--night", "2026-07-01"]).output
    _shown_literally(out)
    assert "市场监管局[/]" in out


def test_roster_export_names_a_hostile_file_name_as_text(hostile_store: Settings, tmp_path: Path) -> None:
    target = tmp_path / "ab[/].csv"
    out = _run(["roster", "export", "--roster", "abnormal", "--out", str(target)]).output
    assert f"wrote {target}" in " ".join(out.split()) and target.exists()
    assert NAME in target.read_text(encoding="utf-8-sig")     # the file keeps the data as it came
