"""The decision log itself: append-only in the database, hash chain, 文号, drafts, export, CLI, deadlines."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from credit.rosters.audit import verify_chain
from credit.rosters.deadlines import deadline_watch
from credit.rosters.export import HEADINGS, export_roster
from credit.rosters.read import EXPORT_COLUMNS, roster_as_of
from credit.rosters.repair import Refused, apply_for_removal, decide_draft
from credit.settings import Settings, bundled
from tests.db.rosters.helpers import D, decisions, finding, night, published, reg, report

A = "91110105MA0000001A"
B = "91310115MA0000002B"
V = "91110105MA00000012"  # a valid code (check character 2)


def _listed(c, settings) -> None:  # type: ignore[no-untyped-def]
    reg(c, A)
    reg(c, B, region="310115", name="上海测试贸易有限公司")
    reg(c, "91110105MA0000003C")
    night(c, settings, "2026-07-01")


@pytest.mark.parametrize("statement", [
    "update roster_decisions set cause = '改写' where seq = 1",
    "delete from roster_decisions where seq = 1",
    "truncate roster_decisions",
])
def test_database_refuses_to_change_a_decision(engine, settings, statement: str) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _listed(c, settings)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
        c.exec_driver_sql(statement)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from roster_decisions")).scalar() == 3


def test_document_numbers_are_gap_free_per_authority_and_year(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _listed(c, settings)
        finding(c, "F1", A, "unreachable_address", "2027-01-05")
        report(c, A, 2026, "2027-03-01")
        night(c, settings, "2027-01-05")
        nos = [(d["authority"], d["decision_no"]) for d in decisions(c)]
    assert nos == [("110105", "朝阳市监信〔2026〕1号"), ("110105", "朝阳市监信〔2026〕2号"),
                   ("310115", "浦东新市监信〔2026〕1号"), ("110105", "朝阳市监信〔2027〕1号")]


def test_audit_verify_passes_then_names_a_tampered_row(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _listed(c, settings)
        finding(c, "F1", A, "unreachable_address", "2026-07-02")
        night(c, settings, "2026-07-02")
    with engine.connect() as c:
        ok = verify_chain(c)
    assert ok.ok and ok.checked == 4
    # To tamper, the test (connected as the database superuser) disables the append-only trigger —
    # exactly what an intruder with superuser rights would have to do.
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql("update roster_decisions set cause = '已篡改' where seq = 2")
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
    with engine.connect() as c:
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == 2 and "content changed" in (bad.problem or "")


def test_audit_verify_detects_a_removed_decision(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _listed(c, settings)
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql("delete from roster_decisions where seq = 2")
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
        bad = verify_chain(c)
    assert not bad.ok and bad.broken_seq == 3


def test_cli_audit_verify_exit_codes(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        _listed(c, settings)
    app = cmd.audit_app
    r = CliRunner().invoke(app, ["verify"])
    assert r.exit_code == 0 and "intact" in r.output
    with engine.begin() as c:
        c.exec_driver_sql("alter table roster_decisions disable trigger roster_decisions_append_only")
        c.exec_driver_sql("update roster_decisions set decision_date = '2026-07-02' where seq = 3")
        c.exec_driver_sql("alter table roster_decisions enable trigger roster_decisions_append_only")
    r = CliRunner().invoke(app, ["verify"])
    assert r.exit_code != 0 and "3" in r.output


def test_csv_export_opens_as_utf8_with_bom_and_chinese(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _listed(c, settings)
        data = export_roster(c, "abnormal", D("2026-07-02"), "csv", tmp_path / "r.csv")
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw == data and raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) == 4 and rows[1][rows[0].index("cause")].startswith("未依照《企业信息公示暂行条例》")
    assert "上海测试贸易有限公司" in raw.decode("utf-8-sig")
    assert rows[1][rows[0].index("state")] == "listed"


def test_cli_export_json_and_parquet(engine, settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        _listed(c, settings)
    r = CliRunner().invoke(cmd.roster_app, ["export", "--roster", "abnormal", "--as-of", "2026-07-02",
                                            "--format", "json", "--out", str(tmp_path / "r.json")])
    assert r.exit_code == 0, r.output
    got = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert list(got[0]) == EXPORT_COLUMNS and got[0]["included_on"] == "2026-07-01"
    r = CliRunner().invoke(cmd.roster_app, ["export", "--roster", "serious", "--format", "parquet",
                                            "--as-of", "2026-07-02", "--out", str(tmp_path / "s.parquet")])
    # the serious list appends its procedure steps after the contract's columns (contracts.md §2)
    assert r.exit_code == 0 and list(pd.read_parquet(tmp_path / "s.parquet").columns) == [*EXPORT_COLUMNS, "steps"]
    r = CliRunner().invoke(cmd.roster_app, ["export", "--roster", "grey"])
    assert r.exit_code == 2


def test_cli_export_xlsx_keeps_codes_as_text(engine, settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """contracts.md §2 ``--format xlsx``: the contract's columns, as many rows as the CSV, the USCC
    and 文号 as text cells (never 9.13E+17), dates as dates, the header frozen."""
    import datetime as dt

    from openpyxl import load_workbook

    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        _listed(c, settings)
        csv_rows = list(csv.reader(io.StringIO(export_roster(c, "abnormal", D("2026-07-02"), "csv").decode("utf-8-sig"))))
    r = CliRunner().invoke(cmd.roster_app, ["export", "--roster", "abnormal", "--as-of", "2026-07-02"])
    assert r.exit_code == 0     # csv on standard output, as before
    r = CliRunner().invoke(cmd.roster_app, ["export", "--roster", "abnormal", "--as-of", "2026-07-02", "--format", "xlsx"])
    assert r.exit_code == 2     # a workbook needs a file
    r = CliRunner().invoke(cmd.roster_app, ["export", "--roster", "abnormal", "--as-of", "2026-07-02",
                                            "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    wb = load_workbook(tmp_path / "r.xlsx")
    ws = wb["名录"]
    rows = list(ws.iter_rows())
    # Chinese headings for the officer (issue 15); the CSV keeps the contract's column names.
    assert [c.value for c in rows[0]] == [HEADINGS[c] for c in EXPORT_COLUMNS] and ws.freeze_panes == "A2"
    assert csv_rows[0] == EXPORT_COLUMNS
    assert len(rows) == len(csv_rows)
    # The 说明 sheet: as of, known at, chain head, produced at (bureau clock), config version, column codes.
    note = {r[0].value: r[1].value if len(r) > 1 else None for r in wb["说明"].iter_rows()}
    assert note["截至日期 as of"] == "2026-07-02"
    assert note["行数 rows"] == str(len(csv_rows) - 1)
    with engine.connect() as c:
        head = c.execute(sa.text("select seq, row_hash from roster_decisions order by seq desc limit 1")).one()
    assert note["决定链头 chain head"] == f"决定 {head.seq}，哈希 {head.row_hash}"
    assert "Asia/Shanghai" in note["生成时间 produced at"] and "rules-" in note["配置版本 config version"]
    assert note["统一社会信用代码"] == "uscc" and note["决定书文号"] == "decision_no"
    at = {name: i for i, name in enumerate(EXPORT_COLUMNS)}
    # the roster and the state as words an officer reads (the CSV keeps the contract's codes)
    assert {r[at["roster"]].value for r in rows[1:]} == {"经营异常名录"}
    assert {r[at["state"]].value for r in rows[1:]} == {"列入中"}
    assert {r[at["roster"]] for r in csv_rows[1:]} == {"abnormal"} and {r[at["state"]] for r in csv_rows[1:]} == {"listed"}
    for row in rows[1:]:
        assert row[at["uscc"]].data_type == "s" and len(str(row[at["uscc"]].value)) == 18
        assert row[at["decision_no"]].data_type == "s"
        assert isinstance(row[at["included_on"]].value, dt.datetime)
    assert [str(row[at["uscc"]].value) for row in rows[1:]] == [r[at["uscc"]] for r in csv_rows[1:]]


def test_cli_status_and_repair(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        reg(c, V)                       # the command line checks the code (GB 32100-2015)
        night(c, settings, "2026-07-01")
        published(c, "2026-07-01")      # the system's history starts there: as_of 07-02 is within it
        published(c, "2026-10-13")
    app = __import__("typer").Typer()
    app.command("status")(cmd.status_command)
    app.add_typer(cmd.repair_app, name="repair")
    r = CliRunner().invoke(app, ["status", V, "--as-of", "2026-07-02", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    entry = out["rosters"][0]
    assert out["uscc"] == V and entry["cause_code"] == "annual_report_missing" and entry["state"] == "listed"
    assert entry["decision_no"] == "朝阳市监信〔2026〕1号" and "补报" in entry["removal_possible_zh"]
    assert entry["removal_possible"] == "on application, after filing the missing report"   # contracts.md §2
    r = CliRunner().invoke(app, ["repair", "apply", V, "--roster", "abnormal", "--received", "2026-09-30"])
    assert r.exit_code == 0 and "2026-10-13" in r.output
    r = CliRunner().invoke(app, ["repair", "apply", V, "--roster", "serious", "--received", "2026-09-30"])
    assert r.exit_code == 2 and "refused" in r.output


def _drafts_config(tmp: Path) -> Path:
    cfg = tmp / "config"
    shutil.copytree(bundled("config"), cfg)
    text = (cfg / "rosters.yaml").read_text(encoding="utf-8")
    text = text.replace("abnormal: [{from: 2014-01-01, drafts: false}]",
                        "abnormal: [{from: 2014-01-01, drafts: false}, {from: 2026-01-01, drafts: true}]")
    (cfg / "rosters.yaml").write_text(text, encoding="utf-8")
    return cfg


def test_drafts_wait_for_an_officer(engine, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = Settings(database_url=settings.database_url, home=settings.home, config_dir=_drafts_config(tmp_path))
    with engine.begin() as c:
        reg(c, A)
        night(c, s, "2026-07-01")
        (p,) = decisions(c)
        assert p["action"] == "propose" and p["proposed_action"] == "include" and p["decision_no"] is None
        assert roster_as_of(c, D("2026-07-01"), "abnormal").empty
        assert night(c, s, "2026-07-02")["decisions"] == 0                       # no second draft
        watch = deadline_watch(c, D("2026-07-08"), 5, s)
        assert watch["kind"].tolist() == ["draft:include"] and watch["due_date"].tolist() == [D("2026-07-14")]
        assert watch["working_days_left"].tolist() == [4]
        res = decide_draft(c, p["seq"], "王科长", D("2026-07-09"), settings=s)
        inc = decisions(c, action="include")[0]
        assert inc["actor"] == "王科长" and inc["decision_date"] == D("2026-07-09") and inc["decision_no"]
        assert res["decision_no"] == inc["decision_no"] and not inc["late"]
        assert roster_as_of(c, D("2026-07-09"), "abnormal")["state"].tolist() == ["listed"]
        assert deadline_watch(c, D("2026-07-09"), 5, s).empty
        with pytest.raises(Refused):
            decide_draft(c, p["seq"], "王科长", D("2026-07-10"), settings=s)
        assert night(c, s, "2026-07-10")["decisions"] == 0


def test_deadline_watch_lists_due_and_overdue_per_authority(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _listed(c, settings)
        apply_for_removal(c, A, "abnormal", D("2026-09-30"), settings=settings)        # due 2026-10-13
        apply_for_removal(c, B, "abnormal", D("2026-09-01"), settings=settings)        # due 2026-09-08
        w = deadline_watch(c, D("2026-10-09"), 3, settings)
        assert w[["authority", "uscc", "overdue"]].values.tolist() == [
            ["上海市浦东新区市场监督管理局", B, True], ["北京市朝阳区市场监督管理局", A, False]]   # by authority name
        assert w["due_date"].tolist() == [D("2026-09-08"), D("2026-10-13")]
        assert deadline_watch(c, D("2026-10-09"), 1, settings)["uscc"].tolist() == [B]   # Oct 10 is the 1st WD
