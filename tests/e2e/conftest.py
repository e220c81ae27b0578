"""Airflow for the end-to-end tests: its metadata database beside the tests' embedded PostgreSQL.

Airflow reads its configuration when it is first imported, so no test module imports it (nor
``credit_airflow``, which does) at the top: collection happens before this fixture sets the
environment.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from credit import db
from credit.settings import get_settings

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


@pytest.fixture()
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, str]]]:
    """A local webhook receiver for the operators' alerts (CREDIT_ALERT_WEBHOOK); yields what it received."""
    received: list[dict[str, str]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("CREDIT_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.delenv("CREDIT_ALERT_EMAIL", raising=False)
    get_settings.cache_clear()
    yield received
    server.shutdown()
    get_settings.cache_clear()
