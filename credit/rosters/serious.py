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
pending proposal or the listing that rested on it within 3 WD (45号令 art. 11, domain.md §6).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple, TypedDict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, add_years
from credit.night import scope as night_scope
from credit.night.scope import NightScope
from credit.rosters.authorities import divisions
from credit.rosters.env import RosterEnv
from credit.rosters.known import KnownAt, night_limit, seq_limit
from credit.rosters.log import LOCK_KEY, finalise, held_fact_keys, insert_decisions
from credit.rosters.rules import Period
from credit.settings import Settings

STEP_LABELS = {
    "proposal": "拟列入", "notice": "告知（陈述、申辩、听证权利）", "statement_window": "陈述申辩及听证申请期限",
    "statement": "陈述申辩或听证申请的处理", "assess": "第十二条裁量评估", "consent": "上一级市场监督管理部门同意",
    "include": "列入决定", "publish": "公示", "decline": "不予列入决定", "revoke": "撤销",
}
"""The Chinese name of every step, as the public and the officers read it."""

INTENT = ("intentional", "negligent", "no_intent_proven")
"""The art. 12 finding on intent; ``no_intent_proven`` (当事人能够证明没有主观故意) excludes listing."""
OUTCOMES = ("list", "not_list")
CONSENT_OUTCOMES = ("granted", "refused")
_MUNICIPALITIES = ("11", "12", "31", "50")  # 直辖市: a district's next-higher bureau is the municipality's


class Refused(Exception):
    """An officer's step that cannot be recorded as asked; the message says why (Chinese and English)."""


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


class OfficerStep(TypedDict):
    """What an officer's step appended to the log."""

    seq: int
    action: str
    decision_no: str | None
    case_no: str


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


def authority_level(code: str) -> str:
    """province / city / county from a GB/T 2260 code (xx0000, xxyy00, other)."""
    code = str(code or "")
    if len(code) != 6 or not code.isdigit():
        return "county"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def higher_authority(code: str) -> str:
    """The next-higher bureau's code (domain.md §4): the parent of ``code``'s GB/T 2260 division, the
    one that names the authorities (:func:`credit.rosters.authorities.divisions`), so a county-level
    division under a province directly (仙桃 429004, 石河子 659001) answers to the province. A code
    the dataset lacks is read from its digits: county → city, or the municipality; city → province."""
    known = divisions().get(code)
    if known is not None and known.parent:
        return known.parent
    if authority_level(code) == "county" and code[:2] not in _MUNICIPALITIES:
        return code[:4] + "00"
    return code[:2] + "0000"


def consent_required(env: RosterEnv, authority: str) -> bool:
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


def _family_wording(env: RosterEnv) -> dict[str, str]:
    meta = env.rules.meta.get("ser.include.heavier_penalty") or {}
    return {str(k): str(v) for k, v in (meta.get("families") or {}).items()}


# ------------------------------------------------------------------------------------------------
# The state of each procedure
# ------------------------------------------------------------------------------------------------
def _d(value: object) -> date | None:
    """A date cell or fact: None, NaN and NaT (no date) become None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _j(value: object) -> dict[str, Any]:
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


def _end(period: Period, start: date | None, env: RosterEnv) -> date | None:
    if start is None:
        return None
    try:
        return period.end(start, env.cal)
    except UnknownCalendarYear:
        return None


@dataclass(frozen=True)
class _Case:
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
        noticed = _d(self.get("noticed_on"))
        if noticed is None:
            return None
        v = self.env.rules.find("ser.notice", noticed) or self.env.rules.versions("ser.notice")[-1]
        return _end(v.sub_period("defence_period"), noticed, self.env)

    def assessment(self) -> dict[str, Any]:
        return _j(self.get("assess_facts")).get("assessment") or {}

    def consent(self) -> dict[str, Any]:
        return _j(self.get("consent_facts")).get("consent") or {}

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
        r = _d(self.get("penalty_revoked_on"))
        return r if r is not None and r <= self.on else None

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
        day = _d(self.get("assessed_on"))
        if self.needs_consent:
            c = self.consent()
            if c.get("outcome") != "granted":
                return None
            day = max(d for d in (day, _d(self.get("consent_recorded_on"))) if d is not None)
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
        if self.penalty_revoked() and state not in ("revoked", "declined", "removed"):
            v = env.rules.find("ser.revoke.penalty_revoked", self.penalty_revoked() or self.on)
            return _owed("revoke", v.main_period() if v else None, self.penalty_revoked(), env, "night")
        if state is not None:
            return NextStep(None, None, None)
        if self.get("notice_seq") is None:
            v = env.rules.versions("ser.notice")[-1]
            return _owed("notice", v.main_period(), _d(self.get("proposed_on")), env, "night")
        if self.get("include_seq") is not None:
            v = env.rules.versions("ser.publish")[-1]
            return _owed("publish", v.main_period(), _d(self.get("included_on")), env, "night")
        ends = self.defence_ends
        noticed = _d(self.get("noticed_on"))
        if ends is None and noticed is not None:
            # The window's end falls in a year the calendar does not know: it is not known to have
            # closed, so the party's window stays the step owed (nothing is assessed or listed).
            v = env.rules.find("ser.notice", noticed) or env.rules.versions("ser.notice")[-1]
            return _owed("statement_window", v.sub_period("defence_period"), noticed, env, "party")
        if ends is not None and self.on <= ends:
            return NextStep("statement_window", ends, "party")
        if int(self.get("open_statements") or 0) > 0:
            return NextStep("statement", None, "officer")
        start = max(d for d in (ends, _d(self.get("statements_answered_on"))) if d is not None) if ends else None
        if self.switch["automatic"]:
            v = env.rules.at("ser.notice", _d(self.get("noticed_on")) or self.on)
            return _owed("include", v.sub_period("listing_period"), ends, env, "night")
        if not self.assessment():
            v = env.rules.versions("ser.assess")[-1]
            return _owed("assess", v.main_period(), start, env, "officer")
        if self.needs_consent and not self.consent():
            v = env.rules.versions("ser.consent")[-1]
            return _owed("consent", v.main_period(), _d(self.get("assessed_on")), env, "officer")
        rule = "ser.include.false_disclosure" if self.family == "false_disclosure" else "ser.include.heavier_penalty"
        v = env.rules.versions(rule)[-1]
        return _owed("include", v.main_period(), self.prerequisites_met_on(), env, "night")

    def steps(self) -> list[Step]:
        out: list[Step] = []

        def add(step: str, day: object, no: object = None, actor: object = None,
                detail: dict[str, Any] | None = None) -> None:
            d = _d(day)
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
            {"effective_until": str(_d(self.get("effective_until")) or "") or None})
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
                "family": self.family, "family_label": _family_wording(self.env).get(self.family or ""),
                "authority": str(self.get("authority_name") or self.authority), "authority_code": self.authority,
                "state": state,
                "consent_required": self.needs_consent, "automatic": bool(self.switch["automatic"]),
                "steps": self.steps(), "next_step": step, "next_step_label": STEP_LABELS.get(step or ""),
                "next_by": by.isoformat() if by else None,
                "next_by_provisional": provisional.isoformat() if provisional else None, "next_by_note": note,
                "next_actor": who,
                "entry_id": int(entry) if entry is not None else None}


def _cases(conn: Connection, env: RosterEnv, on: date, uscc: str | None = None,
           known: KnownAt | None = None, scope: NightScope | None = None,
           usccs: list[str] | None = None) -> list[_Case]:
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
    return [_Case(r, env, on) for r in records]


def _refreshed(conn: Connection, env: RosterEnv, on: date, cases: list[_Case], usccs: Iterable[str]) -> list[_Case]:
    """``cases`` (a full read of :func:`_cases` on ``on``) after a round of :func:`advance` appended
    steps for the entities ``usccs``: the same list a full read would give now, re-reading only
    those entities' procedures.

    A step the night appends names its case's entity (``_step_row``: the case's row ``uscc``; a
    proposal, the penalty's entity, which becomes the new case's), and a case's row reads only its
    own steps (by fact key, by its notice's seq, by its listing's entry), so the cases of other
    entities are unchanged. A re-read case replaces the one read before when both name the same
    entity: its first step (the row's ``uscc``) is then among those re-read and is still the
    first, so the row is the full read's; a case the first read did not hold is new (its first
    step appended in this round, after every earlier case's first step) and comes last, in the
    statement's order, as in a full read. At 1 M the full read is ~0.2 s of SQL per round (three
    rounds on night 2, /work/bench/p33/h_a/pg/log); the re-read reads the few entities a round
    touched."""
    fresh = _cases(conn, env, on, usccs=sorted({str(u) for u in usccs}))
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
    views = [c.view() for c in _cases(conn, env, on, uscc, known)]
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


# ------------------------------------------------------------------------------------------------
# The night: proposals, and the time-driven steps
# ------------------------------------------------------------------------------------------------
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
    wording = _family_wording(env)
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
    df["fact_key"] = "proposal:penalties:" + df["case_no"]
    return df


def _step_row(case: _Case, action: str, rule_id: str, fact_key: str, trigger: date | None, **extra: Any) -> dict[str, Any]:
    base = _j(case.get("facts"))
    facts = {"case_no": case.case_no, "source": "penalties", "listing_switch": case.switch}
    if action in ("notice", "include"):
        facts = {**base, **facts}
    facts.update(extra.pop("facts", {}))
    wording = _family_wording(case.env)
    cause = "false_disclosure_serious" if case.family == "false_disclosure" else "heavier_penalty"
    return {"uscc": case.row["uscc"], "roster": "serious", "action": action, "rule_id": rule_id,
            "cause_code": cause, "family": wording.get(case.family or "", case.family or ""),
            "region_code": case.authority, "fact_key": fact_key, "trigger_date": trigger,
            "facts": json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str), **extra}


def _time_driven(conn: Connection, env: RosterEnv, night: date, scope: NightScope | None = None,
                 cases: list[_Case] | None = None) -> pd.DataFrame:
    """The steps the night owes on ``night``: notices, listings, publications, revocations
    (of ``cases``, read by :func:`_cases` when not given)."""
    rows: list[dict[str, Any]] = []
    for case in cases if cases is not None else _cases(conn, env, night, scope=scope):
        step, _by, _who = case.next_step()
        key = case.case_no
        if step == "revoke":
            revoked = case.penalty_revoked()
            if case.get("include_seq") is not None:
                rows.append(_step_row(case, "revoke", "ser.revoke.penalty_revoked", f"close:{int(case.row['entry_id'])}",
                                      revoked, entry_id=int(case.row["entry_id"]), refers_to=int(case.row["include_seq"]),
                                      due_start=revoked, facts={"penalty_revoked_on": str(revoked)}))
            else:
                target = case.get("proposal_seq") or case.get("notice_seq")
                rows.append(_step_row(case, "revoke", "ser.revoke.penalty_revoked", f"revoke:penalties:{key}",
                                      revoked, refers_to=int(target), due_start=revoked,
                                      facts={"penalty_revoked_on": str(revoked)}))
        elif step == "notice":
            rows.append(_step_row(case, "notice", "ser.notice", f"notice:penalties:{key}",
                                  _d(case.get("proposed_on")), refers_to=int(case.row["proposal_seq"])))
        elif step == "publish":
            rows.append(_step_row(case, "publish", "ser.publish", f"publish:penalties:{key}",
                                  _d(case.get("included_on")), entry_id=int(case.row["entry_id"]),
                                  refers_to=int(case.row["include_seq"])))
        elif step == "include":
            met = case.prerequisites_met_on()
            if met is None or met > night or (case.switch["automatic"] and night <= met):
                continue
            rows.append(_listing(case, env, night, met))
    return pd.DataFrame(rows)


def _listing(case: _Case, env: RosterEnv, night: date, met: date) -> dict[str, Any]:
    rule = "ser.include.false_disclosure" if case.family == "false_disclosure" else "ser.include.heavier_penalty"
    v = env.rules.find(rule, night)
    years = int((v.listing_years if v else None) or 3)
    base = _j(case.get("facts"))
    ends = restriction_end(env, _d(base.get("decided_on")), base.get("measures"),
                           _d(case.get("restricted_until")) or _d(base.get("restricted_until")))
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
        nv = env.rules.at("ser.notice", _d(case.get("noticed_on")) or night)
        due = _end(nv.sub_period("listing_period"), met, env)
    return _step_row(case, "include", rule, f"include:serious:penalties:{case.case_no}", met,
                     refers_to=int(case.row["notice_seq"]), effective_until=until, due_date=due, facts=extra)


def advance(conn: Connection, env: RosterEnv, night: date, *, scope: NightScope | None = None) -> pd.DataFrame:
    """Append the night's serious-list steps; returns the log rows appended (as :func:`finalise` made them).
    With a ``scope``, the procedures of its entities only (credit.night.scope).

    Runs in rounds (a proposal and its notice, a listing and its publication fall on the same
    night); each round appends only facts the log does not hold, so a re-run adds nothing.
    """
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    made: list[pd.DataFrame] = []
    cases: list[_Case] | None = None
    for _ in range(4):
        # The procedures read once, then only the entities the last round appended steps for
        # (:func:`_refreshed`): the same cases, in the same order, as a full read each round.
        cases = _cases(conn, env, night, scope=scope) if not made else \
            _refreshed(conn, env, night, cases or [], made[-1]["uscc"])
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


# ------------------------------------------------------------------------------------------------
# Officers: the art. 12 assessment and the higher bureau's consent
# ------------------------------------------------------------------------------------------------
def _case_for(conn: Connection, env: RosterEnv, ref: str, on: date) -> _Case:
    """The procedure a reference names: the penalty's case number, or the seq/文号 of one of its steps."""
    ref = ref.strip()
    by = "seq = :r" if ref.isdigit() else "decision_no = :r"
    row = conn.execute(sa.text(f"select fact_key from roster_decisions where roster = 'serious' and {by}"),
                       {"r": int(ref) if ref.isdigit() else ref}).mappings().first()
    case_no = ref
    if row is not None and row["fact_key"] and ":penalties:" in row["fact_key"]:
        case_no = str(row["fact_key"]).split(":penalties:", 1)[1]
    for c in _cases(conn, env, on):
        if c.case_no == case_no:
            _not_before_latest(conn, c, on)
            return c
    raise Refused(f"{ref} 不是严重违法失信名单列入程序中的案件 (no serious-list procedure for {ref!r} on {on.isoformat()})")


def _not_before_latest(conn: Connection, case: _Case, on: date) -> None:
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
    rows = [_step_row(case, "assess", "ser.assess", f"assess:penalties:{case.case_no}", on,
                      refers_to=int(case.row["notice_seq"]), facts={"assessment": assessment},
                      due_start=case.defence_ends, reason=note)]
    if outcome == "not_list":
        rows.append(_step_row(case, "decline", "ser.decline", f"decline:penalties:{case.case_no}", on,
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
    assessed = _d(case.get("assessed_on"))
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
    rows = [_step_row(case, "consent", "ser.consent", f"consent:penalties:{case.case_no}", consented_on,
                      refers_to=int(case.row["assess_seq"]), facts={"consent": consent}, due_start=assessed)]
    if outcome == "refused":
        rows.append(_step_row(case, "decline", "ser.decline", f"decline:penalties:{case.case_no}", on,
                              refers_to=int(case.row["notice_seq"]), facts={"consent": consent},
                              reason="上一级市场监督管理部门不同意列入，不予列入"))
    return _officer_rows(conn, env, rows, on, officer)


# ------------------------------------------------------------------------------------------------
# Early removal while a restriction runs (domain.md §4)
# ------------------------------------------------------------------------------------------------
class EarlyRemoval(NamedTuple):
    """When a serious-list entry may first be removed early (提前移出), by the one rule the status,
    the receipt of an application and the night's answer all use (:func:`early_removal`).

    ``apply_from``: the first day an application received can be granted; None when there is no
    early removal at all (the restriction runs to, or past, the automatic removal).
    ``restriction_ends``: the last day of the penalty's restriction when it holds early removal back
    beyond the year on the list (else None). ``automatic_on``: the day the entry leaves the list by
    itself (the day after its listing period, None when unknown)."""

    apply_from: date | None
    restriction_ends: date | None
    automatic_on: date | None


def early_removal(included_on: date, restriction_ends: date | None, automatic_on: date | None) -> EarlyRemoval:
    """domain.md §4 (2021 repair document art. 7; order 107): early removal after **one full year**
    on the list (applicable from the day after, 民法典 art. 202), and never while a statutory
    restriction of the penalty (practice ban, restriction of business…) still runs: an application
    received on or before the restriction's last day is refused. The longer period governs; when it
    reaches the automatic removal there is no early-removal date, the entry is removed on that day
    (an outsider's acceptance pass: the refusal named the automatic removal as a day to apply)."""
    first = add_years(included_on, 1) + timedelta(days=1)
    held = restriction_ends if restriction_ends is not None and restriction_ends + timedelta(days=1) > first else None
    if held is not None:
        first = held + timedelta(days=1)
    if automatic_on is not None and first >= automatic_on:
        return EarlyRemoval(None, held, automatic_on)
    return EarlyRemoval(first, held, automatic_on)


def restriction_note(window: EarlyRemoval) -> str | None:
    """What the restriction behind ``window`` means for early removal, in the applicants' words
    (the status, the API and the page say it; the refusal adds it to its reason)."""
    if window.restriction_ends is None:
        return None
    ends = window.restriction_ends.isoformat()
    text = f"行政处罚决定规定的限制期限（限制从业、限制开展生产经营活动等）至{ends}届满，限制期限届满前不予提前移出严重违法失信名单"
    return text + (f"；可于{window.apply_from.isoformat()}起申请" if window.apply_from else _no_early(window))


def _no_early(window: EarlyRemoval) -> str:
    if window.automatic_on is None:
        return "；列入期限届满自动移出"
    return f"；列入期限届满将于{window.automatic_on.isoformat()}自动移出，无提前移出日期"


def early_removal_refusal(window: EarlyRemoval, received: date) -> str | None:
    """The reason an application for early removal received on ``received`` is refused by the rule
    of :func:`early_removal`, in Chinese with the day it can be made (or the automatic removal);
    None when the application comes late enough. The receipt (credit.rosters.repair) says it, the
    night (credit.rosters.decide) refuses with it: one text, one rule."""
    if window.apply_from is not None and received >= window.apply_from:
        return None
    if window.restriction_ends is not None:
        return restriction_note(window)
    if window.apply_from is None:
        return "列入严重违法失信名单未满一年，不予提前移出" + _no_early(window)
    return f"列入严重违法失信名单未满一年，不予提前移出；可于{window.apply_from.isoformat()}起申请"


def early_removal_refusal_en(window: EarlyRemoval) -> str:
    """The English aside of :func:`early_removal_refusal` for the command line and the bureau's API."""
    why = (f"a restriction of the penalty runs to {window.restriction_ends.isoformat()}"
           if window.restriction_ends else "less than one full year on the list")
    if window.apply_from is not None:
        return f"too early: {why}; apply from {window.apply_from.isoformat()}"
    auto = window.automatic_on.isoformat() if window.automatic_on else "the end of the listing period"
    return f"no early removal: {why}; removed automatically on {auto}"
