"""The Chinese names officers read for a draw's codes (the command line and the bureau's draw page).

The codes stay what machines read (``--json``, the records, the API); these are what a table shows.
"""

from __future__ import annotations

STATE_LABELS = {"assigned": "已安排", "unstaffed": "检查人员不足，未安排", "unscheduled": "无可安排日期，未安排",
                "cancelled": "已取消"}
"""A drawn inspection's state (``draw_inspections.state``)."""

LEVEL_LABELS = {"district": "区县级", "city": "设区的市级", "province": "省级"}
"""Competence levels of the inspector draw (config/draws.yaml ``competence``, docs/draws.md)."""

RESULT_STATUS_LABELS = {"published": "已公示", "published_late": "已公示（超过公示期限）", "awaiting": "待公示",
                        "overdue": "逾期未公示", "not_inspected": "未实施检查", "cancelled": "已取消"}
"""Where an inspection's result stands against its publication limit (``credit.draws.read.public_results``,
domain.md §8)."""


def label(labels: dict[str, str], code: object) -> str:
    """``code``'s Chinese name in ``labels``, the code itself when it has none, '' for None."""
    return "" if code is None else labels.get(str(code), str(code))
