"""Output for people and machines (issue 15): redirected output is never cut at 80 columns, nested
records never print as Python dicts, a limit that cuts says so."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from rich.table import Table

from credit.cli import output
from credit.cli.summary import print_summary
from credit.night.records import NightSummary

WIDE_CELL = "annual_reports.csv: 第 12 行 — " + "违反规则的一长段原始内容 " * 20


def test_a_redirected_table_keeps_every_cell_in_full(tmp_path: Path) -> None:
    """stdout to a file (as in `credit quarantine --date D > file`): rich would cut at 80 columns."""
    script = tmp_path / "wide.py"
    script.write_text(
        "from rich.table import Table\n"
        "from credit.cli import output\n"
        "t = Table('file', 'reason')\n"
        f"t.add_row('annual_reports.csv', {WIDE_CELL!r})\n"
        "output.console().print(t)\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    with out.open("w", encoding="utf-8") as f:
        subprocess.run([sys.executable, str(script)], stdout=f, check=True, env={"COLUMNS": "80", "PATH": ""})
    text = out.read_text(encoding="utf-8")
    assert WIDE_CELL.strip() in text and "annual_reports.csv" in text and "…" not in text
    assert "\x1b[" not in text          # no colour codes in a file


def test_the_console_decides_at_each_print(capsys) -> None:  # type: ignore[no-untyped-def]
    con = output.console()               # made once, like a module's console
    t = Table("a")
    t.add_row("x" * 500)
    con.print(t)
    assert "x" * 500 in capsys.readouterr().out


def test_the_console_prints_emoji_codes_as_written(capsys) -> None:  # type: ignore[no-untyped-def]
    """Review item 5: ``stratum annual_report:B: 2 entities`` came out as ``annual_report🅱 2``."""
    con = output.console()
    con.print("stratum annual_report:B: 2 drawn; annual_report:A: 1 :smile:")
    t = Table("stratum")
    t.add_row("x:B:y")
    con.print(t)
    out = capsys.readouterr().out
    assert "annual_report:B: 2" in out and "annual_report:A: 1 :smile:" in out and "x:B:y" in out


def test_nested_records_become_key_value_lines() -> None:
    part = {"decisions": 3, "by_roster_action": {"abnormal:include": 2, "serious:notice": 1},
            "chain_head": {"seq": 855, "hash": "ab12"}, "warnings": [], "distribution": {"A": 10, "B": 2}}
    flat = dict(output.flat_items(part))
    assert flat["by_roster_action.abnormal:include"] == "2" and flat["chain_head.seq"] == "855"
    assert flat["warnings"] == "（无）"
    assert output.summary_key("by_roster_action.abnormal:include").endswith("经营异常名录·列入")
    # a 个体工商户 is marked and restored, not listed and removed (domain.md §2)
    assert output.summary_key("by_roster_action.abnormal_status:include").endswith("（个体工商户）·标记为经营异常状态")
    assert output.summary_key("by_roster_action.abnormal_status:remove").endswith("（个体工商户）·恢复正常记载状态")
    assert output.summary_key("distribution.B") == "等级分布 distribution › B 信用风险一般"
    assert "{" not in output.cell(part) and "'" not in output.cell(part)


def test_the_night_summary_prints_no_python_dicts(capsys) -> None:  # type: ignore[no-untyped-def]
    summary: NightSummary = {
        "night": "2026-07-15", "manifest_digest": "f" * 64, "config_version": "x", "gap_allowed": False,
        "files": [], "merges": [], "stages": {"ingest": 1.5},
        "rosters": {"decisions": 2, "config_version": "r", "by_roster_action": {"abnormal:include": 2},
                    "chain_head": {"seq": 855, "hash": "9c0ffee"}},
        "grading": {"graded": 5, "config_version": "g", "distribution": {"A": 5}, "previous_night": None,
                    "warnings": []},
        "notices": {"notices": 1, "by_department": {"市卫生健康委员会": 1}, "by_event": {"registered": 1},
                    "config_version": "n"},
    }
    print_summary(output.console(), summary)
    text = capsys.readouterr().out
    assert "{'" not in text and "'seq'" not in text
    assert "决定链头 chain head › 序号 seq" in text and "855" in text and "9c0ffee" in text
    assert "经营异常名录·列入" in text and "市卫生健康委员会" in text
    # a first night's previous night is said to be none, not an empty cell
    assert re.search(r"上一分类批次 previous night\s*│\s*（无）", text), text


def test_a_cut_listing_says_how_many_rows_it_left_out() -> None:
    assert output.cut_note(50, 50) is None
    note = output.cut_note(50, 196)
    assert note is not None and "共 196 行，显示前 50 行" in note and "showing 50 of 196" in note


def test_a_yes_or_no_reads_in_chinese_not_as_a_python_repr() -> None:
    assert output.cell(True) == "是" and output.cell(False) == "否"
    assert dict(output.flat_items({"in_default": True}))["in_default"] == "是"


def test_the_night_summary_shows_what_the_operator_confirmed(capsys) -> None:  # type: ignore[no-untyped-def]
    """--accept-shrink and --allow-gap are recorded in the summary (README, night-safety.md): the printed
    summary says so too, else 189 rows dropped from the store show with nothing beside them."""
    summary: NightSummary = {
        "night": "2026-07-17", "manifest_digest": "a" * 64, "config_version": "x", "gap_allowed": True,
        "files": [], "merges": [{"source": "registration", "new": 0, "changed": 0, "dropped": 189}], "stages": {},
        "shrink_accepted": [{"code": "full_snapshot_shrink_accepted", "level": "warning", "file": "registration.csv",
                             "line": None, "zh": "全量快照仅 12 行（现有 201 行），经操作员确认按实际缩减发布",
                             "en": "published as a genuine shrink confirmed with --accept-shrink registration"}],
        "skipped_delivered": ["2026-07-16"],
    }
    print_summary(output.console(), summary)
    text = capsys.readouterr().out
    assert "registration.csv: 全量快照仅 12 行" in text and "[full_snapshot_shrink_accepted]" in text
    assert "--allow-gap" in text
    flat = " ".join(text.split())
    assert "--skip-night" in flat and "2026-07-16" in flat   # a delivered night given up, said beside the night


def test_every_row_of_the_printed_night_summary_has_a_chinese_name() -> None:
    """Each key the night stores under rosters, grading and notices (their TypedDicts) is shown with
    its Chinese name beside the code, as 决定数 decisions is — chain_start, produced and report
    were printed as bare codes; so were the notices' events (registered, industry_changed)."""
    from typing import get_type_hints

    from credit.night.records import GradingPart
    from credit.notices.night import NoticesNightSummary
    from credit.notices.read import EVENT_LABELS
    from credit.rosters.decide import RosterNightSummary

    keys = [k for part in (RosterNightSummary, GradingPart, NoticesNightSummary) for k in get_type_hints(part)]
    keys += ["chain_head.seq", "chain_head.hash", *(f"by_event.{e}" for e in EVENT_LABELS)]
    for key in keys:
        shown = output.summary_key(key)
        for part, code in zip(shown.split(" › "), key.split("."), strict=True):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in part) and part != code, (key, shown)


def test_the_night_summary_names_its_tables_rows_and_stages_in_chinese_first(capsys) -> None:  # type: ignore[no-untyped-def]
    """The officer on duty reads the files, the store's merge, the scope and the timings as the other
    tables read: Chinese first with the code kept ("file", "entity store", "timings" and
    "ingest tax.parquet" were English only)."""
    summary: NightSummary = {
        "night": "2026-07-15", "manifest_digest": "e" * 64, "config_version": "x", "gap_allowed": False,
        "files": [{"file": "tax.parquet", "source": "tax", "mode": "delta", "rows_in": 3, "accepted": 2,
                   "quarantined": 1, "failures": [], "warnings": []}],
        "merges": [{"source": "registration", "new": 1, "changed": 0, "dropped": 0}],
        "scope": {"mode": "incremental", "entities": 12, "reasons": {"input:tax": 2}},
        "stages": {"ingest tax.parquet": 0.5, "partition 2": 0.25, "grading": 1.0},
    }
    print_summary(output.console(), summary)
    text = " ".join(capsys.readouterr().out.split())
    for words in ("文件 file", "质量关口 gate", "主体库 entity store", "用时 timings", "阶段 stage",
                  "纳税 tax", "增量 delta", "通过 pass", "处理范围 scope：增量 incremental，12 个主体",
                  "读入 ingest tax.parquet", "分区 partition 2", "信用风险分类 grading", "配置版本 config x"):
        assert words in text, words


def test_a_stored_summary_prints_in_the_order_the_night_ran(capsys) -> None:  # type: ignore[no-untyped-def]
    """A published night's summary comes back from jsonb with its keys sorted by length: ``credit
    summary --date D`` and ``credit nightly`` run again listed 处理范围 scope and 主体库 store before
    every file's 读入 ingest, and the rosters' items in another order than the night printed them.
    Both print in one order: the stages as the night ran them, the items as their labels stand."""
    ran: NightSummary = {
        "night": "2026-07-13", "manifest_digest": "a" * 64, "config_version": "x",
        "files": [{"file": f, "source": "tax", "mode": "full", "rows_in": 1, "accepted": 1, "quarantined": 0,
                   "failures": [], "warnings": []} for f in ("registration.csv", "tax.parquet")],
        "merges": [], "stages": {"ingest registration.csv": 1.0, "ingest tax.parquet": 2.0, "partition 2": 0.5,
                                 "partition 10": 0.5, "store": 3.0, "scope": 4.0, "rosters": 5.0},
        "rosters": {"decisions": 12, "config_version": "r", "late": 3},
    }
    as_stored = {**ran, "stages": dict(sorted(ran["stages"].items(), key=lambda kv: (len(kv[0]), kv[0]))),
                 "rosters": {"late": 3, "decisions": 12, "config_version": "r"}}
    printed = []
    for summary in (ran, as_stored):
        print_summary(output.console(), summary)   # type: ignore[arg-type]
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1], printed[1]
    text = printed[1][printed[1].index("用时 timings"):]
    order = ["读入 ingest registration.csv", "读入 ingest tax.parquet", "分区 partition 2", "分区 partition 10",
             "主体库 store", "处理范围 scope", "名录决定 rosters"]
    assert [text.index(s) for s in order] == sorted(text.index(s) for s in order), text
    text = printed[1]
    assert text.index("决定数 decisions") < text.index("超期决定 decided late") < text.index("配置版本 config version")
