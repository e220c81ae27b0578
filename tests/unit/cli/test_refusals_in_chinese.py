"""Every refusal of the command line reads Chinese first, the English after in brackets (common house
rule; contracts.md §2: exit 2): the export formats, the repair application's roster or penalty, and
``draw verify``'s arguments and files said only English ("xlsx needs --out FILE …")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit.cli.main import app
from credit.contract.uscc import calc_check_character

pytestmark = pytest.mark.usefixtures("unreachable_database")

USCC = "91330106MA2B3C4D1" + calc_check_character("91330106MA2B3C4D1")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("args", [
    ["notices", "--night", "2026-07-15", "--json", "--format", "csv"],
    ["notices", "--night", "2026-07-15", "--format", "xls"],
    ["notices", "--night", "2026-07-15", "--format", "xlsx"],
    ["roster", "export", "--roster", "abnormal", "--format", "xls"],
    ["roster", "export", "--roster", "abnormal", "--format", "xlsx"],
    ["roster", "export", "--roster", "abnormal", "--format", "parquet", "--out", "-"],
    ["repair", "apply", USCC, "--received", "2026-07-15"],
    ["repair", "apply", USCC, "--roster", "abnormal", "--penalty", "HZ-1", "--received", "2026-07-15"],
    ["draw", "verify"],
    ["draw", "verify", "T1", "--plan", "PLAN"],
    ["draw", "verify", "--record", "NOT_A_RECORD"],
    ["db", "restore", "NOT_A_RECORD", "--database", "a", "--target-url", "postgresql://x/y"],
], ids=lambda a: " ".join(a[:4]))
def test_a_refusal_reads_chinese_first_then_english(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    args = [str(tmp_path / "bad.json") if a in ("PLAN", "NOT_A_RECORD") else a for a in args]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    said = " ".join(r.output.split())
    assert said.startswith("拒绝 refused:"), said
    said = said.removeprefix("拒绝 refused:").strip()
    assert CJK.search(said), f"no Chinese: {said}"
    # Chinese before the English: the first Chinese character comes before the bracketed English
    assert "(" in said and CJK.search(said).start() < said.index("("), said   # type: ignore[union-attr]
    assert "Traceback" not in said
