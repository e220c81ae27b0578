"""Penalty information as read on a date (as known after a night): what the bureau and the public see.

A penalty's state on D (domain.md §5.1, §6):

- ``not_published``: never published (warning only, 45号令 art. 2);
- ``pending``: D before its publicity period runs;
- ``published``: inside its window, not repaired, not withdrawn;
- ``ended``: the window is over (automatic end: minor 3 months, general 1 year, serious 3 years…);
- ``repaired``: a repair decision (信用修复) of the log stopped it on or before D;
- ``withdrawn``: the decision was revoked, changed or held void and the publicity withdrawn (art. 11).

The public sees only ``published`` penalties, and never one repaired or withdrawn by the latest
data (repair means the information is no longer published, domain.md §5.3).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.penalties.publicity import load_publicity_rules
from credit.rosters.known import KnownAt, night_limit, seq_limit
from credit.settings import Settings

CATEGORY_LABELS = {
    "food_safety": "食品安全", "drugs_devices_cosmetics": "药品、医疗器械、化妆品",
    "quality_special_equipment": "质量安全、特种设备安全", "consumer_rights": "消费者权益保护",
    "fair_competition": "公平竞争和市场秩序", "registration_fraud": "虚假登记", "unlicensed": "无证无照经营",
    "obstruction": "拒绝、阻碍监督检查", "false_disclosure": "公示信息弄虚作假", "other": "其他",
}
STATE_LABELS = {"not_published": "不予公示", "pending": "待公示", "published": "公示中", "ended": "公示期满，已停止公示",
                "repaired": "已信用修复，停止公示", "withdrawn": "处罚决定已撤销，撤回公示"}


class PenaltyView(TypedDict):
    """One penalty with its publicity window and its state on the date asked (dates ISO)."""

    case_no: str
    doc_no: str | None
    decided_on: str
    category: str | None
    category_label: str | None
    measures: list[str]
    fine_amount: float | None
    regime: str
    penalty_class: str
    class_label: str
    published: bool
    publicity_from: str | None
    publicity_until: str | None
    repair_from: str | None
    repair_note: str | None
    revoked_on: str | None
    withdrawn_on: str | None
    withdraw_due: str | None
    repaired_on: str | None
    repair_no: str | None
    basis: str
    state: str
    state_label: str


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, date) else None


def state_on(row: dict[str, Any], on: date) -> str:
    """The state of a penalty on ``on`` from its window row and repair decision."""
    if not row["published"]:
        return "not_published"
    if row["withdrawn_on"] is not None and row["withdrawn_on"] <= on:
        return "withdrawn"
    if row["repaired_on"] is not None and row["repaired_on"] <= on:
        return "repaired"
    if row["publicity_from"] is not None and on < row["publicity_from"]:
        return "pending"
    if row["publicity_until"] is not None and on > row["publicity_until"]:
        return "ended"
    return "published"


def repair_available(p: PenaltyView) -> bool:
    """Whether credit repair can stop the penalty's publicity early: its window has an earliest
    repair date. :func:`credit.penalties.publicity.window_of` gives none, with the class's
    ``repair_note`` saying why, to a penalty whose measures forbid an early stop (45号令 art. 14
    para. 3: suspension, restriction, practice ban, downgrading, licence or business-licence
    revocation — "不得提前停止公示", domain.md §5.2, §6), to a minor one that stops on its own and to
    one never published. The one rule for every reader (applications, the grading's advice)."""
    return p["repair_from"] is not None


def penalties_of(conn: Connection, uscc: str, as_of: date, known: KnownAt | None = None,
                 settings: Settings | None = None) -> list[PenaltyView]:
    """Every penalty of the entity decided by ``as_of``, with its state on ``as_of``.

    One entity, by a scalar parameter: PostgreSQL then keeps one generic plan for the prepared
    statement of a look-up. With an array of entities it planned every call again (its generic
    estimate for ``= any($1)`` assumes several), which was most of a look-up's database time."""
    rules = load_publicity_rules(settings)
    rows = sqlfiles.dict_rows(conn, sqlfiles.statement("penalties/entity_windows"),
                              {"u": uscc, "d": as_of, "k": night_limit(known), "s": seq_limit(known)})
    out: list[PenaltyView] = []
    for r in rows:
        st = state_on(dict(r), as_of)
        out.append({
            "case_no": r["case_no"], "doc_no": r["doc_no"], "decided_on": r["decided_on"].isoformat(),
            "category": r["category"], "category_label": CATEGORY_LABELS.get(r["category"] or "", r["category"]),
            "measures": list(r["measures"] or []),
            "fine_amount": float(r["fine_amount"]) if r["fine_amount"] is not None else None,
            "regime": r["regime"], "penalty_class": r["class"], "class_label": rules.label(r["class"]),
            "published": bool(r["published"]), "publicity_from": _iso(r["publicity_from"]),
            "publicity_until": _iso(r["publicity_until"]), "repair_from": _iso(r["repair_from"]),
            "repair_note": r["repair_note"], "revoked_on": _iso(r["revoked_on"]),
            "withdrawn_on": _iso(r["withdrawn_on"]), "withdraw_due": _iso(r["withdraw_due"]),
            "repaired_on": _iso(r["repaired_on"]), "repair_no": r["repair_no"], "basis": r["basis"],
            "state": st, "state_label": STATE_LABELS[st]})
    return out


def public_penalties(conn: Connection, uscc: str, as_of: date, latest: date, known: KnownAt | None = None,
                     settings: Settings | None = None) -> list[PenaltyView]:
    """What the public sees of an entity's penalties on ``as_of`` (as known after K when ``known``
    is given): published ones only, and none that the record through ``latest`` shows repaired or
    withdrawn, whatever ``known`` says. Repair stops publishing for good (domain.md §5.3): the
    record of a night K before the repair must not publish the penalty again, nor may a repair
    decided after the latest night (an officer deciding today) leave it public for the dates
    before the repair; the public read side passes rosters.read.WHOLE_RECORD unless ``as_of``
    lies on or after every decision of the entity (s35)."""
    on_date = penalties_of(conn, uscc, as_of, known, settings)
    shown = [p for p in on_date if p["state"] == "published"]
    if not shown:
        return []
    # Asked on (or after) the latest data of the whole record: the states just read are the latest ones.
    latest_states = on_date if known is None and as_of >= latest else \
        penalties_of(conn, uscc, max(as_of, latest), None, settings)
    later = {p["case_no"]: p["state"] for p in latest_states}
    return [p for p in shown if later.get(p["case_no"]) not in ("repaired", "withdrawn")]
