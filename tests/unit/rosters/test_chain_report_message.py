"""What ``credit audit verify`` and the audit DAG's failed task say about a broken decision log:
Chinese first, then English (common brief: bad news to an officer or operator in Chinese first).

It read ``decision log BROKEN at decision 3 (night 2026-07-02): …``, English only, as the last line
of the ``verify_decision_log`` task's log and the alert's reason, while the record of the heads
(its sibling message) was already ``锚点记录未通过校验 (anchor records BROKEN …)``.
"""

from __future__ import annotations

import re
from datetime import date

from credit.rosters.audit import ChainReport

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_broken_log_is_named_in_chinese_first_with_its_decision_and_night() -> None:
    report = ChainReport(ok=False, checked=4, broken_seq=3, problem="content changed", broken_night=date(2026, 7, 2))
    message = report.message()
    assert CJK.match(message), message
    assert "决定 3" in message and "2026-07-02" in message
    assert "BROKEN at decision 3 (night 2026-07-02)" in message and message.endswith("content changed")


def test_a_broken_log_without_a_known_night_is_named_too() -> None:
    message = ChainReport(ok=False, checked=1, broken_seq=1, problem="x").message()
    assert CJK.match(message) and "(decision log BROKEN at decision 1): x" in message, message


def test_an_intact_log_is_said_in_chinese_first_too() -> None:
    """``credit audit verify``, ``credit db restore`` and the audit DAG's task print this line to the
    operator on every good night: it read ``decision log intact: 12 decisions, …``, English only."""
    message = ChainReport(ok=True, checked=12, anchors=1, published=1, recorded=1).message()
    assert CJK.match(message), message
    assert "已核对 12 项决定" in message and "(decision log intact: 12 decisions" in message, message
