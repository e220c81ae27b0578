"""What an operator reads when a night is refused on Airflow: Chinese first, then English.

The task fails with ``AirflowFailException(message)``; the message is the last line of the task's
log and the reason in the alert. It read ``night 2026-07-15 refused: …`` — English first, unlike
``credit nightly``'s own refusal line and the house rule (common brief: Chinese first, then English).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from credit.night.issues import Issue, NightRefused
from tests.unit.deploy.dagkit import dag_module

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_refusal_fails_the_task_with_chinese_then_english_and_the_issue() -> None:
    from airflow.sdk.exceptions import AirflowFailException

    nightly = dag_module("credit_nightly")
    issue = Issue(code="night_gap", level="refusal", file="manifest.json",
                  zh="上一批次 2026-07-14 尚未发布", en="night 2026-07-14 is not published")
    with pytest.raises(AirflowFailException) as caught, nightly.refusals_fail_at_once():
        raise NightRefused(date(2026, 7, 15), [issue])
    message = str(caught.value)
    assert CJK.match(message), message                       # starts in Chinese
    assert "2026-07-15" in message and "refused" in message  # then English
    assert "上一批次 2026-07-14 尚未发布" in message and "[night_gap]" in message
