"""Airflow for the end-to-end tests: its metadata database beside the tests' embedded PostgreSQL.

Airflow reads its configuration when it is first imported, so no test module imports it (nor
``credit_airflow``, which does) at the top: collection happens before this fixture sets the
environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from credit import db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
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
