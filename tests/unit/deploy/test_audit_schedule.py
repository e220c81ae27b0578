"""The audit DAG walks the decision log after each published night, and daily whatever is published.

Scheduled only on the asset ``credit_night_published``, ``credit_audit`` did not run while no night
published (a drop that never came, a refused night, the nightly DAG paused after a failure): a
decision edited in the database between nights was served, and signed, until the next publication.
The schedule is Airflow 3's ``AssetOrTimeSchedule``: the asset, or every day at ``published_by`` in
the bureau's clock. Checked on the DAG's own timetable as the scheduler reads it (serialized, then
decoded into Airflow's core timetable), not on a mock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from credit.schedule import load_schedule
from tests.unit.deploy.dagkit import build_dag


def scheduler_timetable() -> Any:
    """``credit_audit``'s timetable as the scheduler gets it from the serialized DAG."""
    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable

    return decode_timetable(encode_timetable(build_dag("credit_audit").timetable))


def test_the_audit_runs_on_the_published_asset_or_a_daily_time() -> None:
    from airflow.timetables.assets import AssetOrTimeSchedule

    timetable = scheduler_timetable()
    assert isinstance(timetable, AssetOrTimeSchedule), type(timetable)
    timetable.validate()
    assert [a.name for a in timetable.asset_condition.objects] == ["credit_night_published"]
    assert timetable.periodic and timetable.can_be_scheduled


def test_the_daily_run_is_at_published_by_in_the_bureaus_clock_every_day() -> None:
    from airflow.timetables.base import TimeRestriction

    schedule = load_schedule()
    dag = build_dag("credit_audit")
    timetable = scheduler_timetable()
    restriction = TimeRestriction(earliest=dag.start_date, latest=None, catchup=True)
    first = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    second = timetable.next_dagrun_info(last_automated_data_interval=first.data_interval, restriction=restriction)
    for info in (first, second):
        local = info.run_after.astimezone(schedule.zone)
        assert (local.hour, local.minute) == (schedule.published_by.hour, schedule.published_by.minute), local
    assert second.run_after - first.run_after == timedelta(days=1)
    # 07:00 in Asia/Shanghai is 23:00 UTC the day before: the bureau's clock, not the server's
    assert first.run_after == datetime.combine(schedule.start_night, schedule.published_by, schedule.zone)


def test_without_catchup_a_paused_audit_walks_the_log_once_not_once_per_missed_day() -> None:
    """Unpausing the audit (or a scheduler back after downtime) makes one run, at the last
    ``published_by`` passed, not one per day missed (``catchup=False``): one walk covers them all."""
    from airflow.timetables.base import TimeRestriction

    dag = build_dag("credit_audit")
    assert dag.catchup is False and dag.max_active_runs == 1
    timetable = scheduler_timetable()
    schedule = load_schedule()
    now = datetime.now(tz=schedule.zone)
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None, restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=False))
    assert now - timedelta(days=1) < info.run_after <= now, info
    local = info.run_after.astimezone(schedule.zone)
    assert (local.hour, local.minute) == (schedule.published_by.hour, schedule.published_by.minute), local
