"""The Airflow 3 DAG `credit_nightly`, run for real with ``dag.test()`` on PostgreSQL."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit.night.steps import run_night
from credit.settings import Settings, get_settings
from dags.run_locally import without_deadlines
from tests.dropkit import code, csv_file, registration_row, write_night
from tests.fingerprints import fingerprints

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_dag_imports_without_errors(airflow_env: Path) -> None:
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    assert "credit_nightly" in bag.dag_ids


def test_publish_reads_no_xcom_of_the_mapped_ingest(airflow_env: Path) -> None:
    """Issue 15: publish took the mapped ingest's output (a lazy XCom sequence) and reading it past
    its end logged "XCom not found" each night; it now only runs after the ingest tasks (and after
    the region partitions, whose output it does not read either)."""
    from airflow.models import DagBag

    dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_nightly")
    publish, plan = dag.get_task("publish"), dag.get_task("plan_partitions")
    assert "partition" in publish.upstream_task_ids and "ingest" in plan.upstream_task_ids
    from airflow.sdk.definitions.xcom_arg import XComArg

    for t in (publish, plan):   # the tasks whose output they read: none of the mapped ones
        read = {op.task_id for op, _ in XComArg.iter_xcom_references((t.op_args, t.op_kwargs))}
        assert read and not read & {"ingest", "partition"}, (t.task_id, read)


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
    without_deadlines(dag)
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


def test_the_dag_runs_in_the_bureaus_clock_in_order_and_alerts(airflow_env: Path) -> None:
    """Operators' expectations (issue 12): Asia/Shanghai, catchup one night at a time, a deferrable
    wait with a timeout, retries but not for refusals, a failure alert and a lateness deadline."""
    from airflow.models import DagBag

    dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_nightly")
    assert str(dag.timetable.timezone) == "Asia/Shanghai"
    assert dag.timetable.expression == "0 1 * * *"
    assert dag.catchup is True and dag.max_active_runs == 1
    assert dag.start_date.isoformat() == "2026-07-12T17:00:00+00:00"  # night 2026-07-13, 01:00 in Beijing
    sensor = dag.get_task("wait_for_manifest")
    assert sensor.deferrable and sensor.timeout == 5 * 3600 and sensor.retries == 0
    assert dag.get_task("publish").retries == 3 and dag.get_task("publish").retry_exponential_backoff
    assert dag.get_task("publish").on_failure_callback
    (alert,) = dag.deadline
    assert alert.interval.total_seconds() == 30 * 3600  # 01:00 on D to 07:00 on D+1
    assert alert.callback.path == "credit_airflow.alerts.NightAlert"


def test_a_refused_night_fails_at_once_and_the_operator_is_told_why(
        airflow_env: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        webhook: list[dict[str, str]]) -> None:
    from airflow.models import DagBag

    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    night = date(2026, 7, 13)
    folder = write_night(tmp_path / "drop", night, {
        "registration.csv": csv_file("registration", "full", [registration_row(code())], "gb18030"),
    })
    with (folder / "registration.csv").open("ab") as f:  # the file no longer matches its checksum
        f.write(b"x")
    dag = without_deadlines(DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_nightly"))
    t0 = time.monotonic()
    run = dag.test(run_conf={"drop": str(tmp_path / "drop"), "night": night.isoformat()})
    get_settings.cache_clear()
    assert "failed" in str(run.state).lower()
    assert time.monotonic() - t0 < 60  # no retry waited for: retry_delay is a minute, doubling
    (ti,) = [ti for ti in run.get_task_instances() if ti.task_id == "open_night"]
    assert "failed" in str(ti.state).lower() and ti.try_number == 1
    (alert,) = webhook
    assert alert["kind"] == "failed" and alert["night"] == "2026-07-13"
    assert "open_night" in alert["subject"] and "registration.csv" in alert["text"]


def test_a_night_without_files_is_published_too(airflow_env: Path, database_url: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform had no changes: `ingest` maps over nothing, and the night is still recorded
    (otherwise the next night would refuse with night_gap)."""
    from airflow.models import DagBag

    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    first, empty = date(2026, 7, 13), date(2026, 7, 14)
    write_night(tmp_path / "drop", first, {
        "registration.csv": csv_file("registration", "full", [registration_row(code())], "gb18030"),
    })
    write_night(tmp_path / "drop", empty, {})
    dag = without_deadlines(DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_nightly"))
    for night in (first, empty):
        run = dag.test(run_conf={"drop": str(tmp_path / "drop"), "night": night.isoformat()})
        assert "success" in str(run.state).lower()
    engine = sa.create_engine(database_url)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from night_runs")).scalar() == 2
    engine.dispose()
    get_settings.cache_clear()


def test_the_dag_runs_a_night_in_region_partitions_as_credit_nightly_does(
        airflow_env: Path, database_url: str, second_settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: `plan_partitions` maps one `partition` task per region (here two prefectures),
    `publish` applies them at once; the state equals `credit nightly`'s in one transaction."""
    from airflow.models import DagBag

    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    night = date(2026, 7, 13)
    rows = [registration_row(code(region=r, body=f"MA2B3C{i}D")) for i, r in enumerate(("330106", "330206", "330212"))]
    write_night(tmp_path / "drop", night, {"registration.csv": csv_file("registration", "full", rows)})
    dag = DagBag(dag_folder=str(REPO / "dags")).get_dag("credit_nightly")
    without_deadlines(dag)
    run = dag.test(run_conf={"drop": str(tmp_path / "drop"), "night": night.isoformat(), "partitions": 2})
    assert str(run.state) in ("success", "DagRunState.SUCCESS")
    mapped = [ti for ti in run.get_task_instances() if ti.task_id == "partition"]
    assert sorted(ti.map_index for ti in mapped) == [0, 1]
    engine = sa.create_engine(database_url)
    with engine.connect() as c:
        summary = c.execute(sa.text("select summary from night_runs")).scalar_one()
    assert summary["partitions"]["count"] == 2
    run_night(tmp_path / "drop", night, second_settings)
    other = sa.create_engine(str(second_settings.database_url))
    assert fingerprints(engine) == fingerprints(other)
    engine.dispose()
    other.dispose()
    get_settings.cache_clear()
