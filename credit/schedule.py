"""When the nightly run happens, in the bureau's clock (``config/schedule.yaml``).

The Airflow DAG ``credit_nightly`` is built from this record; nothing here imports Airflow. Night
``D`` is the logical date of its run in the bureau's timezone: the run's interval starts at
``run_at`` on D and it starts at ``run_at`` on D+1, once the platform has delivered D's drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from credit.config import load_config
from credit.settings import Settings


@dataclass(frozen=True)
class Schedule:
    version: str
    timezone: str
    run_at: time
    drop_expected_by: time
    drop_wait: timedelta
    published_by: time
    start_night: date
    end_night: date | None
    retries: int
    retry_delay: timedelta
    max_retry_delay: timedelta
    task_timeout: timedelta

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def cron(self) -> str:
        """The run's start, every day, as a cron expression (read in :attr:`timezone`)."""
        return f"{self.run_at.minute} {self.run_at.hour} * * *"

    def logical_start(self, night: date) -> datetime:
        """The logical date of night ``night``'s run: ``run_at`` on that day, in the bureau's clock."""
        return datetime.combine(night, self.run_at, self.zone)

    def night_of(self, logical: datetime) -> date:
        """The night a run processes: its logical date read in the bureau's clock."""
        return logical.astimezone(self.zone).date()

    @property
    def lateness(self) -> timedelta:
        """From a run's logical date (``run_at`` on D) to ``published_by`` on D+1."""
        return (datetime.combine(date(2000, 1, 2), self.published_by)
                - datetime.combine(date(2000, 1, 1), self.run_at))


def _time(value: object, key: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError as e:
        raise ValueError(f"schedule.yaml: {key} must be HH:MM, not {value!r}") from e


def load_schedule(settings: Settings | None = None) -> Schedule:
    doc = load_config("schedule", settings)
    end = doc.get("end_night")
    schedule = Schedule(
        version=doc.version, timezone=str(doc["timezone"]),
        run_at=_time(doc["run_at"], "run_at"), drop_expected_by=_time(doc["drop_expected_by"], "drop_expected_by"),
        drop_wait=timedelta(hours=float(doc["drop_wait_hours"])),
        published_by=_time(doc["published_by"], "published_by"),
        start_night=date.fromisoformat(str(doc["start_night"])),
        end_night=None if end is None else date.fromisoformat(str(end)),
        retries=int(doc["retries"]), retry_delay=timedelta(seconds=float(doc["retry_delay_seconds"])),
        max_retry_delay=timedelta(seconds=float(doc["max_retry_delay_seconds"])),
        task_timeout=timedelta(minutes=float(doc["task_timeout_minutes"])),
    )
    ZoneInfo(schedule.timezone)  # an unknown timezone fails when the DAG is parsed, not at night
    if schedule.lateness <= timedelta(days=1) + schedule.drop_wait:
        raise ValueError("schedule.yaml: published_by must come after the drop wait ends (run_at + drop_wait_hours)")
    return schedule
