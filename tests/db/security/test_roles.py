"""Least privilege (migration 0013): the writer, the API and the auditor, each limited by the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.engine import Connection, Engine

from credit.rosters.repair import apply_for_removal
from credit.settings import Settings
from tests.db.rosters.helpers import D, night, reg

A = "91110105MA00000012"
DENIED = "permission denied"


@contextmanager
def as_role(engine: Engine, role: str) -> Iterator[Connection]:
    """A transaction run as ``role`` (the test connects as superuser and drops its rights)."""
    with engine.connect() as c:
        c.exec_driver_sql(f"set role {role}")
        try:
            yield c
        finally:
            c.rollback()


def _refused(engine: Engine, role: str, sql: str) -> str:
    with as_role(engine, role) as c, pytest.raises(sqlalchemy.exc.ProgrammingError) as e:
        c.exec_driver_sql(sql)
    return str(e.value)


@pytest.fixture()
def listed(engine: Engine, settings: Settings) -> None:
    with engine.begin() as c:
        reg(c, A)
        night(c, settings, "2026-07-01")                  # 甲 listed: no 2025 annual report


def test_roles_exist_and_cannot_log_in_by_default(engine: Engine) -> None:
    with engine.connect() as c:
        rows = dict(c.execute(sa.text("select rolname, rolcanlogin from pg_roles where rolname like 'credit\\_%'")).all())
    assert rows == {"credit_writer": False, "credit_api": False, "credit_auditor": False}


@pytest.mark.usefixtures("listed")
def test_the_api_reads_and_records_applications_but_changes_nothing_else(engine: Engine, settings: Settings) -> None:
    with as_role(engine, "credit_api") as c:
        assert c.execute(sa.text("select count(*) from roster_decisions")).scalar() == 1
        assert c.execute(sa.text("select name from registration where uscc = :u"), {"u": A}).scalar()
    assert DENIED in _refused(engine, "credit_api", "update roster_decisions set cause = 'x' where seq = 1")
    assert DENIED in _refused(engine, "credit_api", "delete from roster_decisions")
    assert DENIED in _refused(engine, "credit_api",
                              "insert into registration (uscc, name, entity_kind, region_code, established_on, status, "
                              "first_night, last_night) values ('91110105MA00000025', 'x', 'enterprise', '110105', "
                              "'2020-01-01', 'operating', '2020-01-01', '2020-01-01')")
    assert DENIED in _refused(engine, "credit_api", "update api_keys set revoked_at = now()")
    # An application for removal: the API's one write, by the rosters' own rule.
    with as_role(engine, "credit_api") as c:
        out = apply_for_removal(c, A, "abnormal", D("2026-07-03"), settings=settings)
        assert out["id"] >= 1


@pytest.mark.usefixtures("listed")
def test_the_log_is_append_only_for_the_writer_too(engine: Engine, settings: Settings) -> None:
    assert DENIED in _refused(engine, "credit_writer", "update roster_decisions set cause = 'x' where seq = 1")
    assert DENIED in _refused(engine, "credit_writer", "delete from roster_chain_anchors")
    assert DENIED in _refused(engine, "credit_writer", "truncate roster_decisions")
    assert "must be owner" in _refused(engine, "credit_writer",
                                       "alter table roster_decisions disable trigger roster_decisions_append_only")
    # …and the night itself runs under it: the store, the log (append), anchors.
    with as_role(engine, "credit_writer") as c:
        c.exec_driver_sql("update registration set address = '北京市朝阳区新地址1号' where uscc = '91110105MA00000012'")
        night(c, settings, "2026-07-02")


@pytest.mark.usefixtures("listed")
def test_the_auditor_only_reads(engine: Engine) -> None:
    with as_role(engine, "credit_auditor") as c:
        assert c.execute(sa.text("select count(*) from roster_chain_anchors")).scalar() == 1
    assert DENIED in _refused(engine, "credit_auditor",
                              "insert into roster_requests (kind, uscc, roster, received_on) "
                              "values ('repair', '91110105MA00000012', 'abnormal', '2026-07-03')")
    assert DENIED in _refused(engine, "credit_auditor", "update registration set name = 'x'")


def test_granting_again_is_idempotent(engine: Engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql("select credit_grant_roles()")
        c.exec_driver_sql("select credit_grant_roles()")
    assert DENIED in _refused(engine, "credit_api", "delete from roster_decisions")


def test_the_auditor_can_take_a_backup(engine: Engine, settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from credit.backup import backup

    with engine.begin() as c:
        c.exec_driver_sql("alter role credit_auditor login")
    try:
        url = sa.engine.make_url(str(settings.database_url)).set(username="credit_auditor")
        out = backup(url.render_as_string(hide_password=False), tmp_path / "audit.dump", settings)
        assert out.stat().st_size > 0
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("alter role credit_auditor nologin")


def test_the_api_keeps_its_sessions_and_records_sign_ins_but_cannot_rewrite_them(engine: Engine) -> None:
    """Migration 0014 adds the sessions' tables to what the API role may write (role_table_grants)."""
    from credit.api.auth import create_key, principal_for
    from credit.api.sessions import SessionPolicy, end_session, log_event, session_principal, start_session

    with engine.begin() as c:
        _, key = create_key(c, "bureau", "科员甲", "test")
    policy = SessionPolicy()
    with as_role(engine, "credit_api") as c:
        who = principal_for(c, key)
        sid = start_session(c, who, "127.0.0.1", policy)
        assert session_principal(c, sid, policy) is not None     # touches last_seen_at: an update
        log_event(c, "login", who.key_id, who.name, "127.0.0.1")
        assert end_session(c, sid, "127.0.0.1")
    assert DENIED in _refused(engine, "credit_api", "update api_session_events set event = 'logout'")
    assert DENIED in _refused(engine, "credit_api", "insert into role_table_grants values ('credit_api', 'x', 'all')")


def test_the_writer_closes_grade_ranges(engine: Engine) -> None:
    """0015 (grades as validity ranges): a night closes a range with an UPDATE, which the writer may do."""
    import datetime as dt

    import pandas as pd

    from credit.grading.night import stage_grades, store_grades

    def graded(grade: str) -> pd.DataFrame:
        return pd.DataFrame({"uscc": [A], "grade": [grade], "score": [10.0], "reasons": ['[{"code": "TEST", "text": "测试"}]']})

    with as_role(engine, "credit_writer") as c:
        for day, grade in ((dt.date(2026, 7, 1), "A"), (dt.date(2026, 7, 2), "B")):
            stage_grades(c, day, "test", graded(grade))
            store_grades(c, day)
        rows = c.execute(sa.text("select grade, valid_to from grade_ranges where uscc = :u order by valid_from"),
                         {"u": A}).all()
    assert rows == [("A", dt.date(2026, 7, 2)), ("B", None)]


def test_the_writer_loads_a_first_night_with_the_indexes_in_place(engine: Engine) -> None:
    """A first night's bulk load drops and rebuilds a table's indexes only for a role that owns the
    table (credit.bulk): the writer, which owns none, loads into the empty store and grade ranges
    with the indexes kept, instead of failing on "must be owner"."""
    import datetime as dt

    import pandas as pd

    from credit.contract.sources import SOURCES
    from credit.night import merge
    from tests.dropkit import registration_row

    reg_source = SOURCES["registration"]
    frame = pd.DataFrame([{k: (v or None) for k, v in registration_row(A).items()}], columns=reg_source.column_names)
    with as_role(engine, "credit_writer") as c:
        indexes = c.exec_driver_sql("select indexname from pg_indexes where tablename = 'registration' order by 1").all()
        result = merge.merge(c, reg_source, frame, "full", dt.date(2026, 7, 13))
        assert (result.new, c.exec_driver_sql("select count(*) from registration_history").scalar_one()) == (1, 1)
        assert c.exec_driver_sql(
            "select indexname from pg_indexes where tablename = 'registration' order by 1").all() == indexes


# What a role may write is data (role_table_grants) that credit_grant_roles() turns into GRANT
# statements, run by whoever migrates (the owner). A role that could write that table could grant
# itself anything, and a row's text must never reach EXECUTE as SQL (migration 0046).
INJECTED = "select on night_runs to credit_writer; alter role credit_writer superuser; grant select"


@pytest.mark.parametrize("role", ["credit_writer", "credit_api", "credit_auditor"])
def test_no_runtime_role_writes_what_roles_may_write(engine: Engine, role: str) -> None:
    assert DENIED in _refused(engine, role, "insert into role_table_grants values ('credit_writer', 'night_runs', 'select')")
    assert DENIED in _refused(engine, role, "update role_table_grants set privileges = 'insert, update, delete'")
    assert DENIED in _refused(engine, role, "delete from role_table_grants")
    assert DENIED in _refused(engine, role, "update alembic_version set version_num = '0001_initial'")
    with as_role(engine, role) as c:                      # reading stays (what a role may write is no secret)
        assert c.execute(sa.text("select count(*) from role_table_grants")).scalar()


def _superuser(c: Connection) -> bool:
    return bool(c.execute(sa.text("select rolsuper from pg_roles where rolname = 'credit_writer'")).scalar())


def test_a_row_of_role_table_grants_is_refused_unless_it_names_privileges(engine: Engine) -> None:
    with engine.connect() as c, pytest.raises(sqlalchemy.exc.IntegrityError):
        c.exec_driver_sql(f"insert into role_table_grants values ('credit_writer', 'night_runs', '{INJECTED}')")
    with engine.connect() as c, pytest.raises(sqlalchemy.exc.IntegrityError):
        c.exec_driver_sql("insert into role_table_grants values ('postgres', 'night_runs', 'select')")


@pytest.mark.parametrize("row", [
    ("credit_writer", "night_runs", INJECTED),
    ("credit_writer", "night_runs", "all"),
    ("credit_writer", "night_runs", "select with grant option"),
    ("credit_writer; alter role credit_writer superuser; --", "night_runs", "select"),
    ("credit_writer", "night_runs; alter role credit_writer superuser", "select"),
])
def test_granting_runs_nothing_but_grants_whatever_the_table_holds(engine: Engine, row: tuple[str, str, str]) -> None:
    """Even a row written past the table's checks (by its owner, here with them dropped) is refused
    before anything runs: the privileges are keywords from a fixed set, names are quoted."""
    with engine.connect() as c:
        try:
            for check in ("role", "table", "privileges"):
                c.exec_driver_sql(f"alter table role_table_grants drop constraint if exists role_table_grants_{check}")
            c.execute(sa.text("insert into role_table_grants values (:r, :t, :p)"),
                      {"r": row[0], "t": row[1], "p": row[2]})
            try:
                with c.begin_nested():
                    c.exec_driver_sql("select credit_grant_roles()")
            except sqlalchemy.exc.DBAPIError:
                pass                                      # refusing the row is the expected outcome
            assert not _superuser(c)
            with c.begin_nested():
                c.exec_driver_sql("set local role credit_writer")
                assert c.execute(sa.text("select has_table_privilege('night_runs', 'delete')")).scalar()
                assert not c.execute(sa.text("select has_table_privilege('role_table_grants', 'insert')")).scalar()
                # nothing beyond the grants the catalogue names: no `all` (truncate, trigger,
                # references) and no grant option
                for extra in ("truncate", "trigger", "references", "select with grant option",
                              "delete with grant option"):
                    assert not c.execute(sa.text("select has_table_privilege('night_runs', :p)"),
                                         {"p": extra}).scalar(), extra
        finally:
            c.rollback()
