"""The Airflow 3 DAG `credit_nightly`, run for real with ``dag.test()`` on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit import db
from credit.settings import get_settings
from tests.dropkit import code, csv_file, registration_row, write_night

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def airflow_env(pg_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("airflow")
    meta = db.embedded_url(pg_dir, "airflow_meta")
    db.create_database_if_missing(meta)
    os.environ.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    })
    from airflow.utils import db as airflow_db

    airflow_db.resetdb(skip_init=False)
    yield home
    from airflow import settings as airflow_settings

    airflow_settings.dispose_orm()  # before the embedded server stops, not in an atexit hook after it


def test_dag_imports_without_errors(airflow_env: Path) -> None:
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    assert "credit_nightly" in bag.dag_ids


def test_dag_runs_a_night_and_a_rerun_changes_nothing(airflow_env: Path, database_url: str,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.models import DagBag

    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    night = date(2026, 7, 13)
    a, b = code(body="MA2B3C4D"), code(body="MA2B3C4E")
    write_night(tmp_path / "drop", night, {
        "registration.csv": csv_file("registration", "full", [registration_row(a), registration_row(b)], "gb18030"),
    })
    dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_nightly")
    conf = {"drop": str(tmp_path / "drop"), "night": night.isoformat()}
    run = dag.test(run_conf=conf)
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    engine = sa.create_engine(database_url)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from registration")).scalar() == 2
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 1
    run = dag.test(run_conf=conf)
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 1
        assert c.execute(sa.text("select count(*) from registration_history")).scalar() == 2
    engine.dispose()
    get_settings.cache_clear()
