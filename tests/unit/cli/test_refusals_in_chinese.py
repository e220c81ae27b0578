"""Refusals of the command line say why in Chinese first, then in English (the house rule: an
officer reads Chinese; the English follows for the operator). These were English only (bbgrade's
pass found `roster export`'s; a sweep of every refusal found the rest). Each is refused before the
database is reached, so no database is needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit.cli.main import app

USCC = "91110000600037341L"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _cases(tmp: Path) -> list[tuple[list[str], str]]:
    not_a_record = tmp / "record.json"
    not_a_record.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    return [
        (["roster", "export", "--roster", "abnormal", "--format", "ods"], "--format must be one of"),
        (["roster", "export", "--roster", "abnormal", "--format", "xlsx"], "needs --out FILE"),
        (["repair", "apply", USCC, "--received", "2026-07-15"], "give --roster"),
        (["repair", "apply", USCC, "--roster", "abnormal", "--penalty", "X", "--received", "2026-07-15"],
         "--penalty applies to"),
        (["draw", "verify"], "give DRAW_ID or --record FILE"),
        (["draw", "verify", "DRAW-20260901-001", "--plan", str(tmp / "plan.json")], "--plan goes with --record"),
        (["draw", "verify", "--record", str(not_a_record)], "not a draw record"),
        (["db", "restore", str(tmp / "x.dump"), "--database", "a", "--target-url", "postgresql://x/y"],
         "not both"),
    ]


@pytest.mark.parametrize("index", range(8))
def test_a_refusal_says_why_in_chinese_before_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      index: int) -> None:
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CREDIT_DATABASE_URL", "postgresql+psycopg://credit@127.0.0.1:1/credit?connect_timeout=3")
    args, english = _cases(tmp_path)[index]
    r = CliRunner().invoke(app, args)
    said = " ".join(r.output.split())
    assert r.exit_code == 2, (args, r.exit_code, said)
    assert english in said, said
    first_chinese = CJK.search(said)
    assert first_chinese is not None and first_chinese.start() < said.index(english), said
    assert "Traceback" not in said
