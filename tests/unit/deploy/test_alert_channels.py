"""One alert channel that fails does not silence the other.

``NightAlert`` posted to the webhook first and raised on its error, so with both
``CREDIT_ALERT_WEBHOOK`` and ``CREDIT_ALERT_EMAIL`` configured, a chat robot that was down (or
answered 500) meant the e-mail was never sent either: a failed night told nobody. Each channel
is now tried; a failure is logged and raised after the others were tried, so it still shows as a
failed callback in the task's (or triggerer's) log.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from credit.settings import get_settings


@pytest.fixture()
def broken_webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A webhook that answers 500 to every POST, and e-mail configured; yields the mails sent."""
    class Down(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Down)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sent: list[str] = []

    class Mail:   # Airflow's SMTP notifier, recorded: it needs an SMTP server and Airflow's connection
        def __init__(self, *, to: list[str], subject: str, html_content: str) -> None:
            self.to, self.subject = to, subject

        def notify(self, context: Any) -> None:
            sent.append(self.subject)

        async def async_notify(self, context: Any) -> None:
            sent.append(self.subject)

    monkeypatch.setattr("airflow.providers.smtp.notifications.smtp.SmtpNotifier", Mail)
    monkeypatch.setenv("CREDIT_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setenv("CREDIT_ALERT_EMAIL", "ops@example.gov.cn")
    get_settings.cache_clear()
    yield sent
    server.shutdown()
    get_settings.cache_clear()


CONTEXT = {"params": {"night": "2026-07-15"}, "ti": SimpleNamespace(task_id="publish", try_number=4, log_url=""),
           "exception": RuntimeError("connection refused")}


def test_a_webhook_that_fails_does_not_stop_the_email(broken_webhook: list[str]) -> None:
    from credit_airflow.alerts import NightAlert

    with pytest.raises(Exception, match="500"):       # the webhook's failure still shows in the log
        NightAlert("failed").notify(CONTEXT)
    (subject,) = broken_webhook
    assert "2026-07-15" in subject and "publish" in subject


def test_the_triggerers_lateness_alert_too(broken_webhook: list[str]) -> None:
    from credit_airflow.alerts import NightAlert

    context = {"dag_run": {"dag_run_id": "scheduled__2026-07-14T17:00:00+00:00", "conf": {},
                           "logical_date": "2026-07-14T17:00:00+00:00"},
               "deadline": {"id": "x", "deadline_time": "2026-07-15T23:00:00+00:00"}}
    with pytest.raises(Exception, match="500"):
        asyncio.run(NightAlert("late").async_notify(context))
    (subject,) = broken_webhook
    assert "未按时发布" in subject
