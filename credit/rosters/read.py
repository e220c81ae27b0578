"""The rosters as read: every roster on a date, one entity's entries with their repair dates.

Nothing here is stored: the state on any date is the fold of the decisions made up to that date
(SQL function ``roster_entry_detail_as_of``), and due dates are derived when read, so a date
computed while the holiday schedule was unpublished is exact once the year is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, NamedTuple, NotRequired, TypedDict

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, WorkingCalendar, add_years
from credit.rosters.certificates import DataVersion, removal_kind, version_of
from credit.rosters.early_removal import early_removal, restriction_note
from credit.rosters.env import RosterEnv, effective_due, removal_rule, shown_reasons
from credit.rosters.known import KnownAt, fold, night_limit, params, request_limit, seq_limit
from credit.rosters.labels import decision_label
from credit.rosters.registration import (
    StatusAsOf,
    StatusChange,
    status_as_of,
    status_changes,
    status_statement,
)
from credit.rosters.rules import Period
from credit.rosters.serious import Step, entry_steps
from credit.settings import Settings

# contracts.md §2 fixes the order of the first twelve; ``remedy`` (救济途径, issue 13) is appended last.
EXPORT_COLUMNS = ["uscc", "name", "roster", "cause_code", "cause", "basis", "included_on", "decision_no",
                  "authority", "state", "removed_on", "removal_reason", "remedy"]
APPLICATION_WINDOW_YEARS = 3  # 68号令 art. 10: apply within 3 years of inclusion (domain.md §3.3)


class ApplicationDecision(TypedDict):
    """The decision that answered an application for removal (remove or refuse)."""

    action: str
    decision_no: str | None
    decision_date: str
    reason: str | None
    basis: str | None
    remedy: NotRequired[str | None]  # refusals: how to challenge them (救济途径)


class PendingApplication(TypedDict):
    """An application not yet answered, with the date the bureau must answer it by."""

    id: int
    received_on: str
    decide_by: str | None
    decide_by_provisional: str | None   # weekday-only estimate: the holiday schedule is unpublished
    decide_by_note: str | None          # why there is no date yet (causes 3 and 4 before 查实)


class ApplicationView(PendingApplication):
    """An application for removal on an entry, with its answer (pending / refused / removed)."""

    status: str
    decision: ApplicationDecision | None


class RepairWindow(TypedDict, total=False):
    """When and how an entry may leave its roster (domain.md §3.3, §4); which keys depend on the roster."""

    early_removal_from: str          # serious list: the day after one full year on it, or after a longer restriction
    restriction_ends: str            # serious list: the last day of the penalty's restriction (domain.md §4)
    automatic_removal_on: str        # serious list: the day after the listing period is full
    restriction_note: str            # serious list: what that restriction means for early removal, in Chinese
    removal_limit_from: str          # abnormal roster and status: ``receipt`` or ``cure`` (查实)
    apply_until: str                 # abnormal roster: 3 years after inclusion, past a rest day (68号令 art. 10; 民法典 art. 203)
    apply_until_provisional: str     # the same, when its year's holiday notice is not out: a weekday count, provisional
    cure_established_on: str | None  # causes 3 and 4: the day the bureau established the cure


class PendingOnListed(TypedDict, total=False):
    """The applications still awaiting an answer; shown only while the entry is listed."""

    pending_applications: list[PendingApplication]


class ProcedureSteps(TypedDict, total=False):
    """Serious list: the steps of the procedure behind the entry, with their dates (domain.md §4)."""

    steps: list[Step]


class RemovedSince(TypedDict):
    """How an entry listed on the date asked has left its roster by the answer's latest data."""

    removed_on: str | None
    removal_no: str | None
    removal_reason: str | None
    removal_kind: str | None   # revoked (as wrong, domain.md §3.4) / repair (信用修复) / removed
    label: str                 # in Chinese, what happened since


REMOVED_SINCE_LABELS = {"revoked": "该列入决定已于{on}被撤销（{no}）", "repair": "已于{on}经信用修复移出（{no}）",
                        "removed": "已于{on}移出（{no}）"}


class RosterEntryView(RepairWindow, PendingOnListed, ProcedureSteps):
    """One roster entry of an entity as :func:`entity_rosters` shows it (dates as ISO text).

    The keys of :class:`RepairWindow` depend on the roster, those of :class:`PendingOnListed` on
    the state.
    """

    roster: str
    cause_code: str
    cause: str
    basis: str
    included_on: str
    decision_no: str | None
    authority: str
    state: str
    removed_on: str | None
    removal_reason: str | None
    removal_no: str | None
    decision_due: str | None
    decision_due_provisional: str | None
    decided_late: bool
    removal_possible: str | None     # the contract's wording (contracts.md §2)
    removal_possible_zh: str | None  # the same in Chinese
    remedy: str | None               # 救济途径 of the listing / marking (domain.md §3.4)
    applications: list[ApplicationView]


def roster_as_of(conn: Connection, as_of: date, roster: str | None = None,
                 settings: Settings | None = None, known: KnownAt | None = None) -> pd.DataFrame:
    """The roster(s) on ``as_of``, folded from the log: the export columns plus ``entity_kind``.

    Every entry ever included up to ``as_of`` appears, ``state`` listed or removed (a revoked
    listing shows as removed with the revocation's reason), so a past date is answered from our
    own history (domain.md trap 5). ``known``: from the log as it stood after that night.
    """
    if known is None:
        res = conn.execute(fold("rosters/entries_as_of", known), {"d": as_of, "r": roster})
    else:   # names and kinds as the store held them after night K too (contracts.md §2)
        res = conn.execute(fold("rosters/entries_known", known),
                           {"d": as_of, "r": roster, "kn": known.night, **params(known)})
    df = pd.DataFrame(res.mappings().all(), columns=list(res.keys()))
    if not df.empty:
        df["remedy"] = remedies(df["remedy"], df["authority_code"], df["included_on"], settings)
        df["removal_reason"] = shown_reasons(list(df["removal_reason"]), list(df["removal_note_version"]), settings)
    return df.reindex(columns=EXPORT_COLUMNS + ["entity_kind"])


def remedies(stored: pd.Series, authority: pd.Series, decided: pd.Series, settings: Settings | None = None) -> list[str]:
    """The remedy statement of each decision: the one it carries, else (decisions made before
    statements were recorded) the one the configuration gives its authority on its date."""
    env: RosterEnv | None = None
    out: list[str] = []
    for s, a, d in zip(stored, authority, decided, strict=True):
        if isinstance(s, str) and s:
            out.append(s)
            continue
        env = env or RosterEnv.load(settings)
        out.append(remedy_of(s, a, d, env))
    return out


def remedy_of(stored: object, authority: object, decided: date | str | pd.Timestamp, env: RosterEnv) -> str:
    """:func:`remedies` of one decision (no frame: one entity's entries, issue 11)."""
    if isinstance(stored, str) and stored:
        return stored
    return env.remedy(str(authority), decided if isinstance(decided, date) else pd.Timestamp(decided).date())


def application_window_end(included_on: date, cal: WorkingCalendar) -> tuple[date, date | None]:
    """(last day, provisional) to apply for removal, 3 years after inclusion (68号令 art. 10,
    domain.md §3.3): the corresponding day (民法典 art. 202), or, when that is a rest day, the first
    working day after it (art. 203, domain.md §12: a make-up working day is none); provisional None.
    In a year whose holiday schedule is not published: the corresponding day itself, the earliest
    the period can end (the roll-over only moves it later), and as provisional the weekday count
    every deadline of such a year is shown by (Monday–Friday, the days fixed off by law skipped;
    domain.md §13 example 11), which the notice may still move."""
    end = add_years(included_on, APPLICATION_WINDOW_YEARS)
    try:
        return cal.roll_forward(end), None
    except UnknownCalendarYear:
        return end, Period(APPLICATION_WINDOW_YEARS, "years").weekday_estimate(included_on)


def latest_night(conn: Connection) -> date | None:
    """The latest published night (``max(night)`` of ``night_runs``): how far the data reach."""
    return conn.execute(sa.text("select max(night) from night_runs")).scalar()


def cure_established_on(conn: Connection, entry_id: int, on: date, known: KnownAt | None = None) -> date | None:
    """The day the bureau established (查实) the cure of an abnormal-roster entry, known by ``on``;
    ``known``: only a cure the store held after that night (record time, contracts.md §2)."""
    return conn.execute(sqlfiles.statement("rosters/cure_established"),
                        {"e": entry_id, "on": on, "kn": night_limit(known)}).scalar()


def cure_wait(env: RosterEnv, rule_id: str, on: date | None = None) -> str:
    """"自查实<the cure>之日起<period>内决定" of a removal rule whose limit runs from 查实 of the cure
    (``limit_from: cure``), worded from the rule's own version (rules.yaml ``reason`` and
    ``period``): each cause its own cure — "已更正公示信息" (68号令 art. 13), "已变更登记住所或
    重新取得联系" (art. 14), "已变更经营场所或重新取得联系" for a 个体工商户 (69号令 art. 18,
    domain.md §3.3, §3.4) — never one sentence for all (s35: an unreachable business was told of a
    correction it had nothing to correct)."""
    versions = env.rules.versions(rule_id)
    v = (env.rules.find(rule_id, on) if on is not None else None) or versions[-1]
    cure = v.reason or "整改情况"
    within = "" if v.period is None else \
        f"{v.period.n}{'个工作日' if v.period.unit == 'wd' else '日'}"
    return f"自查实{cure}之日起{within}内决定"


def removal_cured_on(conn: Connection, entry_id: int, on: date, known: KnownAt | None = None) -> date | None:
    """The day an abnormal-roster entry's cause was cured, as the night's removal reads it: the
    missing report filed (cause 1), else the cure established (查实, causes 2–4), known by ``on``
    (rosters/removal_cure.sql). What :func:`removal_limit_start` counts an application from."""
    return conn.execute(sqlfiles.statement("rosters/removal_cure"),
                        {"e": entry_id, "on": on, "kn": night_limit(known)}).scalar()


def removal_limit_start(env: RosterEnv, rule_id: str, received: date, cure_on: date | None) -> date | None:
    """The day the limit of a decision on an application for removal runs from (domain.md §3.3;
    68号令 arts. 11–14): for causes 3 and 4 (``limit_from: cure``) 查实 of the cure, not before
    receipt, and none before 查实; for the others receipt, or the cure if it came later — cause 2
    "the later of receipt and publication" (art. 12), cause 1 the filing of the missing report if
    later (rules.yaml ``trigger``). ``cure_on``: :func:`removal_cured_on` (None on the serious list).

    The night's removal decision counts its due date from exactly this day (``due_start`` in
    :func:`credit.rosters.decide`, vectorised there): an application received Wed 2026-07-15 on
    cause 2, published (ordered_disclosure_done) on Thu 07-16, is decided by 07-23, never by the
    receipt's 07-22 (an outsider's acceptance pass, s35)."""
    if env.limit_from(rule_id) == "cure":
        return None if cure_on is None else max(received, cure_on)
    if cure_on is None or (env.rules.meta.get(rule_id) or {}).get("roster") not in ("abnormal", "abnormal_status"):
        return received   # the serious list and penalty information count from receipt (no cure)
    return max(received, cure_on)


def application_due(env: RosterEnv, rule_id: str, received: date, due: date | None, provisional: date | None,
                    cure_on: date | None) -> tuple[date | None, date | None, str | None]:
    """(decide_by, provisional, note) of an application for removal as known now, counted from
    :func:`removal_limit_start`.

    Causes 3 and 4 (``limit_from: cure``): 5 WD from 查实 of the cure (not before receipt); while
    the cure is not established there is no date yet. Otherwise from receipt — the stored date, a
    provisional one recomputed when the calendar has learnt its year — or from the cure when it
    came after receipt (the rule's period derived from it, as the night derives the decision's).
    """
    start = removal_limit_start(env, rule_id, received, cure_on)
    if start is None:
        return None, None, f"{cure_wait(env, rule_id, received)}（查实前不计算）"
    if env.limit_from(rule_id) == "cure" or start != received:
        d, p = env.derive_due(rule_id, start)
        return d, p, None
    d, p = effective_due(env, rule_id, received, due, provisional)
    return d, p, None


class AppliedEntry(NamedTuple):
    """One entry an application for removal covers, as its decide-by date is counted: the entry's own
    removal rule (:func:`credit.rosters.env.removal_rule`, for the entity's kind), its 查实 of the cure
    where that rule counts from it, and how a clerk names it (cause and 文号)."""

    rule_id: str
    cure_on: date | None
    label: str


def entry_label(cause: object, decision_no: object) -> str:
    """An entry as a note names it: its cause in Chinese and the 文号 of its listing."""
    return f"{cause or ''}（{decision_no}）" if decision_no else str(cause or "")


def same_cause(rule_a: str, rule_b: str) -> bool:
    """Whether two removal rules remove on the same cause, whatever the entity kind's own text
    (``coop.remove.X`` and ``abn.remove.X``, :meth:`credit.rosters.env.RosterEnv.for_kind`)."""
    return rule_a.partition(".")[2] == rule_b.partition(".")[2]


def applied_entries_due(env: RosterEnv, entries: list[AppliedEntry], received: date, stored_rule: str | None,
                        due: date | None, provisional: date | None) -> tuple[date | None, date | None, str | None]:
    """(decide_by, provisional, note) of an application for removal covering ``entries`` (every
    entry of its roster listed on receipt, domain.md §3.3), as known now.

    Each entry has its own limit, as the night decides it (credit.rosters.decide): 5 WD from
    receipt for causes 1 and 2 (from the cure when it came later: :func:`removal_limit_start`),
    5 WD from 查实 of the cure for causes 3 and 4, none before 查实 (:func:`application_due`). The application's date is the earliest limit known; the entries
    still waiting for 查实 are named in the note, so a clerk sees both what is due and what is not
    yet counted. An entity listed for a missing report and for false disclosure that applied on
    Wed 2026-09-30 is due Tue 2026-10-13 for the report (§13 ex. 3) and has no date for the false
    disclosure until 查实 — never 2026-10-13 for both, which made the cure-bound part look overdue.
    The date stored at receipt is used for the entry whose rule it was counted by (``stored_rule``),
    so a provisional date is recomputed as before; one entry gives exactly :func:`application_due`.
    """
    known: list[tuple[date, date | None, date | None]] = []
    waiting: list[str] = []      # "<entry>：自查实<its own cure>之日起…决定" (:func:`cure_wait`)
    only_note: str | None = None
    for e in entries:
        if env.limit_from(e.rule_id) == "cure":
            d, p, only_note = application_due(env, e.rule_id, received, None, None, e.cure_on)
        elif e.rule_id == stored_rule:
            d, p, _ = application_due(env, e.rule_id, received, due, provisional, e.cure_on)
        else:
            d, p = env.derive_due(e.rule_id, removal_limit_start(env, e.rule_id, received, e.cure_on))
        if d is None and p is None and env.limit_from(e.rule_id) == "cure":
            waiting.append(f"{e.label}：{cure_wait(env, e.rule_id, received)}")
        elif d is not None:
            known.append((d, d, p))
        elif p is not None:           # a weekday-only estimate (the year's holidays unpublished)
            known.append((p, d, p))
    if not known:
        return None, None, only_note if waiting else None
    _, d, p = min(known, key=lambda k: k[0])
    if not waiting:
        return d, p, None
    return d, p, f"{'；'.join(waiting)}（查实前不计算），不适用上述日期"


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


class EntryRemoval(NamedTuple):
    """How an entry of :func:`entity_rosters` left its roster, by its 文号 (the certificate's fields)."""

    decision_no: str | None
    removal_kind: str | None   # credit.rosters.certificates.removal_kind: repair / revoked / removed
    entry_id: int


def entity_rosters(conn: Connection, uscc: str, as_of: date, settings: Settings | None = None,
                   known: KnownAt | None = None, *, removals: list[EntryRemoval] | None = None,
                   env: RosterEnv | None = None) -> list[RosterEntryView]:
    """One entity's entries on ``as_of`` with causes, bases, dates and 文号, repair eligibility with
    dates, and every application for removal on the entry with its answer (pending / refused / removed).
    ``known``: from the log as it stood after that night (record time beside legal time).
    ``removals``: a list to receive, per entry in the same order, how it left its roster, read from
    the same fold (the API's look-up needs no second fold of the entity, issue 11).
    ``env``: the rules and calendar the caller loaded already (else loaded here)."""
    env = env or RosterEnv.load(settings)
    rows = sqlfiles.dict_rows(conn, fold("rosters/entity_entries", known),
                              {"d": as_of, "u": uscc.strip().upper(), **params(known)})
    if removals is not None:
        removals.extend(EntryRemoval(r["decision_no"], removal_kind(r["removal_action"], r["removal_request"]),
                                     int(r["entry_id"])) for r in rows)
    steps = entry_steps(conn, as_of, uscc.strip().upper(), settings, known) if any(r["roster"] == "serious" for r in rows) else {}
    out: list[RosterEntryView] = []
    for r in rows:
        # The inclusion's own limit, derived when read: a provisional date is recomputed once the
        # calendar knows its year, and the decision is then late if it came after it.
        due, prov = effective_due(env, r["inc_rule_id"], r["inc_trigger"], r["inc_due"], r["inc_provisional"])
        rule_id = removal_rule(r["roster"], r["cause_code"])
        window: RepairWindow = {}
        if r["roster"] == "serious":
            # After one full year on the list, and not while a restriction of the penalty runs
            # (domain.md §4): the day the night would first grant it (credit.rosters.decide refuses
            # before). A restriction running to the automatic removal leaves no early removal.
            # The rule is credit.rosters.early_removal.early_removal, the one the receipt and the night use.
            ends = conn.execute(sqlfiles.statement("rosters/restriction_ends"),
                                {"e": r["entry_id"], "current": known is None}).scalar()
            automatic = r["effective_until"] + timedelta(days=1) if r["effective_until"] else None
            early = early_removal(r["included_on"], ends, automatic)
            if early.restriction_ends is not None:   # only a restriction that holds it back
                window["restriction_ends"] = early.restriction_ends.isoformat()
                window["restriction_note"] = restriction_note(early) or ""
            if early.apply_from is not None:
                window["early_removal_from"] = early.apply_from.isoformat()
            if automatic is not None:
                window["automatic_removal_on"] = automatic.isoformat()
        else:
            window["removal_limit_from"] = env.limit_from(rule_id)
            if r["roster"] == "abnormal":
                # 68号令 art. 10: the application is made within 3 years of inclusion (民法典 arts. 202–203;
                # domain.md §3.3, §12).
                until, until_provisional = application_window_end(r["included_on"], env.cal)
                window["apply_until"] = until.isoformat()
                if until_provisional is not None:
                    window["apply_until_provisional"] = until_provisional.isoformat()
        cure_on = cure_established_on(conn, r["entry_id"], as_of, known) if env.limit_from(rule_id) == "cure" else None
        if r["roster"] != "serious" and env.limit_from(rule_id) == "cure":
            window["cure_established_on"] = _iso(cure_on)
        # what an application's limit counts from when the cure came after receipt (causes 1, 2)
        limit_cure = cure_on if env.limit_from(rule_id) == "cure" or r["roster"] == "serious" \
            else removal_cured_on(conn, r["entry_id"], as_of, known)
        apps = conn.execute(sqlfiles.statement("rosters/entity_applications"), {"u": r["uscc"], "r": r["roster"], "d": as_of, "e": r["entry_id"],
                                 "inc": r["included_on"], "rm": r["removed_on"], "k": seq_limit(known),
                                 "kn": night_limit(known), "kq": request_limit(known)}).mappings().all()
        applications: list[ApplicationView] = []
        # An application covers every entry listed on receipt and records one rule (the one its stored
        # date was counted by): on this entry it is due by the entry's own rule (s34: a false
        # disclosure waits for 查实 even when the same application's missing report is due from receipt).
        for p in apps:
            # An answered application was due by the cure known when it was answered: a cure that
            # came after the answer (a report filed after a refusal) does not move its limit.
            cure = None if limit_cure is not None and p["action"] is not None \
                and limit_cure > p["decision_date"] else limit_cure
            if p["rule_id"] in env.rules.rules:
                own = p["rule_id"] if same_cause(p["rule_id"], rule_id) else rule_id
                by, by_prov, note = applied_entries_due(env, [AppliedEntry(own, cure, "")], p["received_on"],
                                                        p["rule_id"], p["due_date"], p["due_provisional"])
            else:
                by, by_prov, note = application_due(env, p["rule_id"], p["received_on"], p["due_date"],
                                                    p["due_provisional"], cure)
            status = {"remove": "removed", "refuse": "refused"}.get(p["action"] or "", "pending")
            applications.append({
                "id": p["id"], "received_on": p["received_on"].isoformat(), "status": status,
                "decide_by": _iso(by), "decide_by_provisional": _iso(by_prov), "decide_by_note": note,
                "decision": None if p["action"] is None else {
                    "action": p["action"], "decision_no": p["decision_no"],
                    "decision_date": p["decision_date"].isoformat(), "reason": p["reason"], "basis": p["basis"],
                    "remedy": p["remedy"]},
            })
        pending: PendingOnListed = {}
        if r["state"] == "listed":
            pending["pending_applications"] = [
                {"id": a["id"], "received_on": a["received_on"], "decide_by": a["decide_by"],
                 "decide_by_provisional": a["decide_by_provisional"], "decide_by_note": a["decide_by_note"]}
                for a in applications if a["status"] == "pending"]
        procedure: ProcedureSteps = {"steps": steps.get(int(r["entry_id"]), [])} if r["roster"] == "serious" else {}
        possible, possible_zh = removal_possible(removal_hint(env, r["roster"], r["cause_code"]))
        item: RosterEntryView = {
            "roster": r["roster"], "cause_code": r["cause_code"], "cause": r["cause"], "basis": r["basis"],
            "included_on": r["included_on"].isoformat(), "decision_no": r["decision_no"],
            "authority": r["authority_name"], "state": r["state"],
            "removed_on": r["removed_on"].isoformat() if r["removed_on"] else None,
            "removal_reason": shown_reasons([r["removal_reason"]], [r["removal_note_version"]], settings)[0],
            "removal_no": r["removal_no"],
            "decision_due": _iso(due), "decision_due_provisional": _iso(prov),
            "decided_late": bool(due is not None and r["included_on"] > due),
            "removal_possible": possible, "removal_possible_zh": possible_zh,
            "remedy": remedy_of((r["facts"] or {}).get("remedy") if isinstance(r["facts"], dict) else None,
                                r["authority"], r["included_on"], env),
            **window,
            "applications": applications,
            **pending,
            **procedure,
        }
        out.append(item)
    return out


def removed_since(conn: Connection, uscc: str, latest: date, settings: Settings | None = None,
                  known: KnownAt | None = None, *, env: RosterEnv | None = None) -> dict[str | None, RemovedSince]:
    """By 文号, the entity's entries that have left their roster by ``latest`` (the answer's latest
    data, or night K's), with how: read from the log's fold on ``latest`` (one more fold of the entity)."""
    removals: list[EntryRemoval] = []
    now = entity_rosters(conn, uscc, latest, settings, known, removals=removals, env=env)
    kinds = {r.decision_no: r.removal_kind for r in removals}
    out: dict[str | None, RemovedSince] = {}
    for n in now:
        if n["state"] != "removed":
            continue
        kind = kinds.get(n["decision_no"])
        label = REMOVED_SINCE_LABELS.get(kind or "removed", REMOVED_SINCE_LABELS["removed"])
        out[n["decision_no"]] = {"removed_on": n["removed_on"], "removal_no": n["removal_no"],
                                 "removal_reason": n["removal_reason"], "removal_kind": kind,
                                 "label": label.format(on=n["removed_on"] or "", no=n["removal_no"] or "无文号")}
    return out


def removal_hint(env: RosterEnv, roster: str, cause_code: str | None) -> str | None:
    """How an entry can leave its roster (contracts.md §2 ``removal_possible``; rosters.yaml
    ``removal_hints``). A 个体工商户's marking is not removed but its normal status restored
    (domain.md §2, 69号令 arts. 16–18): its hint says so, in the applicants' words
    (``public_removal_hints.abnormal_status``)."""
    if roster == "abnormal_status":
        zh = ((env.cfg.get("public_removal_hints") or {}).get("abnormal_status") or {}).get(cause_code)
        if zh:
            return f"on application, to restore normal status ({zh})"
    hints = env.cfg.get("removal_hints") or {}
    hint = hints.get("serious" if roster == "serious" else cause_code)
    return None if hint is None else str(hint)


_HINT_IN_CHINESE = re.compile(r"(?P<en>.*?)\s*[(（](?P<zh>[^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*", re.DOTALL)


def removal_possible(hint: str | None) -> tuple[str | None, str | None]:
    """A removal hint (:func:`removal_hint`, written "wording (中文)") as the contract's
    ``removal_possible`` — the wording alone, e.g. "on application, after filing the missing
    report" (contracts.md §2) — and its Chinese (None when the hint has none)."""
    if hint is None:
        return None, None
    m = _HINT_IN_CHINESE.fullmatch(hint)
    return (hint, None) if m is None else (m["en"], m["zh"])


# -- look-ups the API and the CLI share (registration, visibility, the change feed) ----------------
class Registration(TypedDict):
    """An entity's public registration fields (never the legal representative's hash)."""

    uscc: str
    name: str
    entity_kind: str
    region_code: str
    status: str
    established_on: str | None   # 成立日期 (YYYY-MM-DD): before it the entity was not registered


def registered_on(reg: Registration | None, day: date) -> bool:
    """Whether the entity of ``reg`` was registered on ``day``: the store knows it, and ``day`` is not
    before its establishment (成立日期). A certificate "as of" a day before the entity existed
    said ``registered: true``."""
    return reg is not None and (reg["established_on"] is None or date.fromisoformat(reg["established_on"]) <= day)


class RegistrationRecord(NamedTuple):
    """An entity's public registration with its status changes as the store held them (up to night K)."""

    registration: Registration
    changes: tuple[StatusChange, ...]

    def status_on(self, day: date) -> StatusAsOf | None:
        """The registration status on ``day`` (None when not registered then: before 成立日期)."""
        if not registered_on(self.registration, day):
            return None
        return status_as_of(self.changes, day)


class FeedDecision(TypedDict):
    """A roster decision as the change feed publishes it (domain.md §10), or (``kind``
    ``procedure``) another numbered document of the log — the serious list's notice, refusal to
    list, a notice's revocation — with its number, date, authority and label only
    (sql/rosters/decision_feed.sql: the 文号 series the feed shows is gap-free, issue 4)."""

    seq: int
    kind: str             # decision | procedure
    uscc: str | None      # None on a procedure document
    roster: str
    action: str
    label: str            # the decision made, in Chinese (labels.decision_label: 异议不成立, not 不予移出)
    entry_id: int | None
    refers_to: int | None
    cause_code: str | None
    cause: str | None
    basis: str | None
    decision_date: date
    decision_no: str | None
    authority_code: str
    authority: str
    effective_until: date | None
    reason: str | None
    row_hash: str
    case_no: str | None   # the penalty case behind a "penalty" repair or a serious-list decision (else None)


def registration(conn: Connection, uscc: str, known: KnownAt | None = None) -> RegistrationRecord | None:
    """The public registration of ``uscc`` with its status changes, or None when the entity store
    does not know it; ``known``: as the store held it after that night (record time, contracts.md §2)."""
    if known is not None:
        return registrations_known(conn, [uscc], known).get(uscc)
    r = conn.execute(status_statement("rosters/registration_of"), {"u": uscc}).mappings().first()
    return None if r is None else _record(r)


def last_known_name(conn: Connection, uscc: str, known: KnownAt | None = None) -> str | None:
    """The last name the store held for ``uscc`` (after night ``known`` when given), also when a later
    full snapshot no longer delivers it (contracts.md §1): its decisions stand and it stays named
    (contracts.md §2). None when the store never held it."""
    name = conn.execute(sqlfiles.statement("rosters/last_name"),
                        {"u": uscc, "kn": known.night if known else None}).scalar()
    return None if name is None else str(name)


def registrations_known(conn: Connection, usccs: list[str], known: KnownAt) -> dict[str, RegistrationRecord]:
    """The public registrations of ``usccs`` as the store held them after night ``known``: an
    entity registered, renamed or dropped on a later night shows as it stood then, and its status
    changes are those recorded by then."""
    rows = conn.execute(status_statement("rosters/registration_known"),
                        {"u": list(usccs), "kn": known.night}).mappings().all()
    return {r["uscc"]: _record(r) for r in rows}


def _record(r: Mapping[Any, Any]) -> RegistrationRecord:
    return RegistrationRecord(_registration(r), status_changes(r))


def _registration(r: Mapping[Any, Any]) -> Registration:
    established = r["established_on"]
    return {"uscc": r["uscc"], "name": r["name"], "entity_kind": r["entity_kind"], "region_code": r["region_code"],
            "status": r["status"], "established_on": established.isoformat() if established else None}


class EntityHead(NamedTuple):
    """What a look-up reads first (:func:`entity_head`)."""

    version: DataVersion
    registration: RegistrationRecord | None
    last_decided: date | None = None   # the latest decision date of the entity's log (None: none)


def entity_head(conn: Connection, uscc: str) -> EntityHead:
    """The data version and the public registration of ``uscc`` (None when the entity store does
    not know it), in one statement: one round trip fewer for every look-up (issue 11). With them
    the latest decision date of the entity's own log: a look-up asked on or after it reads the
    whole record in its fold (what the public must not see, :data:`WHOLE_RECORD`)."""
    [r] = sqlfiles.dict_rows(conn, status_statement("rosters/entity_head"), {"u": uscc})
    return EntityHead(version_of(r), None if r["uscc"] is None else _record(r), r["last_decided"])


def search_registration(conn: Connection, name: str, limit: int) -> list[Registration]:
    """Registered entities whose name contains ``name`` (public fields only), by name, at most
    ``limit``: the names holding its every character from an index (migration 0052), then ilike."""
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(sqlfiles.statement("rosters/search_registration"),
                        {"q": name, "p": pattern, "l": limit}).mappings().all()
    return [_registration(r) for r in rows]


# The fold "as of" this date reads every decision of the log whatever its date: what the public
# must not see (repair, revocation as wrong) is judged on the whole record, never as of a date. A
# revocation or repair decided after the latest night (an officer deciding today, the normal case)
# or after the date asked hides the entry too (README: "the public never sees an entry repaired or
# revoked as wrong, whatever as_of and known_at say"; domain.md §3.4, §4, §5.3; s35: judged as of
# the latest night, an objection upheld on 08-20 left the entry public for every as_of before it).
WHOLE_RECORD = date.max


def hidden_entries(conn: Connection, uscc: str | None, kinds: list[str]) -> set[tuple[str, str]]:
    """(uscc, 文号) of entries removed by credit repair (``repair`` in ``kinds``) or revoked as a wrong
    listing (``revoked``) by any decision of the whole record (:data:`WHOLE_RECORD`, whatever its
    date): those the public never sees (domain.md §3.4, §4, §5.3). Of one entity (``uscc``),
    through its own decisions, or of every entity (None)."""
    if uscc is None:
        rows = conn.execute(sqlfiles.statement("rosters/hidden_entries"), {"d": WHOLE_RECORD, "k": kinds}).all()
    else:
        rows = conn.execute(sqlfiles.statement("rosters/hidden_entries_of"),
                            {"d": WHOLE_RECORD, "u": uscc, "k": kinds}).all()
    return {(r[0], r[1]) for r in rows}


def decision_feed(conn: Connection, after: int, limit: int, procedures: bool = False) -> list[FeedDecision]:
    """Roster decisions after the cursor ``after``, in log order, at most ``limit`` (unnumbered
    working papers left out); with ``procedures`` the serious list's numbered procedure documents
    too (``kind: procedure``), so that the 文号 series reads gap-free (issue 4)."""
    rows = conn.execute(sqlfiles.statement("rosters/decision_feed"),
                        {"a": after, "n": limit, "procedures": procedures}).mappings().all()
    reasons = shown_reasons([r["reason"] for r in rows], [r["note_version"] for r in rows])
    return [{"seq": r["seq"], "kind": r["kind"], "uscc": r["uscc"], "roster": r["roster"], "action": r["action"],
             "label": decision_label(r["action"], r["rule_id"], r["roster"]),
             "entry_id": r["entry_id"], "refers_to": r["refers_to"], "cause_code": r["cause_code"],
             "cause": r["cause"], "basis": r["basis"], "decision_date": r["decision_date"],
             "decision_no": r["decision_no"], "authority_code": r["authority_code"], "authority": r["authority"],
             "effective_until": r["effective_until"], "reason": reason, "row_hash": r["row_hash"],
             "case_no": r["case_no"]} for r, reason in zip(rows, reasons, strict=True)]


class OpenDraft(TypedDict):
    """A draft decision waiting for an officer (``credit decision drafts``)."""

    seq: int
    uscc: str
    roster: str
    proposed_action: str
    rule_id: str | None
    cause: str | None
    decision_date: date
    due_date: date | None


def open_drafts(conn: Connection) -> list[OpenDraft]:
    """Drafts neither decided nor rejected, soonest due first."""
    rows = conn.execute(sqlfiles.statement("rosters/open_drafts")).mappings().all()
    return [{"seq": r["seq"], "uscc": r["uscc"], "roster": r["roster"], "proposed_action": r["proposed_action"],
             "rule_id": r["rule_id"], "cause": r["cause"], "decision_date": r["decision_date"], "due_date": r["due_date"]} for r in rows]
