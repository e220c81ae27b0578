"""The command line's refusals an outsider met (s36, N5), over a real log: a day before the first
night is unknown, not "not on the roster"; ``--known-at`` after the latest night is refused in
Chinese and English, as the API's 422 says it; ``--roster`` names all three rosters it accepts."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from tests.db.rosters.helpers import rosters_cli, unreachable_story

A = "91110105MA00000012"   # a valid code: the command line checks it (GB 32100)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _said(r) -> str:  # type: ignore[no-untyped-def]
    return " ".join(r.output.split())


def test_the_cli_refuses_days_it_cannot_speak_for_in_chinese_and_english(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        unreachable_story(c, settings, A)     # first night 2026-03-02, latest 2026-03-26
    run = CliRunner().invoke
    # (a) received the day before the first night: unknown, refused naming the first night
    r = run(rosters_cli(), ["repair", "apply", A, "--roster", "abnormal", "--received", "2026-03-01"])
    assert r.exit_code == 2 and "2026-03-02" in _said(r) and "不在" not in _said(r), r.output
    assert "早于本系统的第一个批次" in _said(r) and "first night" in _said(r), r.output
    # on a day within the history, an entity not listed then is still told so
    r = run(rosters_cli(), ["repair", "apply", A, "--roster", "serious", "--received", "2026-03-03"])
    assert r.exit_code == 2 and "不在严重违法失信名单中" in _said(r), r.output
    # (b) --known-at after the latest night: Chinese and English, in status and in roster export
    for args in (["status", A, "--known-at", "2026-04-01"],
                 ["roster", "export", "--roster", "abnormal", "--known-at", "2026-04-01", "--format", "json"]):
        r = run(rosters_cli(), args)
        said = _said(r)
        assert r.exit_code == 2 and "晚于最新已发布批次 2026-03-26" in said, r.output
        assert "after the latest published night 2026-03-26" in said, r.output
    # (c) an unknown roster: all three accepted rosters named, in Chinese and English
    r = run(rosters_cli(), ["roster", "export", "--roster", "foo", "--format", "json"])
    said = _said(r)
    assert r.exit_code == 2 and CJK.search(said), r.output
    assert all(name in said for name in ("abnormal,", "abnormal_status", "serious")), r.output
    r = run(rosters_cli(), ["repair", "apply", A, "--roster", "foo", "--received", "2026-03-03"])
    assert r.exit_code == 2 and CJK.search(_said(r)) and "abnormal_status" in _said(r), r.output
