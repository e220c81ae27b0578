"""What each role may see of an entity (domain.md §10: what consumers need, what is public).

Everything shown is read from the rosters' own functions (``entity_rosters``, ``roster_as_of``
and the log function ``roster_entry_detail_as_of``); this module only decides visibility and adds
the applicant's dates (when repair may be applied for, by when the bureau must decide).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict

from sqlalchemy.engine import Connection

from credit.calendar import UnknownCalendarYear
from credit.config import ConfigDoc
from credit.penalties.read import PenaltyView, penalties_of, public_penalties
from credit.rosters import certificates
from credit.rosters.certificates import DataVersion
from credit.rosters.env import RosterEnv, removal_rule
from credit.rosters.known import KnownAt
from credit.rosters.labels import decision_label, state_label
from credit.rosters.read import (
    WHOLE_RECORD,
    EntityHead,
    EntryRemoval,
    Registration,
    RemovedSince,
    application_due,
    entity_rosters,
    hidden_entries,
    last_known_name,
    registered_on,
    registration,
    removed_since,
)
from credit.rosters.requests import application_decide_by, decisions_on, request_of, unanswered_entries
from credit.rosters.serious import public_steps
from credit.settings import Settings

ROSTER_LABELS = {"abnormal": "经营异常名录", "abnormal_status": "经营异常状态（个体工商户）",
                 "serious": "严重违法失信名单", "penalty": "行政处罚信息"}

# Fields of an entry that only the bureau sees: its own working data (whether the inclusion came
# after its limit, and that limit, from which a reader would work it out; where a removal limit
# starts, as a rule key) and the applications on the entry — those are followed by the applicant
# through the application's own page (``/v1/repair-applications/{id}``), not read off a listing.
BUREAU_ONLY_ENTRY_FIELDS = ("decided_late", "decision_due", "decision_due_provisional", "removal_limit_from",
                            "applications", "pending_applications")


class EntityStatus(TypedDict):
    """An entity's status as one role may see it; an entry's fields depend on the role and its state."""

    uscc: str
    name: str | None
    registered: bool
    registration: Registration | None
    # the registration status on as_of (存续 / 吊销 / 注销 / 迁出, since when), as recorded up to night K
    # with known_at; None when not registered then
    registration_status: str | None
    registration_status_label: str | None
    registration_status_on: str | None
    as_of: str
    listed: bool
    rosters: list[dict[str, Any]]
    penalties: list[PenaltyView]   # public and consumers: published ones only (domain.md §5.3, §6)
    known_at: dict[str, Any] | None
    data_version: DataVersion
    data_through: str | None   # the latest published night (or ``known_at``'s night), None before the first
    beyond_data: bool          # as_of after data_through: later decisions may change this answer


class DecisionOnApplication(TypedDict):
    """A decision on an application as its applicant sees it."""

    seq: int
    action: str
    label: str                # the decision made, in Chinese (credit.rosters.labels.decision_label)
    entry_id: int | None
    decision_date: str
    decision_no: str | None
    reason: str | None
    basis: str | None
    authority: str | None


class ApplicationStatus(TypedDict):
    """An application (or objection) with its decide-by date and the decisions on it."""

    id: int
    kind: str
    uscc: str
    roster: str
    roster_label: str
    received_on: str
    grounds: str
    documents: list[str]
    channel: str
    rule: str | None
    decide_by: str | None
    decide_by_provisional: str | None
    note: str | None
    status: str
    status_label: str         # the status in Chinese, naming the decision made (异议不成立, 不予移出 …)
    decisions: list[DecisionOnApplication]


def hidden_from_public(conn: Connection, uscc: str | None, cfg: ConfigDoc) -> set[tuple[str, str]]:
    """(uscc, 文号) of entries the public never sees: removed by credit repair (repair means the
    information stops being published, domain.md §4 early removal, §5.3) or revoked as a wrong
    listing (domain.md §3.4). Judged on the whole record (rosters.read.WHOLE_RECORD): never on the
    date asked, on the latest night, nor on the record as it stood after a night K (``known_at``).
    Asked "as known after K" for a K before the repair, the record of K still shows the entry; an
    answer built on it gave the repaired entry back to the public (an outsider's acceptance pass,
    s34), which repair forbids. Judged as of the latest night, a revocation decided after it (an
    officer deciding today) left the entry public for every date (s35)."""
    kinds = hidden_kinds(cfg)
    if not kinds:
        return set()
    return hidden_entries(conn, uscc, kinds)


def hidden_kinds(cfg: ConfigDoc) -> list[str]:
    """The removal kinds the public does not see (config/api.yaml ``public``): ``repair``, ``revoked``."""
    pub = cfg.get("public") or {}
    return [k for k, on_ in (("repair", pub.get("hide_repaired", True)), ("revoked", pub.get("hide_revoked", True)))
            if on_]


def _period_text(n: int, unit: str) -> str:
    return f"{n}" + {"wd": "个工作日", "days": "日", "months": "个月", "years": "年"}[unit]


def repair_outlook(env: RosterEnv, entry: Mapping[str, Any], today: date, kind: object = None) -> dict[str, Any]:
    """For a listed entry: what repair needs, from when and until when it may be applied for, by
    when the bureau must decide if applied for today, and when the entry ends by itself
    (domain.md §3.3, §4, §5).

    Causes 3 and 4 of the abnormal roster (rule ``limit_from: cure``) count the 5 WD from the
    bureau's finding (查实) that the cure happened, not from receipt: while no such finding is on
    record there is no date, only ``decide_by_note`` saying so.

    Every text is the entry's own (``kind``: the entity kind, registration.entity_kind): the cure
    from config/rosters.yaml ``public_removal_hints`` per roster and cause, what 查实 establishes and
    the legal basis from the removal rule's version in rules.yaml (68号令 arts. 11–14 for the
    enterprise roster, 69号令 arts. 16–18 for a 个体工商户's marking, 70号令 arts. 13–15 for a
    farmer co-op; domain.md §3.3, §3.4, §5). The marking of an unreachable 个体工商户 was told to
    file an annual report, under the enterprise roster's articles (s35)."""
    roster, cause = entry["roster"], entry["cause_code"]
    # The entity kind's own rule: a farmer co-op is removed under 70号令, a 个体工商户 restored under
    # 69号令 (rules.yaml coop.* / ind.*, domain.md §2, §3.3), as the night decides it.
    rule_id = env.for_kind(removal_rule(roster, cause), kind)
    cure_based = rule_id in env.rules.rules and env.limit_from(rule_id) == "cure"
    # What repair needs, in Chinese (config/rosters.yaml public_removal_hints; the contract's
    # ``removal_possible`` stays the officers' wording). The acceptance step (受理时限) is not shown:
    # its limit under order 107 is unverified (domain.md §5.1), and the public is told only what is
    # settled — for causes 3 and 4, that the decision limit runs from 查实 (68号令 arts. 13–14, §3.3).
    hint = (env.cfg.get("public_removal_hints") or {}).get(roster)
    own = (env.cfg.get("public_removal_hints_by_kind") or {}).get(kind) if roster == "abnormal" else None
    needs = (own.get(cause) if isinstance(own, dict) else None) \
        or (hint.get(cause) if isinstance(hint, dict) else hint) or entry.get("removal_possible_zh") \
        or entry.get("removal_possible")
    out: dict[str, Any] = {"needs": needs, "rule": None, "rule_status": None, "decide_within": None,
                           "decide_by_if_applied_today": None, "decide_by_provisional": None,
                           "decide_by_note": None, "accept_within": None, "accept_note": None}
    version_now = env.rules.find(rule_id, today) or env.rules.versions(rule_id)[-1] \
        if rule_id in env.rules.rules else None
    if cure_based and version_now is not None:
        out["accept_note"] = (f"决定时限自登记机关查实{version_now.reason or '整改情况'}之日起算"
                              f"（{version_now.basis}）")
    if roster == "serious":
        out["apply_from"] = entry.get("early_removal_from")
        # A restriction of the penalty still running on the first anniversary holds early removal
        # back to its end (domain.md §4): said, with the day (or, when it runs to the automatic
        # removal, that day), so that nobody applies to be refused; the words are the night's
        # refusal (credit.rosters.early_removal.restriction_note).
        out["apply_note"] = entry.get("restriction_note") or None
        out["apply_until"] = None
        out["apply_until_provisional"] = None
        out["expires_on"] = entry.get("automatic_removal_on")
        out["expires_note"] = "列入期限届满自动移出"
    else:
        out["apply_from"] = entry["included_on"]   # once the cause is cured (68号令 art. 10)
        out["apply_until"] = entry.get("apply_until")   # within 3 years of inclusion (68号令 art. 10)
        # its year's holiday notice not out: the weekday count beside it, provisional (domain.md §12)
        out["apply_until_provisional"] = entry.get("apply_until_provisional")
        out["expires_on"] = None
        # No automatic expiry since the 2024 revision deleted the 3-year rule (domain.md §3.3, §3.5);
        # the acceptance limit of order 107 is unverified (domain.md §5.1).
        # What ends it instead is the entry's own cure (``needs``, per roster and cause).
        out["expires_note"] = ("不会自动恢复" if roster == "abnormal_status" else "不会自动移出") + \
            (f"：{needs}" if needs else "")
    start = max(today, date.fromisoformat(out["apply_from"])) if out["apply_from"] else today
    # An early removal applied for today before it can succeed (before the full year on the list, or
    # none at all while a restriction runs to the automatic removal; domain.md §4) is refused as too
    # early: it has no decide-by date, and a limit counted from a later day is not one of today's.
    premature = roster == "serious" and (out["apply_from"] is None or start > today)
    version = env.rules.find(rule_id, start) if rule_id in env.rules.rules else None
    if version is not None and version.period is not None:
        out["rule"] = version.version
        out["rule_status"] = version.status   # verified | text_copy | secondary | unverified (domain.md §0)
        out["basis"] = version.basis
        out["decide_within"] = _period_text(version.period.n, version.period.unit)
        if premature:
            pass
        elif cure_based:
            cure = entry.get("cure_established_on")
            d, p, note = application_due(env, rule_id, start, None, None,
                                         date.fromisoformat(cure) if cure else None)
            out["decide_by_if_applied_today"] = d.isoformat() if d else None
            out["decide_by_provisional"] = p.isoformat() if p else None
            out["decide_by_note"] = note
        else:
            try:
                out["decide_by_if_applied_today"] = version.period.end(start, env.cal).isoformat()
            except UnknownCalendarYear:
                out["decide_by_provisional"] = version.period.weekday_estimate(start).isoformat()
    return out


#: What the public is told instead of a decision limit whose rule version is marked unverified
#: (config/rules.yaml ``status``), as the entity page and the receipt say it (docs/api.md, Pages).
UNVERIFIED_LIMIT = "以登记机关受理时告知的期限为准"
# The outlook's fields that state the limit or a date counted with it.
_LIMIT_FIELDS = ("decide_within", "decide_by_if_applied_today", "decide_by_provisional", "decide_by_note",
                 "accept_note")


def limit_as_published(outlook: dict[str, Any]) -> dict[str, Any]:
    """A repair outlook as anyone but the bureau reads it: a decision limit from a rule version
    marked ``unverified`` is a hypothesis, not a deadline to code or promise (domain.md §0; e.g. 69号令
    art. 13's 10 WD, §3.1) — neither it nor a date counted with it is published; ``decide_within_note``
    says what holds instead. The bureau keeps them (its deadline watch works with the configured limit)."""
    if outlook.get("rule_status") != "unverified":
        return outlook
    return {**outlook, **dict.fromkeys(_LIMIT_FIELDS), "decide_within_note": UNVERIFIED_LIMIT}


def entity_status(conn: Connection, settings: Settings, cfg: ConfigDoc, uscc: str, as_of: date, *,
                  role: str, latest: date, today: date, known: KnownAt | None = None,
                  version: DataVersion | None = None, head: EntityHead | None = None) -> EntityStatus:
    """An entity's status on ``as_of`` as ``role`` may see it, with each entry's repair outlook;
    ``known``: from the record as it stood after that night (``latest`` is then that night);
    ``version``: the data version the caller read before (else it is read here, last); ``head``:
    the data version and registration the caller read together (:func:`entity_head`)."""
    if head is not None:
        version, record = head.version, head.registration
    else:
        record = registration(conn, uscc)
    if known is not None:
        record = registration(conn, uscc, known)   # as the store held it after night K (contracts.md §2)
    reg = record.registration if record else None
    env = RosterEnv.load(settings)   # once per answer: the entries and their repair outlook
    # A view per role: entries gain labels and the repair outlook, and lose the bureau's fields.
    removals: list[EntryRemoval] = []   # how each entry left its roster, from the same fold
    entries: list[dict[str, Any]] = [dict(e) for e in entity_rosters(conn, uscc, as_of, settings, known,
                                                                     removals=removals, env=env)]
    kinds = {r.decision_no: (r.removal_kind, r.entry_id) for r in removals}
    # What is hidden outside the bureau is judged on the whole record, whatever ``as_of`` and
    # ``known`` say (domain.md §3.4, §5.3). The entries just read hold it when asked without
    # ``known`` on or after both the latest data and the entity's latest decision (``head``): a
    # repair or revocation decided later than the date asked (after the latest night: an officer
    # deciding today) is not in them.
    whole = known is None and head is not None and as_of >= max(latest, head.last_decided or latest)
    if role == "bureau":
        penalties = penalties_of(conn, uscc, as_of, known, settings)
    else:
        # Repair means stop publishing and stop sharing (domain.md §5.3): outside the bureau only
        # penalties inside their window, neither repaired nor withdrawn by the whole record.
        penalties = public_penalties(conn, uscc, as_of, as_of if whole else WHOLE_RECORD, known, settings)
    if role == "public":
        if whole:
            # The entries just read hold every decision of the entity: their removal kinds say it
            # (removal kinds of hidden_entries), no second fold of the entity's log.
            hide = set(hidden_kinds(cfg))
            hidden: set[tuple[str, str | None]] = {(uscc, r.decision_no) for r in removals if r.removal_kind in hide}
        else:
            hidden = set(hidden_from_public(conn, uscc, cfg))
        entries = [e for e in entries if (uscc, e["decision_no"]) not in hidden]
    # The repair outlook speaks of today (apply now, decided by …): only for an entry still listed by
    # the answer's latest data. Asked about a past date, an entry listed then but removed, repaired or
    # revoked as wrong since (domain.md §3.3, §3.4, §10) keeps its state of that date, with no outlook.
    # Such an entry also says how it left its roster since (removed_since): a consumer screening a
    # past date learns that the listing was later revoked as wrong (domain.md §3.4) or ended, without
    # the state of that date being rewritten (how a revocation reads for earlier dates is open).
    since: dict[str | None, RemovedSince] | None = None
    if as_of < latest and any(e["state"] == "listed" for e in entries):
        since = removed_since(conn, uscc, latest, settings, known, env=env)
    for e in entries:
        kind, entry_id = kinds.get(e["decision_no"], (None, None))
        e["entry_id"] = entry_id
        e["removal_kind"] = kind
        e["removal_by_repair"] = kind == "repair"
        e["roster_label"] = ROSTER_LABELS.get(e["roster"], e["roster"])
        e["state_label"] = state_label(e["state"], e["roster"])
        later = None if since is None or e["state"] != "listed" else since.get(e["decision_no"])
        if later is not None:
            e["removed_since"] = later
        elif e["state"] == "listed":
            e["repair"] = repair_outlook(env, e, today, reg["entity_kind"] if reg else None)
            if role != "bureau":
                e["repair"] = limit_as_published(e["repair"])
        if role != "bureau":
            for k in BUREAU_ONLY_ENTRY_FIELDS:
                e.pop(k, None)
            if "steps" in e:  # the serious-list procedure: the served and published steps, no working papers
                e["steps"] = public_steps(e["steps"])
    version = version if version is not None else certificates.data_version(conn)
    through = data_through(version, known)
    # Dropped by a later full snapshot (contracts.md §1) while its decisions stand: still named by
    # the last name the store held (up to night K), as `credit status` and the roster export name it
    # (contracts.md §2). Only read when the store no longer registers it.
    name = reg["name"] if reg else last_known_name(conn, uscc, known)
    # Registered on the day asked: not before its establishment (成立日期), whatever the store holds now.
    # Its status on that day too (revoked, cancelled or moved out before it: not 存续 then), from the
    # history as recorded (up to night K): a status_on after the day does not count on it.
    status = record.status_on(as_of) if record else None
    return {"uscc": uscc, "name": name, "registered": registered_on(reg, as_of),
            "registration": reg, "registration_status": status["registration_status"] if status else None,
            "registration_status_label": status["registration_status_label"] if status else None,
            "registration_status_on": status["registration_status_on"] if status else None,
            "as_of": as_of.isoformat(),
            "listed": any(e["state"] == "listed" for e in entries), "rosters": entries,
            "penalties": penalties, "known_at": known.as_dict() if known else None,
            "data_version": version, "data_through": through.isoformat() if through else None,
            "beyond_data": through is None or as_of > through}


def data_through(version: DataVersion, known: KnownAt | None = None) -> date | None:
    """The last day an answer's data speaks for: the latest published night, or the night of
    ``known`` when answering from the record as it stood then; None before the first night. An
    answer for a later date is the state those data give, which later nights' decisions may change
    (as ``credit status`` warns: "after the latest published night")."""
    night = date.fromisoformat(version["night"]) if version["night"] else None
    if known is not None:
        return min(night, known.night) if night is not None else known.night
    return night


def application_status(conn: Connection, request_id: int, settings: Settings | None = None) -> ApplicationStatus | None:
    """An application for removal: when received, by when it must be decided, and the decisions on it."""
    q = request_of(conn, request_id)
    if q is None:
        return None
    ds: list[DecisionOnApplication] = [
        {"seq": int(d["seq"]), "action": d["action"], "label": decision_label(d["action"], d["rule_id"], d["roster"]),
         "entry_id": d["entry_id"],
         "decision_date": d["decision_date"].isoformat(), "decision_no": d["decision_no"],
         "reason": d["reason"], "basis": d["basis"], "authority": d["authority_name"]} for d in decisions_on(conn, request_id)]
    if not ds or (q["kind"] == "repair" and unanswered_entries(conn, q)):
        status = "pending"   # an entry it covers still waits for its answer (s34 review)
    elif all(d["action"] == "remove" for d in ds):
        status = "removed"
    elif all(d["action"] == "refuse" for d in ds):
        status = "refused"
    else:
        status = "decided"
    if q["kind"] == "repair":
        due, prov, note = application_decide_by(conn, q, settings)
    else:
        due, prov, note = q["due_date"], q["due_provisional"], q["due_note"]
    return {"id": int(q["id"]), "kind": q["kind"], "uscc": q["uscc"], "roster": q["roster"],
            "roster_label": ROSTER_LABELS.get(q["roster"], q["roster"]),
            "received_on": q["received_on"].isoformat(), "grounds": q["grounds"],
            "documents": list(q["documents"] or []), "channel": q["channel"] or "counter",
            "rule": q["rule_version"],
            "decide_by": due.isoformat() if due else None,
            "decide_by_provisional": prov.isoformat() if prov else None,
            "note": note, "status": status, "status_label": _status_label(status, q["roster"], ds), "decisions": ds}


def limit_unverified(doc: ApplicationStatus | None, settings: Settings | None = None) -> bool:
    """Whether an application's decision limit comes from a rule version marked ``unverified``
    (config/rules.yaml, domain.md §0): the applicant is then promised no date — its receipt says
    以登记机关受理时告知的期限为准, as the entity page says of the entry (docs/api.md, Pages)."""
    version = RosterEnv.load(settings).rules.by_version(doc["rule"]) if doc and doc["rule"] else None
    return version is not None and version.status == "unverified"


def application_as_published(doc: ApplicationStatus, settings: Settings | None = None) -> ApplicationStatus:
    """An application as its applicant reads it (anyone but the bureau): decided under a rule version
    marked ``unverified``, its decide-by date is a hypothesis (domain.md §0), so neither it nor its
    provisional date is given; ``note`` says 以登记机关受理时告知的期限为准, as the receipt page does."""
    if not limit_unverified(doc, settings):
        return doc
    return {**doc, "decide_by": None, "decide_by_provisional": None, "note": UNVERIFIED_LIMIT}


STATUS_TEXT = {"pending": "审核中", "removed": "已准予移出", "refused": "不予移出", "decided": "已作出决定"}
REMOVED_TEXT = {"abnormal_status": "已恢复正常记载状态", "penalty": "已准予信用修复，停止公示"}


def _status_label(status: str, roster: str, ds: list[DecisionOnApplication]) -> str:
    """A request's status as its reader sees it: a refusal by the decision made (异议不成立 for an
    objection, 不予移出 / 不予恢复正常记载状态 / 不予信用修复 for an application), a removal by what it
    does for the roster (a 个体工商户's status is restored, domain.md §2)."""
    if status == "refused" and ds:
        return ds[-1]["label"]
    if status == "removed":
        return REMOVED_TEXT.get(roster, STATUS_TEXT["removed"])
    return STATUS_TEXT.get(status, status)
