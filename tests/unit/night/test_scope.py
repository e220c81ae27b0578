"""The night's scope without a database: configured dates, scoped SQL (the
annual-report boundary: tests/unit/calendar/test_annual_reports.py)."""

from __future__ import annotations

from datetime import date

from credit.night.scope import NightScope, dates_in, scoped_sql


def test_every_date_written_in_a_configuration_is_found() -> None:
    doc = {"version": "x", "rules": [{"id": "a", "valid_from": date(2024, 5, 1)},
                                     {"id": "b", "versions": [{"from": "2025-12-25"}, {"from": "not-a-date"}]}],
           "facts_from": "2025-01-01", "n": 3, "text": "2025-13-01"}
    assert sorted(dates_in(doc)) == [date(2024, 5, 1), date(2025, 1, 1), date(2025, 12, 25)]


def test_scoped_sql_survives_a_trailing_comment_and_semicolon() -> None:
    sql = scoped_sql("select uscc from registration;\n-- the end\n")
    assert sql.endswith("where scoped.uscc = any(cast(:scope_usccs as text[]))")
    assert "select * from (\nselect uscc from registration\n) as scoped" in sql


def test_scoped_sql_folds_the_scope_s_entries_only() -> None:
    # issue 11: a scoped night reads its entities' entries by index, not the whole log's fold.
    sql = scoped_sql("select e.uscc from roster_entry_detail_as_of(:n) as e where e.state = 'listed'")
    assert "roster_entry_detail_as_of" not in sql
    assert "from roster_entry_detail_of(cast(:scope_usccs as text[]), :n) as e" in sql


def test_the_record_of_a_region_scope_names_its_prefix() -> None:
    rec = NightScope("region", False, 12, {"input:registration": 3}, "4403").as_dict()
    assert rec == {"mode": "region", "entities": 12, "reasons": {"input:registration": 3, "region_prefix:4403": 12}}
