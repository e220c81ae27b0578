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

# A 个体工商户 is not put on the roster but marked in abnormal-operation status, and re-filing
# restores its normal status (domain.md §2, 69号令): its entries are told in those words.
MARKING_STATE_LABELS = {"listed": "标记中", "removed": "已恢复正常记载状态"}


def state_label(state: object, roster: object = None) -> str:
    """An entry's state as read: 列入中 / 已移出, or for a 个体工商户's marking 标记中 / 已恢复正常记载状态."""
    labels = MARKING_STATE_LABELS if roster == "abnormal_status" else STATE_LABELS
    return "" if state is None else labels.get(str(state), str(state))


PROCEDURE_STATE_LABELS = {"pending": "办理中（尚未列入）", **STATE_LABELS,
                          "declined": ACTION_LABELS["decline"], "revoked": "已撤销"}
"""Where a serious-list procedure stands (``ProcedureView.state``, credit/rosters/serious.py):
still running, listed (列入中) or removed (已移出) as an entry is, declined (不予列入), or revoked."""


def procedure_state_label(state: object) -> str:
    return "" if state is None else PROCEDURE_STATE_LABELS.get(str(state), str(state))


ACTOR_LABELS = {"night": "每晚批处理", "officer": "承办人员", "party": "当事人"}
"""Who takes a procedure's next step."""


def roster_label(code: object) -> str:
    return "" if code is None else ROSTER_LABELS.get(str(code), str(code))


def action_label(code: object) -> str:
    """The generic name of an action code; where a decision is known, use :func:`decision_label`."""
    return "" if code is None else ACTION_LABELS.get(str(code), str(code))


RULE_LABELS = {
    ("any.refuse.objection", "refuse"): "异议不成立",
    ("any.revoke.objection_upheld", "revoke"): "异议成立，撤销原决定",
    ("pen.repair", "remove"): "信用修复，停止公示",
    ("pen.refuse.repair", "refuse"): "不予信用修复",
    ("pen.end.repair", "refuse"): "申请终止（处罚信息已不是申请人的）",
    ("ser.remove.early", "remove"): "提前移出",
    ("ser.remove.expiry", "remove"): "期满移出",
    ("ser.revoke.penalty_reassigned", "revoke"): "处罚决定经更正，当事人为其他主体，撤销列入",
    ("ser.revoke.penalty_dropped", "revoke"): "处罚信息已不在处罚记录中，撤销列入",
}
"""Decisions named by (rule, action) where the action code is shared by decisions of different
kinds (rules.yaml): ``refuse`` answers a repair application (不予移出) or an objection (异议不成立,
domain.md §3.4); ``revoke`` follows an upheld objection or a fact that never held. Keyed with the
action too: a draft's rejection (``reject``) keeps the rule of the draft it rejects."""

ROSTER_ACTION_LABELS = {
    ("abnormal_status", "include"): "标记为经营异常状态",
    ("abnormal_status", "remove"): "恢复正常记载状态",
    ("abnormal_status", "refuse"): "不予恢复正常记载状态",
    ("penalty", "remove"): "信用修复，停止公示",
    ("penalty", "refuse"): "不予信用修复",
}
"""A 个体工商户 is marked and restored, never listed or removed (domain.md §2, 69号令 arts. 13–18);
penalty information stops being published on repair (§5.1, §6)."""


def specific_label(action: object, rule_id: object = None, roster: object = None) -> str | None:
    """The name of a decision by its rule (where the action is shared) or its roster (where the
    roster names it otherwise); None where the action's own name is right."""
    if action is None:
        return None
    found = RULE_LABELS.get((str(rule_id), str(action))) if rule_id is not None else None
    if found is None and roster is not None:
        found = ROSTER_ACTION_LABELS.get((str(roster), str(action)))
    return found


def decision_label(action: object, rule_id: object = None, roster: object = None) -> str:
    """The name of the decision actually made: by its rule where the action is shared (an
    objection refused is 异议不成立, not 不予移出), by roster where the roster names it otherwise
    (a 个体工商户 is 标记, not 列入), else the action's name. Presentation only: the stored
    ``action`` never changes (the log is append-only)."""
    return specific_label(action, rule_id, roster) or action_label(action)
