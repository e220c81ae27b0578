"""``credit notices`` refuses a bad option in Chinese first, then English, on standard error (common
rules; contracts.md §2 exit 2): the clerk who exports a department's 双告知 file reads Chinese."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from credit.cli.main import app

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("args", [
    ["--night", "2026-07-15", "--json", "--format", "csv"],
    ["--night", "2026-07-15", "--format", "pdf"],
    ["--night", "2026-07-15", "--format", "xlsx"],
])
def test_a_bad_option_is_refused_in_chinese_first(args: list[str]) -> None:
    r = CliRunner().invoke(app, ["notices", *args])
    assert r.exit_code == 2, r.output
    assert r.stdout == "" and "Traceback" not in r.stderr
    message = r.stderr.strip()
    cjk = CJK.search(message)
    # the Chinese sentence (it may name the option), then the English one in brackets
    assert cjk is not None and "(" in message and cjk.start() < message.index("("), message
