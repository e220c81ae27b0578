"""The night's steps of the serious-list procedures (domain.md §4, §3.6, §6): it proposes a heavier
penalty's listing (44号令 art. 2), serves the notice, lists when the prerequisites are met (or the
window ran out under automatic listing), publishes, and revokes what rested on a penalty revoked
(45号令 art. 11), corrected to name another entity, or no longer in the authority's record. The procedure itself, its state and its limits, is :mod:`credit.rosters.serious`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit.calendar import add_years
from credit.night import scope as night_scope
from credit.night.scope import NightScope
from credit.rosters.env import RosterEnv
from credit.rosters.log import LOCK_KEY, finalise, held_fact_keys, insert_decisions
from credit.rosters.serious import (
    Case,
    as_date,
    as_dict,
    family_wording,
    listing_switch,
    period_end,
    read_cases,
    refreshed_cases,
    restriction_end,
    step_row,
)


def _proposals(conn: Connection, env: RosterEnv, night: date, scope: NightScope | None = None) -> pd.DataFrame:
    families = [str(f) for f in env.cfg.get("serious_families", [])]
    facts_from = date.fromisoformat(str(env.cfg.get("facts_from", "2025-01-01")))
    df = night_scope.frame(conn, "rosters/serious_proposal_candidates",
                           {"f": families, "hm": env.heavier_measures(), "ff": facts_from, "n": night}, scope)
    df = df.sort_values("case_no", ignore_index=True)
    if df.empty:
        return df
    # The statutory cause exists from the day its rule is in force (2024-05-01, domain.md §3.6).
    statutory = df["family"] == "false_disclosure"
    in_force = [env.rules.find("ser.include.false_disclosure", d) is not None for d in df["trigger_date"]]
    df = df[~statutory | pd.Series(in_force, index=df.index)].copy()
    if df.empty:
        return df
    hm = set(env.heavier_measures())
    wording = family_wording(env)
    facts = []
    for raw, fam in zip(df["facts"], df["family"], strict=True):
        f = json.loads(raw)
        # What made the penalty 较重行政处罚 (44号令 art. 2): the flag (item 1) and/or a measure (items 2–3).
        f["heavier_by"] = (["heavier_flag"] if f.get("heavier") else []) + \
            [f"measure:{m}" for m in (f.get("measures") or []) if m in hm]
        f["listing_switch"] = listing_switch(env, fam, night)
        facts.append(json.dumps(f, ensure_ascii=False, sort_keys=True))
    df["facts"] = facts
    df["family"] = [wording.get(f, f) for f in df["family"]]
    df["roster"] = "serious"
    df["action"] = "proposal"
    df["rule_id"] = "ser.propose"
    df["cause_code"] = ["false_disclosure_serious" if s else "heavier_penalty" for s in statutory[df.index]]
    df["fact_key"] = "proposal:penalties:" + df["case_key"]
    df = df.drop(columns="case_key")
    return df


def _time_driven(conn: Connection, env: RosterEnv, night: date, scope: NightScope | None = None,
                 cases: list[Case] | None = None) -> pd.DataFrame:
    """The steps the night owes on ``night``: notices, listings, publications, revocations
    (of ``cases``, read by :func:`read_cases` when not given)."""
    rows: list[dict[str, Any]] = []
    for case in cases if cases is not None else read_cases(conn, env, night, scope=scope):
        step, _by, _who = case.next_step()
        key = case.case_no
        if step == "revoke":
            # The penalty revoked, corrected to name another entity (that entity's procedure is its
            # own: serious_proposal_candidates.sql) or dropped from the authority's record: the
            # basis is gone (45号令 art. 11; domain.md §3.4, §4), each cause worded as it is.
            gone = case.basis_gone()
            rule = case.revocation_rule()
            why: dict[str, Any] = {"penalty_revoked_on": str(gone)} if case.penalty_revoked() else \
                {"penalty_reassigned_on": str(gone), "penalty_now_names": case.get("penalty_uscc")} \
                if case.penalty_reassigned() else {"penalty_dropped_on": str(gone)}
            if case.get("include_seq") is not None:
                rows.append(step_row(case, "revoke", rule, f"close:{int(case.row['entry_id'])}",
                                      gone, entry_id=int(case.row["entry_id"]), refers_to=int(case.row["include_seq"]),
                                      due_start=gone, facts=why))
            else:
                target = case.get("proposal_seq") or case.get("notice_seq")
                rows.append(step_row(case, "revoke", rule, f"revoke:penalties:{key}",
                                      gone, refers_to=int(target), due_start=gone, facts=why))
        elif step == "notice":
            rows.append(step_row(case, "notice", "ser.notice", f"notice:penalties:{key}",
                                  as_date(case.get("proposed_on")), refers_to=int(case.row["proposal_seq"])))
        elif step == "publish":
            rows.append(step_row(case, "publish", "ser.publish", f"publish:penalties:{key}",
                                  as_date(case.get("included_on")), entry_id=int(case.row["entry_id"]),
                                  refers_to=int(case.row["include_seq"])))
        elif step == "include":
            met = case.prerequisites_met_on()
            if met is None or met > night or (case.switch["automatic"] and night <= met):
                continue
            rows.append(_listing(case, env, night, met))
    return pd.DataFrame(rows)


def _listing(case: Case, env: RosterEnv, night: date, met: date) -> dict[str, Any]:
    rule = "ser.include.false_disclosure" if case.family == "false_disclosure" else "ser.include.heavier_penalty"
    v = env.rules.find(rule, night)
    years = int((v.listing_years if v else None) or 3)
    base = as_dict(case.get("facts"))
    ends = restriction_end(env, as_date(base.get("decided_on")), base.get("measures"),
                           as_date(case.get("restricted_until")) or as_date(base.get("restricted_until")))
    until = add_years(night, years)
    extra: dict[str, Any] = {"restriction_ends": ends.isoformat() if ends else None}
    if ends is not None and ends > until:
        until = ends     # a longer restriction governs (domain.md §4; 45号令 art. 13 para. 3)
        extra["listing_extended_by_restriction"] = True
    if case.get("assess_seq") is not None:
        extra["assessment_seq"] = int(case.row["assess_seq"])
    if case.get("consent_seq") is not None:
        extra["consent_seq"] = int(case.row["consent_seq"])
    due = None
    if case.switch["automatic"]:
        nv = env.rules.at("ser.notice", as_date(case.get("noticed_on")) or night)
        due = period_end(nv.sub_period("listing_period"), met, env)
    return step_row(case, "include", rule, f"include:serious:penalties:{case.case_no}", met,
                     refers_to=int(case.row["notice_seq"]), effective_until=until, due_date=due, facts=extra)


def advance(conn: Connection, env: RosterEnv, night: date, *, scope: NightScope | None = None) -> pd.DataFrame:
    """Append the night's serious-list steps; returns the log rows appended (as :func:`finalise` made them).
    With a ``scope``, the procedures of its entities only (credit.night.scope).

    Runs in rounds (a proposal and its notice, a listing and its publication fall on the same
    night); each round appends only facts the log does not hold, so a re-run adds nothing.
    """
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    made: list[pd.DataFrame] = []
    cases: list[Case] | None = None
    for _ in range(4):
        # The procedures read once, then only the entities the last round appended steps for
        # (:func:`refreshed_cases`): the same cases, in the same order, as a full read each round.
        cases = read_cases(conn, env, night, scope=scope) if not made else \
            refreshed_cases(conn, env, night, cases or [], made[-1]["uscc"])
        parts = [p for p in (_proposals(conn, env, night, scope), _time_driven(conn, env, night, scope, cases))
                 if not p.empty]
        if not parts:
            break
        cands = pd.concat(parts, ignore_index=True).drop_duplicates("fact_key", keep="first")
        cands = cands[~cands["fact_key"].isin(held_fact_keys(conn, cands["fact_key"]))]
        rows = finalise(cands, env, night, actor="night", night=night, drafts=False)
        if rows.empty:
            break
        order = {"revoke": 0, "proposal": 1, "notice": 2, "include": 3, "publish": 4}
        rows = rows.assign(_o=rows["action"].map(order).fillna(9)).sort_values(
            ["_o", "authority", "uscc", "fact_key"], kind="stable").drop(columns="_o")
        insert_decisions(conn, rows)
        made.append(rows)
    return pd.concat(made, ignore_index=True) if made else pd.DataFrame()
