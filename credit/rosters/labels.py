"""The Chinese names officers and the public read for the rosters' codes (issue 15).

The codes stay what machines read (``--json``, the API, the exports' values, contracts.md §2);
these labels are what a table, a page or a spreadsheet heading shows.
"""

from __future__ import annotations

ROSTER_LABELS = {"abnormal": "经营异常名录", "abnormal_status": "经营异常状态（个体工商户）",
                 "serious": "严重违法失信名单", "penalty": "行政处罚信息"}
"""The rosters (domain.md §3, §4) and penalty information (§5.3)."""

ACTION_LABELS = {"include": "列入", "escalate": "转入严重违法失信名单", "remove": "移出", "revoke": "撤销",
                 "correct": "更正", "notice": "告知", "refuse": "不予移出", "propose": "拟办（待审批）",
                 "reject": "驳回草稿", "proposal": "拟列入", "assess": "裁量评估", "consent": "上级同意",
                 "decline": "不予列入", "publish": "公示"}
"""Every ``roster_decisions.action`` (migration 0009)."""

STATE_LABELS = {"listed": "列入中", "removed": "已移出"}

ACTOR_LABELS = {"night": "每晚批处理", "officer": "承办人员", "party": "当事人"}
"""Who takes a procedure's next step."""


def roster_label(code: object) -> str:
    return "" if code is None else ROSTER_LABELS.get(str(code), str(code))


def action_label(code: object) -> str:
    return "" if code is None else ACTION_LABELS.get(str(code), str(code))
