"""The scheduled audit (``dags/credit_audit.py``): the whole decision log walked after each published
night, and a broken chain told to the operators through the alert channel (issue 14, tamper2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from credit.settings import Settings, get_settings
from tests.db.rosters.helpers import three_nights

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

A = "91110105MA00000012"
B = "91110105MA00000025"


def test_a_published_night_schedules_the_audit_in_a_dag_of_its_own(airflow_env: Path) -> None:
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    nightly, audit = bag.get_dag("credit_nightly"), bag.get_dag("credit_audit")
    (outlet,) = nightly.get_task("publish").outlets
    assert outlet.name == "credit_night_published"
    assert [a.name for a in audit.timetable.asset_condition.objects] == ["credit_night_published"]
    assert audit.task_ids == ["verify_decision_log"]           # not a task of the night: never fails it
    assert "verify_decision_log" not in nightly.task_ids
    task = audit.get_task("verify_decision_log")
    assert task.on_failure_callback and audit.max_active_runs == 1


def test_a_tampered_log_is_alerted_with_its_first_broken_decision_and_night(
        airflow_env: Path, database_url: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        webhook: list[dict[str, str]]) -> None:
    from airflow.models import DagBag

    engine = sa.create_engine(database_url)
    with engine.begin() as c:
        three_nights(c, settings, A, B)                       # seq 1, 2 (07-01) | 3 (07-02) | 4 (07-03)
    with engine.begin() as c:                                 # a superuser edits a published decision
        c.exec_driver_sql("set session_replication_role = replica")
        c.exec_driver_sql("update roster_decisions set cause = cause || '（已篡改）' where seq = 3")
        c.exec_driver_sql("set session_replication_role = origin")
    engine.dispose()
    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    get_settings.cache_clear()
    dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_audit")
    run = dag.test()
    get_settings.cache_clear()
    assert "failed" in str(run.state).lower()
    (ti,) = run.get_task_instances()
    assert ti.try_number == 1                                  # a broken chain is not retried
    (alert,) = webhook
    assert alert["kind"] == "chain" and alert["night"] == "2026-07-02", alert
    assert "decision 3" in alert["subject"] and "2026-07-02" in alert["subject"], alert
    assert "content changed" in alert["text"] and "restore" in alert["text"], alert
