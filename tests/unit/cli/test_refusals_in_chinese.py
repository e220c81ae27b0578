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


def test_a_refused_night_begins_its_refusal_like_every_command(tmp_path: Path) -> None:
    """``credit nightly`` refused (here: no manifest): the first line on standard error carries the
    ``拒绝 refused:`` of every other refusal (it began "批次 … 被拒绝", which a reader or a script
    looking for the tag missed), then the night's own headline and its issues; exit 2."""
    r = CliRunner().invoke(app, ["nightly", "--date", "2026-07-15", "--drop", str(tmp_path / "no-drop")])
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    first, *issues = r.stderr.splitlines()
    assert first.startswith("拒绝 refused: 批次 2026-07-15 被拒绝，昨日的状态未变 (night 2026-07-15 refused"), first
    assert issues and "[manifest_missing]" in issues[0], issues


def test_a_bad_setting_or_configuration_is_refused_like_every_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry point's own refusals (exit 2): a CREDIT_ setting out of range, a configuration file
    that cannot be read. They printed no 拒绝 refused: and the configuration's said, in English only,
    "fix that file (or unset CREDIT_CONFIG_DIR …)" and "CREDIT_CONFIG_DIR must name a folder …"."""
    import sys

    from credit.cli.main import main
    from credit.settings import get_settings

    def run(*args: str) -> str:
        monkeypatch.setattr(sys, "argv", ["credit", *args])
        get_settings.cache_clear()
        with pytest.raises(SystemExit) as ended:
            main()
        get_settings.cache_clear()
        assert ended.value.code == 2
        said = capsys.readouterr()
        assert said.out == "" and "Traceback" not in said.err, said
        return said.err

    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(tmp_path))   # an empty folder: no notices.yaml
    said = run("api", "keys", "create", "--name", "x", "--role", "licensing")
    assert said.startswith("拒绝 refused: 配置有误 (bad configuration)"), said
    for line in said.splitlines():   # every line Chinese first
        assert CJK.search(line) and CJK.search(line).start() < line.index("("), line   # type: ignore[union-attr]
    monkeypatch.delenv("CREDIT_CONFIG_DIR")
    monkeypatch.setenv("CREDIT_LOG_FORMAT", "xml")
    said = run("keys", "public")
    assert said.startswith("拒绝 refused: 设置有误 (bad setting) CREDIT_LOG_FORMAT"), said
