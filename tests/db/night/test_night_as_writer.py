"""Nights run as ``credit_writer``, the role the Airflow workers connect as in production (docs/deploy.md §3,
docker-compose.yml): the same tables as the owner's nights, and publication empties the staging tables
by truncation, which that role may do on them since migration 0049 (until then it deleted their rows
and left their pages to autovacuum)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from credit import schema
from credit.contract.sources import SOURCES
from credit.night.staging import clear_published, staging_table
from credit.night.steps import run_night
from credit.sample import write_sample
from credit.settings import Settings
from tests.db.migrations import downgrade

N1 = date(2026, 7, 13)
DIGEST = {   # what a night decides and grades, compared between the two roles' databases
    "roster_decisions": "select md5(string_agg(concat_ws('|', seq, fact_key, decision_no, row_hash), ',' "
                        "order by seq)) from roster_decisions",
    "grade_ranges": "select md5(string_agg(concat_ws('|', uscc, grade, valid_from, valid_to), ',' "
                    "order by uscc, valid_from)) from grade_ranges",
    "quarantine": "select count(*) from quarantine",
    "night_runs": "select string_agg(night::text, ',' order by night) from night_runs",
}


@pytest.fixture()
def writer_login(engine: Engine) -> Iterator[None]:
    """credit_writer may log in (the embedded server trusts local logins); NOLOGIN again after."""
    with engine.begin() as c:
        c.exec_driver_sql("alter role credit_writer login")
    yield
    with engine.begin() as c:
        c.exec_driver_sql("alter role credit_writer nologin")


def _digest(url: str) -> dict[str, object]:
    e = sa.create_engine(url)
    try:
        with e.connect() as c:
            return {name: c.execute(sa.text(sql)).scalar() for name, sql in DIGEST.items()}
    finally:
        e.dispose()


def test_nights_as_the_writer_publish_and_equal_the_owners(settings: Settings, second_settings: Settings,
                                                          writer_login: None, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_sample(drop, 300, 2, seed=5, start=N1)
    as_writer = settings.model_copy(update={"database_url": make_url(str(settings.database_url)).set(
        username="credit_writer").render_as_string(hide_password=False)})
    for i in range(2):
        night = N1 + timedelta(days=i)
        run_night(drop, night, as_writer)           # raised "permission denied" at the staging's truncate
        run_night(drop, night, second_settings)     # the owner, for comparison
    e = sa.create_engine(str(settings.database_url))
    try:
        with e.connect() as c:
            assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 2
            for source in SOURCES.values():         # the staging was truncated: no row, no page left
                table = staging_table(source)
                assert c.execute(sa.text(f'select count(*) from "{table}"')).scalar() == 0, table
                assert c.execute(sa.text("select pg_relation_size(cast(:t as regclass))"), {"t": table}).scalar() == 0
    finally:
        e.dispose()
    assert _digest(str(settings.database_url)) == _digest(str(second_settings.database_url))


def _as_writer(url: str) -> str:
    return make_url(url).set(username="credit_writer").render_as_string(hide_password=False)


def test_the_writer_may_truncate_the_staging_tables_and_nothing_else(engine: Engine) -> None:
    """Migration 0049: TRUNCATE on the night's UNLOGGED staging tables only; legal records and the
    control tables keep what migration 0046 gave (no truncate)."""
    with engine.connect() as c:
        may = dict(c.execute(sa.text(
            "select c.relname, has_table_privilege('credit_writer', c.oid, 'truncate') from pg_class c "
            "where c.relnamespace = cast(current_schema() as regnamespace) and c.relkind in ('r', 'p')")).all())
    staging = {t for t in may if t.startswith("night_staging_")}
    assert {staging_table(s) for s in SOURCES.values()} | {"night_staging_files", "night_staging_quarantine"} <= staging
    assert {t for t, ok in may.items() if ok} == staging
    assert not may["roster_decisions"] and not may["role_table_grants"] and not may["quarantine"]


def _writer_may(engine: Engine, privilege: str) -> set[str]:
    """The tables, partitions and materialized views of the schema on which credit_writer holds ``privilege``."""
    with engine.connect() as c:
        return set(c.execute(sa.text(
            "select c.relname from pg_class c where c.relnamespace = cast(current_schema() as regnamespace) "
            "and c.relkind in ('r', 'p', 'm') and has_table_privilege('credit_writer', c.oid, :privilege)"),
            {"privilege": privilege}).scalars())


def _round_trip(engine: Engine, privilege: str, before: str) -> None:
    """Downgraded to ``before``, the writer holds ``privilege`` nowhere; upgraded again, where a fresh database gives it."""
    fresh = _writer_may(engine, privilege)
    assert fresh
    downgrade(engine, before)
    assert _writer_may(engine, privilege) == set()
    schema.upgrade(engine)
    assert _writer_may(engine, privilege) == fresh


def test_an_upgraded_database_grants_what_a_fresh_one_does_and_the_downgrade_takes_it_back(engine: Engine) -> None:
    _round_trip(engine, "truncate", "0048_night_rosters_config")


def test_publication_as_the_writer_truncates_the_staging_tables(settings: Settings, writer_login: None) -> None:
    e = sa.create_engine(_as_writer(str(settings.database_url)))
    try:
        truncated = clear_published(e, N1)   # until migration 0049: [] (every table cleared by delete)
    finally:
        e.dispose()
    assert sorted(truncated) == sorted(staging_table(s) for s in SOURCES.values())


def _writer_maintains(engine: Engine) -> set[str]:
    return _writer_may(engine, "maintain")


def _server_17(engine: Engine) -> bool:
    with engine.connect() as c:
        return int(c.exec_driver_sql("show server_version_num").scalar_one()) >= 170000


def test_the_writer_may_maintain_every_table_but_the_control_tables(engine: Engine) -> None:
    """Migration 0053: MAINTAIN (PostgreSQL 17+) on the store, the log, the grade ranges and the
    staging; not on the owner's control tables."""
    if not _server_17(engine):
        pytest.skip("MAINTAIN exists from PostgreSQL 17")
    maintained = _writer_maintains(engine)
    assert {"registration", "registration_history", "roster_decisions", "grade_ranges",
            "night_staging_registration"} <= maintained
    assert not {"role_table_grants", "alembic_version"} & maintained


def test_the_night_s_statistics_and_vacuum_take_effect_as_the_writer(settings: Settings, writer_login: None) -> None:
    """The statements a night runs as ``credit_writer`` on the log and the store: until migration
    0053 each was skipped with the server's warning 'permission denied to analyze'."""
    e = sa.create_engine(_as_writer(str(settings.database_url)))
    if not _server_17(e):
        e.dispose()
        pytest.skip("MAINTAIN exists from PostgreSQL 17")
    warnings: list[str] = []
    try:
        with e.connect() as c:
            c.connection.driver_connection.add_notice_handler(   # type: ignore[union-attr]
                lambda d: warnings.append(f"{d.severity}: {d.message_primary}"))
            c.exec_driver_sql("analyze roster_decisions")
            c.commit()
        with e.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.connection.driver_connection.add_notice_handler(   # type: ignore[union-attr]
                lambda d: warnings.append(f"{d.severity}: {d.message_primary}"))
            c.exec_driver_sql("vacuum registration")
    finally:
        e.dispose()
    assert warnings == []


def test_an_upgraded_database_grants_maintain_as_a_fresh_one_does_and_the_downgrade_takes_it_back(
        engine: Engine) -> None:
    if not _server_17(engine):
        pytest.skip("MAINTAIN exists from PostgreSQL 17")
    _round_trip(engine, "maintain", "0052_name_search_by_characters")
