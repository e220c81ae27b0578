"""The scheduled audit of the decision log (``dags/credit_audit.py``): what links it to the night
and what its failure carries to the operators' alert.

``PUBLISHED`` is the asset the nightly DAG's ``publish`` task updates when it succeeds; the audit
DAG is scheduled on it, so it runs after each published night (a backlog's nights coalesce into
one run) in a DAG run of its own: a broken chain never fails, delays or blocks the night.
:func:`audit_timetable` adds a daily time trigger, at ``published_by`` in the bureau's clock, so the
log is walked also on days no night publishes (a drop that never came, a night refused, the DAG
paused): an edit to the log between nights is found within a day, not at the next publication.
:class:`ChainBroken` is how its task fails on a broken chain: at once, without retries, with the
first broken decision and night, which :func:`credit_airflow.alerts.compose` names.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable
from airflow.sdk.exceptions import AirflowFailException

from credit.schedule import Schedule

PUBLISHED = Asset(name="credit_night_published", uri="credit://nights/published")


def audit_timetable(schedule: Schedule) -> AssetOrTimeSchedule:
    """After each published night (the asset) or, whatever was published, every day at
    ``published_by`` in the bureau's timezone (``config/schedule.yaml``)."""
    daily = CronTriggerTimetable(f"{schedule.published_by.minute} {schedule.published_by.hour} * * *",
                                 timezone=schedule.timezone)
    return AssetOrTimeSchedule(timetable=daily, assets=[PUBLISHED])


class ChainBroken(AirflowFailException):
    """``credit audit verify`` would exit 1: the log or a record of its heads does not hold."""

    def __init__(self, message: str, seq: int | None, night: str | None) -> None:
        super().__init__(message)
        self.seq = seq
        self.night = night
