"""A date an officer mistypes on any command (``--on 2026-13-01``, ``--as-of yesterday``,
``--night 2026/7/1``) is refused in one line, Chinese first with the English after, naming the
option and showing the value in 「」 (never a Python repr), exit 2 as every refusal
(contracts.md §2) — before any database is reached."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit.cli.main import app

pytestmark = pytest.mark.usefixtures("unreachable_database")


@pytest.mark.parametrize(("args", "option", "value"), [
    (["nightly", "--drop", "x", "--date"], "--date", "2026/7/1"),
    (["summary", "--date"], "--date", "yesterday"),
    (["sample", "--entities", "1", "--nights", "1", "--out", "OUT", "--start"], "--start", "2026-13-01"),
    (["status", "91330106MA2B3C4D11", "--as-of"], "--as-of", "2026-13-01"),
    (["status", "91330106MA2B3C4D11", "--known-at"], "--known-at", "yesterday"),
    (["roster", "export", "--roster", "abnormal", "--as-of"], "--as-of", "yesterday"),
    (["repair", "apply", "91330106MA2B3C4D11", "--roster", "abnormal", "--received"], "--received", "2026/7/1"),
    (["serious", "list", "--on"], "--on", "2026-13-01"),
    (["deadlines", "--on"], "--on", "yesterday"),
    (["grades", "show", "91330106MA2B3C4D11", "--as-of"], "--as-of", "2026-02-30"),
    (["grades", "transitions", "--night"], "--night", "2026/7/1"),
    (["notices", "--night"], "--night", "2026/7/1"),
    (["quality", "--night"], "--night", "2026/7/1"),
    (["draw", "plan", "--matter", "m", "--as-of"], "--as-of", "2026/7/1"),
    (["draw", "results", "T1", "--as-of"], "--as-of", "yesterday"),
])
def test_a_bad_date_is_refused_in_chinese_naming_the_option(args: list[str], option: str, value: str,
                                                             tmp_path: Path) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    r = CliRunner().invoke(app, [*args, value])
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    said = " ".join(r.output.split())
    assert f"{option}「{value}」不是有效日期" in said
    assert said.index("不是有效日期") < said.index(f"({option} is not a date YYYY-MM-DD)")
    assert repr(value) not in said and "Traceback" not in said


def test_control_characters_in_a_bad_date_are_shown_as_codes() -> None:
    r = CliRunner().invoke(app, ["summary", "--date", "2026\x1b[2J"])
    assert r.exit_code == 2
    assert "「2026\\x1b[2J」" in r.output and "\x1b" not in r.output
