"""The deadline watch: what the bureau still owes, per authority, by due date (domain.md §5).

Open items are drafts awaiting an officer, applications and objections not yet answered, and
each open serious-list procedure's next step (domain.md §4). An item overdue here is a decision the
law's time limit has passed: the authority named decides it first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear
from credit.rosters import serious
from credit.rosters.env import RosterEnv, effective_due, removal_rule
from credit.rosters.labels import ACTOR_LABELS, decision_label, roster_label
from credit.rosters.read import (
    AppliedEntry,
    application_due,
    applied_entries_due,
    cure_wait,
    entry_label,
    same_cause,
)
from credit.settings import Settings


def deadline_watch(conn: Connection, on: date, within_wd: int, settings: Settings | None = None, *,
                   district: str | None = None) -> pd.DataFrame:
    """What the bureau still owes: due within the next ``within_wd`` working days, and anything overdue.

    Open items are drafts awaiting an officer, applications and objections not yet answered, and
    each open serious-list procedure's next step (``serious:<step>``, note: who acts). Due dates are derived when read: a
    provisional date is recomputed once the calendar knows its year; an application on causes 3
    and 4 is due 5 WD after 查实 of the cure, and shown without a date (``note``) until then.
    Columns: authority, kind, uscc, roster, ref, due_date, provisional, overdue, working_days_left,
    note, and for people ``kind_label``, ``roster_label``, ``ref_label`` (Chinese, issue 15; ``kind``
    and ``ref`` stay the codes machines read). Sorted per authority by due date.

    ``district``: only the items of authorities whose GB/T 2260 code starts with it (a county's
    code, a city's first 4 digits, a province's first 2: the workbench's district filter).
    """
    env = RosterEnv.load(settings)
    try:
        horizon: date | None = env.cal.add_working_days(on, within_wd) if within_wd > 0 else on
    except UnknownCalendarYear:
        horizon = None  # the horizon runs into an unknown year: show everything open, flagged
    columns = ["authority", "kind", "uscc", "roster", "ref", "due_date", "provisional", "overdue",
               "working_days_left", "note", "kind_label", "roster_label", "ref_label"]
    df = sqlfiles.frame(conn, "rosters/deadline_items",
                        {"on": on, "pat": None if district is None else district + "%"})
    if not df.empty:
        # An item no decision of its roster precedes (the repair of penalty information) is the
        # entity's registration authority's, as the night's decision on it will be: never the code
        # 'penalty' in the authority column (an outsider's acceptance pass).
        nameless = df["authority"].isna()
        df.loc[nameless, "authority"] = [env.authority_of(str(r)).name if isinstance(r, str) else roster
                                         for r, roster in zip(df.loc[nameless, "region_code"],
                                                              df.loc[nameless, "roster"], strict=True)]
        df = df.drop(columns="region_code")
    held = _quarantine_holds(conn, env, on, district)
    if not held.empty:
        df = held if df.empty else pd.concat([df, held], ignore_index=True)
    # The serious list: each open procedure's next step and its limit (credit.rosters.serious).
    procedure = pd.DataFrame([
        {"authority": p["authority"], "kind": f"serious:{p['next_step']}", "uscc": p["uscc"], "roster": "serious",
         "ref": f"case {p['case_no']}", "due_date": _iso_day(p["next_by"]),
         "due_provisional": _iso_day(p["next_by_provisional"]),   # the calendar lacks the year: an estimate
         "rule_id": None, "start_on": None, "cure_on": None,
         "step_note": f"{p['next_step_label']}（{ACTOR_LABELS.get(p['next_actor'] or '', '')}）"
                      + (f"；期限暂定：{p['next_by_note']}" if p["next_by_note"] else "")}
        for p in serious.procedures(conn, on, open_only=True, settings=settings)
        if serious.in_district(p, district)])
    if not procedure.empty:
        df = procedure if df.empty else pd.concat([df.astype(object), procedure], ignore_index=True)
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["note"] = None
    due_col: list[date | None] = []
    prov_col: list[date | None] = []
    notes: list[str | None] = []
    covered = df["entries"] if "entries" in df else pd.Series(None, index=df.index, dtype=object)
    for kind, rule_id, start_on, stored_due, stored_prov, cure_on, entries, roster in zip(
            df["kind"], df["rule_id"], df["start_on"], df["due_date"], df["due_provisional"], df["cure_on"],
            covered, df["roster"], strict=True):
        rule = rule_id if isinstance(rule_id, str) else None
        cure = _day(cure_on)
        if kind == "repair" and rule in env.rules.rules and isinstance(entries, list) and entries:
            # Each entry still unanswered by its own limit; the earliest known one is the item's.
            d, p, waiting = _application_due(env, rule, str(roster), _day(start_on), _day(stored_due),
                                             _day(stored_prov), entries)
            notes.append(cure_note(env, rule) if waiting and d is None and p is None else waiting)
            due_col.append(d)
            prov_col.append(p)
            continue
        if kind == "repair" and rule is not None and env.limit_from(rule) == "cure" and cure is None:
            notes.append(cure_note(env, rule))
        else:
            notes.append(None)
        d, p = _due(env, on, kind, rule, start_on, _day(stored_due), _day(stored_prov), cure)
        limit = d if d is not None else p
        if kind == "objection" and limit is not None and limit < on:
            d, p, notes[-1] = _verification_due(env, _day(start_on), d, p)
        due_col.append(d)
        prov_col.append(p)
    if "held_note" in df:
        notes = [h if isinstance(h, str) else n for n, h in zip(notes, df["held_note"], strict=True)]
    df["note"] = notes
    if "step_note" in df:
        df["note"] = df["step_note"].where(df["step_note"].notna(), df["note"])
    df["due_date"] = pd.Series(due_col, index=df.index, dtype=object)
    df["due_provisional"] = pd.Series(prov_col, index=df.index, dtype=object)
    df["provisional"] = df["due_date"].isna() & df["due_provisional"].notna()
    eff = pd.to_datetime(df["due_date"].where(df["due_date"].notna(), df["due_provisional"]))
    df["overdue"] = eff < pd.Timestamp(on)
    keep = df["overdue"] | eff.isna() | (True if horizon is None else eff <= pd.Timestamp(horizon))
    df = df[keep].copy()
    left: list[int | None] = []
    for d in eff[df.index]:
        try:
            if pd.isna(d):
                left.append(None)
            elif d.date() >= on:
                left.append(env.cal.working_days_between(on, d.date()))
            else:
                left.append(-env.cal.working_days_between(d.date(), on))
        except UnknownCalendarYear:
            left.append(None)
    df["working_days_left"] = pd.array(left, dtype="Int64")
    df["due_date"] = eff[df.index].dt.date
    df = df.sort_values(["authority", "due_date", "kind", "uscc"], na_position="last", kind="stable")
    df["kind_label"] = [kind_label(str(k), r) for k, r in zip(df["kind"], df["roster"], strict=True)]
    df["roster_label"] = [roster_label(r) for r in df["roster"]]
    df["ref_label"] = [ref_label(str(r)) for r in df["ref"]]
    return df[columns].reset_index(drop=True)


def watch_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of :func:`deadline_watch` as JSON-ready records: ``due_date`` as ``YYYY-MM-DD`` (not
    a timestamp), ``None`` for every missing value, plain ``bool`` and ``int``."""
    out: list[dict[str, Any]] = []
    for row in df.astype(object).where(df.notna(), None).to_dict("records"):
        rec: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                v = v.date()
            if isinstance(v, date):
                v = v.isoformat()
            elif hasattr(v, "item"):          # a numpy scalar
                v = v.item()
            rec[str(k)] = v
        out.append(rec)
    return out


def kind_label(kind: str, roster: object = None) -> str:
    """The item kind as an officer reads it: 草稿待审批：列入, 信用修复申请, 严重违法失信名单：列入决定 …
    (a draft on a 个体工商户's status: 草稿待审批：标记为经营异常状态, domain.md §2)."""
    if kind.startswith("draft:"):
        return f"草稿待审批：{decision_label(kind.removeprefix('draft:'), roster=roster)}"
    if kind.startswith("serious:"):
        step = kind.removeprefix("serious:")
        return f"严重违法失信名单：{serious.STEP_LABELS.get(step, step)}"
    return KIND_LABELS.get(kind, kind)


def ref_label(ref: str) -> str:
    """``decision 855`` → ``决定 855``, ``request 12`` → ``申请 12``, ``case X`` → ``案件 X``,
    ``quarantine 2026-07-13 annual_reports.csv:1725`` → ``隔离区 2026-07-13 annual_reports.csv 第1725行``
    (the file name is kept: it is what the officer has delivered again)."""
    word, _, rest = ref.partition(" ")
    if word == "quarantine" and rest:
        night, _, where = rest.partition(" ")
        file, sep, line = where.rpartition(":")
        return f"隔离区 {night} {file} 第{line}行" if sep and line.isdigit() else f"隔离区 {rest}"
    return f"{REF_WORDS[word]} {rest}" if word in REF_WORDS and rest else ref


def _iso_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


HELD_KIND = "held: quarantined report"
KIND_LABELS = {"repair": "信用修复申请（移出申请）", "objection": "异议及陈述申辩", HELD_KIND: "待决定：年度报告在隔离区"}
REF_WORDS = {"decision": "决定", "request": "申请", "case": "案件"}


def _quarantine_holds(conn: Connection, env: RosterEnv, on: date, district: str | None = None) -> pd.DataFrame:
    """Missing-report decisions waiting on a quarantined report row (issue 13 item 5), as watch items."""
    ends = env.annual_report_period_ends(on)[0]   # the years cause 1 decides on ``on``, as the night does
    df = sqlfiles.frame(conn, "rosters/quarantine_holds",
                        {"on": on, "years": [y for y, _ in ends], "period_ends": [e for _, e in ends]})
    if district is not None and not df.empty:
        df = df[df["region_code"].astype(str).str.startswith(district)].reset_index(drop=True)
    if df.empty:
        return df
    roster = ["abnormal_status" if k == "individual" else "abnormal" for k in df["entity_kind"]]
    rule = [env.for_kind(("ind.mark." if r == "abnormal_status" else "abn.include.") + "annual_report_missing", k)
            for r, k in zip(roster, df["entity_kind"], strict=True)]
    return pd.DataFrame({
        "authority": [env.authority_of(str(r)).name for r in df["region_code"]],
        "kind": HELD_KIND, "uscc": df["uscc"], "roster": roster, "ref": df["ref"],
        "due_date": None, "due_provisional": None, "rule_id": rule, "start_on": df["start_on"], "cure_on": None,
        "held_note": [f"{y}年度报告在隔离区，待重新报送后决定：{r}"
                      for y, r in zip(df["report_year"], df["reason"], strict=True)],
    })


def _day(value: object) -> date | None:
    """A date cell of the items frame; None, NaN and NaT (no date) become None."""
    return value if isinstance(value, date) and not pd.isna(value) else None


def _verification_due(env: RosterEnv, received: date | None, accept_by: date | None,
                      accept_by_provisional: date | None) -> tuple[date | None, date | None, str]:
    """An objection whose acceptance limit has passed, still unanswered: the limit of its answer.

    68号令 art. 16 (domain.md §3.4): accept within 5 WD of receipt, then verify and answer within
    20 WD of the acceptance. The log records no acceptance step, so an objection past its
    acceptance limit may well have been accepted on time: its answer is then due 20 WD after that
    limit at the latest — the limit the answer is judged late against when it is recorded
    (:func:`credit.rosters.repair.decide_objection`). Shown with the acceptance limit named, not as
    overdue at the acceptance limit. A year without a published holiday notice gives a
    provisional estimate (domain.md §12)."""
    accept = accept_by or accept_by_provisional
    assert accept is not None and received is not None
    verify = env.rules.at("objection", received).sub_period("verify_period")
    note = (f"受理期限 {accept.isoformat()}{'（暂定）' if accept_by is None else ''}已过；"
            f"受理的，应自受理之日起{verify.n}{'个工作日' if verify.unit == 'wd' else '日'}内核实并书面答复"
            "（68号令第十六条），按最迟受理日计")
    if accept_by is not None:
        try:
            return verify.end(accept_by, env.cal), None, note
        except UnknownCalendarYear:
            pass
    return None, verify.weekday_estimate(accept), note


def cure_note(env: RosterEnv, rule_id: str) -> str:
    """An application waiting for 查实 of its cure: the rule's own cure, limit and basis (68号令
    arts. 13–14, 69号令 arts. 17–18, 70号令 arts. 14–15; domain.md §3.3, §3.4) — the note cited the
    enterprise roster's articles for a 个体工商户 too (s35)."""
    basis = env.rules.versions(rule_id)[-1].basis
    return f"待查实整改情况：{cure_wait(env, rule_id)}（{basis}）"


def _application_due(env: RosterEnv, rule_id: str, roster: str, received: date | None, due: date | None,
                     provisional: date | None, entries: list[dict[str, Any]]) -> tuple[date | None, date | None, str | None]:
    """(due, provisional, note) of an open application for removal from the entries it covers still
    unanswered (``entries`` of rosters/deadline_items.sql): each by its own rule, the earliest known
    limit the item's (:func:`credit.rosters.read.applied_entries_due`). A cause-3/4 entry before 查实
    has no limit: it never makes the item overdue, and the note names it."""
    if received is None:
        return due, provisional, None
    applied = []
    for e in entries:
        base = removal_rule(roster, str(e["cause_code"]))
        cure = e.get("cure_on")
        applied.append(AppliedEntry(rule_id if same_cause(rule_id, base) else base,
                                    date.fromisoformat(cure) if isinstance(cure, str) else None,
                                    entry_label(e.get("cause"), e.get("decision_no"))))
    return applied_entries_due(env, applied, received, rule_id, due, provisional)


def _due(env: RosterEnv, on: date, kind: str, rule_id: str | None, start_on: date, due: date | None,
         provisional: date | None, cure_on: date | None) -> tuple[date | None, date | None]:
    """(due, provisional) of one open item as known on ``on``."""
    if kind == HELD_KIND:
        return env.derive_due(rule_id, start_on) if rule_id else (None, None)
    if kind == "repair" and rule_id is not None:
        d, p, _note = application_due(env, rule_id, start_on, due, provisional, cure_on)
        return d, p
    if kind == "objection" or kind.startswith("draft:"):
        return effective_due(env, rule_id, start_on, due, provisional)
    return due, provisional
