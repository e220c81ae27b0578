"""The scheduled retention (``dags/credit_retention.py``): after each published night, the step of
``credit retention`` — a dry run unless ``retention.yaml`` says ``scheduled: apply`` — in a DAG run
of its own (issue 11; docs/deploy.md "Retention")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from credit.settings import Settings, get_settings
from tests.db.storage.test_partitioned_storage import aged_store  # noqa: F401 (the fixture)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
DUE = {"quarantine_2024_03", "quarantine_2024_05", "quarantine_2024_06"}


def _months(engine: Engine) -> set[str]:
    with engine.connect() as c:
        return set(c.execute(sa.text("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                                     "where i.inhparent = 'quarantine'::regclass")).scalars())


@pytest.fixture()
def scheduled(aged_store: Engine, database_url: str, settings: Settings, tmp_path: Path,  # noqa: F811
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The aged store as the worker's database, and a configuration folder of the bureau's own."""
    config = tmp_path / "config"
    config.mkdir()
    for p in Path(settings.config_dir).glob("*.yaml"):
        (config / p.name).write_bytes(p.read_bytes())
    monkeypatch.setenv("CREDIT_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(config))
    monkeypatch.delenv("CREDIT_RETENTION_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield config
    get_settings.cache_clear()


def _run(dag_id: str = "credit_retention") -> object:
    from airflow.models import DagBag

    return DagBag(dag_folder=str(REPO / "dags")).get_dag(dag_id).test()


def test_retention_runs_after_each_published_night_in_a_dag_of_its_own(airflow_env: Path) -> None:
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    nightly, dag = bag.get_dag("credit_nightly"), bag.get_dag("credit_retention")
    assert [a.name for a in dag.timetable.asset_condition.objects] == ["credit_night_published"]
    assert dag.task_ids == ["retention"] and "retention" not in nightly.task_ids   # never fails a night
    assert dag.max_active_runs == 1 and not dag.catchup
    assert dag.get_task("retention").on_failure_callback


def test_by_default_it_lists_the_months_due_and_drops_nothing(airflow_env: Path, aged_store: Engine,  # noqa: F811
                                                              scheduled: Path) -> None:
    run = _run()
    assert "success" in str(run.state).lower()  # type: ignore[attr-defined]
    assert DUE <= _months(aged_store)


def test_with_scheduled_apply_it_drops_them_as_credit_retention_apply_would(
        airflow_env: Path, aged_store: Engine, scheduled: Path) -> None:  # noqa: F811
    text = (scheduled / "retention.yaml").read_text(encoding="utf-8")
    (scheduled / "retention.yaml").write_text(text.replace("scheduled: dry_run", "scheduled: apply"), encoding="utf-8")
    before = _months(aged_store)
    run = _run()
    assert "success" in str(run.state).lower()  # type: ignore[attr-defined]
    assert _months(aged_store) == before - DUE


def test_asked_to_drop_as_a_role_that_may_not_it_fails_at_once_and_says_so(
        airflow_env: Path, aged_store: Engine, scheduled: Path, database_url: str,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch, webhook: list[dict[str, str]]) -> None:
    text = (scheduled / "retention.yaml").read_text(encoding="utf-8")
    (scheduled / "retention.yaml").write_text(text.replace("scheduled: dry_run", "scheduled: apply"), encoding="utf-8")
    writer = make_url(database_url).set(username="credit_writer").render_as_string(hide_password=False)
    monkeypatch.setenv("CREDIT_RETENTION_DATABASE_URL", writer)   # the night's role, as on a compose worker
    get_settings.cache_clear()
    with aged_store.begin() as c:
        c.exec_driver_sql("alter role credit_writer login")
    try:
        run = _run()
    finally:
        with aged_store.begin() as c:
            c.exec_driver_sql("alter role credit_writer nologin")
    assert "failed" in str(run.state).lower()  # type: ignore[attr-defined]
    (ti,) = run.get_task_instances()  # type: ignore[attr-defined]
    assert ti.try_number == 1                                    # not retried: a setting, not a fault
    assert DUE <= _months(aged_store)
    (alert,) = webhook
    assert alert["kind"] == "retention" and "nothing was dropped" in alert["text"], alert
    assert "needs the tables' owner" in alert["text"] and "CREDIT_RETENTION_DATABASE_URL" in alert["text"], alert
    assert "night" not in alert["subject"].lower(), alert
