"""
### credit_audit — the whole decision log walked after each published night, and daily

`credit audit verify`, scheduled: `verify_decision_log` walks the whole hash chain of the decision
log (`credit.rosters.audit.audit_log`, the step the command runs) against the anchors in the
database, the heads the nights recorded and the signed anchor file outside it. The nightly
publication checks only the decisions after the last published head, and the API, exports and
certificates never walk the chain: without this DAG a decision edited in the database would be
served, and signed, until someone ran the command.

**When**: after each night's `publish` task of `credit_nightly` succeeds (it updates the asset
`credit_night_published`), and every day at `published_by` (07:00 by default) in the bureau's
timezone, whether a night published or not (`AssetOrTimeSchedule`, `credit_airflow.audit.audit_timetable`):
an edit to the log while no night publishes (a drop that never came, a refused night, the nightly DAG
paused) is found within a day. Nights published while an audit runs are covered by the next run;
unpausing makes one run, not one per day missed. A DAG of its own: its outcome never fails, delays
or blocks a night.

**Alerts** (`CREDIT_ALERT_EMAIL`, `CREDIT_ALERT_WEBHOOK`; `credit_airflow.alerts`): a broken chain
fails the task at once (no retry) and the alert names the first broken decision and night; a
database that cannot be reached is retried, then alerted as "could not check". Cost: docs/deploy.md.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import dag, task

from credit.schedule import load_schedule
from credit_airflow.alerts import NightAlert
from credit_airflow.audit import ChainBroken, audit_timetable
from credit_airflow.policy import task_defaults

SCHEDULE = load_schedule()  # config/schedule.yaml of CREDIT_CONFIG_DIR, read when the DAG is parsed
log = logging.getLogger(__name__)


@dag(
    dag_id="credit_audit",
    schedule=audit_timetable(SCHEDULE),   # after each published night, and daily at published_by
    start_date=SCHEDULE.logical_start(SCHEDULE.start_night),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["credit"],
    default_args=task_defaults(SCHEDULE, NightAlert("chain")),
)
def credit_audit() -> None:
    @task
    def verify_decision_log() -> dict[str, Any]:
        from credit.db import get_engine
        from credit.rosters.audit import audit_log
        from credit.settings import get_settings

        settings = get_settings()
        report = audit_log(get_engine(settings), settings)
        for w in report.warnings:
            log.warning("%s", w)
        if not report.ok:
            raise ChainBroken(report.message(), report.broken_seq,
                              report.broken_night.isoformat() if report.broken_night else None)
        log.info("%s", report.message())
        return {"checked": report.checked, "anchors": report.anchors, "published": report.published}

    verify_decision_log()


credit_audit()
