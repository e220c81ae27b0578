"""What a task's results publish (抽查检查结果公示, domain.md §8), pinned row by row: for a task drawn
here (its inspections, and a result delivered under it for an enterprise it did not draw) and for a
task only the inspection_results source knows (contracts.md §1). Written before the two result
statements became one, so that the change is seen to publish the same."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.draws import read
from credit.settings import Settings
from tests.db.draws.helpers import load_store, plan_and_run, uscc

STRANGER = "91110105MA0000001K"   # a valid code the registration store does not know


def _deliver(engine: Engine, task: str, code: str, inspected: str, result_code: str, received: str) -> None:
    with engine.begin() as c:
        c.execute(sa.text("""
            insert into inspection_results (task_id, uscc, inspected_on, result_code, result, doc_no,
                                            first_night, last_night)
            values (:t, :u, :i, :r, null, :d, :n, :n)"""),
                  {"t": task, "u": code, "i": date.fromisoformat(inspected), "r": result_code,
                   "d": f"DOC-{code[-4:]}", "n": date.fromisoformat(received)})


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("config_version", "limit_basis")}


def test_the_results_of_a_task_not_drawn_here_are_its_delivered_rows(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=30)
    _deliver(engine, "T-OTHER-1", uscc(4), "2026-09-10", "normal", "2026-09-11")
    _deliver(engine, "T-OTHER-1", STRANGER, "2026-09-10", "unreachable", "2026-10-30")
    with engine.connect() as c:
        rows = [_fields(r) for r in read.public_results(c, "T-OTHER-1", settings, date(2026, 11, 1))]
    common = {"task_id": "T-OTHER-1", "matters": [], "scheduled_on": None, "inspected_on": "2026-09-10",
              "publish_by": "2026-10-14", "publish_by_provisional": False, "publish_by_estimate": None}
    assert rows == [
        {**common, "uscc": STRANGER, "name": None, "result_code": "unreachable",
         "result": "通过登记的住所（经营场所）无法联系", "doc_no": f"DOC-{STRANGER[-4:]}", "status": "published_late"},
        {**common, "uscc": uscc(4), "name": "企业4", "result_code": "normal", "result": "未发现问题",
         "doc_no": f"DOC-{uscc(4)[-4:]}", "status": "published"},
    ]


def test_the_results_of_a_drawn_task_with_one_delivered_outside_the_draw(engine: Engine,
                                                                           settings: Settings) -> None:
    load_store(engine, n=60)
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
    drawn = sorted(i["uscc"] for i in rec["inspections"])
    outside = next(uscc(i) for i in range(1, 60) if uscc(i) not in drawn and i % 40)
    _deliver(engine, draw_id, drawn[0], "2026-09-10", "normal", "2026-09-11")
    _deliver(engine, draw_id, outside, "2026-09-10", "not_disclosed", "2026-09-11")
    with engine.connect() as c:
        rows = {r["uscc"]: _fields(r) for r in read.public_results(c, draw_id, settings, date(2026, 11, 1))}
        published = read.published_results(c, draw_id, settings, date(2026, 11, 1))
    assert set(rows) == {*drawn, outside}
    assert rows[outside] == {
        "task_id": draw_id, "uscc": outside, "name": f"企业{int(outside[10:17])}", "matters": [],
        "scheduled_on": None, "inspected_on": "2026-09-10", "result_code": "not_disclosed",
        "result": "未按规定公示应当公示的信息", "doc_no": f"DOC-{outside[-4:]}", "publish_by": "2026-10-14",
        "publish_by_provisional": False, "publish_by_estimate": None, "status": "published"}
    assert rows[drawn[0]]["matters"] == ["annual_report"] and rows[drawn[0]]["status"] == "published"
    assert rows[drawn[0]]["scheduled_on"] is not None
    assert {r["status"] for u, r in rows.items() if u not in (drawn[0], outside)} == {"overdue"}
    assert [r["uscc"] for r in published] == sorted([drawn[0], outside])
