"""The task policy both DAGs share (``credit_nightly``, ``credit_audit``): one definition of their retries.

Transient faults (a lost database connection, a lock time-out, a killed worker) are retried
``retries`` times, the delay doubling from ``retry_delay_seconds`` up to ``max_retry_delay_seconds``;
a task running past ``task_timeout_minutes`` is stopped and retried; after its last try the DAG's
alert is sent. A refusal or a broken chain fails at once (``AirflowFailException``): no retry.
All from ``config/schedule.yaml`` (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credit.schedule import Schedule


def task_defaults(schedule: Schedule, on_failure: Callable[..., None]) -> dict[str, Any]:
    """The ``default_args`` of every task of a credit DAG; ``on_failure``: its alert (``NightAlert``)."""
    return {
        "retries": schedule.retries,
        "retry_delay": schedule.retry_delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": schedule.max_retry_delay,
        "execution_timeout": schedule.task_timeout,
        "on_failure_callback": on_failure,
    }
