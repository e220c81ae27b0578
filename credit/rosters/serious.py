"""The serious illegal and dishonest list (严重违法失信名单) as the law runs it — domain.md §4, §3.6, §6.

A heavier administrative penalty (较重行政处罚, 44号令 art. 2) in an offence family (arts. 5–10), or
since 2024-05-01 a penalty for serious falsification of publicity information (企业信息公示暂行条例
art. 18 para. 2), opens a **procedure**, one per penalty case, whose every step is a decision of
the append-only log (``roster_decisions``) with its date:

1. ``proposal`` (拟列入) with the facts of the penalty — the night, whatever the entity's
   registration status (the listing is decided in the procedure of the penalty; a penalty that
   revokes the business licence is itself a heavier penalty, §4 item 2);
2. ``notice`` (告知) of the intended listing and the party's right to state, defend and ask for a
   hearing — the night, the same night;
3. the statement-and-defence / hearing window, 5 WD after the notice (行政处罚法 arts. 63–64, 85);
   a statement or hearing request is an objection on the notice (``credit objection file``) and
   holds the procedure until answered; an upheld one revokes the notice;
4. ``assess``: the officer's art. 12 assessment (intent, frequency, harm; a party that proves it
   had no intent is not listed) — ``credit serious assess``; outcome ``not_list`` ends with a
   numbered ``decline`` (不予列入);
5. ``consent`` of the next-higher bureau where the deciding authority is county- or city-level
   (recorded: who, when, document no.) — ``credit serious consent``; refused → ``decline``;
6. ``include``: the listing decision — the night after the last prerequisite; the listing runs
   3 years or to the end of a longer restriction (``restricted_until``, §4);
7. ``publish`` (公示) — the night, after the listing.

A bureau may switch a family to automatic listing (``rosters.yaml`` ``serious_procedure.automatic``,
versioned by from-date): the night then lists when the window ran out without an open statement,
and every decision the night makes for the case records the switch in its facts
(``listing_switch``). A penalty later revoked or annulled (``revoked_on``) revokes (撤销) the
pending proposal or the listing that rested on it within 3 WD (45号令 art. 11, domain.md §6); so
does one corrected to name another entity, and one a full snapshot no longer holds (no longer in
the authority's record, as a dropped finding, §3.4) — each revocation worded by its own cause
(:data:`REVOKE_RULES`).

This module holds the procedure as known on a date: its steps, the step still owed and its limit
(:class:`Case`, :func:`procedures`), the public steps, and the configuration it reads. The night's
steps are :mod:`credit.rosters.serious_night`, the officers' :mod:`credit.rosters.serious_officers`,
early removal :mod:`credit.rosters.early_removal`; an authority's level and the next-higher bureau
are :mod:`credit.rosters.authorities`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypedDict

import pandas as pd
from sqlalchemy.engine import Connection

from credit.calendar import UnknownCalendarYear, add_years
from credit.night import scope as night_scope
from credit.night.scope import NightScope
from credit.rosters.authorities import authority_level
from credit.rosters.env import RosterEnv
from credit.rosters.known import KnownAt, night_limit, seq_limit
from credit.rosters.rules import Period
from credit.settings import Settings

STEP_LABELS = {
    "proposal": "拟列入", "notice": "告知（陈述、申辩、听证权利）", "statement_window": "陈述申辩及听证申请期限",
    "statement": "陈述申辩或听证申请的处理", "assess": "第十二条裁量评估", "consent": "上一级市场监督管理部门同意",
    "include": "列入决定", "publish": "公示", "decline": "不予列入决定", "revoke": "撤销",
}
"""The Chinese name of every step, as the public and the officers read it."""

REVOKE_RULES = {"revoked": "ser.revoke.penalty_revoked", "reassigned": "ser.revoke.penalty_reassigned",
                "dropped": "ser.revoke.penalty_dropped"}
"""The rule (rules.yaml) of the revocation a case owes when its basis is gone, by cause: before
2026-12 every cause was recorded under ``penalty_revoked`` (those decisions keep their words)."""



class Step(TypedDict):
    """One step of a procedure as shown (status --json, exports, the deadline watch)."""

    step: str
    label: str
    date: str
    decision_no: str | None
    actor: str | None
    detail: dict[str, Any] | None


class ProcedureView(TypedDict):
    """A penalty case's serious-list procedure as known on a date."""

    case_no: str
    uscc: str
    name: str | None              # the entity's registered name (企业名称), None when not registered
    family: str | None
    family_label: str | None      # the family's wording of rules.yaml (e.g. 食品安全领域…), None without one
    authority: str                # the deciding authority's name, as people read it
    authority_code: str           # its GB/T 2260 code: what a district filter compares (issue 15)
    state: str                    # pending / listed / removed / declined / revoked
    consent_required: bool
    automatic: bool
    steps: list[Step]
    next_step: str | None         # the step still owed, None when the procedure is closed
    next_step_label: str | None
    next_by: str | None           # its limit (ISO date); None when the calendar cannot say
    next_by_provisional: str | None   # a Monday–Friday estimate (ISO date) when the calendar lacks the year
    next_by_note: str | None      # why next_by is missing: the year's working calendar is not published
    next_actor: str | None        # night / officer / party
    entry_id: int | None


# ------------------------------------------------------------------------------------------------
# Configuration: the automatic-listing switch and the consent rule
# ------------------------------------------------------------------------------------------------
def listing_switch(env: RosterEnv, family: str | None, on: date) -> dict[str, Any]:
    """The automatic-listing switch in force for ``family`` on ``on``, as recorded in facts."""
    conf = (env.cfg.get("serious_procedure") or {}).get("automatic") or {}
    key = family if family in conf else "default"
    entries = sorted(conf.get(key) or [], key=lambda e: str(e["from"]))
    chosen: dict[str, Any] = {"from": None, "automatic": False}
    for e in entries:
        if date.fromisoformat(str(e["from"])) <= on:
            chosen = {"from": str(e["from"]), "automatic": bool(e.get("automatic", False))}
    return {"config_version": env.cfg.version, "family": key, **chosen}




def consent_required(env: RosterEnv, authority: str) -> bool:
    """Whether a listing by ``authority`` needs the next-higher bureau's consent (``rosters.yaml``
    ``serious_procedure.consent_levels``, domain.md §4)."""
    levels = (env.cfg.get("serious_procedure") or {}).get("consent_levels", ["county", "city"])
    return authority_level(authority) in [str(x) for x in levels]


def restriction_end(env: RosterEnv, decided_on: date | None, measures: list[str] | None,
                    restricted_until: date | None) -> date | None:
    """The end of the penalty's restriction: the drop's ``restricted_until`` or, for drops without
    it, the years ``rosters.yaml`` ``restriction_years`` gives per measure from the decision."""
    if restricted_until is not None:
        return restricted_until
    years = {str(k): int(v) for k, v in (env.cfg.get("restriction_years") or {}).items() if v}
    n = max([years.get(m, 0) for m in (measures or [])] or [0])
    return add_years(decided_on, n) if n and decided_on else None


def family_wording(env: RosterEnv) -> dict[str, str]:
    """Each offence family's wording of ``rules.yaml`` (食品安全领域…), by family code."""
    meta = env.rules.meta.get("ser.include.heavier_penalty") or {}
    return {str(k): str(v) for k, v in (meta.get("families") or {}).items()}


# ------------------------------------------------------------------------------------------------
# The state of each procedure
# ------------------------------------------------------------------------------------------------
def as_date(value: object) -> date | None:
    """A date cell or fact: None, NaN and NaT (no date) become None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_dict(value: object) -> dict[str, Any]:
    """A JSON facts cell as a dict; empty for NULL or an empty string."""
    if isinstance(value, dict):
        return value
    return json.loads(value) if isinstance(value, str) and value else {}


class NextStep(NamedTuple):
    """The step a procedure still owes, with its limit."""

    step: str | None
    by: date | None                   # the limit on the working calendar; None without one or unknown
    who: str | None                   # night / officer / party
    provisional: date | None = None   # a Monday–Friday estimate when the calendar lacks the year
    note: str | None = None           # why ``by`` is unknown (the year's calendar is not published)


def _owed(step: str, period: Period | None, start: date | None, env: RosterEnv, who: str) -> NextStep:
    """``step`` with the end of ``period`` from ``start``; a year the working calendar does not know
    gives a provisional estimate and the calendar's own sentence saying so (domain.md §12)."""
    if period is None or start is None:
        return NextStep(step, None, who)
    try:
        return NextStep(step, period.end(start, env.cal), who)
    except UnknownCalendarYear as e:
        return NextStep(step, None, who, period.weekday_estimate(start), str(e))


def period_end(period: Period, start: date | None, env: RosterEnv) -> date | None:
    """The end of ``period`` from ``start``; None without a start or when the calendar lacks the year."""
    if start is None:
        return None
    try:
        return period.end(start, env.cal)
    except UnknownCalendarYear:
        return None


@dataclass(frozen=True)
class Case:
    """One row of ``serious_procedures.sql`` with the derived dates of its windows."""

    row: dict[str, Any]
    env: RosterEnv
    on: date

    def get(self, key: str) -> Any:
        v = self.row.get(key)
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else v

    @property
    def case_no(self) -> str:
        return str(self.row["case_no"])

    @property
    def penalty_case_no(self) -> str:
        """The penalty's own case number (``case_no`` is the procedure's key, which for an entity a
        corrected penalty names after another entity's procedure is ``<case_no>:<uscc>``)."""
        return str(self.get("penalty_case_no") or self.case_no)

    @property
    def family(self) -> str | None:
        f = self.get("family")
        return str(f) if f else None

    @property
    def authority(self) -> str:
        return str(self.get("authority") or "")

    @property
    def switch(self) -> dict[str, Any]:
        return listing_switch(self.env, self.family, self.on)

    @property
    def needs_consent(self) -> bool:
        return consent_required(self.env, self.authority)

    @property
    def defence_ends(self) -> date | None:
        noticed = as_date(self.get("noticed_on"))
        if noticed is None:
            return None
        v = self.env.rules.find("ser.notice", noticed) or self.env.rules.versions("ser.notice")[-1]
        return period_end(v.sub_period("defence_period"), noticed, self.env)

    def assessment(self) -> dict[str, Any]:
        return as_dict(self.get("assess_facts")).get("assessment") or {}

    def consent(self) -> dict[str, Any]:
        return as_dict(self.get("consent_facts")).get("consent") or {}

    def closed(self) -> str | None:
        """Why the procedure is over, or None while a step is still owed."""
        if self.get("proposal_revoked_on") or (self.get("closed_by") == "revoke"):
            return "revoked"
        if self.get("notice_revoked_on"):
            return "revoked"
        if self.get("declined_on"):
            return "declined"
        if self.get("closed_on"):
            return "removed"
        if self.get("include_seq") is not None and self.get("published_on"):
            return "listed"
        return None

    def penalty_revoked(self) -> date | None:
        r = as_date(self.get("penalty_revoked_on"))
        return r if r is not None and r <= self.on else None

    def penalty_reassigned(self) -> date | None:
        """The night the store came to hold the penalty naming another entity than the case's (a
        later drop corrected it: the same ``case_no``, another USCC, contracts.md §1), when by
        ``on``: the case's steps lost their basis as a revoked penalty's do (45号令 art. 11)."""
        r = as_date(self.get("penalty_reassigned_on"))
        return r if r is not None and r <= self.on else None

    def penalty_dropped(self) -> date | None:
        """The night a full penalties snapshot left the case's penalty out (the store no longer
        holds it, contracts.md §1), when by ``on``: the penalty is no longer in the authority's
        record, so the case lost its basis as a dropped finding's listing does (domain.md §3.4, §4)."""
        r = as_date(self.get("penalty_dropped_on"))
        return r if r is not None and r <= self.on else None

    def basis_gone(self) -> date | None:
        """The day the case's basis is gone for its entity: the penalty revoked (``revoked_on``),
        corrected to name another entity (:meth:`penalty_reassigned`) or no longer in the
        authority's record (:meth:`penalty_dropped`), in that order; None while it stands."""
        return self.penalty_revoked() or self.penalty_reassigned() or self.penalty_dropped()

    def revocation_rule(self) -> str:
        """The rule of the revocation :meth:`basis_gone` owes: each cause in its own truthful words
        (rules.yaml): revoked, changed or held void (45号令 art. 11), corrected to name another entity
        (not revoked), or no longer in the authority's record."""
        if self.penalty_revoked():
            return REVOKE_RULES["revoked"]
        return REVOKE_RULES["reassigned" if self.penalty_reassigned() else "dropped"]

    def prerequisites_met_on(self) -> date | None:
        """The day the listing became due (the last prerequisite), None while one is missing."""
        ends = self.defence_ends
        if ends is None or self.on <= ends or int(self.get("open_statements") or 0) > 0:
            return None
        if self.switch["automatic"]:
            return ends
        a = self.assessment()
        if not a or a.get("outcome") != "list":
            return None
        day = as_date(self.get("assessed_on"))
        if self.needs_consent:
            c = self.consent()
            if c.get("outcome") != "granted":
                return None
            day = max(d for d in (day, as_date(self.get("consent_recorded_on"))) if d is not None)
        return day

    def next_step(self) -> tuple[str | None, date | None, str | None]:
        """(step, limit, who acts) still owed on ``on``; :meth:`next_owed` says more."""
        n = self.next_owed()
        return n.step, n.by, n.who

    def next_owed(self) -> NextStep:
        """The step still owed on ``on``, its limit and who acts; when the working calendar does not
        know the limit's year, a provisional Monday–Friday estimate and why (domain.md §12)."""
        env = self.env
        state = self.closed()
        gone = self.basis_gone()
        if gone and state not in ("revoked", "declined", "removed"):
            v = env.rules.find(self.revocation_rule(), gone)
            return _owed("revoke", v.main_period() if v else None, gone, env, "night")
        if state is not None:
            return NextStep(None, None, None)
        if self.get("notice_seq") is None:
            v = env.rules.versions("ser.notice")[-1]
            return _owed("notice", v.main_period(), as_date(self.get("proposed_on")), env, "night")
        if self.get("include_seq") is not None:
            v = env.rules.versions("ser.publish")[-1]
            return _owed("publish", v.main_period(), as_date(self.get("included_on")), env, "night")
        ends = self.defence_ends
        noticed = as_date(self.get("noticed_on"))
        if ends is None and noticed is not None:
            # The window's end falls in a year the calendar does not know: it is not known to have
            # closed, so the party's window stays the step owed (nothing is assessed or listed).
            v = env.rules.find("ser.notice", noticed) or env.rules.versions("ser.notice")[-1]
            return _owed("statement_window", v.sub_period("defence_period"), noticed, env, "party")
        if ends is not None and self.on <= ends:
            return NextStep("statement_window", ends, "party")
        if int(self.get("open_statements") or 0) > 0:
            return NextStep("statement", None, "officer")
        start = max(d for d in (ends, as_date(self.get("statements_answered_on"))) if d is not None) if ends else None
        if self.switch["automatic"]:
            v = env.rules.at("ser.notice", as_date(self.get("noticed_on")) or self.on)
            return _owed("include", v.sub_period("listing_period"), ends, env, "night")
        if not self.assessment():
            v = env.rules.versions("ser.assess")[-1]
            return _owed("assess", v.main_period(), start, env, "officer")
        if self.needs_consent and not self.consent():
            v = env.rules.versions("ser.consent")[-1]
            return _owed("consent", v.main_period(), as_date(self.get("assessed_on")), env, "officer")
        rule = "ser.include.false_disclosure" if self.family == "false_disclosure" else "ser.include.heavier_penalty"
        v = env.rules.versions(rule)[-1]
        return _owed("include", v.main_period(), self.prerequisites_met_on(), env, "night")

    def steps(self) -> list[Step]:
        out: list[Step] = []

        def add(step: str, day: object, no: object = None, actor: object = None,
                detail: dict[str, Any] | None = None) -> None:
            d = as_date(day)
            if d is not None:
                out.append({"step": step, "label": STEP_LABELS[step], "date": d.isoformat(),
                            "decision_no": str(no) if no else None, "actor": str(actor) if actor else None,
                            "detail": detail})

        add("proposal", self.get("proposed_on"), actor="night")
        add("notice", self.get("noticed_on"), self.get("notice_no"), "night",
            {"statement_window_ends": self.defence_ends.isoformat() if self.defence_ends else None})
        if self.get("last_statement_on"):
            add("statement", self.get("last_statement_on"), actor="party",
                detail={"open": int(self.get("open_statements") or 0)})
        a = self.assessment()
        if a:
            add("assess", self.get("assessed_on"), actor=self.get("assessor"), detail=a)
        c = self.consent()
        if c:
            add("consent", self.get("consent_recorded_on"), c.get("document_no"), c.get("officer"), c)
        add("decline", self.get("declined_on"), self.get("decline_no"), None)
        add("include", self.get("included_on"), self.get("include_no"), None,
            {"effective_until": str(as_date(self.get("effective_until")) or "") or None})
        add("publish", self.get("published_on"), actor="night")
        add("revoke", self.get("proposal_revoked_on"), self.get("proposal_revoke_no"))
        if self.get("closed_by") == "revoke":
            add("revoke", self.get("closed_on"), self.get("close_no"))
        return out

    def view(self) -> ProcedureView:
        step, by, who, provisional, note = self.next_owed()
        state = self.closed() or ("listed" if self.get("include_seq") is not None else "pending")
        entry = self.get("entry_id")
        name = self.get("entity_name")
        return {"case_no": self.case_no, "uscc": str(self.row["uscc"]), "name": str(name) if name else None,
                "family": self.family, "family_label": family_wording(self.env).get(self.family or ""),
                "authority": str(self.get("authority_name") or self.authority), "authority_code": self.authority,
                "state": state,
                "consent_required": self.needs_consent, "automatic": bool(self.switch["automatic"]),
                "steps": self.steps(), "next_step": step, "next_step_label": STEP_LABELS.get(step or ""),
                "next_by": by.isoformat() if by else None,
                "next_by_provisional": provisional.isoformat() if provisional else None, "next_by_note": note,
                "next_actor": who,
                "entry_id": int(entry) if entry is not None else None}


def step_row(case: Case, action: str, rule_id: str, fact_key: str, trigger: date | None, **extra: Any) -> dict[str, Any]:
    base = as_dict(case.get("facts"))
    facts = {"case_no": case.penalty_case_no, "source": "penalties", "listing_switch": case.switch}
    if action in ("notice", "include"):
        facts = {**base, **facts}
    facts.update(extra.pop("facts", {}))
    wording = family_wording(case.env)
    cause = "false_disclosure_serious" if case.family == "false_disclosure" else "heavier_penalty"
    return {"uscc": case.row["uscc"], "roster": "serious", "action": action, "rule_id": rule_id,
            "cause_code": cause, "family": wording.get(case.family or "", case.family or ""),
            "region_code": case.authority, "fact_key": fact_key, "trigger_date": trigger,
            "facts": json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str), **extra}


def read_cases(conn: Connection, env: RosterEnv, on: date, uscc: str | None = None,
           known: KnownAt | None = None, scope: NightScope | None = None,
           usccs: list[str] | None = None) -> list[Case]:
    """The procedures of ``serious_procedures.sql``, in its order (the first step's seq): all, one
    entity's (``uscc``), some entities' (``usccs``, without ``scope``) or a scoped night's, the
    entities read by index (issue 11).

    Each row becomes a dict of the driver's values, NULL as None: what the frame's
    ``astype(object).where(notna, None).to_dict("records")`` gave (a nullable integer came out as
    a float there, here as an int; every use of one goes through ``int()``), without the frame:
    that conversion was 0.5 s of the 1 M incremental night's 2.1 s in :func:`advance` (py-spy,
    /work/bench/p33/a.raw)."""
    us = [uscc] if uscc is not None else usccs if usccs is not None else night_scope.bound(conn, scope)
    records = night_scope.records(conn, "rosters/serious_procedures",
                                  {"n": on, "us": us, "ks": seq_limit(known), "kn": night_limit(known)},
                                  None if usccs is not None else scope)
    return [Case(r, env, on) for r in records]


def refreshed_cases(conn: Connection, env: RosterEnv, on: date, cases: list[Case], usccs: Iterable[str]) -> list[Case]:
    """``cases`` (a full read of :func:`read_cases` on ``on``) after a round of :func:`advance` appended
    steps for the entities ``usccs``: the same list a full read would give now, re-reading only
    those entities' procedures.

    A step the night appends names its case's entity (``step_row``: the case's row ``uscc``; a
    proposal, the penalty's entity, which becomes the new case's), and a case's row reads only its
    own steps (by fact key, by its notice's seq, by its listing's entry), so the cases of other
    entities are unchanged. A re-read case replaces the one read before when both name the same
    entity: its first step (the row's ``uscc``) is then among those re-read and is still the
    first, so the row is the full read's; a case the first read did not hold is new (its first
    step appended in this round, after every earlier case's first step) and comes last, in the
    statement's order, as in a full read. At 1 M the full read is ~0.2 s of SQL per round (three
    rounds on night 2, /work/bench/p33/h_a/pg/log); the re-read reads the few entities a round
    touched."""
    fresh = read_cases(conn, env, on, usccs=sorted({str(u) for u in usccs}))
    if not fresh:
        return cases
    by_no = {c.case_no: c for c in fresh}
    out = [by_no.pop(c.case_no) if c.case_no in by_no and by_no[c.case_no].row["uscc"] == c.row["uscc"] else c
           for c in cases]
    known = {c.case_no for c in cases}
    return out + [c for c in by_no.values() if c.case_no not in known]


def procedures(conn: Connection, on: date, uscc: str | None = None, *, open_only: bool = False,
               settings: Settings | None = None, known: KnownAt | None = None) -> list[ProcedureView]:
    """Every serious-list procedure as of ``on`` (one entity's with ``uscc``); ``known``: from the
    log as it stood after that night — a step recorded later is not there (record time, issue 13)."""
    env = RosterEnv.load(settings)
    views = [c.view() for c in read_cases(conn, env, on, uscc, known)]
    return [v for v in views if v["next_step"] is not None] if open_only else views


def in_district(view: ProcedureView, prefix: str | None) -> bool:
    """Whether ``view`` is run by an authority whose GB/T 2260 code starts with ``prefix`` (None:
    every district), as the workbench's district filter and the deadline watch ask it. The code
    is compared, never the name that ``view["authority"]`` holds for people: that comparison
    matched nothing, and a county's officers did not see their own procedures (an outsider's
    acceptance pass, s36). The next-higher bureau whose consent is owed (domain.md §4) sees the
    procedure too: its division (:func:`higher_authority`, a city or province) covers the deciding
    authority's code by its prefix."""
    return prefix is None or view["authority_code"].startswith(prefix)


def entry_steps(conn: Connection, on: date, uscc: str, settings: Settings | None = None,
                known: KnownAt | None = None) -> dict[int, list[Step]]:
    """The procedure steps behind each serious-list entry of ``uscc`` (by entry id), as known after ``known``."""
    return {v["entry_id"]: v["steps"] for v in procedures(conn, on, uscc, settings=settings, known=known)
            if v["entry_id"] is not None}


PUBLIC_STEPS = ("notice", "include", "publish", "revoke")
"""Steps shown outside the bureau (exports, the public view): the served and published ones; the
proposal, the assessment and the consent are the bureau's working papers."""


class PublicStep(TypedDict):
    step: str
    label: str
    date: str
    decision_no: str | None


def public_steps(steps: list[Step]) -> list[PublicStep]:
    """The steps of :data:`PUBLIC_STEPS`, without who acted or the assessment's content."""
    return [{"step": s["step"], "label": s["label"], "date": s["date"], "decision_no": s["decision_no"]}
            for s in steps if s["step"] in PUBLIC_STEPS]


def listing_steps(conn: Connection, on: date, settings: Settings | None = None,
                  known: KnownAt | None = None) -> dict[tuple[str, str], list[PublicStep]]:
    """The public steps of every serious-list listing as of ``on`` (as known after ``known``), by
    (uscc, 文号 of the listing)."""
    out: dict[tuple[str, str], list[PublicStep]] = {}
    for v in procedures(conn, on, settings=settings, known=known):
        no = next((s["decision_no"] for s in v["steps"] if s["step"] == "include"), None)
        if no:
            out[(v["uscc"], no)] = public_steps(v["steps"])
    return out


def steps_text(steps: list[Step] | list[PublicStep]) -> str:
    """The steps on one line for a CSV cell: 拟列入 2026-03-02；告知 2026-03-02 〔文号〕；…"""
    return "；".join(f"{s['label']} {s['date']}" + (f" {s['decision_no']}" if s["decision_no"] else "")
                    for s in steps)
