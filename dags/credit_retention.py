"""
### credit_retention — operational data past its period, after each published night

`credit retention`, scheduled: `retention` plans every month of the operational tables
`config/retention.yaml` names (today the quarantine, kept `keep_months` before the last published
night; docs/storage.md "Retention") and, when that file says `scheduled: apply`, drops the months
due, in one transaction: the step `credit retention [--apply]` runs (`credit.retention.run`).
The default, `scheduled: dry_run`, drops nothing and lists in the task's log what is due, for an
officer to apply by hand (`credit retention --apply`, as the tables' owner).

Legal records are never reached: the decision log and its anchors, notices, publicity windows,
applications, grades, draws and the store's history have no period, and the database function
that drops a month refuses every table but the operational ones (migration 0026).

**When**: after each night's `publish` task of `credit_nightly` succeeds (the asset
`credit_night_published`): the period counts back from the last published night, so nothing new
can be due between two publications. A DAG run of its own, one at a time: it never fails, delays or
blocks a night. Unpause it with `credit_nightly` (DAGs are created paused).

**Role**: it connects with `CREDIT_RETENTION_DATABASE_URL`, else the worker's `CREDIT_DATABASE_URL`
(`credit_writer` in docker compose), which may plan but not drop: with `scheduled: apply` set the
owner's URL there (docs/deploy.md "Retention"), or the task fails at once, nothing dropped.

**Locks**: dropping a month locks the whole table, which a night being published holds; the drop
waits at most `lock_timeout_seconds` (retention.yaml, 30 by default), then gives up, nothing
dropped, and the task is retried like any lock time-out (the next published night's run tries
again too).

**Alerts** (`credit_airflow.alerts`, kind `retention`): a configuration that cannot be followed, or
a role that may not drop, fails at once without retries; a database that cannot be reached, or a
table that stays locked, is retried, then alerted.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from credit.schedule import load_schedule
from credit_airflow.alerts import NightAlert
from credit_airflow.audit import PUBLISHED
from credit_airflow.policy import task_defaults

SCHEDULE = load_schedule()  # config/schedule.yaml of CREDIT_CONFIG_DIR, read when the DAG is parsed
log = logging.getLogger(__name__)


@dag(
    dag_id="credit_retention",
    schedule=[PUBLISHED],   # after each published night
    start_date=SCHEDULE.logical_start(SCHEDULE.start_night),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["credit"],
    default_args=task_defaults(SCHEDULE, NightAlert("retention")),
)
def credit_retention() -> None:
    @task
    def retention() -> dict[str, Any]:
        from credit import retention as steps
        from credit.db import engine_for
        from credit.settings import get_settings

        settings = get_settings()
        connect = settings.model_copy(update={"database_url": settings.retention_database_url or settings.database_url})
        try:
            apply_ = steps.scheduled_apply(settings)
            with engine_for(connect).begin() as conn:
                done = steps.run(conn, settings, apply_)
        except steps.RetentionBusy as e:
            raise AirflowException(str(e)) from None   # a lock time-out: retried, then alerted
        except steps.RetentionError as e:
            raise AirflowFailException(str(e)) from None
        for m in done.months:
            log.info("%s %s %s..%s: %s (%s)", m["table"], m["partition"], m["start"] or "—", m["end"] or "—",
                     m["action"], m["reason"])
        due = [m["partition"] for m in done.months if m["action"] == "drop"]
        log.info("retention (%s): %s", done.config_version,
                 f"dropped {', '.join(done.dropped) or 'nothing'}" if done.applied else
                 f"dry run, nothing dropped; due: {', '.join(due) or 'nothing'} (scheduled: apply in retention.yaml "
                 "to drop, or `credit retention --apply` as the owner)")
        return {"applied": done.applied, "dropped": done.dropped, "due": due}

    retention()


credit_retention()
