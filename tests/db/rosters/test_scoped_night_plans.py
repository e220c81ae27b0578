"""A scoped (incremental) night reads its entities' roster rows through indexes (issue 11): the
candidate queries of the rosters stage, run through ``credit.night.scope.frame``, never scan the
decision log, and give the rows of the whole-log query for the scope's entities."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.night import scope as night_scope
from credit.penalties.performance import COMPLETE_WHEN_DECIDED
from tests.db.rosters.helpers import serious_cases

ENTITIES = 3000
NIGHT = date(2026, 12, 31)

# The roster statements of the night that fold the log, with their parameters.
QUERIES: dict[str, dict[str, Any]] = {
    "rosters/entry_states": {"n": NIGHT},
    "rosters/fact_withdrawn": {"n": NIGHT},
    "rosters/removal_candidates": {"night": NIGHT, "hm": ["revoke_licence"], "complete": list(COMPLETE_WHEN_DECIDED)},
    "rosters/moot_applications": {"n": NIGHT},
    "rosters/auto_removal_candidates": {"n": NIGHT},
    "rosters/serious_expiries": {"n": NIGHT},
    "rosters/escalation_candidates": {"n": NIGHT, "s": ["operating"]},
    "penalties/pending_repairs": {"n": NIGHT, "complete": list(COMPLETE_WHEN_DECIDED)},
    "rosters/serious_procedures": {"n": NIGHT, "us": None, "ks": None, "kn": None},
}


def _log(engine: Engine) -> None:
    """Entities on the abnormal roster (every third removed) and serious-list procedures (every
    tenth entity: a proposal and its notice), with a repair application on every seventh."""
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, "
            "facts, fact_key, decision_date, authority, authority_name, config_version, actor) "
            "select 'U' || lpad(i::text, 6, '0'), 'abnormal', 'include', 'annual_report_missing', '未报', 'art. 8', "
            "'r', 't1', jsonb_build_object('report_year', 2024, 'period_end', '2025-06-30'), "
            "'annual_report_missing:U' || lpad(i::text, 6, '0') || ':' || '2024', date '2026-01-01' + (i % 200), "
            "'110105', '测试局', 't1', 'night' from generate_series(1, :n) as i"), {"n": ENTITIES})
        c.execute(sa.text(
            "insert into roster_decisions (uscc, roster, action, entry_id, cause_code, cause, basis, rule_id, "
            "rule_version, facts, decision_date, authority, authority_name, config_version, actor) "
            "select d.uscc, d.roster, 'remove', d.seq, d.cause_code, '移出', 'art. 9', 'r', 't1', '{}'::jsonb, "
            "d.decision_date + 30, '110105', '测试局', 't1', 'night' "
            "from roster_decisions as d where d.action = 'include' and d.seq % 3 = 0 order by d.seq"))
        serious_cases(c, ENTITIES)
        c.execute(sa.text(
            "insert into roster_requests (kind, uscc, roster, received_on, recorded_by, rule_id, rule_version, "
            "config_version) select 'repair', 'U' || lpad(i::text, 6, '0'), 'abnormal', date '2026-09-01', "
            "'clerk', 'abn.remove', 't1', 't1' from generate_series(7, :n, 7) as i"), {"n": ENTITIES})
        c.exec_driver_sql("analyze roster_decisions")
        c.exec_driver_sql("analyze roster_requests")


def _mine(values: dict[str, Any], usccs: list[str]) -> dict[str, Any]:
    """The parameters a scoped night passes: the serious-list cases of its entities (``:us``,
    credit.rosters.serious.read_cases)."""
    return {**values, "us": usccs} if "us" in values else values


def _scope(c: sa.Connection) -> list[str]:
    usccs = [f"U{i:06d}" for i in (3, 7, 10, 14, 30, 70, 700, 2999)]
    night_scope.of_entities(c, usccs)
    return usccs


def test_a_scoped_night_reads_no_whole_log(engine: Engine) -> None:
    _log(engine)
    with engine.begin() as c:
        usccs = _scope(c)
        for name, values in QUERIES.items():
            stmt = night_scope.scoped_sql(sqlfiles.text_of(name))
            plan = "\n".join(r[0] for r in c.execute(
                sa.text("explain " + stmt), {**_mine(values, usccs), night_scope.SCOPE_PARAM: usccs}))
            assert "Seq Scan on roster_decisions" not in plan, f"{name}:\n{plan}"
            assert "CTE Scan on step" not in plan, f"{name}:\n{plan}"   # a case × every step


def test_a_scoped_query_gives_the_whole_query_s_rows_of_its_entities(engine: Engine) -> None:
    _log(engine)
    scope = None
    with engine.begin() as c:
        usccs = _scope(c)
        scope = night_scope.NightScope("incremental", False, len(usccs))
        seen = 0
        for name, values in QUERIES.items():
            whole = sqlfiles.frame(c, name, values)
            mine = night_scope.frame(c, name, _mine(values, usccs), scope)
            assert list(mine.columns) == list(whole.columns), name
            cols = list(whole.columns)
            want = whole[whole["uscc"].isin(usccs)].astype(str).sort_values(cols, ignore_index=True)
            got = mine.astype(str).sort_values(cols, ignore_index=True)
            pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=name)
            seen += len(got)
        assert seen > 10   # the scope's entries, their removals, applications and procedures


def test_a_scoped_night_probes_the_annual_reports_of_its_entities(engine: Engine) -> None:
    """Cause 1 (domain.md §3.1) for a few entities reads their reports by key, not every report:
    the held rows of quarantine were a NOT EXISTS under an OR, which the planner costed once per
    row, so a scoped night read the whole table by hash (0.7 s at 1 M entities, growing with N)."""
    n = 20_000
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into registration (uscc, name, entity_kind, region_code, industry_code, registered_capital, "
            "established_on, status, first_night, last_night) select 'R' || lpad(i::text, 17, '0'), '企业', "
            "'enterprise', '110105', 'C13', 1, date '2020-01-01', 'operating', date '2026-07-01', date '2026-07-01' "
            "from generate_series(1, :n) as i"), {"n": n})
        c.execute(sa.text(
            "insert into annual_reports (uscc, report_year, filed_on, first_night, last_night) "
            "select 'R' || lpad(i::text, 17, '0'), y, make_date(y + 1, 5, 1), date '2026-07-01', date '2026-07-01' "
            "from generate_series(1, :n) as i, generate_series(2023, 2025) as y where i % 5 <> 0"), {"n": n})
        c.execute(sa.text(
            "insert into quarantine (night, file, line, source, rule, reason, raw) "
            "select date '2026-07-01', 'annual_reports.csv', i, 'annual_reports', 'malformed_record', '格式', "
            "jsonb_build_object('uscc', 'R' || lpad(i::text, 17, '0'), 'report_year', '2025') "
            "from generate_series(5, :n, 50) as i union all "   # and other entities' held rows, as a province has
            "select date '2026-07-01', 'annual_reports.csv', 100000 + i, 'annual_reports', 'malformed_record', '格式', "
            "jsonb_build_object('uscc', 'Q' || lpad(i::text, 17, '0'), 'report_year', '2025') "
            "from generate_series(1, :n / 2) as i"), {"n": n})
        for t in ("registration", "annual_reports", "quarantine"):
            c.exec_driver_sql(f"analyze {t}")
        usccs = [f"R{i:017d}" for i in (5, 10, 11, 55, 1000, 19_995)]   # 18 characters, as held rows need
        night_scope.of_entities(c, usccs)
        values = {"years": [2025], "period_ends": [date(2026, 6, 30)], "statuses": ["operating"],
                  "night": date(2026, 7, 15)}
        name = "rosters/annual_reports"
        c.exec_driver_sql("set local cursor_tuple_fraction = 1")   # as credit.night.scope.frames plans it
        plan = "\n".join(r[0] for r in c.execute(
            sa.text("explain " + night_scope.scoped_sql(sqlfiles.text_of(name))),
            {**values, night_scope.SCOPE_PARAM: usccs}))
        assert "Seq Scan on annual_reports" not in plan, plan
        whole = sqlfiles.frame(c, name, values)
        mine = night_scope.frame(c, name, values, night_scope.NightScope("incremental", False, len(usccs)))
        want = sorted(whole.loc[whole["uscc"].isin(usccs), "fact_key"])
        assert sorted(mine["fact_key"]) == want == [f"annual_report_missing:R{i:017d}:2025" for i in (10, 1000, 19_995)]
        c.rollback()
