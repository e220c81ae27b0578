"""The officers' steps of a serious-list procedure (domain.md §4): the art. 12 assessment (44号令
art. 12: intent, frequency, harm) and the next-higher bureau's consent, each refused with a reason
in Chinese and English when the procedure does not owe it (:class:`Refused`). The procedure itself
is :mod:`credit.rosters.serious`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, TypedDict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.rosters.authorities import higher_authority
from credit.rosters.env import RosterEnv
from credit.rosters.log import LOCK_KEY, finalise, insert_decisions
from credit.rosters.serious import Case, NextStep, as_date, read_cases, step_row
from credit.settings import Settings

INTENT = ("intentional", "negligent", "no_intent_proven")
"""The art. 12 finding on intent; ``no_intent_proven`` (当事人能够证明没有主观故意) excludes listing."""
OUTCOMES = ("list", "not_list")
CONSENT_OUTCOMES = ("granted", "refused")


class Refused(Exception):
    """An officer's step that cannot be recorded as asked; the message says why (Chinese and English)."""


class OfficerStep(TypedDict):
    """What an officer's step appended to the log."""

    seq: int
    action: str
    decision_no: str | None
    case_no: str


def _case_for(conn: Connection, env: RosterEnv, ref: str, on: date) -> Case:
    """The procedure a reference names: the penalty's case number, or the seq/文号 of one of its steps."""
    ref = ref.strip()
    by = "seq = :r" if ref.isdigit() else "decision_no = :r"
    row = conn.execute(sa.text(f"select fact_key from roster_decisions where roster = 'serious' and {by}"),
                       {"r": int(ref) if ref.isdigit() else ref}).mappings().first()
    case_no = ref
    if row is not None and row["fact_key"] and ":penalties:" in row["fact_key"]:
        case_no = str(row["fact_key"]).split(":penalties:", 1)[1]
    for c in read_cases(conn, env, on):
        if c.case_no == case_no:
            _not_before_latest(conn, c, on)
            return c
    raise Refused(f"{ref} 不是严重违法失信名单列入程序中的案件 (no serious-list procedure for {ref!r} on {on.isoformat()})")


def _not_before_latest(conn: Connection, case: Case, on: date) -> None:
    """Refuse an officer's step dated before a decision the log already holds for the procedure:
    the step is judged on the case as of ``on``, and a later step (a revocation, a consent, the
    listing) recorded meanwhile would otherwise be ignored — the log is append-only, and what it
    said of an earlier day must not change afterwards (domain.md §4)."""
    latest = conn.execute(sqlfiles.statement("rosters/serious_case_latest"), {"k": case.case_no}).scalar()
    if latest is not None and on < latest:
        raise Refused(f"案件 {case.case_no} 已有 {latest.isoformat()} 的决定，不能补记更早日期（{on.isoformat()}）的步骤 "
                      f"(case {case.case_no} has a decision of {latest.isoformat()}: a step cannot be dated "
                      f"{on.isoformat()}, before it)")


def _officer_rows(conn: Connection, env: RosterEnv, rows: list[dict[str, Any]], on: date, officer: str) -> list[OfficerStep]:
    out = finalise(pd.DataFrame(rows), env, on, actor=officer, night=None, drafts=False)
    if len(out) != len(rows):
        raise Refused(f"规则在 {on.isoformat()} 未生效 (a rule of these steps is not in force on {on.isoformat()})")
    ins = insert_decisions(conn, out)
    return [{"seq": int(s), "action": str(a), "decision_no": None if pd.isna(n) else str(n),
             "case_no": str(k).split(":penalties:", 1)[-1]}
            for s, a, n, k in zip(ins["seq"], ins["action"], ins["decision_no"], ins["fact_key"], strict=True)]


def not_assessable(case_no: str, owed: NextStep, defence_ends: date | None) -> str:
    """Why case ``case_no`` cannot be assessed now (its next step is ``owed``), one sentence in
    Chinese with its punctuation, then in English: the statement-and-defence window still open
    (until ``defence_ends``, or a provisional end while the year's calendar is unknown), a statement
    unanswered, the party not yet notified, or no assessment owed at all (domain.md §4)."""
    if defence_ends is not None:
        end_zh, end_en = f"{defence_ends} ", str(defence_ends)
    else:
        end_zh, end_en = f"{owed.provisional}（暂定：{owed.note}）", f"{owed.provisional} (provisional)"
    why = {"statement_window": (f"陈述申辩期限至 {end_zh}届满前不得评估",
                                f"the statement window runs until {end_en}; no assessment before it ends"),
           "statement": ("尚有陈述申辩或听证申请未处理", "a statement or hearing request is still unanswered"),
           "notice": ("尚未告知当事人", "the party has not been notified yet")}.get(owed.step or "")
    zh = f"案件 {case_no} 当前不需要裁量评估" + (f"；{why[0]}" if why else "")
    en = f"case {case_no} needs no assessment now" + (f": {why[1]}" if why else "") + f"; next step: {owed.step or 'none'}"
    return f"{zh} ({en})"


def record_assessment(conn: Connection, ref: str, *, officer: str, on: date, intent: str, frequency: str,
                      harm: str, outcome: str, note: str | None = None,
                      settings: Settings | None = None) -> list[OfficerStep]:
    """Record the officer's art. 12 assessment (44号令 art. 12, domain.md §4) of a proposal.

    Only after the statement-and-defence window ran out and every statement was answered. A party
    that proves it had no intent is not listed: ``no_intent_proven`` with outcome ``list`` is
    refused. Outcome ``not_list`` also appends the numbered 不予列入 decision.
    """
    env = RosterEnv.load(settings)
    if intent not in INTENT:
        raise Refused(f"intent is one of {', '.join(INTENT)}")
    if outcome not in OUTCOMES:
        raise Refused(f"outcome is one of {', '.join(OUTCOMES)}")
    if not officer.strip() or not frequency.strip() or not harm.strip():
        raise Refused("评估须记录评估人、违法频次和危害后果 (officer, frequency and harm are required)")
    if intent == "no_intent_proven" and outcome == "list":
        raise Refused("当事人能够证明没有主观故意的，不列入严重违法失信名单（第十二条）"
                      "(a party that proves it had no intent is not listed, 44号令 art. 12)")
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    case = _case_for(conn, env, ref, on)
    owed = case.next_owed()
    step = owed.step
    if step != "assess":
        raise Refused(not_assessable(case.case_no, owed, case.defence_ends))
    assessment = {"intent": intent, "frequency": frequency, "harm": harm, "outcome": outcome,
                  "officer": officer, "note": note}
    rows = [step_row(case, "assess", "ser.assess", f"assess:penalties:{case.case_no}", on,
                      refers_to=int(case.row["notice_seq"]), facts={"assessment": assessment},
                      due_start=case.defence_ends, reason=note)]
    if outcome == "not_list":
        rows.append(step_row(case, "decline", "ser.decline", f"decline:penalties:{case.case_no}", on,
                              refers_to=int(case.row["notice_seq"]), facts={"assessment": assessment},
                              reason="经裁量评估，不予列入" + (f"：{note}" if note else "")))
    return _officer_rows(conn, env, rows, on, officer)


def record_consent(conn: Connection, ref: str, *, officer: str, on: date, consenting_authority: str,
                   consented_on: date, document_no: str, outcome: str = "granted", note: str | None = None,
                   settings: Settings | None = None) -> list[OfficerStep]:
    """Record the next-higher bureau's answer (同意 / 不同意) to a listing assessed for a county- or
    city-level authority: who, when, the document number. ``refused`` ends with 不予列入."""
    env = RosterEnv.load(settings)
    if outcome not in CONSENT_OUTCOMES:
        raise Refused(f"outcome is one of {', '.join(CONSENT_OUTCOMES)}")
    if not consenting_authority.strip() or not document_no.strip():
        raise Refused("须记录同意的上一级部门及其文号 (the consenting bureau and its document number are required)")
    if consented_on > on:
        raise Refused("同意日期不得晚于记录日期 (consent cannot be dated after it is recorded)")
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    case = _case_for(conn, env, ref, on)
    step, _by, _who = case.next_step()
    if step != "consent":
        why = "（无需上一级部门同意）" if not case.needs_consent else ""
        raise Refused(f"案件 {case.case_no} 当前不需要记录上一级部门意见{why} (next step: {step or 'none'})")
    assessed = as_date(case.get("assessed_on"))
    if assessed is not None and consented_on < assessed:
        raise Refused("同意日期早于裁量评估 (consent cannot predate the assessment)")
    # The next-higher bureau's consent (domain.md §4), named as the log names authorities or by its
    # code: any other bureau's answer is not that consent (an outsider's acceptance pass).
    higher = env.authority_of(higher_authority(case.authority))
    if unicodedata.normalize("NFKC", consenting_authority).strip() not in (
            unicodedata.normalize("NFKC", higher.name), higher.code):
        raise Refused(f"须由上一级市场监督管理部门（{higher.name}，{higher.code}）同意，"
                      f"“{consenting_authority.strip()}”不是该部门 (consent must come from the next-higher "
                      f"bureau {higher.code})")
    consent = {"outcome": outcome, "authority": consenting_authority, "consented_on": consented_on.isoformat(),
               "document_no": document_no, "officer": officer, "note": note,
               "expected_authority_code": higher_authority(case.authority)}
    rows = [step_row(case, "consent", "ser.consent", f"consent:penalties:{case.case_no}", consented_on,
                      refers_to=int(case.row["assess_seq"]), facts={"consent": consent}, due_start=assessed)]
    if outcome == "refused":
        rows.append(step_row(case, "decline", "ser.decline", f"decline:penalties:{case.case_no}", on,
                              refers_to=int(case.row["notice_seq"]), facts={"consent": consent},
                              reason="上一级市场监督管理部门不同意列入，不予列入"))
    return _officer_rows(conn, env, rows, on, officer)
