"""A scoped night's bank-credit family (``sql/grading/bank_credit_scope.sql``): one probe of
bank_credit's key per entity of the scope, never a read of every row in the window, and the same
rows as ``bank_credit.sql`` gives for the same population.

The sizes are those where ``bank_credit.sql`` was planned as a scan of the whole window hashed
against the population, as at 1 M on night 2: 10,667 rows in the window, one month each, for
1,539 entities graded (with it the first test fails; with every 7th entity it is planned as a merge
over the whole key, with every 40th as probes)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.grading import indicators
from credit.grading.night import compute_grades, scoped_costs
from credit.night import scope as night_scope
from credit.settings import Settings
from tests.db.grading.helpers import NIGHT

ENTITIES = 20_000
SCOPE = [f"B{i:06d}" for i in range(0, ENTITIES, 7)]


def _province(c: sa.Connection, first_month: int = 2) -> None:
    """Every entity registered; banks' months ``first_month`` to 7 of 2026 (the window on NIGHT with
    3 months: 2026-04 to 2026-07), written in no order of USCC: every third entity has no report,
    every fifth none in the window, the others one report a month with figures that change from
    month to month."""
    c.execute(sa.text(
        "insert into registration (uscc, name, entity_kind, region_code, industry_code, registered_capital, "
        "established_on, status, legal_rep_hash, first_night, last_night) "
        "select 'B' || lpad(i::text, 6, '0'), '企业', 'enterprise', '110105', 'C13', 1, date '2020-01-01', "
        "'operating', 'H' || i, date '2026-07-01', date '2026-07-01' from generate_series(0, 19999) as i"))
    c.execute(sa.text(
        "insert into bank_credit (uscc, period, lenders, max_overdue_days, in_default, first_night, last_night) "
        "select 'B' || lpad(i::text, 6, '0'), '2026-0' || m, 1, (i * 7 + m * 13) % 120, (i + m) % 11 = 0, "
        "date '2026-07-01', date '2026-07-01' from generate_series(0, 19999) as i, generate_series(:m, 7) as m "
        "where i % 3 <> 0 and (i % 5 <> 0 or m < 4) order by md5(i::text || m)"), {"m": first_month})
    c.exec_driver_sql("analyze registration")
    c.exec_driver_sql("analyze bank_credit")


def test_a_scoped_nights_bank_family_probes_the_key(
        engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, Any]] = []
    real = indicators.copy_out

    def copy_out(conn: sa.Connection, query: str, types: Any, params: Any = None) -> Any:
        if "bank_credit" in query:
            seen.append((query, params))
        return real(conn, query, types, params)

    monkeypatch.setattr(indicators, "copy_out", copy_out)
    with engine.begin() as c:
        _province(c, 7)   # as at 1 M: one month each
        ctx = NightContext(NIGHT, "digest", settings, scope=night_scope.of_entities(c, SCOPE))
        compute_grades(c, ctx)
        assert len(seen) == 1
        query, params = seen[0]
        with scoped_costs(c, True):   # as the family is planned on the night
            raw = c.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute("explain " + query.strip().rstrip(";"), params)
                plan = "\n".join(str(r[0]) for r in cur.fetchall())
    assert "Seq Scan on bank_credit" not in plan, plan
    assert "bank_credit_pkey" in plan, plan


def test_the_probes_give_the_window_s_latest_month(engine: Engine) -> None:
    with engine.begin() as c:
        _province(c)
        night_scope.of_entities(c, SCOPE)
        n = indicators.create_population(c, True)
        probed = indicators.bank_credit(c, NIGHT, n, 3, probe=True)
        joined = indicators.bank_credit(c, NIGHT, n, 3)
    pd.testing.assert_frame_equal(probed, joined)
    assert n == len(SCOPE)
    # the entities without a report in the window are neutral; the others have their July figures
    i = [int(u[1:]) for u in SCOPE]
    want_days = [0 if k % 3 == 0 or k % 5 == 0 else (k * 7 + 7 * 13) % 120 for k in i]
    want_default = [False if k % 3 == 0 or k % 5 == 0 else (k + 7) % 11 == 0 for k in i]
    assert probed["bank_overdue_days"].tolist() == want_days
    assert probed["bank_default"].tolist() == want_default


def test_an_empty_month_hides_no_earlier_month_in_any_form(engine: Engine) -> None:
    # contracts.md §1: empty means unknown. Each field is the latest month in the window that carries
    # it: July's empty in_default and max_overdue_days say nothing, June's default and 120 days stand
    # (outsider's pass: the latest row read "no default"). The probes of a scoped night, the whole
    # population and chunks of it give the same.
    rows = {
        "BK1": [("2026-06", 120, True), ("2026-07", None, None)],     # June's figures stand
        "BK2": [("2026-05", 40, True), ("2026-06", None, None), ("2026-07", 0, None)],   # days July's, default May's
        "BK3": [("2026-03", 200, True), ("2026-07", None, None)],    # March is outside the window
        "BK4": [("2026-06", 95, True), ("2026-07", 0, False)],       # July known: cured
    }
    with engine.begin() as c:
        for u, months in rows.items():
            c.execute(sa.text(
                "insert into registration (uscc, name, entity_kind, region_code, industry_code, registered_capital, "
                "established_on, status, first_night, last_night) values (:u, :u, 'enterprise', '110105', 'C13', 1, "
                "'2020-01-01', 'operating', '2026-07-01', '2026-07-01')"), {"u": u})
            for period, days, default in months:
                c.execute(sa.text(
                    "insert into bank_credit (uscc, period, lenders, max_overdue_days, in_default, first_night, "
                    "last_night) values (:u, :p, 1, :d, :f, '2026-07-01', '2026-07-01')"),
                    {"u": u, "p": period, "d": days, "f": default})
        night_scope.of_entities(c, list(rows))
        n = indicators.create_population(c, True)
        probed = indicators.bank_credit(c, NIGHT, n, 3, probe=True)
        joined = indicators.bank_credit(c, NIGHT, n, 3)
        parts = []
        for start in range(0, n, 3):
            indicators.chunk_population(c, start, 3)
            parts.append(indicators.bank_credit(c, NIGHT, min(3, n - start), 3, bounds=indicators.chunk_bounds(c)))
        c.rollback()
    pd.testing.assert_frame_equal(probed, joined)
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), joined)
    assert probed.to_dict("list") == {"bank_overdue_days": [120, 0, 0, 0], "bank_default": [True, True, False, False]}
