"""The officers' draw page shows every note ``credit.draws.derive`` writes in Chinese (review item 4)."""

from __future__ import annotations

import re

from credit.api import draw_views

LATIN = re.compile(r"[A-Za-z]{2,}")
MATTERS = {"annual_report": "企业年度报告等公示信息抽查", "food_production": "食品生产企业监督检查"}
U = "91341000MA00000001X"


def _visible(html: str) -> str:
    return re.sub(r"<[^>]*>", " ", re.sub(r"<code>[^<]*</code>", " ", html))


def test_every_derived_note_reads_in_chinese() -> None:
    notes = {
        "fewer than 2 competent inspectors without conflict": "不足2名",
        "fewer than 2 competent inspectors without conflict (widest level tried: province)": "已扩大至省级范围",
        "inspectors drawn at city level: fewer than 2 competent inspectors without conflict at district level":
            "区县级范围内无回避情形的有权检查人员不足2名，检查人员在设区的市级范围抽取",
        "inspectors drawn at province level: fewer than 2 competent inspectors without conflict at city level; "
        "no working day outside quiet days in the window": "企业宁静日",
        "no replacement for recused inspector INS001": "无可替换",
        "inspector INS001 recused, replaced by INS007": "由<code>INS007</code>替换",
        "inspector INS001 recused, replaced by INS007 (drawn at city level)": "在设区的市级范围抽取",
        "entity closed": "主体已关闭",
        f"also drawn for food_production in place of {U}": "另为“食品生产企业监督检查”替补抽中",
        f"drawn for annual_report in place of {U}; inspectors drawn at city level: fewer than 2 competent "
        "inspectors without conflict at district level": "为“企业年度报告等公示信息抽查”替补抽中",
    }
    for note, words in notes.items():
        html = str(draw_views.note_html(note, MATTERS))
        assert words in html, (note, html)
        assert LATIN.findall(_visible(html)) == [], (note, html)
    assert str(draw_views.note_html(None, MATTERS)) == ""
    # An unknown note is kept, as code, never dropped; markup in it is escaped.
    assert str(draw_views.note_html("<b>x</b>", MATTERS)) == "<code>&lt;b&gt;x&lt;/b&gt;</code>"


def test_strata_states_and_matters_by_name() -> None:
    row = draw_views.inspection_row({"uscc": U, "version": 1, "state": "unstaffed",
                                     "matters": ["annual_report", "food_production"],
                                     "strata": ["annual_report:C", "food_production:C"], "inspectors": [],
                                     "scheduled_on": None, "note": "entity closed"}, MATTERS)
    assert row["state_label"] == "检查人员不足，未安排"
    assert row["matters"] == "企业年度报告等公示信息抽查；食品生产企业监督检查"
    assert row["strata"].startswith("企业年度报告等公示信息抽查 · C类（信用风险较高）")
    assert row["strata_codes"] == "annual_report:C,food_production:C"


def test_the_command_line_reads_a_note_as_the_page_does_without_the_api() -> None:
    """``credit draw show`` reads notes through credit.draws.labels, the page's own sentences as
    plain text, and does not import the API package for them (it cost the command 1.8 s)."""
    import subprocess
    import sys

    from credit.draws.labels import note_text

    note = f"inspector INS001 recused, replaced by INS007 (drawn at city level); drawn for annual_report in place of {U}"
    assert note_text(note, MATTERS) == (f"检查人员INS001回避，由INS007替换（在设区的市级范围抽取）；"
                                        f"为“企业年度报告等公示信息抽查”替补抽中（替代{U}）")
    out = subprocess.run([sys.executable, "-c", "import sys, credit.cli.commands.draws; "
                          "print(sorted(m for m in sys.modules if m.startswith('credit.api')))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
