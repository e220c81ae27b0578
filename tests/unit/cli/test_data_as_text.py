"""Data is shown, never obeyed (review D3): the console's helpers for values that come from a drop."""

from __future__ import annotations

import io

import pytest
from rich.text import Text

from credit.cli import output


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[31mRED\x1b[0m", r"\x1b[31mRED\x1b[0m"),
    ("title\x1b]0;pwned\x07", r"title\x1b]0;pwned\x07"),
    ("csi\x9b31m", r"csi\u009b31m"),
    ("del\x7f nul\x00 cr\r", r"del\x7f nul\x00 cr\x0d"),
    ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
    ("北京[/]公司 ␀", "北京[/]公司 ␀"),
])
def test_control_characters_are_written_out(raw: str, shown: str) -> None:
    assert output.visible(raw) == shown


def _printed(*renderables: object, **kw: object) -> str:
    con = output.BureauConsole(file=io.StringIO(), highlight=False, emoji=False, force_terminal=True,
                               color_system="truecolor", width=200)
    con.print(*renderables, **kw)  # type: ignore[arg-type]   # what a command prints, on a colour terminal
    value = con.file.getvalue()  # type: ignore[attr-defined]  # the StringIO given above
    assert isinstance(value, str)
    return value


def test_table_cells_are_data_not_markup() -> None:
    t = output.table("name", "verdict")
    t.add_row("[/] [bold]x[/bold] [link=http://evil]y[/link] [white on white]hidden[/]", Text("pass", style="green"))
    t.add_row("\x1b[31mRED", None)
    shown = _printed(t)
    assert "[/] [bold]x[/bold] [link=http://evil]y[/link] [white on white]hidden[/]" in shown
    assert r"\x1b[31mRED" in shown and "\x1b[31mRED" not in shown
    assert "\x1b]8;" not in shown                       # no hyperlink was made from the data
    assert "\x1b[32mpass" in shown                      # our own styling still works


def test_messages_escape_data_and_keep_our_markup() -> None:
    shown = _printed(f"{output.REFUSED} {output.esc('[/] name')}")
    assert "[/] name" in shown and "\x1b[31m拒绝 refused:" in shown
    raw = _printed("plain \x1b[2J message \x9b", markup=False)
    assert r"plain \x1b[2J message \u009b" in raw and "\x1b[2J" not in raw


def test_plain_formats_non_text_as_a_cell() -> None:
    assert output.plain(None).plain == "" and output.plain(1234).plain == "1,234"
    assert output.plain({"a": "[/]\x1b"}).plain == r"a: [/]\x1b"


def test_json_keeps_the_data_and_sends_no_control_character(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    value = {"name": "北京\x1b[31m\x9b\x7f公司"}
    output.emit_json(value)
    text = capsys.readouterr().out
    assert json.loads(text) == value
    assert not any(ch in text for ch in "\x1b\x9b\x7f")


def test_json_writes_a_missing_value_as_null_never_nan(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    output.emit_json({"rows": [{"name": float("nan"), "n": 1.5}], "t": (float("nan"),)})
    text = capsys.readouterr().out
    assert json.loads(text, parse_constant=lambda c: pytest.fail(c)) == {"rows": [{"name": None, "n": 1.5}], "t": [None]}


def test_a_refused_night_is_announced_in_chinese_with_english_in_brackets() -> None:
    """The officer running the night reads its refusal headline in Chinese first (README: every
    reason is Chinese with English in brackets); each issue follows with its file and rule."""
    from datetime import date

    from credit.cli.summary import print_refusal
    from credit.issues import Issue
    from credit.night.issues import NightRefused

    con = output.BureauConsole(file=io.StringIO(), highlight=False, emoji=False, width=200)
    found = Issue(code="sha256_mismatch", level="refusal", file="registration.csv", zh="校验和不符", en="checksum mismatch")
    print_refusal(con, NightRefused(date(2026, 7, 15), [found]))
    first, second = con.file.getvalue().splitlines()  # type: ignore[attr-defined]  # the StringIO given above
    assert first.startswith("拒绝 refused: 批次 2026-07-15 被拒绝，昨日的状态未变 (night 2026-07-15 refused"), first
    assert "registration.csv: 校验和不符 (checksum mismatch) [sha256_mismatch]" in second


def test_a_night_run_again_says_so_in_chinese_with_english_in_brackets() -> None:
    from typing import cast

    from credit.cli.summary import print_summary
    from credit.night.records import NightSummary

    con = output.BureauConsole(file=io.StringIO(), highlight=False, emoji=False, width=200)
    print_summary(con, cast(NightSummary, {"night": "2026-07-15", "already_published": True}))
    first = con.file.getvalue().splitlines()[0]  # type: ignore[attr-defined]  # the StringIO given above
    assert first == "批次 2026-07-15 此前已发布，本次未作任何改动 (night 2026-07-15 was already published; nothing changed.)"
