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
from credit.contract.uscc import canonical, is_valid
from credit.rosters.authorities import higher_authority
from credit.rosters.env import RosterEnv
from credit.rosters.labels import procedure_state_label
from credit.rosters.log import LOCK_KEY, finalise, insert_decisions
from credit.rosters.serious import Case, NextStep, as_date, read_cases, step_row
from credit.settings import Settings

INTENT = ("intentional", "negligent", "no_intent_proven")
"""The art. 12 finding on intent; ``no_intent_proven`` (当事人能够证明没有主观故意) excludes listing."""
OUTCOMES = ("list", "not_list")
CONSENT_OUTCOMES = ("granted", "refused")
#: The largest seq the log can hold (``roster_decisions.seq`` is a bigint): a longer number typed as
#: a reference is a case number (行政处罚案件编号 are often 20 digits), never a step's seq.
MAX_SEQ = 2**63 - 1


class Refused(Exception):
    """An officer's step that cannot be recorded as asked; the message says why (Chinese and English)."""


class OfficerStep(TypedDict):
    """What an officer's step appended to the log."""

    seq: int
    action: str
    decision_no: str | None
    case_no: str


def case_key(conn: Connection, ref: str, on: date, uscc: str | None = None,
             settings: Settings | None = None) -> str:
    """The key of the procedure an officer names (:func:`_case_for`), e.g. to check who may act on it
    before acting; refused (:class:`Refused`) as :func:`_case_for` refuses."""
    return _find_case(conn, RosterEnv.load(settings), ref, on, uscc).case_no


def _split_ref(ref: str, uscc: str | None) -> tuple[str, str | None]:
    """The case number and the entity an officer typed: ``ref`` as typed (full-width characters as
    ASCII: a colon typed ``：`` is ``:``), the entity given apart (``--uscc``) or after the case
    number, as ``<case_no>:<uscc>`` (the procedure's key, kept) or ``<case_no> <uscc>``."""
    ref = unicodedata.normalize("NFKC", ref).strip()
    head, sep, tail = ref.rpartition(" ")
    if sep and head.strip() and is_valid(canonical(tail)):
        ref, typed = head.strip(), canonical(tail)
        if uscc is not None and canonical(uscc) != typed:
            raise Refused(f"案号后的统一社会信用代码 {typed} 与 --uscc {canonical(uscc)} 不一致 "
                          f"(the USCC after the case number, {typed}, is not --uscc {canonical(uscc)})")
        uscc = typed
    else:
        # the key as typed: its USCC part canonical (a lower-case code names the same procedure)
        parts = ref.split(":")
        if len(parts) >= 2 and is_valid(canonical(parts[1])):
            ref = ":".join([parts[0], canonical(parts[1]), *parts[2:]])
    return ref, canonical(uscc) if uscc else None


def _case_for(conn: Connection, env: RosterEnv, ref: str, on: date, uscc: str | None = None) -> Case:
    """The procedure an officer acts on (:func:`_find_case`), refused when the log already holds a
    later decision of it (:func:`_not_before_latest`)."""
    case = _find_case(conn, env, ref, on, uscc)
    _not_before_latest(conn, case, on)
    return case


def _find_case(conn: Connection, env: RosterEnv, ref: str, on: date, uscc: str | None = None) -> Case:
    """The procedure a reference names: the seq/文号 of one of its steps; its key (the penalty's case
    number, or ``<case_no>:<uscc>[:k]`` for the entity a corrected penalty names); or the penalty's
    case number with the entity (``uscc``, or typed after the number: :func:`_split_ref`) — its
    latest procedure on the case, the only one that can still owe a step. A case number alone that
    more than one entity's procedure shares (the penalty was corrected to name another entity) is
    refused, naming each procedure and how to name it: the officer must say which entity's."""
    ref, uscc = _split_ref(ref, uscc)
    # A number is a step's seq only where the log's seq can be that number: a case number of all
    # digits beyond a bigint (the usual 20-digit 案件编号) failed the cast in the statement, a
    # traceback for `credit serious assess`, a 500 for the workbench.
    seq = int(ref) if ref.isdigit() and int(ref) <= MAX_SEQ else None
    step = conn.execute(sqlfiles.statement("rosters/serious_step_ref"), {"s": seq, "r": ref}).scalar()
    key = str(step).split(":penalties:", 1)[1] if step and ":penalties:" in str(step) else None
    cases = read_cases(conn, env, on, uscc=uscc)
    if key is not None and seq is not None:
        # a case number of digits that is also the seq of another procedure's step: with the entity
        # named (--uscc), a step of another entity's procedure is not what the officer means; without
        # it, which one is meant cannot be told, and a step recorded on the wrong case is a wrong
        # decision
        other = sorted({c.case_no for c in cases if ref in (c.case_no, c.penalty_case_no) and c.case_no != key})
        if uscc is not None and key not in {c.case_no for c in cases}:
            key = None
        elif other:
            raise Refused(f"{ref} 既是第{ref}条决定（案件 {key} 的程序步骤），又是案件 {'、'.join(other)} 的案号，"
                          f"无法确定所指；请写该步骤的文号，或同时写明当事人的统一社会信用代码（--uscc） ({ref} is both "
                          f"the seq of a step of case {key} and the case number of {', '.join(other)}: name the step "
                          "by its 文号, or the entity with --uscc)")
    # the key itself, or every procedure on the penalty's case number (of ``uscc`` only, if given)
    found = [c for c in cases if (key or ref) in (c.case_no, c.penalty_case_no)]
    if key is not None:
        found = [c for c in found if c.case_no == key]
    entities = sorted({str(c.row["uscc"]) for c in found})
    if len(entities) > 1:
        zh = "；".join(f"{c.case_no}（{c.row['uscc']}，{procedure_state_label(c.closed() or 'pending')}）" for c in found)
        en = ", ".join(f"{c.case_no} ({c.row['uscc']})" for c in found)
        raise Refused(f"案号 {ref} 有 {len(entities)} 个当事人的列入程序（处罚决定经更正）：{zh}。请同时写明统一社会信用代码"
                      f"（--uscc，或“{ref}:统一社会信用代码”） (case {ref} has serious-list procedures of "
                      f"{len(entities)} entities, the penalty having been corrected: {en}; name the entity with "
                      f"--uscc or as {ref}:<uscc>)")
    # one entity's procedures on the case (corrected back and forth): read_cases is in the order of
    # their first steps, and only the latest can still owe a step
    found = found[-1:]
    if not found:
        who = f"（统一社会信用代码 {uscc}）" if uscc else ""
        raise Refused(f"{ref}{who} 不是严重违法失信名单列入程序中的案件 (no serious-list procedure for "
                      f"{ref!r}{f' and {uscc}' if uscc else ''} on {on.isoformat()})")
    return found[0]


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
                      harm: str, outcome: str, note: str | None = None, uscc: str | None = None,
                      settings: Settings | None = None) -> list[OfficerStep]:
    """Record the officer's art. 12 assessment (44号令 art. 12, domain.md §4) of a proposal.

    Only after the statement-and-defence window ran out and every statement was answered. A party
    that proves it had no intent is not listed: ``no_intent_proven`` with outcome ``list`` is
    refused. Outcome ``not_list`` also appends the numbered 不予列入 decision. ``ref`` and ``uscc``
    name the procedure as :func:`_case_for` reads them.
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
    case = _case_for(conn, env, ref, on, uscc)
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
                   uscc: str | None = None, settings: Settings | None = None) -> list[OfficerStep]:
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
    case = _case_for(conn, env, ref, on, uscc)
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
