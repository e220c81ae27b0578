"""The decision stage's COPY text (``DecisionStage.add``, written by Arrow's CSV writer since
issue 11) gives the stage the very rows the CSV of pandas (``to_csv``, lines ending in CRLF) gave:
any text (a bare CR, LF, quotes, commas, an empty text), ids and dates of any kind, missing values.
The log's rows, and so their hashes, are made from the stage (domain.md §3, §4)."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.rosters.log import INSERT_COLUMNS, DecisionStage

_INT = ("entry_id", "refers_to", "request_id")
_DATE = ("trigger_date", "decision_date", "due_date", "due_provisional", "effective_until", "night")


def _by_pandas(c: Connection, frame: pd.DataFrame, rank: pd.Series | None) -> None:
    """The stage as ``DecisionStage.add`` wrote it before issue 11's change, into ``_roster_old``."""
    df = frame.reindex(columns=INSERT_COLUMNS).copy()
    for col in _INT:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in _DATE:
        df[col] = pd.to_datetime(df[col], errors="coerce").dt.strftime("%Y-%m-%d")
    df.insert(0, "ord", np.arange(0, len(df), dtype=np.int64))
    df["rank"] = pd.Series(rank.to_numpy(), index=df.index).astype("Int64") if rank is not None else None
    buf = io.BytesIO()
    df.to_csv(buf, index=False, header=False, na_rep="", encoding="utf-8", lineterminator="\r\n")
    c.exec_driver_sql("create temp table _roster_old (like _roster_new)")
    raw = c.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy("copy _roster_old from stdin with (format csv)") as cp:
        cp.write(buf.getvalue())


def _stages_equal(c: Connection, frame: pd.DataFrame, rank: pd.Series | None) -> None:
    c.exec_driver_sql("drop table if exists _roster_old")
    stage = DecisionStage(c)
    stage.add(frame, rank)
    _by_pandas(c, frame, rank)
    new = c.exec_driver_sql("select * from _roster_new order by ord").all()
    old = c.exec_driver_sql("select * from _roster_old order by ord").all()
    assert new == old
    assert len(new) == len(frame)


def _row(n: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "uscc": f"91110105MA{n:08d}", "roster": "abnormal", "action": "include", "proposed_action": None,
        "entry_id": None, "refers_to": None, "request_id": None, "cause_code": "annual_report",
        "cause": "未按照规定的期限公示年度报告", "basis": "《企业信息公示暂行条例》第十八条",
        "rule_id": "abnormal.annual_report", "rule_version": "2024.1",
        "facts": json.dumps({"report_year": 2025, "n": n}, ensure_ascii=False), "fact_key": f"k{n}",
        "trigger_date": date(2026, 7, 1), "decision_date": date(2026, 7, 13), "due_date": date(2026, 7, 31),
        "due_provisional": None, "due_note": None, "effective_until": None, "reason": None,
        "authority": "110105", "authority_name": "110105市场监督管理局", "doc_prefix": "110105市监信",
        "decision_no": None, "config_version": "test", "night": date(2026, 7, 13), "actor": "night"}
    row.update(over)
    return row


def test_the_stage_holds_what_the_csv_of_pandas_gave(engine) -> None:  # type: ignore[no-untyped-def]
    rows = [
        _row(1),
        _row(2, cause="文\r三路", reason="a\r\nb", due_note='say "no", twice', basis="\n"),   # bare CR, CRLF, quotes
        _row(3, reason="", due_note=" ", decision_no=""),            # an empty text is NULL, a blank is not
        _row(4, entry_id=7.0, refers_to="12", request_id=np.nan),    # ids as float, text, NaN
        _row(5, due_date="2026-08-03", effective_until=pd.Timestamp("2027-07-13"), due_provisional=pd.NaT),
        _row(6, due_date=None, trigger_date="not a date", entry_id="x"),   # unparseable: NULL
        _row(7, rule_version=2024, facts='{"a": "x\\ty", "b": [1, 2.50]}', reason=True),   # non-text in a text column
    ]
    frame = pd.DataFrame(rows, columns=INSERT_COLUMNS)
    with engine.connect() as c, c.begin():
        _stages_equal(c, frame, pd.Series([3, 1, 0, 3, 2, 3, 9]))
        _stages_equal(c, frame, None)
        c.rollback()


texts = st.none() | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8)
dates = st.none() | st.dates(date(1900, 1, 1), date(2200, 12, 31))
stage_row = st.fixed_dictionaries({
    "cause": texts, "reason": texts, "due_note": texts, "decision_no": texts, "doc_prefix": texts,
    "entry_id": st.none() | st.integers(1, 2**62), "refers_to": st.none() | st.integers(1, 10**9),
    "due_date": dates, "effective_until": dates, "due_provisional": dates})


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(stage_row, min_size=1, max_size=20), st.booleans())
def test_any_stage_text_is_what_the_csv_of_pandas_gave(engine, picks, ranked) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame([_row(n, **p) for n, p in enumerate(picks)], columns=INSERT_COLUMNS)
    rank = pd.Series([n % 4 for n in range(len(picks))]) if ranked else None
    with engine.connect() as c:
        tx = c.begin()
        try:
            _stages_equal(c, frame, rank)
        finally:
            tx.rollback()


def test_the_stage_table_is_the_one_the_writer_copies_into(engine) -> None:  # type: ignore[no-untyped-def]
    """The columns ``add`` writes are the stage's, in its order (``sql/rosters/decisions_stage.sql``)."""
    with engine.connect() as c, c.begin():
        c.exec_driver_sql(sqlfiles.text_of("rosters/decisions_stage"))
        names = [r[0] for r in c.exec_driver_sql(
            "select attname from pg_attribute where attrelid = 'pg_temp._roster_new'::regclass and attnum > 0 "
            "order by attnum")]
        assert names == ["ord", *INSERT_COLUMNS, "rank"]
        c.rollback()
