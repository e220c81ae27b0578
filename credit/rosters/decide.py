"""The rosters as legal decision logs: 经营异常名录 (abnormal-operation roster), 个体工商户经营异常状态
(abnormal-operation status of individual businesses) and 严重违法失信名单 (serious illegal and
dishonest list) — domain.md §2, §3, §4, §5.

Nothing here stores a roster. Every decision (include, escalate, remove, revoke, correct,
notice, refuse; drafts as ``propose``/``reject``) is appended to ``roster_decisions``, which the
database keeps append-only, numbered and hash-chained (migration 0002). The state on any date
is the fold of the decisions made up to that date (SQL function ``roster_entry_detail_as_of``).

The batch night is the decision-maker (:func:`decide_night`): the night on or after a trigger
decides, the decision date is the night, the due date comes from the rule and the working-day
calendar, and a decision made after its due date (late data) is still made and marked late.
Each night only appends what the log does not already hold for the same fact (``fact_key``),
so deciding the same night twice adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import NotRequired, TypedDict

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, add_years
from credit.context import NightContext
from credit.night import scope as night_scope
from credit.night.merge import plan_on_tonights_rows
from credit.night.scope import NightScope
from credit.penalties.performance import COMPLETE_WHEN_DECIDED
from credit.penalties.repair import repair_candidates as penalty_repair_candidates
from credit.penalties.store import maintain_windows
from credit.rosters import serious_night
from credit.rosters.early_removal import early_removal, early_removal_refusal
from credit.rosters.env import RosterEnv, decided_statuses, removal_rule
from credit.rosters.log import LOCK_KEY, NIGHT_ORDER, DecisionStage, finalise, held_fact_keys

_ORDER = {"revoke": 0, "remove": 1, "refuse": 2, "include": 3, "escalate": 4, "notice": 5}


class ChainHead(TypedDict):
    """The decision log's head a night leaves behind: its seq and chained ``row_hash``."""

    seq: int
    hash: str


class RosterNightSummary(TypedDict):
    """What :func:`decide_night` reports; stored as JSON in ``night_runs.summary["rosters"]``.

    The counts are there only when the night decided something; ``chain_head`` is null while the
    log is empty.
    """

    decisions: int
    config_version: str
    by_roster_action: NotRequired[dict[str, int]]   # "roster:action" → decisions
    late: NotRequired[int]                          # decided after their due date (late data)
    provisional_due: NotRequired[int]               # due date estimated: holiday schedule unpublished
    penalty_windows: NotRequired[int]               # penalties whose publicity window changed (credit.penalties)
    warnings: NotRequired[list[str]]                # report years cause 1 waits on: calendar unknown
    chain_head: ChainHead | None
    chain_start: NotRequired[int]   # the log's last decision before this night's own appends


def decide_night(conn: Connection, ctx: NightContext) -> RosterNightSummary:
    """Decide everything that fell due by ``ctx.night`` and append it to the decision log.

    Order within the night: corrections of wrong listings, removals and refusals on pending
    applications, serious-list expiries, then new inclusions (abnormal roster and individual
    status), escalations (only where the rule in force provides them); then the serious-list
    procedure's steps (:func:`credit.rosters.serious_night.advance`). Deterministic: the same store and configuration
    give the same rows in the same order; no wall-clock time is read.

    Three parts, which a partitioned night (:mod:`credit.night.partitions`, issue 12) runs apart:
    :func:`maintain_windows`, :func:`candidate_chunks` (per region partition, staged) and
    :func:`append_night` (once, at publish, on the union of the partitions' rows). Here the
    candidates go to the log chunk by chunk (:func:`candidate_chunks`): the client holds one
    chunk, whatever the province (issue 11).
    """
    env = RosterEnv.load(ctx.settings)
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    # Penalty publicity windows first: the repair decisions below read tonight's windows.
    windows_changed = maintain_windows(conn, ctx.night, ctx.settings, scope=ctx.scope)
    waiting: list[str] = []
    summary = append_night(conn, ctx, env, candidate_chunks(conn, ctx, env, waiting=waiting), windows_changed)
    return with_warnings(summary, waiting)


def with_warnings(summary: RosterNightSummary, warnings: Iterable[str]) -> RosterNightSummary:
    """``summary`` with ``warnings`` added to its own, each once, in order (a partitioned night
    adds its partitions' warnings, which name the same year once per region)."""
    merged = list(dict.fromkeys([*summary.get("warnings", []), *warnings]))
    if merged:
        summary["warnings"] = merged
    return summary


def candidate_chunks(conn: Connection, ctx: NightContext, env: RosterEnv, *, lock: bool = True,
                     waiting: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The night's main pass: finalised log rows (:data:`credit.rosters.log.INSERT_COLUMNS`) not yet
    in the log, a chunk at a time, in no particular order (the log's writer sorts them,
    :data:`credit.rosters.log.NIGHT_ORDER`). Reads tonight's penalty windows
    (:func:`credit.penalties.store.maintain_windows` runs first). Appends nothing. ``lock`` false:
    without the log's lock (a region partition's rehearsal, which only reads here, so that
    partitions compute their candidates side by side; publish appends under the lock).
    ``waiting``: given, it gets a warning for each year whose calendar a fact waits for
    (:func:`_ordered_period_expiry`), never left out silently.

    Cause 1 (one row per entity and report year owed: most of a first night) is read from a
    server-side cursor, a chunk at a time; the other steps are bounded by what is pending, and
    are finalised a chunk at a time. A fact already in the log is not decided again; two steps
    proposing the same fact keep the first step's (cause 1's facts are its own: its keys name
    the report year)."""
    night = ctx.night
    sc = ctx.scope   # the entities decided on tonight (None: all; credit.night.scope)
    size = ctx.settings.rosters_chunk_rows   # CREDIT_ROSTERS_CHUNK_ROWS
    if lock:
        conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    reassigned = _revocations_finding_reassigned(conn, night, sc)
    steps = [
        _revocations_fact_withdrawn(conn, env, night, sc),
        _revocations_cured_before_listing(conn, env, night, sc),
        reassigned,
        _removals_on_application(conn, env, night, sc),
        _moot_applications(conn, night, sc),
        _serious_expiries(conn, env, night, sc),
        _fact_inclusions(conn, env, night, sc,
                         revoked=set() if reassigned.empty else set(reassigned["entry_id"].astype(int)),
                         waiting=waiting),
        _escalations(conn, env, night, sc),
        penalty_repair_candidates(conn, env, night, ctx.settings, scope=sc),
    ]
    frames = [s for s in steps if not s.empty]
    cands = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not cands.empty:
        cands = cands[~cands["fact_key"].isin(held_fact_keys(conn, cands["fact_key"]))]
        cands = cands.drop_duplicates("fact_key", keep="first").reset_index(drop=True)
    for start in range(0, len(cands), size):
        yield finalise(cands.iloc[start:start + size], env, night, actor="night", night=night)
    del cands, frames, steps
    for part in _annual_report_inclusions(conn, env, night, sc, size):
        part = part[~part["fact_key"].isin(held_fact_keys(conn, part["fact_key"]))]
        yield finalise(part, env, night, actor="night", night=night)


def night_rank(rows: pd.DataFrame) -> pd.Series:
    """The rank of each row's action in the night's order (a draft ranks as what it proposes)."""
    return rows["proposed_action"].fillna(rows["action"]).map(_ORDER).fillna(9).astype(int)


def sort_night_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The main pass's order of appending (a stable sort: rows equal in the key keep their order).

    The key does not depend on how the night was split into region partitions: the union of the
    partitions' rows sorts into the same order as the whole night's (the uscc is in the key). The
    log's writer appends in the same order (:data:`credit.rosters.log.NIGHT_ORDER`)."""
    if rows.empty:
        return rows
    rows = rows.assign(_o=night_rank(rows))
    return rows.sort_values(["_o", "roster", "authority", "uscc", "fact_key"], kind="stable").drop(columns="_o")


def append_night(conn: Connection, ctx: NightContext, env: RosterEnv, chunks: Iterable[pd.DataFrame],
                 windows_changed: int, *, anchor: bool = True) -> RosterNightSummary:
    """Append the main pass's rows (``chunks`` of finalised log rows, in any order: they are staged
    as they come and appended in the night's order, :data:`credit.rosters.log.NIGHT_ORDER`), then
    the serious-list procedure's steps, anchor the chain's head (unless ``anchor`` is false: a
    region partition's rehearsal, rolled back, takes no number of the anchors' identity) and
    summarise the night's decisions.

    The log's lock is taken once ``chunks`` are staged (the stage is this transaction's temporary
    table): a region partition's rehearsal computes its candidates while they are consumed here,
    side by side with the other partitions', and waits for the lock only to append."""
    night = ctx.night
    sc = ctx.scope   # the entities decided on tonight (None: all; credit.night.scope)
    stage, tally = DecisionStage(conn), _Tally(night)
    for rows in chunks:
        stage.add(rows, night_rank(rows) if not rows.empty else None)
        tally.add(rows)
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    # The log's last decision before this night's own (under the lock: nothing comes between): the
    # publication of the anchors that follows the commit in this process does not walk the rows
    # after it again (credit.rosters.anchors.publish_anchors).
    before = int(conn.execute(sa.text("select coalesce(max(seq), 0) from roster_decisions")).scalar_one())
    stage.append(NIGHT_ORDER)
    # Statistics of the log as it now stands, before the serious list's statements probe it (a first
    # night has just appended a province's decisions in this transaction, which autovacuum cannot
    # see): without them the planner took each fact key for 0.5 % of the log and, at 10 M, hashed
    # the whole log inside serious_proposal_candidates.sql's per-penalty probes (issue 11: the 10 M
    # first night ran that one statement for 39 minutes, unfinished when stopped). Tonight's grades
    # plan on them too.
    plan_on_tonights_rows(conn, "roster_decisions", tally.decisions)
    # The serious list's procedure (proposal, notice, listing, publication, revocation): credit.rosters.serious_night.
    tally.add(serious_night.advance(conn, env, night, scope=sc))
    head = conn.execute(sa.text(
        "select seq, row_hash from roster_decisions order by seq desc limit 1")).mappings().first()
    if head is not None and anchor:
        # Anchor the chain: the head this night leaves behind, in an append-only table of its own
        # (``credit audit verify`` compares the log against every anchor: tail truncation and a
        # consistent rewrite of the chain both show).
        # With it, the last application on record: what "as known after night K" shows of them
        # (credit.rosters.known, migration 0036).
        conn.execute(sa.text(
            "insert into roster_chain_anchors (night, seq, row_hash, request_id) "
            "values (:n, :s, :h, (select coalesce(max(id), 0) from roster_requests)) "
            "on conflict (night, seq) do nothing"), {"n": night, "s": head["seq"], "h": head["row_hash"]})
    chain_head = ChainHead(seq=int(head["seq"]), hash=str(head["row_hash"])) if head else None
    summary: RosterNightSummary = {"decisions": tally.decisions, "config_version": env.config_version,
                                   "chain_head": chain_head, "chain_start": before}
    if windows_changed:
        summary["penalty_windows"] = windows_changed
    waiting = env.annual_report_period_ends(night)[1]   # never left out silently
    if waiting:
        summary["warnings"] = waiting
    if not tally.decisions:
        return summary
    summary["by_roster_action"] = {f"{r}:{a}": n for (r, a), n in sorted(tally.by_roster_action.items())}
    summary["late"] = tally.late
    summary["provisional_due"] = tally.provisional_due
    return summary


class _Tally:
    """The night's decisions counted chunk by chunk, for its summary."""

    def __init__(self, night: date) -> None:
        self.night = pd.Timestamp(night)
        self.decisions = self.late = self.provisional_due = 0
        self.by_roster_action: dict[tuple[str, str], int] = {}

    def add(self, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        self.decisions += len(rows)
        counts = rows.groupby(["roster", "action"]).size()
        for (r, a), n in zip(counts.index, counts, strict=True):
            key = (str(r), str(a))
            self.by_roster_action[key] = self.by_roster_action.get(key, 0) + int(n)
        self.late += int((pd.to_datetime(rows["due_date"]) < self.night).sum())
        self.provisional_due += int(rows["due_provisional"].notna().sum())


def _roster_of(kind: pd.Series) -> pd.Series:
    """Individual businesses get the abnormal-operation *status* (a marking, domain.md §2), others the roster."""
    return pd.Series(np.where(kind == "individual", "abnormal_status", "abnormal"), index=kind.index)


def _include_rule(roster: pd.Series, cause: pd.Series) -> pd.Series:
    prefix = np.where(roster == "abnormal_status", "ind.mark.", "abn.include.")
    return pd.Series(prefix, index=roster.index) + cause


def _rules_for_kinds(env: RosterEnv, rule: pd.Series, kind: pd.Series) -> list[str]:
    """``env.for_kind(rule, kind)`` row by row, asked once per distinct (rule, kind) pair.

    A first night's cause 1 at 1 M is 160,689 rows of a handful of pairs; the call per row, over
    pandas' Arrow strings, was 0.55 s of the night's 7.7 s in ``_annual_report_inclusions``
    (py-spy). The pairs are numbered in order of first appearance and each is answered with the
    values of its first row, so every row gets what the call on its own values returns."""
    pairs = pd.DataFrame({"r": rule.to_numpy(dtype=object), "k": kind.to_numpy(dtype=object)})
    groups = pairs.groupby(["r", "k"], dropna=False, sort=False)
    first = groups.head(1)
    answers = np.array([env.for_kind(r, k) for r, k in zip(first["r"], first["k"], strict=True)], dtype=object)
    return list(answers[groups.ngroup().to_numpy()].tolist())


def _annual_report_inclusions(conn: Connection, env: RosterEnv, night: date, sc: NightScope | None,
                              rows: int) -> Iterator[pd.DataFrame]:
    """Cause 1 of domain.md §3.1 (individuals: as a marking, §2), ``rows`` candidates at a time: the
    report years whose filing period ended before ``night``, each with its end (30 June, rolled
    past a rest day: :func:`credit.annual_reports.ended_before`), which is the facts' ``period_end``
    and the decision's trigger date."""
    # The decision is due 10 WD after the trigger date (rules.yaml period; credit.rosters.log.finalise
    # counts from trigger_date). Domain.md §3.2 says "within 10 WD after 30 June": with the period's
    # last day rolled past a rest day (domain.md §12, 民法典 art. 203) the period ends on that working
    # day, and the 10 WD count from the end of the period — in 2024 from Mon 07-01 to 07-15, where a
    # count from Sun 06-30 gave 07-12, while the enterprise could still file on 07-01.
    ends = env.annual_report_period_ends(night)[0]
    if not ends:
        return
    for part in night_scope.frames(conn, "rosters/annual_reports",
                                   {"years": [y for y, _ in ends], "period_ends": [e for _, e in ends],
                                    "statuses": decided_statuses(env), "night": night}, sc, rows):
        yield _inclusions(part, env, night)


def _fact_inclusions(conn: Connection, env: RosterEnv, night: date, sc: NightScope | None = None,
                     revoked: set[int] | None = None, waiting: list[str] | None = None) -> pd.DataFrame:
    """Causes 2–4 of domain.md §3.1 (individuals: cause 4 as a marking, §2). ``revoked``: the
    entries revoked tonight as wrong because their finding now names another entity
    (:func:`_revocations_finding_reassigned`): like those revoked so on an earlier night
    (rosters/entry_states.sql) they cover no fact, so the entity's other facts on the cause are
    decided tonight, as a full recomputation would on any later night (issue 11)."""
    facts_from = date.fromisoformat(str(env.cfg.get("facts_from", "2025-01-01")))
    with night_scope.serial(conn, sc):   # a scoped night: no parallel workers (night_scope.serial)
        fx = night_scope.frame(conn, "rosters/fact_inclusions",
                               {"facts_from": facts_from, "night": night, "statuses": decided_statuses(env)}, sc)
    if fx.empty:
        return fx
    # Cause 2 from a spot check: the cause arises when the 10-day order period expires unmet.
    ordered = fx["order_served_on"].notna()
    if ordered.any():
        period = env.rules.at("abn.include.instant_info_not_disclosed", night).sub_period("order_period")
        served = fx.loc[ordered, "order_served_on"].to_numpy(dtype="datetime64[D]")
        end, _ = period.end_many(served, env.cal)  # NaT when the calendar cannot say: wait
        fx.loc[ordered, "trigger_date"] = pd.Series(end, index=fx.index[ordered]).dt.date.where(~np.isnat(end))
        if waiting is not None:
            # the period may have ended by tonight (its end is at least n days on): say what it waits for
            for d in sorted({x for x in served[np.isnat(end)].astype(date) if x + timedelta(days=period.n) <= night}):
                try:
                    period.end(d, env.cal)
                except UnknownCalendarYear as e:
                    _note_unknown_year(waiting, e)
        cured = pd.to_datetime(fx["cured_on"]) <= pd.to_datetime(fx["trigger_date"])
        fx = fx[~(ordered & (cured | fx["trigger_date"].isna()))]
    fx = _ordered_period_expiry(fx, env, night, waiting)
    # Causes 3 and 4 (rules.yaml lapses_on_cure): a cure established (查实) on or after the fact and
    # by tonight leaves no cause to list — its removal would already be due (domain.md §3.3, §3.4).
    # Dropped before the dedupe below, so that a later, uncured fact on the cause still decides.
    fx = fx.assign(roster=_roster_of(fx["entity_kind"]))
    rules = _rules_for_kinds(env, _include_rule(fx["roster"], fx["cause_code"]), fx["entity_kind"])
    lapsed = pd.Series([env.lapses_on_cure(r) for r in rules], index=fx.index, dtype=bool) & \
        fx["cured_on"].notna() & fx["order_served_on"].isna()
    fx = fx[~lapsed]
    # Facts on causes 2–4 for an entity already listed (or cured after the fact) on the same
    # cause are covered by that entry: one listing per cause at a time.
    entries = night_scope.frame(conn, "rosters/entry_states", {"n": night}, sc)
    if revoked and not entries.empty:
        entries = entries[~entries["entry_id"].astype(int).isin(revoked)]
    if not entries.empty and not fx.empty:
        entries = entries.drop(columns="entry_id")
        m = fx.reset_index().merge(entries, on=["uscc", "roster", "cause_code"], how="inner")
        covered = m[(m["state"] == "listed") |
                    (pd.to_datetime(m["removed_on"]) >= pd.to_datetime(m["trigger_date"]))]["index"]
        fx = fx[~fx.index.isin(covered)]
    fx = _own_finding_keys(conn, fx, revoked or set())
    # Several new facts on one cause: the earliest decides, the rest are covered by it.
    fx = fx.sort_values(["uscc", "roster", "cause_code", "trigger_date", "fact_key"])
    fx = fx.drop_duplicates(["uscc", "roster", "cause_code"], keep="first")
    return _inclusions(fx, env, night)


def _own_finding_keys(conn: Connection, fx: pd.DataFrame, revoked: set[int]) -> pd.DataFrame:
    """A finding a later drop corrected to name another entity (the same ``finding_id``, another
    USCC: contracts.md §1) whose key ``findings:<id>`` the log already holds: the entity it names
    now is decided on its own, keyed ``findings:<id>:<uscc>`` (the key is unique in the log,
    migration 0002, and would otherwise stay with the first listing, which is revoked as wrong:
    :func:`_revocations_finding_reassigned`, domain.md §3.4), or ``findings:<id>:<uscc>:<k>`` (k = 2,
    3, …) when that key is held too: a finding corrected back to name an entity it listed before
    (A → B → A), whose listing was revoked (such an entry covers no fact: rosters/entry_states.sql).
    The same when the finding was corrected to another kind (the same entity, another cause: its
    listing on the old cause is revoked as wrong, tonight or before; ``revoked``: the entries
    revoked so tonight, whose closing decisions the log does not hold yet).
    Asked only for the facts left to decide (after the covered ones are dropped): a held key here
    belongs to a listing that no longer stands. Every other fact keeps its key, so what the log
    holds and a re-run of any night stay as they were."""
    if fx.empty:
        return fx
    keys = fx["fact_key"].astype(str)
    ours = keys.str.startswith("findings:")
    if not ours.any():
        return fx
    base = keys.copy()
    suffix = 1
    pending = ours.copy()
    while pending.any():
        held = sqlfiles.frame(conn, "rosters/fact_key_holders", {"k": sorted(set(keys[pending]))})
        if held.empty:
            break
        standing = {(str(k), str(u))
                    for q, k, u, r in zip(held["seq"], held["fact_key"], held["uscc"], held["reassigned"], strict=True)
                    if not bool(r) and int(q) not in revoked}
        holders: dict[str, set[str]] = {}
        for k, u in zip(held["fact_key"], held["uscc"], strict=True):
            holders.setdefault(str(k), set()).add(str(u))
        # moved on: a key held for another entity, or for this one's listing revoked as reassigned
        pending = pending & pd.Series([bool(p) and k in holders and (bool(holders[k] - {u}) or (k, u) not in standing)
                                       for p, k, u in zip(pending, keys, fx["uscc"].astype(str), strict=True)],
                                      index=fx.index, dtype=bool)
        if not pending.any():
            break
        suffix += 1
        own = base[pending] + ":" + fx.loc[pending, "uscc"].astype(str)
        keys[pending] = own if suffix == 2 else own + f":{suffix - 1}"
    if keys.equals(fx["fact_key"].astype(str)):
        return fx
    fx = fx.copy()
    fx["fact_key"] = keys
    return fx


def _note_unknown_year(waiting: list[str], e: UnknownCalendarYear) -> None:
    """Add to ``waiting`` that an ordered period's end waits for year ``e.year`` (once a year)."""
    note = f"ordered_period_end_unknown:{e.year}: {e}"
    if note not in waiting:
        waiting.append(note)


def _ordered_period_expiry(fx: pd.DataFrame, env: RosterEnv, night: date,
                           waiting: list[str] | None = None) -> pd.DataFrame:
    """Cause 2 from the finding ``ordered_disclosure_overdue`` (未在责令期限内公示): its ``found_on``
    is the last day of the ordered period (68号令 art. 7, domain.md §3.2), and the cause arises when
    the period expires. A last day that is a rest day ends the period on the next working day
    (民法典 art. 203, domain.md §12; a make-up working day is a working day), by the one rule the
    annual-report period's end follows (:func:`credit.annual_reports.filing_period_end`:
    :meth:`credit.calendar.WorkingCalendar.roll_forward`, weekends too unless ``calendar.yaml``
    says ``roll_over_weekends: false``). The 10 WD of the decision then count from that day: found
    on 2026-10-01 (National Day) the period ends 10-08 and the decision is due 10-21 (domain.md §13
    ex. 2), where counting from 10-01 gave 10-20; found on 2026-06-19 (Dragon Boat, then a weekend)
    the period ends Mon 06-22 and the decision is due 07-06, not 07-03.

    An expiry after ``night`` has not happened yet (the entity may still disclose until it): the
    finding waits for the night of its expiry (the night's scope brings it back then,
    night/scope_incremental.sql ``time:ordered_period_expiry``); a disclosure (cure) on or before
    the expiry leaves no cause. A last day in a year the calendar does not know (its State Council
    notice not entered in ``calendar.yaml``) may be a rest day that moves the end: any day of it
    may be a holiday or a make-up working day, only the days the law fixes off (1 January, …) are
    certain. So the finding waits, never guessed (domain.md §12 "Pipeline rule"), with a warning
    ``ordered_period_end_unknown:<year>`` in the night's summary (given ``waiting``), until the
    notice is entered: that configuration change makes the night full
    (:func:`credit.night.scope.global_events`), which decides it then. Taking the last day as it
    was listed an entity on 2 January 2027 for a period that ran, by law, at least to 4 January."""
    due = (fx["cause_code"] == "instant_info_not_disclosed") & fx["order_served_on"].isna()
    if not due.any():
        return fx
    rolled: list[date | None] = []
    for d in fx.loc[due, "trigger_date"]:
        try:
            rolled.append(env.cal.roll_forward(d))
        except UnknownCalendarYear as e:
            rolled.append(None)   # waits for the year's notice
            if waiting is not None and d <= night:   # a later last day waits anyway
                _note_unknown_year(waiting, e)
    fx = fx.copy()
    fx.loc[due, "trigger_date"] = pd.Series(rolled, index=fx.index[due], dtype=object)
    trig = pd.to_datetime(fx["trigger_date"])
    unknown = due & trig.isna()
    later = due & (trig > pd.Timestamp(night))
    cured = due & (pd.to_datetime(fx["cured_on"]) <= trig)
    return fx[~(unknown | later | cured)]



def _inclusions(part: pd.DataFrame, env: RosterEnv, night: date) -> pd.DataFrame:
    """Inclusion candidates of causes 1–4 (domain.md §3.1) that fall due by ``night``: the roster
    (or the individual's status, §2) and the rule by entity kind."""
    if part.empty:
        return pd.DataFrame()
    part = part.copy()
    part["roster"] = _roster_of(part["entity_kind"])
    part["rule_id"] = _rules_for_kinds(env, _include_rule(part["roster"], part["cause_code"]), part["entity_kind"])
    part["action"] = "include"
    # Decided by the night on or after the day the obligation fell due: period-end triggers (the
    # end of the annual-report period, 30 June or the working day it rolls to) are decided from the
    # next day, established facts (查实) from their own day.
    # The order period of a spot check likewise runs to the end of its last day.
    ordered = part["order_served_on"].notna() if "order_served_on" in part else pd.Series(False, index=part.index)
    after = np.where((part["cause_code"] == "annual_report_missing") | ordered, 1, 0)
    trig = pd.to_datetime(part["trigger_date"])
    part = part[(trig + pd.to_timedelta(after, unit="D")) <= pd.Timestamp(night)]
    known = set(env.rules.rules)
    return part[part["rule_id"].isin(known)].reset_index(drop=True)


def _revocations_fact_withdrawn(conn: Connection, env: RosterEnv, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """A cause-1 listing whose report turns out to have been filed in time (late data) is revoked."""
    return _revoked_as_wrong(night_scope.frame(conn, "rosters/fact_withdrawn", {"n": night}, sc))


def _revoked_as_wrong(df: pd.DataFrame) -> pd.DataFrame:
    """Listings (their ``entry_id``) to revoke because the fact they stand on does not hold: one
    revocation each, keyed by the entry so that a later night proposes it once."""
    if df.empty:
        return df
    df["action"] = "revoke"
    df["rule_id"] = "any.revoke.fact_withdrawn"
    df["refers_to"] = df["entry_id"]
    df["fact_key"] = "close:" + df["entry_id"].astype(str)
    return df


def _revocations_cured_before_listing(conn: Connection, env: RosterEnv, night: date,
                                      sc: NightScope | None = None) -> pd.DataFrame:
    """A listing on a cause that lapses on its cure (causes 3 and 4, rules.yaml ``lapses_on_cure``)
    made although the cure was established (查实) on or before the listing — by a night before this
    rule, or a cure the store learnt later — is revoked as wrong (domain.md §3.3, §3.4)."""
    rules = env.lapsing_rules()
    if not rules:
        return pd.DataFrame()
    return _revoked_as_wrong(night_scope.frame(conn, "rosters/cured_before_listing", {"n": night, "rules": rules}, sc))


def _revocations_finding_reassigned(conn: Connection, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """A listing on causes 2–4 made on a finding that a later drop corrected to name another entity
    (the same ``finding_id``, another USCC) or to another kind (the same entity, another cause or
    a cure's kind), or that a full snapshot no longer holds, no longer has its basis: revoked as wrong (撤销,
    domain.md §3.4, a new decision; the listing stays in the log). The entity the finding names now
    is decided on its own (:func:`_own_finding_keys`)."""
    return _revoked_as_wrong(night_scope.frame(conn, "rosters/finding_reassigned", {"n": night}, sc))


def _removals_on_application(conn: Connection, env: RosterEnv, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """Pending applications for removal (domain.md §3.3, §4 early removal, §5).

    Abnormal roster / individual status: removed once the cure is established, due 5 WD after
    the application or the cure, whichever is later (68号令 arts. 11–14); an application still
    uncured when its limit has run out is refused. Serious list: after one full year, penalty
    performed, no new heavier penalty (2021 repair rules art. 7; order 107: 7 WD from 2025-12-25).
    """
    df = night_scope.frame(conn, "rosters/removal_candidates",
                {"n": night, "night": night, "hm": env.heavier_measures(), "complete": list(COMPLETE_WHEN_DECIDED)}, sc)
    auto = pd.DataFrame()
    if not bool(env.cfg.get("removal_requires_application", True)):
        auto = _auto_removal_candidates(conn, night, sc)
    if not auto.empty:
        df = pd.concat([df, auto], ignore_index=True)
    if df.empty:
        return df
    # Several applicants' applications on one entry: the earliest granted one removes it (the
    # night keeps the first candidate of a fact), the others are answered as moot afterwards.
    df = df.sort_values(["request_id", "entry_id"], kind="stable", na_position="last").reset_index(drop=True)
    kinds = sqlfiles.frame(conn, "rosters/entity_kinds", {"u": sorted(set(df["uscc"]))})
    df["entity_kind"] = df["uscc"].map(dict(zip(kinds["uscc"], kinds["entity_kind"], strict=True)) if not kinds.empty else {})
    df["rule_id"] = [env.for_kind(removal_rule(r, c), k)
                     for r, c, k in zip(df["roster"], df["cause_code"], df["entity_kind"], strict=True)]
    received = pd.to_datetime(df["received_on"])
    abn = df["roster"] != "serious"
    cure = pd.to_datetime(df["report_filed_on"].where(df["cause_code"] == "annual_report_missing", df["cured_on"]))
    cured = abn & cure.notna()
    # The limit runs from receipt, or the cure if later (domain.md §3.3): the rule of
    # credit.rosters.read.removal_limit_start, vectorised here; an application's decide-by date is
    # derived from that function, so the two must change together.
    due_start = received.where(~cured, np.maximum(received, cure))
    # Serious list: one full year on the list first (may apply from the day after, 民法典 art. 202),
    # and not while a restriction of the penalty (practice ban, restriction of business…) runs
    # (domain.md §4; 2021 repair rules art. 7): credit.rosters.early_removal.early_removal, the rule the
    # receipt of the application and the status use, so that the night refuses what the receipt
    # announced, with the same reason and day.
    ends = pd.to_datetime(df["restriction_ends"]) if "restriction_ends" in df else pd.Series(pd.NaT, index=df.index)
    until = pd.to_datetime(df["effective_until"]) if "effective_until" in df else pd.Series(pd.NaT, index=df.index)
    barred = [early_removal_refusal(early_removal(
                  inc.date(), None if pd.isna(e) else e.date(), None if pd.isna(u) else u.date() + timedelta(days=1)),
                  rv.date())
              if roster == "serious" and pd.notna(inc) else None
              for roster, inc, e, u, rv in zip(df["roster"], pd.to_datetime(df["included_on"]), ends, until, received,
                                               strict=True)]
    old_enough = pd.Series([b is None for b in barred], index=df.index)
    penalty_ok = df["penalty_fulfilled_on"].notna() & (pd.to_datetime(df["penalty_fulfilled_on"]) <= pd.Timestamp(night))
    cond_serious = (~abn) & old_enough & ~df["new_heavier_penalty"].astype(bool) & \
        np.where(df["penalty_based"].astype(bool), penalty_ok, ~df["abnormal_still_open"].astype(bool))
    ok = np.where(abn, cured, cond_serious)
    # The limit that decides when an unmet application is refused (from receipt).
    limit = _period_end(env, df["rule_id"], received.dt.date)
    # Refused on the limit's last night (the night sees that day's data), never after it.
    expired = pd.Series(limit).notna() & (pd.to_datetime(pd.Series(limit)) <= pd.Timestamp(night))
    # Causes 3 and 4: the limit runs from 查实 of the cure (68号令 arts. 13–14, 69号令 art. 18), so an
    # application whose cure is not yet established stays open (shown on the deadline watch),
    # never refused by the clock.
    cure_based = (df["rule_id"].map(env.limit_from) == "cure").to_numpy()
    expired = expired & ~cure_based
    too_early = (~abn) & ~old_enough
    refuse = ~ok & (expired.to_numpy() | too_early.to_numpy())
    out = df[ok | refuse].copy()
    sel_ok = ok[ok | refuse]
    out["trigger_date"] = due_start[ok | refuse].dt.date
    out["due_start"] = out["trigger_date"]
    out["action"] = np.where(sel_ok, "remove", "refuse")
    out["rule_id"] = np.where(sel_ok, out["rule_id"], "any.refuse.repair")
    out["refers_to"] = out["entry_id"]
    rq = out["request_id"].astype("Int64").astype(str)
    out["fact_key"] = np.where(sel_ok, "close:" + out["entry_id"].astype(str),
                               "refuse:" + rq + ":" + out["entry_id"].astype(str))
    out["request_id"] = out["request_id"].where(out["request_id"].notna(), None)
    out.loc[~sel_ok, "due_date"] = [d for d in np.asarray(limit)[(ok | refuse)][~sel_ok]]
    early = pd.Series(barred, index=df.index, dtype=object)[ok | refuse]
    unmet = [unmet_conditions(roster, cause, heavier, based, fulfilled, still_open) for roster, cause, heavier, based,
             fulfilled, still_open in zip(out["roster"], out["cause_code"], out["new_heavier_penalty"].astype(bool),
                                          out["penalty_based"].astype(bool), penalty_ok[ok | refuse],
                                          out["abnormal_still_open"].astype(bool), strict=True)]
    out["reason"] = [None if removed else soon if soon else refusal_reason(roster, why)
                     for removed, soon, roster, why in zip(sel_ok, early, out["roster"], unmet, strict=True)]
    out["facts"] = [json.dumps({"request_id": None if pd.isna(r) else int(r), "received_on": str(rv) if pd.notna(rv) else None,
                                "cure_on": None if pd.isna(c) else str(c.date()),
                                "penalty_fulfilled_on": None if pd.isna(p) else str(p)},
                               ensure_ascii=False, sort_keys=True)
                    for r, rv, c, p in zip(out["request_id"], out["received_on"], cure[ok | refuse],
                                           out["penalty_fulfilled_on"], strict=True)]
    return out.reset_index(drop=True)


#: What an application on the abnormal roster (or a 个体工商户's abnormal status) still lacks when its
#: limit runs out, by the cause of the entry (domain.md §3.3: the cure of each cause, 68号令 arts.
#: 11–12). Causes 3 and 4 are never refused by the clock: their limit runs from 查实 of the cure.
UNCURED = {"annual_report_missing": "办理期限届满时仍未补报年度报告",
           "instant_info_not_disclosed": "办理期限届满时仍未履行即时信息公示义务"}


def unmet_conditions(roster: str, cause_code: str | None, heavier: bool, penalty_based: bool,
                     fulfilled: bool, abnormal_open: bool) -> list[str]:
    """The conditions of removal an application does not meet, in words the applicant reads: on
    the abnormal roster the cure of its cause; on the serious list (after its year) the penalty's
    obligations performed, no new heavier penalty, and, for a listing on the abnormal roster's
    three years, that entry removed (domain.md §4 early removal; 2021 repair rules art. 7)."""
    if roster != "serious":
        return [UNCURED.get(cause_code or "", "列入的情形尚未消除")]
    out: list[str] = []
    if penalty_based and not fulfilled:
        out.append("行政处罚决定规定的义务尚未履行完毕")
    if not penalty_based and abnormal_open:
        out.append("据以列入的经营异常名录记录尚未移出")
    if heavier:
        out.append("列入后又受到较重行政处罚")
    return out


def refusal_reason(roster: str, unmet: list[str]) -> str:
    """The reason of a refused application: the rule's words (rules.yaml ``any.refuse.repair``),
    then what was not met, so that an applicant knows what to do before applying again."""
    head = "不符合恢复正常记载状态的条件，不予恢复" if roster == "abnormal_status" else "不符合移出条件，不予移出"
    return f"{head}：{'；'.join(unmet)}" if unmet else head


def _moot_applications(conn: Connection, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """Applications left unanswered on an entry that has ended since they arrived are answered as
    moot (refused: nothing left to remove), naming the decision that ended the entry.

    Several applicants may each have one application pending on an entry (issue 14): the first
    granted removal ends the entry, and the night after answers the others (domain.md §4, §5:
    the bureau answers every application)."""
    df = night_scope.frame(conn, "rosters/moot_applications", {"n": night}, sc)
    if df.empty:
        return df
    kinds = sqlfiles.frame(conn, "rosters/entity_kinds", {"u": sorted(set(df["uscc"]))})
    df["entity_kind"] = df["uscc"].map(dict(zip(kinds["uscc"], kinds["entity_kind"], strict=True)) if not kinds.empty else {})
    df["action"] = "refuse"
    df["rule_id"] = "any.refuse.repair"
    df["refers_to"] = df["entry_id"]
    df["trigger_date"] = night
    df["due_start"] = night
    df["due_date"] = night
    df["fact_key"] = "moot:" + df["request_id"].astype("int64").astype(str) + ":" + df["entry_id"].astype("int64").astype(str)
    df["reason"] = [f"该记录已于 {r.isoformat()} 移出（{n or '已有决定'}），本申请无需另行决定"
                    for r, n in zip(df["removed_on"], df["removal_no"], strict=True)]
    df["facts"] = [json.dumps({"request_id": int(q), "received_on": str(rv), "moot": True,
                               "ended_on": str(r), "ended_by": n}, ensure_ascii=False, sort_keys=True)
                   for q, rv, r, n in zip(df["request_id"], df["received_on"], df["removed_on"], df["removal_no"],
                                          strict=True)]
    return df.drop(columns=["removed_on", "removal_no", "included_on"]).reset_index(drop=True)


def _auto_removal_candidates(conn: Connection, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """When the bureau does not require an application, the cure itself is the application."""
    df = night_scope.frame(conn, "rosters/auto_removal_candidates", {"n": night}, sc)
    if df.empty:
        return df
    cure = df["report_filed_on"].where(df["cause_code"] == "annual_report_missing", df["cured_on"])
    df = df[cure.notna()].copy()
    df["received_on"] = cure[cure.notna()]
    return df


def _period_end(env: RosterEnv, rule_ids: pd.Series, starts: pd.Series) -> list[date | None]:
    """Main-period end per row (rule version in force at the start); None when the calendar cannot say."""
    out: list[date | None] = []
    cache: dict[tuple[str, date], date | None] = {}
    for rid, s in zip(rule_ids, starts, strict=True):  # few distinct (rule, start) pairs; cached
        if s is None or pd.isna(s):
            out.append(None)
            continue
        key = (rid, s)
        if key not in cache:
            v = env.rules.find(rid, s) or env.rules.versions(rid)[0]
            try:
                cache[key] = v.period.end(s, env.cal) if v.period else None
            except UnknownCalendarYear:
                cache[key] = None
        out.append(cache[key])
    return out


def _serious_expiries(conn: Connection, env: RosterEnv, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """Automatic removal the day after the listing period is full (3 years, 83号令-era 5 years; §4)."""
    df = night_scope.frame(conn, "rosters/serious_expiries", {"n": night}, sc)
    if df.empty:
        return df
    # The wording speaks the listing's own regime: an 83号令-era 5-year listing ends "届满5年"
    # under 83号令 art. 9, even when it runs out after 44号令 came into force.
    expiry_versions = env.rules.versions("ser.remove.expiry") if "ser.remove.expiry" in env.rules.rules else ()

    def _regime(rule_version: str | None) -> str | None:
        listing = env.rules.by_version(rule_version) if isinstance(rule_version, str) else None
        years = listing.listing_years if listing else None
        fits = [v for v in expiry_versions if years and v.listing_years == years and v.valid_from <= night]
        return fits[-1].version if fits else None

    df["wording_version"] = [_regime(v) for v in df["listing_rule_version"]]
    df["action"] = "remove"
    df["rule_id"] = "ser.remove.expiry"
    df["refers_to"] = df["entry_id"]
    df["trigger_date"] = [d + timedelta(days=1) for d in df["effective_until"]]
    df["due_date"] = df["trigger_date"]
    df["effective_on"] = df["trigger_date"]   # off the list that day, also when a later night records it
    df["fact_key"] = "close:" + df["entry_id"].astype(str)
    df["facts"] = [json.dumps({"listing_period_full_on": str(d)}) for d in df["effective_until"]]
    return df


def _escalations(conn: Connection, env: RosterEnv, night: date, sc: NightScope | None = None) -> pd.DataFrame:
    """3 years on the abnormal roster with obligations unmet → serious list, only where the rule in
    force on the night provides it (domain.md §3.5: off from 2024-05-01 unless the bureau switches it on)."""
    if not env.rules.enabled("ser.escalate.abnormal_3_years", night):
        return pd.DataFrame()
    df = night_scope.frame(conn, "rosters/escalation_candidates", {"n": night, "s": decided_statuses(env)}, sc)
    if df.empty:
        return df
    full = pd.Series([add_years(d, 3) for d in df["included_on"]], index=df.index)
    df = df[np.array([f < night for f in full], dtype=bool)].copy()
    if df.empty:
        return df
    years = env.rules.at("ser.escalate.abnormal_3_years", night).listing_years or 3
    df["trigger_date"] = full[df.index]
    df["roster"] = "serious"
    df["action"] = "escalate"
    df["rule_id"] = "ser.escalate.abnormal_3_years"
    df["cause_code"] = "abnormal_roster_3_years"
    df["effective_until"] = add_years(night, int(years))
    df["fact_key"] = "escalate:" + df["abnormal_entry"].astype(str)
    df["facts"] = [json.dumps({"abnormal_entry": int(a), "abnormal_included_on": str(i), "three_years_full_on": str(t)})
                   for a, i, t in zip(df["abnormal_entry"], df["included_on"], df["trigger_date"], strict=True)]
    return df
