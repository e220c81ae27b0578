"""A drop that never arrived is told as such, in Chinese first, not as "Trigger timeout".

The manifest sensor defers; past ``drop_wait_hours`` the scheduler fails its trigger and the task
ends with Airflow's ``AirflowSensorTimeout("Trigger timeout")`` (the SDK's ``resume_execution``
with ``__fail__``). The alert's reason was that text alone: the operator had to know the sensor's
internals to read "the platform did not deliver the night".
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from credit.schedule import load_schedule


def test_the_sensors_timeout_says_which_manifest_did_not_arrive() -> None:
    from airflow.sdk.exceptions import AirflowSensorTimeout

    from credit_airflow.alerts import compose

    ti = SimpleNamespace(task_id="wait_for_manifest", try_number=1, log_url="http://airflow/log")
    alert = compose("failed", {"params": {"night": "2026-07-15", "drop": "/data/drop"}, "ti": ti,
                               "dag_run": SimpleNamespace(run_id="r1"),
                               "exception": AirflowSensorTimeout("Trigger timeout")})
    (reason,) = [line for line in alert.body.splitlines() if line.startswith("原因 (reason): ")]
    reason = reason.removeprefix("原因 (reason): ")
    assert re.match(r"[\u4e00-\u9fff]", reason), reason
    assert "/data/drop/2026-07-15/manifest.json" in reason
    hours = f"{load_schedule().drop_wait.total_seconds() / 3600:g}"
    assert f"{hours} 小时" in reason and f"{hours} hours" in reason and "Trigger timeout" in reason


def test_any_other_failure_keeps_its_own_reason() -> None:
    from credit_airflow.alerts import compose

    ti = SimpleNamespace(task_id="publish", try_number=4, log_url="")
    alert = compose("failed", {"params": {"night": "2026-07-15"}, "ti": ti,
                               "exception": RuntimeError("connection refused")})
    assert "原因 (reason): connection refused" in alert.body
