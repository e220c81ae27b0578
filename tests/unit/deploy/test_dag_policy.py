"""Every DAG takes its retry policy from one definition (``credit_airflow.policy.task_defaults``).

The policy (retries, doubling delay, its cap, the task time-out, the alert after the last try) was
written out twice, in ``dags/credit_nightly.py`` and ``dags/credit_audit.py``; a change to one
(say a longer time-out for the audit's walk of a grown log) would silently miss the other.
"""

from __future__ import annotations

import ast

import pytest

from credit.schedule import load_schedule
from tests.unit.deploy.dagkit import build_dag, dag_keyword

DAG_IDS = ["credit_nightly", "credit_audit", "credit_retention"]


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_the_dag_file_takes_its_default_args_from_the_shared_policy(dag_id: str) -> None:
    value = dag_keyword(dag_id, "default_args")
    assert isinstance(value, ast.Call) and isinstance(value.func, ast.Name), ast.dump(value)
    assert value.func.id == "task_defaults", f"dags/{dag_id}.py writes its own default_args"


@pytest.mark.parametrize(("dag_id", "kind"), [("credit_nightly", "failed"), ("credit_audit", "chain"),
                                                ("credit_retention", "retention")])
def test_every_task_gets_the_schedules_retries_and_its_dags_alert(dag_id: str, kind: str) -> None:
    from credit_airflow.policy import task_defaults

    schedule = load_schedule()
    dag = build_dag(dag_id)
    callbacks = [cb for t in dag.tasks
                 for cb in (t.on_failure_callback if isinstance(t.on_failure_callback, list) else [t.on_failure_callback])]
    (alert,) = {id(cb): cb for cb in callbacks}.values()     # one alert, on every task
    assert alert.kind == kind
    assert dag.default_args == task_defaults(schedule, alert)
    for task in dag.tasks:
        if task.task_id == "wait_for_manifest":            # the wait itself is the patience: no retry
            assert task.retries == 0
            continue
        assert (task.retries, task.retry_delay, task.max_retry_delay, task.execution_timeout) == (
            schedule.retries, schedule.retry_delay, schedule.max_retry_delay, schedule.task_timeout), task.task_id
        assert task.retry_exponential_backoff == 2.0
