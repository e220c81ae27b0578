"""The operators' alert: a night failed, or was not published in time.

One Airflow notifier, :class:`NightAlert`, is configured by environment (``credit.settings``):
``CREDIT_ALERT_EMAIL`` (addresses; sent through Airflow's SMTP connection ``smtp_default``, e.g.
``AIRFLOW_CONN_SMTP_DEFAULT``) and/or ``CREDIT_ALERT_WEBHOOK`` (a URL that receives a JSON
POST). With neither, the alert is only written to the log. It is the tasks'
``on_failure_callback`` (the refusal's reason is in the message) and the DAG's deadline
callback (run by the triggerer when a night is not published by ``published_by``), and the
failure callback of the audit DAG ``credit_audit`` (kind ``chain``: a broken decision log, named by
its first broken decision and night, or a log that could not be checked), and of the retention
DAG ``credit_retention`` (kind ``retention``: nothing was dropped, no night is affected).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import httpx
from airflow.sdk import BaseNotifier
from airflow.sdk.exceptions import AirflowSensorTimeout

from credit.settings import Settings, get_settings

log = logging.getLogger(__name__)
Kind = Literal["failed", "late", "chain", "retention"]


@dataclass(frozen=True)
class Alert:
    """What an operator is told: the subject line and the body, in Chinese with English in brackets."""

    kind: Kind
    night: str
    subject: str
    body: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "night": self.night, "subject": self.subject, "text": self.body,
                "msgtype": "text"}


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def night_in(context: Mapping[str, Any]) -> str:
    """The night of the run the context describes: its ``night`` param, else its logical date in the bureau's clock."""
    from credit.schedule import load_schedule

    params = context.get("params") or {}
    if params.get("night"):
        return str(params["night"])
    run = context.get("dag_run")
    conf = _get(run, "conf") or {}
    if conf.get("night"):
        return str(conf["night"])
    logical = context.get("logical_date") or _get(run, "logical_date") or _get(run, "run_after")
    if isinstance(logical, str):
        logical = datetime.fromisoformat(logical)
    if isinstance(logical, datetime):
        return load_schedule().night_of(logical).isoformat()
    return "?"


def published_at(night: str, settings: Settings) -> datetime | None:
    """When ``night`` was published, as the night's database says; None while it is not, and when
    the database cannot say (no ``CREDIT_DATABASE_URL`` in this process, or unreachable): the
    alert goes out all the same."""
    if not settings.database_url or night == "?":
        return None
    import sqlalchemy as sa

    from credit.night.read import published_at as night_published_at

    try:
        engine = sa.create_engine(settings.database_url)   # a plain read: no schema check in the triggerer
        try:
            with engine.connect() as conn:
                return night_published_at(conn, date.fromisoformat(night))
        finally:
            engine.dispose()
    except Exception as e:  # noqa: BLE001 - the alert is sent whatever the database answers
        log.warning("night %s: could not read whether it was published (%s)", night, e)
        return None


def _overdue_when_created(deadline: Any, now: datetime | None) -> bool:
    """Whether the alert is sent well after its deadline: the triggerer runs a deadline's callback at
    the deadline, so a run created after it (catch-up, unpausing on past nights) is alerted at once."""
    if now is None or deadline is None:
        return False
    try:
        at = deadline if isinstance(deadline, datetime) else datetime.fromisoformat(str(deadline))
    except ValueError:
        return False
    return at.tzinfo is not None and (now - at).total_seconds() > 600


def compose(kind: Kind, context: Mapping[str, Any], published: datetime | None = None,
            now: datetime | None = None) -> Alert:
    """The alert for a failed task (``context`` of a task) or a missed deadline (the deadline's
    context); ``published``: when the late night was published after all (a run created after its
    deadline — catch-up after downtime, a DAG unpaused on past nights — is late before it starts);
    ``now``: when the alert is sent (a run still unpublished whose deadline had long passed is said to
    be such a run)."""
    from credit.clock import local
    from credit.schedule import load_schedule

    night = night_in(context)
    run = context.get("dag_run")
    run_id = _get(run, "run_id") or _get(run, "dag_run_id") or "?"
    if kind == "late" and published is not None:
        schedule = load_schedule()
        at = f"{local(published):%Y-%m-%d %H:%M}"
        subject = f"[credit] 夜间批次 {night} 已于 {at} 发布，晚于 {schedule.published_by:%H:%M} (night {night} published late)"
        body = (f"夜间批次 {night} 应于 {schedule.published_by:%H:%M}（{schedule.timezone}）前发布，实际于 {at} 发布。"
                f"(Night {night} was due by {schedule.published_by:%H:%M} {schedule.timezone} and was published "
                f"at {at}.) Run {run_id}. Nothing to do for this night; if several nights are late, check "
                "why the runs were delayed (catch-up after downtime, a queue of runs).")
        return Alert(kind, night, subject, body)
    if kind == "late":
        schedule = load_schedule()
        deadline = _get(context.get("deadline"), "deadline_time")
        subject = f"[credit] 夜间批次 {night} 未按时发布 (night {night} not published in time)"
        body = (f"夜间批次 {night} 在 {schedule.published_by:%H:%M}（{schedule.timezone}）前未发布，"
                f"数据应于 {schedule.drop_expected_by:%H:%M} 前送达。"
                f"(Night {night} was not published by {schedule.published_by:%H:%M} {schedule.timezone}; "
                f"the drop was expected by {schedule.drop_expected_by:%H:%M}.) "
                f"Run {run_id}; deadline {deadline}. Yesterday's state is still the published one: "
                "check whether <drop>/<night>/manifest.json arrived and the run's task logs.")
        if _overdue_when_created(deadline, now):
            body += ("\n此批次在期限过后才创建（补跑或积压），可能随后即发布；若失败另行告警。"
                     "(The run was created after its deadline — a catch-up or a queue of runs — and may "
                     "publish shortly; a failure is alerted on its own.)")
        return Alert(kind, night, subject, body)
    ti = context.get("ti") or context.get("task_instance")
    task = _get(ti, "task_id") or "?"
    error = context.get("exception")
    if kind == "chain":
        return _chain(error, run_id, ti)
    if kind == "retention":
        return _retention(error, run_id, ti)
    reason = str(error) if error is not None else "see the task log"
    if isinstance(error, AirflowSensorTimeout):
        reason = _drop_missing(context, night, reason)
    url = _get(ti, "log_url") or ""
    subject = f"[credit] 夜间批次 {night} 失败：{task} (night {night} failed at {task})"
    body = (f"夜间批次 {night} 在任务 {task} 失败，未发布，昨日数据保持不变。"
            f"(Night {night} failed at task {task}; nothing was published, yesterday's state is unchanged.)\n"
            f"原因 (reason): {reason}\n"
            f"Run {run_id}, try {_get(ti, 'try_number') or '?'}. {url}\n"
            "A refusal names the file and the rule: fix the drop, then clear the run (later nights "
            "refuse with night_gap until this one is published; clear them afterwards, in order).")
    return Alert("failed", night, subject, body)


def _drop_missing(context: Mapping[str, Any], night: str, reason: str) -> str:
    """The manifest sensor's time-out (Airflow says only "Trigger timeout"): the drop did not arrive."""
    from credit.schedule import load_schedule

    schedule = load_schedule()
    hours = f"{schedule.drop_wait.total_seconds() / 3600:g}"
    drop = (context.get("params") or {}).get("drop") or "<drop>"
    manifest = f"{drop}/{night}/manifest.json"
    return (f"运行开始后 {hours} 小时内未收到 {manifest}，数据应于 {schedule.drop_expected_by:%H:%M} 前送达 "
            f"(the drop's manifest did not arrive within {hours} hours of the run's start; it was due by "
            f"{schedule.drop_expected_by:%H:%M} {schedule.timezone}). Ask the data-sharing platform; once it is there, "
            f"clear the run. [{reason}]")


def _chain(error: Any, run_id: str, ti: Any) -> Alert:
    """The audit DAG's alert: the first broken decision and night of a broken chain
    (:class:`credit_airflow.audit.ChainBroken`), else that the log could not be checked."""
    url = _get(ti, "log_url") or ""
    seq, night = getattr(error, "seq", None), getattr(error, "night", None)
    if hasattr(error, "seq"):
        where = (f"决定 {seq}（{night or '?'} 夜）" if seq is not None else "锚点记录")
        where_en = (f"decision {seq}, night {night or '?'}" if seq is not None else "a record of the heads")
        subject = f"[credit] 决定日志校验未通过：{where} (decision log BROKEN at {where_en})"
        body = (f"决定日志哈希链校验未通过，首个问题在{where}。(The decision log's hash chain does not hold; the first "
                f"problem is at {where_en}.)\n原因 (reason): {error}\n"
                f"Run {run_id}. {url}\n"
                "不要“修复”哈希链：从最近一次校验通过的备份恢复决定日志，并报告事件。(Do not \"fix\" the chain: restore "
                "the log from the last backup whose `credit audit verify` passed, and report the incident; until "
                "then the API, exports and certificates serve the altered log.)")
        return Alert("chain", night or "?", subject, body)
    reason = str(error) if error is not None else "see the task log"
    subject = "[credit] 决定日志未能校验 (the decision log could not be checked)"
    body = (f"定时校验决定日志未能完成，日志是否完好未知。(The scheduled audit of the decision log did not "
            f"complete: whether the log holds is unknown.)\n原因 (reason): {reason}\n"
            f"Run {run_id}, try {_get(ti, 'try_number') or '?'}. {url}\n"
            "Run `credit audit verify` once the database answers (exit 0: intact).")
    return Alert("chain", "?", subject, body)


def _retention(error: Any, run_id: str, ti: Any) -> Alert:
    """The retention DAG's alert: it runs in one transaction, so a failure dropped nothing, and no
    night waits on it; never "the night failed"."""
    reason = str(error) if error is not None else "see the task log"
    subject = "[credit] 过期运营数据清理未完成 (retention did not complete)"
    body = (f"定时的数据保留任务未完成，未删除任何数据；夜间批次不受影响。(The scheduled retention did not complete; "
            f"nothing was dropped and no night is affected.)\n原因 (reason): {reason}\n"
            f"Run {run_id}, try {_get(ti, 'try_number') or '?'}. {_get(ti, 'log_url') or ''}\n"
            "Run `credit retention` (a dry run) to see what is due; fix retention.yaml or the role the "
            "task connects as (CREDIT_RETENTION_DATABASE_URL, docs/deploy.md \"Retention\"), then clear the run.")
    return Alert("retention", "?", subject, body)


def _recipients(settings: Settings) -> list[str]:
    return [a.strip() for a in (settings.alert_email or "").split(",") if a.strip()]


def _html(alert: Alert) -> str:
    from html import escape

    return "<pre>" + escape(alert.body) + "</pre>"


class NightAlert(BaseNotifier):
    """Send :func:`compose`'s alert by e-mail and/or webhook, as the environment configures."""

    def __init__(self, kind: Kind = "failed", context: Any = None) -> None:
        super().__init__(context)
        self.kind: Kind = kind

    def _compose(self, context: Any) -> Alert:
        if self.kind != "late":
            return compose(self.kind, context)
        from credit.clock import utc_now

        return compose(self.kind, context, published_at(night_in(context), get_settings()), utc_now())

    def notify(self, context: Any) -> None:
        alert = self._compose(context)
        log.warning("%s\n%s", alert.subject, alert.body)
        settings = get_settings()
        failed: list[BaseException] = []
        if settings.alert_webhook:
            try:
                httpx.post(settings.alert_webhook, json=alert.as_json(), timeout=30).raise_for_status()
            except Exception as e:  # noqa: BLE001 - the e-mail goes out all the same
                failed.append(_channel_failed("webhook", e))
        if to := _recipients(settings):
            from airflow.providers.smtp.notifications.smtp import SmtpNotifier

            try:
                SmtpNotifier(to=to, subject=alert.subject, html_content=_html(alert)).notify(context)
            except Exception as e:  # noqa: BLE001 - reported with the webhook's below
                failed.append(_channel_failed("e-mail", e))
        _raise_first(failed)

    async def async_notify(self, context: Any) -> None:
        import asyncio

        alert = await asyncio.to_thread(self._compose, context)   # the database read off the event loop
        log.warning("%s\n%s", alert.subject, alert.body)
        settings = get_settings()
        failed: list[BaseException] = []
        if settings.alert_webhook:
            try:
                async with httpx.AsyncClient(timeout=30) as client:
                    (await client.post(settings.alert_webhook, json=alert.as_json())).raise_for_status()
            except Exception as e:  # noqa: BLE001 - the e-mail goes out all the same
                failed.append(_channel_failed("webhook", e))
        if to := _recipients(settings):
            from airflow.providers.smtp.notifications.smtp import SmtpNotifier

            try:
                await SmtpNotifier(to=to, subject=alert.subject, html_content=_html(alert)).async_notify(context)
            except Exception as e:  # noqa: BLE001 - reported with the webhook's below
                failed.append(_channel_failed("e-mail", e))
        _raise_first(failed)


def _channel_failed(channel: str, error: BaseException) -> BaseException:
    """Log that one channel could not deliver the alert; the others are still tried."""
    log.error("告警未能通过 %s 发送 (the alert could not be sent by %s): %s", channel, channel, error)
    return error


def _raise_first(failed: list[BaseException]) -> None:
    """After every channel was tried: a failed one fails the callback, so Airflow's log shows it."""
    if failed:
        raise failed[0]
