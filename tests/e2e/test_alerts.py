"""The operators' alert (credit_airflow.alerts): what it says, and that it reaches a webhook both
as a task's failure callback and as the deadline callback the triggerer awaits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_env")]  # imports Airflow: see conftest.py


def test_the_night_is_the_logical_date_in_beijing() -> None:
    from credit_airflow.alerts import night_in

    # 2026-07-13 01:00 in Beijing is 2026-07-12 17:00 UTC: the night is the 13th, not the 12th.
    run = SimpleNamespace(conf={}, logical_date=datetime(2026, 7, 12, 17, 0, tzinfo=UTC))
    assert night_in({"params": {}, "dag_run": run}) == "2026-07-13"
    assert night_in({"params": {"night": "2026-07-01"}, "dag_run": run}) == "2026-07-01"
    # The deadline's context carries the run as JSON.
    assert night_in({"dag_run": {"logical_date": "2026-07-12T17:00:00Z", "conf": {}}}) == "2026-07-13"


def test_a_failure_names_the_night_the_task_and_the_reason() -> None:
    from credit_airflow.alerts import compose

    ti = SimpleNamespace(task_id="publish", try_number=1, log_url="http://airflow/log")
    alert = compose("failed", {"params": {"night": "2026-07-14"}, "ti": ti, "dag_run": SimpleNamespace(run_id="r1"),
                               "exception": RuntimeError("registration.csv: quarantine share 9% > 5%")})
    assert alert.night == "2026-07-14" and "publish" in alert.subject and "失败" in alert.subject
    assert "quarantine share 9% > 5%" in alert.body and "http://airflow/log" in alert.body


def test_the_failure_callback_posts_to_the_webhook(webhook: list[dict[str, str]]) -> None:
    from credit_airflow.alerts import NightAlert

    ti = SimpleNamespace(task_id="open_night", try_number=1, log_url="")
    NightAlert("failed").notify({"params": {"night": "2026-07-13"}, "ti": ti, "exception": ValueError("night_gap")})
    (sent,) = webhook
    assert sent["kind"] == "failed" and sent["night"] == "2026-07-13" and "night_gap" in sent["text"]


def test_the_triggerer_awaits_the_lateness_alert_by_its_path(webhook: list[dict[str, str]]) -> None:
    """Airflow's own CallbackTrigger runs the DAG's deadline callback, with the context the scheduler gives."""
    from airflow.sdk.definitions.callback import AsyncCallback
    from airflow.triggers.callback import CallbackTrigger

    from credit_airflow.alerts import NightAlert

    callback = AsyncCallback(NightAlert, kwargs={"kind": "late"})
    context = {"dag_run": {"dag_run_id": "scheduled__2026-07-12T17:00:00+00:00", "conf": {},
                           "logical_date": "2026-07-12T17:00:00+00:00"},
               "deadline": {"id": "x", "deadline_time": "2026-07-13T23:00:00+00:00"}}

    async def events() -> list[object]:
        trigger = CallbackTrigger(callback.path, dict(callback.kwargs, context=context))
        return [e.payload async for e in trigger.run()]

    *_, last = asyncio.run(events())
    assert "success" in str(last).lower(), last
    (sent,) = webhook
    assert sent["kind"] == "late" and sent["night"] == "2026-07-13"
    assert "未按时发布" in sent["subject"] and "07:00" in sent["text"] and "Asia/Shanghai" in sent["text"]


LATE_CONTEXT = {"dag_run": {"dag_run_id": "scheduled__2026-07-12T17:00:00+00:00", "conf": {},
                            "logical_date": "2026-07-12T17:00:00+00:00"},
                "deadline": {"id": "x", "deadline_time": "2026-07-13T23:00:00+00:00"}}


def test_a_late_night_published_meanwhile_is_told_as_published_late() -> None:
    from credit_airflow.alerts import compose

    alert = compose("late", LATE_CONTEXT, published=datetime(2026, 7, 13, 0, 30, tzinfo=UTC))
    assert alert.kind == "late" and "已于 2026-07-13 08:30 发布" in alert.subject
    assert "Yesterday's state" not in alert.body and "published at 2026-07-13 08:30" in alert.body
    assert "未按时发布" in compose("late", LATE_CONTEXT).subject   # not published: as before
    at_the_deadline = compose("late", LATE_CONTEXT, now=datetime(2026, 7, 13, 23, 0, 5, tzinfo=UTC))
    caught_up = compose("late", LATE_CONTEXT, now=datetime(2026, 7, 20, 3, 0, tzinfo=UTC))
    assert "补跑" not in at_the_deadline.body and "补跑" in caught_up.body


def test_the_lateness_alert_reads_whether_the_night_was_published(webhook: list[dict[str, str]], engine, settings,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    from credit.settings import get_settings
    from credit_airflow.alerts import NightAlert

    with engine.begin() as c:
        c.execute(sa.text("insert into night_runs (night, manifest_digest, config_version, started_at, finished_at, "
                          "summary) values ('2026-07-13', 'd', 'v', now(), '2026-07-13 00:30:00+00', '{}'::jsonb)"))
    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    get_settings.cache_clear()
    asyncio.run(NightAlert("late").async_notify(LATE_CONTEXT))
    NightAlert("late").notify({**LATE_CONTEXT, "dag_run": {**LATE_CONTEXT["dag_run"],
                                                            "logical_date": "2026-07-13T17:00:00+00:00"}})
    late_but_published, still_late = webhook
    assert "已于 2026-07-13 08:30 发布" in late_but_published["subject"]
    assert still_late["night"] == "2026-07-14" and "未按时发布" in still_late["subject"]
