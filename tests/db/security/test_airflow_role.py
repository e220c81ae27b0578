"""`credit db airflow-role`: in docker compose Airflow's metadata connection logs in as a role of its
own, `airflow`, owner of its metadata database only (docs/deploy.md §3), not as the project's owner
`credit`, a superuser whose password every Airflow container held. The compose file's init service
runs it before Airflow migrates, at every start: on a deployment made before it, the tables Airflow
created as `credit` are handed to `airflow`."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from credit.cli.main import app
from credit.roles import scram_verifier
from credit.settings import Settings

runner = CliRunner()
PASSWORD = "airflow-meta-secret"


@pytest.fixture()
def meta(cli_env: Settings, engine: Engine) -> Iterator[str]:
    """A metadata database as an earlier deployment left it: Airflow's tables created by the owner."""
    name = f"airflow_meta_{uuid.uuid4().hex[:8]}"
    auto = engine.execution_options(isolation_level="AUTOCOMMIT")
    with auto.connect() as c:
        c.exec_driver_sql(f"create database {name}")
    e = sa.create_engine(make_url(str(cli_env.database_url)).set(database=name))
    with e.begin() as c:
        c.exec_driver_sql("create table dag_run (id serial primary key, state text)")
        c.exec_driver_sql("create sequence loose_seq")
        c.exec_driver_sql("create view running as select id from dag_run where state = 'running'")
        c.exec_driver_sql("create type run_state as enum ('queued', 'running')")
    e.dispose()
    yield name
    with auto.connect() as c:
        c.exec_driver_sql(f"drop database {name} with (force)")
        if not c.execute(sa.text("select count(*) from pg_database d join pg_roles r on r.oid = d.datdba "
                                 "where r.rolname = 'airflow'")).scalar():
            c.exec_driver_sql("drop role if exists airflow")


def _owners(url: str, database: str) -> dict[str, str]:
    e = sa.create_engine(make_url(url).set(database=database))
    try:
        with e.connect() as c:
            rows = c.execute(sa.text(
                "select c.relname, pg_get_userbyid(c.relowner) from pg_class c "
                "where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v', 'S') "
                "union all select t.typname, pg_get_userbyid(t.typowner) from pg_type t "
                "where t.typnamespace = 'public'::regnamespace and t.typtype = 'e'")).all()
            return {str(n): str(o) for n, o in rows}
    finally:
        e.dispose()


def test_airflow_gets_a_login_of_its_own_owning_its_metadata_and_nothing_else(
        cli_env: Settings, engine: Engine, meta: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = str(cli_env.database_url)
    assert set(_owners(url, meta).values()) != {"airflow"}
    monkeypatch.setenv("AIRFLOW_DB_PASSWORD", PASSWORD)
    for _ in range(2):                                    # at every start: again changes nothing
        done = runner.invoke(app, ["db", "airflow-role", "--database", meta])
        assert done.exit_code == 0, done.output
        assert PASSWORD not in done.output
    with engine.connect() as c:
        login, superuser, createdb, verifier = c.execute(sa.text(
            "select rolcanlogin, rolsuper, rolcreatedb, rolpassword from pg_authid where rolname = 'airflow'")).one()
        owner = c.execute(sa.text("select pg_get_userbyid(datdba) from pg_database where datname = :d"),
                          {"d": meta}).scalar()
        reads_decisions = c.execute(sa.text("select has_table_privilege('airflow', 'roster_decisions', 'select')")
                                    ).scalar()
    head, _ = verifier.split("$", 1)[1].split("$")
    iterations, salt = head.split(":")
    assert login and not superuser and not createdb and owner == "airflow"
    assert scram_verifier(PASSWORD, base64.b64decode(salt), int(iterations)) == verifier
    assert not reads_decisions                            # nothing of the project's
    owners = _owners(url, meta)
    assert owners == dict.fromkeys(("dag_run", "dag_run_id_seq", "loose_seq", "running", "run_state"), "airflow")
    as_airflow = sa.create_engine(make_url(url).set(username="airflow", password=PASSWORD, database=meta))
    try:
        with as_airflow.begin() as c:                     # what `airflow db migrate` does
            c.exec_driver_sql("alter table dag_run add column note text")
            c.exec_driver_sql("create table log (id serial primary key)")
    finally:
        as_airflow.dispose()


def test_without_its_password_nothing_is_done(cli_env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_DB_PASSWORD", raising=False)
    done = runner.invoke(app, ["db", "airflow-role"])
    assert done.exit_code == 2 and "AIRFLOW_DB_PASSWORD" in done.output
    monkeypatch.setenv("AIRFLOW_DB_PASSWORD", "a@b")
    done = runner.invoke(app, ["db", "airflow-role"])
    assert done.exit_code == 2 and "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in done.output
