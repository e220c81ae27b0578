"""What issue 16 must show, on a sample night: bank credit costs a tier and is shown to the bureau
only; 双告知 lists a new food-production registration under its department, once, and nothing
for an industry that needs no licence (domain.md §11)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.main import app
from credit.context import NightContext
from credit.contract.sources import SOURCES
from credit.night.steps import run_night
from credit.notices.night import produce_notices
from credit.sample import write_sample
from credit.settings import Settings
from tests.dropkit import code, csv_file, registration_row, write_night

N1, N2 = date(2026, 7, 13), date(2026, 7, 14)
TWIN, TWIN_OVERDUE = code(body="MA7TWN01"), code(body="MA7TWN02")
FOOD, CONSULTING = code(body="MA7FD001"), code(body="MA7CN001")
FOOD_DEPT = "市场监督管理局（食品生产许可）"
runner = CliRunner()


def _append(folder: Path, source: str, rows: list[dict[str, str]]) -> None:
    """Add rows to a sample file (plain UTF-8 CSV) and keep the manifest's rows and sha256 true."""
    name = f"{source}.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow([r.get(c, "") for c in SOURCES[source].column_names])
    path = folder / name
    path.write_bytes(path.read_bytes() + buf.getvalue().encode("utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][name]
    entry["rows"] += len(rows)
    entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def sample_drop(tmp_path: Path) -> Path:
    """Night 1 of a clean sample province plus our entities: two twins that differ only in a
    120-day overdue bank loan, a food manufacturer and a consultancy registered this month."""
    drop = tmp_path / "drop"
    (folder,) = write_sample(drop, 300, 1, seed=11, defect_rate=0.0, fmt_mix=False, start=N1)
    _append(folder, "registration", [
        registration_row(TWIN, name="杭州孪生甲贸易有限公司", established_on="2021-03-01"),
        registration_row(TWIN_OVERDUE, name="杭州孪生乙贸易有限公司", established_on="2021-03-01"),
        registration_row(FOOD, name="杭州好味食品有限公司", industry_code="C14", established_on="2026-07-06"),
        registration_row(CONSULTING, name="杭州远见企业管理咨询有限公司", industry_code="L72",
                         established_on="2026-07-06"),
    ])
    _append(folder, "annual_reports", [
        {"uscc": u, "report_year": str(y), "filed_on": f"{y + 1}-04-10", "employees": "8", "revenue": "900000.00",
         "total_tax": "20000.00"} for u in (TWIN, TWIN_OVERDUE) for y in (2023, 2024, 2025)])
    _append(folder, "bank_credit", [
        {"uscc": TWIN_OVERDUE, "period": "2026-06", "lenders": "1", "loans_outstanding": "500000.00",
         "overdue_amount": "80000.00", "max_overdue_days": "120", "in_default": "false", "updated_on": "2026-07-08"}])
    return drop


def test_bank_credit_costs_a_tier_and_notices_reach_the_licensing_department_once(
        tmp_path: Path, engine: Engine, settings: Settings, cli_env: None) -> None:
    drop = sample_drop(tmp_path)
    summary = run_night(drop, N1, settings)
    assert summary["notices"]["by_department"].get(FOOD_DEPT, 0) >= 1

    # -- bank credit: at least one tier below the twin, the reason shown by `credit grades show` --
    shown = {}
    for u in (TWIN, TWIN_OVERDUE):
        res = runner.invoke(app, ["grades", "show", u, "--json"])
        assert res.exit_code == 0, res.output
        shown[u] = json.loads(res.output)
    rank = {t: i for i, t in enumerate("ABCD")}
    assert rank[shown[TWIN_OVERDUE]["grade"]] >= rank[shown[TWIN]["grade"]] + 1
    texts = [r["text"] for r in shown[TWIN_OVERDUE]["reasons"]]
    assert "银行贷款逾期超过90天" in texts
    assert not any("银行" in r["text"] for r in shown[TWIN]["reasons"])
    table = runner.invoke(app, ["grades", "show", TWIN_OVERDUE])
    assert table.exit_code == 0 and "银行贷款逾期超过90天" in table.output
    with engine.connect() as c:   # never a roster cause
        assert c.execute(sa.text("select count(*) from roster_decisions where uscc = :u"),
                         {"u": TWIN_OVERDUE}).scalar_one() == 0
        assert c.execute(sa.text("select count(*) from bank_credit_history where uscc = :u and change = 'new'"),
                         {"u": TWIN_OVERDUE}).scalar_one() == 1

    # -- 双告知: the food manufacturer under the configured department, once; nothing for consulting --
    def listed() -> list[dict[str, str]]:
        res = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--format", "json"])
        assert res.exit_code == 0, res.output
        return list(json.loads(res.output))

    notices = listed()
    ours = [n for n in notices if n["uscc"] in (FOOD, CONSULTING, TWIN, TWIN_OVERDUE)]
    assert [(n["uscc"], n["department"], n["event"], n["licence"]) for n in ours] == [
        (FOOD, FOOD_DEPT, "registered", "食品生产许可证")]
    assert datetime.fromisoformat(ours[0]["produced_at"]).utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]
    # Entities of the snapshot established long ago are loaded, not newly registered: no notice.
    assert all(n["established_on"] >= "2026-06-13" for n in notices)

    # Re-running the night changes nothing; running the step again inserts nothing.
    assert run_night(drop, N1, settings).get("already_published") is True
    with engine.begin() as c:
        assert produce_notices(c, NightContext(N1, "again", settings))["produced"] == 0
    assert [n for n in listed() if n["uscc"] == FOOD] == ours

    # The department's inbox: CSV with BOM, xlsx with the USCC as text, a department filter.
    res = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--department", FOOD_DEPT, "--format", "csv",
                              "--out", str(tmp_path / "n.csv")])
    assert res.exit_code == 0, res.output
    raw = (tmp_path / "n.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["许可部门"] for r in rows} == {FOOD_DEPT} and FOOD in {r["统一社会信用代码"] for r in rows}
    res = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--format", "xlsx", "--out", str(tmp_path / "n.xlsx")])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "n.xlsx").active
    assert ws is not None
    header = [c.value for c in ws[1]]
    col = header.index("统一社会信用代码")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    assert FOOD in [c.value for c in cells] and all(c.data_type == "s" for c in cells)
    assert runner.invoke(app, ["notices", "--night", N1.isoformat(), "--department", "不存在的局"]).exit_code == 2
    assert runner.invoke(app, ["notices", "--night", "yesterday"]).exit_code == 2
    table = runner.invoke(app, ["notices", "--night", N1.isoformat(), "--department", FOOD_DEPT], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and FOOD in table.output

    # -- night 2 (a drop without bank credit): a change of industry into a licensed one -----------
    write_night(drop, N2, {"registration.csv": csv_file("registration", "delta", [
        registration_row(TWIN, name="杭州孪生甲贸易有限公司", established_on="2021-03-01", industry_code="C14"),
        registration_row(TWIN_OVERDUE, name="杭州孪生乙贸易有限公司", established_on="2021-03-01",
                         industry_code="L72"),
        registration_row(FOOD, name="杭州好味食品有限公司", industry_code="C141", established_on="2026-07-06"),
    ])})
    run_night(drop, N2, settings)
    res = runner.invoke(app, ["notices", "--night", N2.isoformat(), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert [(n["uscc"], n["department"], n["event"], n["previous_industry_code"], n["industry_code"])
            for n in json.loads(res.output)] == [(TWIN, FOOD_DEPT, "industry_changed", "F51", "C14")]
    with engine.connect() as c:   # still once for the food manufacturer, across nights
        assert c.execute(sa.text("select count(*) from notices where uscc = :u"), {"u": FOOD}).scalar_one() == 1
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
        c.execute(sa.text("update notices set department = 'x'"))
