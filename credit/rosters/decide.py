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

import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.calendar import UnknownCalendarYear, WorkingCalendar, add_years, working_calendar
from credit.config import ConfigDoc, load_config
from credit.context import NightContext
from credit.rosters.rules import RuleBook, load_rules
from credit.settings import Settings, get_settings

ROSTERS = ("abnormal", "abnormal_status", "serious")
EXPORT_COLUMNS = ["uscc", "name", "roster", "cause_code", "cause", "basis", "included_on", "decision_no",
                  "authority", "state", "removed_on", "removal_reason"]
INSERT_COLUMNS = ["uscc", "roster", "action", "proposed_action", "entry_id", "refers_to", "request_id",
                  "cause_code", "cause", "basis", "rule_id", "rule_version", "facts", "fact_key",
                  "trigger_date", "decision_date", "due_date", "due_provisional", "due_note",
                  "effective_until", "reason", "authority", "authority_name", "doc_prefix", "decision_no",
                  "config_version", "night", "actor"]
_INT_COLUMNS = ("entry_id", "refers_to", "request_id")
_DATE_COLUMNS = ("trigger_date", "decision_date", "due_date", "due_provisional", "effective_until", "night")
LOCK_KEY = 4270002  # same key as the insert trigger: one writer of the log at a time


def _sql(name: str) -> str:
    return sqlfiles.text_of(f"rosters/{name}")


@dataclass(frozen=True)
class RosterEnv:
    """Everything a decision needs besides the store: rules, config, calendar."""

    rules: RuleBook
    cfg: ConfigDoc
    cal: WorkingCalendar

    @property
    def config_version(self) -> str:
        return f"{self.rules.version};{self.cfg.version};{self.cal.version}"

    @classmethod
    def load(cls, settings: Settings | None = None) -> RosterEnv:
        settings = settings or get_settings()
        folder = Path(settings.config_dir)
        # calendar.yaml too: a newly published year must reach the due dates without a restart.
        stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size)
                      for f in (folder / "rules.yaml", folder / "rosters.yaml", folder / "calendar.yaml"))
        return _load_env(str(folder), stamp)

    def drafts(self, roster: str, on: date) -> bool:
        """Whether decisions on ``roster`` made on ``on`` are drafts awaiting an officer (config switch)."""
        entries = sorted((self.cfg.get("drafts") or {}).get(roster) or [], key=lambda e: str(e["from"]))
        out = False
        for e in entries:
            if date.fromisoformat(str(e["from"])) <= on:
                out = bool(e["drafts"])
        return out

    def authority(self, region: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """(code, name, 文号 prefix) of the deciding authority per entity (谁认定、谁修复, domain.md §5.1)."""
        conf = self.cfg.get("authority") or {}
        default = conf.get("default") or {"name": "{region}市场监督管理局", "doc_prefix": "{region}市监信"}
        by_region = {str(k): v for k, v in (conf.get("by_region") or {}).items()}
        region = region.fillna("000000").astype(str)
        uniq = region.unique()
        names = {r: str((by_region.get(r) or default)["name"]).format(region=r) for r in uniq}
        prefixes = {r: str((by_region.get(r) or default)["doc_prefix"]).format(region=r) for r in uniq}
        return region, region.map(names), region.map(prefixes)


    def limit_from(self, rule_id: str) -> str:
        """Where a removal rule's decision limit starts: ``receipt`` of the application (causes 1, 2,
        serious list) or ``cure``, the bureau's 查实 of the cure (causes 3 and 4: 68号令 arts. 13–14,
        69号令 art. 18; domain.md §3.3) — such applications are never refused by the clock."""
        return str((self.rules.meta.get(rule_id) or {}).get("limit_from", "receipt"))

    def heavier_measures(self) -> list[str]:
        """Penalty measures that make a penalty 较重行政处罚 whatever the drop's flag (config switch)."""
        return [str(m) for m in (self.cfg.get("heavier_measures") or [])]

    def derive_due(self, rule_id: str, start: date | None) -> tuple[date | None, date | None]:
        """(due, provisional) of ``rule_id``'s main period from ``start``, computed now: the version
        in force on the start day (the first version for earlier starts), as the night does."""
        if start is None or rule_id not in self.rules.rules:
            return None, None
        versions = self.rules.versions(rule_id)
        v = self.rules.find(rule_id, start) or (versions[0] if start < versions[0].valid_from else None)
        if v is None or v.period is None:
            return None, None
        try:
            return v.period.end(start, self.cal), None
        except UnknownCalendarYear:
            return None, v.period.weekday_estimate(start)


def effective_due(env: RosterEnv, rule_id: str | None, start: date | None, due: date | None,
                  provisional: date | None) -> tuple[date | None, date | None]:
    """The due date as known *now*: a stored provisional due date (year without a published holiday
    notice) is recomputed from the rule and the start day once the calendar knows the year. Nothing
    is appended to the log; the stored estimate stays as evidence of what was known then."""
    if due is not None or provisional is None or rule_id is None:
        return due, provisional
    d, p = env.derive_due(rule_id, start)
    return (d, None) if d is not None else (None, provisional)


@lru_cache(maxsize=8)
def _load_env(config_dir: str, stamp: tuple[tuple[int, int], ...]) -> RosterEnv:
    """Parsed once per configuration folder and file version (``stamp`` changes when a file does)."""
    settings = Settings(config_dir=Path(config_dir))
    return RosterEnv(load_rules(settings), load_config("rosters", settings), working_calendar(settings))


# ------------------------------------------------------------------------------------------------
# Writing decisions
# ------------------------------------------------------------------------------------------------
def insert_decisions(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """Append decisions (one row each, :data:`INSERT_COLUMNS`) in the frame's order.

    The database assigns seq, entry ids, 文号 and the hash chain (trigger ``roster_decisions_chain``).
    Rows go through COPY into a temporary table, then one ``INSERT … SELECT … ORDER BY``, so a
    million decisions are one statement. Returns the inserted rows (seq, decision_no, fact_key…).
    """
    if frame.empty:
        return pd.DataFrame(columns=["seq", "decision_no", "fact_key", "uscc", "action"])
    df = frame.reindex(columns=INSERT_COLUMNS).copy()
    for c in _INT_COLUMNS:
        df[c] = pd.array(pd.to_numeric(df[c], errors="coerce"), dtype="Int64")
    for c in _DATE_COLUMNS:
        df[c] = pd.to_datetime(df[c], errors="coerce").dt.strftime("%Y-%m-%d")
    df.insert(0, "ord", np.arange(len(df), dtype=np.int64))
    conn.exec_driver_sql("drop table if exists _roster_new")
    conn.exec_driver_sql(
        "create temp table _roster_new (ord bigint, uscc text, roster text, action text, proposed_action text, "
        "entry_id bigint, refers_to bigint, request_id bigint, cause_code text, cause text, basis text, "
        "rule_id text, rule_version text, facts jsonb, fact_key text, trigger_date date, decision_date date, "
        "due_date date, due_provisional date, due_note text, effective_until date, reason text, authority text, "
        "authority_name text, doc_prefix text, decision_no text, config_version text, night date, actor text)")
    buf = io.StringIO()
    df.to_csv(buf, index=False, header=False, na_rep="")
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy("copy _roster_new from stdin with (format csv)") as cp:  # type: ignore[union-attr]
        cp.write(buf.getvalue())
    cols = ", ".join(INSERT_COLUMNS)
    out = conn.execute(sa.text(
        f"insert into roster_decisions ({cols}) select {cols} from _roster_new order by ord "
        "returning seq, decision_no, fact_key, uscc, action, entry_id, due_date")).mappings().all()
    conn.exec_driver_sql("drop table _roster_new")
    return pd.DataFrame(out)


def _finalise(cands: pd.DataFrame, env: RosterEnv, on: date, *, actor: str, night: date | None) -> pd.DataFrame:
    """Turn candidate decisions into log rows: rule in force, wording, due date, authority, drafts.

    ``cands`` needs uscc, roster, action, rule_id, cause_code, fact_key, facts, trigger_date,
    region_code; optional entry_id, refers_to, request_id, due_start, due_date, effective_until,
    reason, family. Rows whose rule has no enabled version on ``on`` are dropped: a decision is
    judged by the rule in force on its date, and a switched-off rule decides nothing.
    """
    if cands.empty:
        return pd.DataFrame(columns=INSERT_COLUMNS)
    df = cands.copy()
    for c in ("entry_id", "refers_to", "request_id", "due_start", "due_date", "effective_until", "reason",
              "family", "due_note", "due_provisional", "wording_version"):
        if c not in df:
            df[c] = None
    rule_ids = df["rule_id"].unique()
    version = {rid: env.rules.find(rid, on) for rid in rule_ids}
    keep = df["rule_id"].map(lambda r: version[r] is not None and version[r].enabled).astype(bool)
    df = df[keep].reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=INSERT_COLUMNS)
    # A decision may carry the wording of another version of its rule (``wording_version``): the
    # automatic end of a listing speaks the regime the listing was made under (e.g. 83号令 5 years).
    worded = [env.rules.by_version(w) if isinstance(w, str) else None for w in df["wording_version"]]
    row_version = [w if w is not None and w.rule_id == r else version[r]
                   for w, r in zip(worded, df["rule_id"], strict=True)]
    families = {}
    for rid in df["rule_id"].unique():
        families.update(version[rid].extra.get("families") or {})  # type: ignore[union-attr]
    fam = df["family"].map(lambda f: families.get(f, f) if isinstance(f, str) else "")
    wording = pd.Series([v.wording for v in row_version], index=df.index)  # type: ignore[union-attr]
    basis = pd.Series([v.basis for v in row_version], index=df.index)  # type: ignore[union-attr]
    has_fam = wording.str.contains("{family}", regex=False)
    df["cause"] = np.where(has_fam, [w.replace("{family}", f) for w, f in zip(wording, fam, strict=True)], wording)
    df["basis"] = np.where(has_fam, [b.replace("{family}", f) for b, f in zip(basis, fam, strict=True)], basis)
    df["rule_version"] = [v.version for v in row_version]  # type: ignore[union-attr]
    df["reason"] = df["reason"].where(df["reason"].notna(), pd.Series([v.reason for v in row_version], index=df.index))  # type: ignore[union-attr]
    # Due dates: the period of the version in force when the period started to run.
    start = pd.to_datetime(df["due_start"].where(df["due_start"].notna(), df["trigger_date"]), errors="coerce")
    due = pd.to_datetime(df["due_date"], errors="coerce").to_numpy(dtype="datetime64[D]")
    prov = np.full(len(df), np.datetime64("NaT"), dtype="datetime64[D]")
    todo = np.isnat(due) & start.notna().to_numpy()
    for rid in df.loc[todo, "rule_id"].unique():
        versions = env.rules.versions(rid)
        mask = todo & (df["rule_id"] == rid).to_numpy()
        starts = start[mask].dt.date
        for v in versions:
            vm = starts.map(lambda s, v=v, first=versions[0]: v.in_force(s) or (s < first.valid_from and v is first))
            idx = np.flatnonzero(mask)[vm.to_numpy(dtype=bool)]
            if len(idx) == 0 or v.period is None:
                continue
            d, p = v.period.end_many(start.iloc[idx].to_numpy(dtype="datetime64[D]"), env.cal)
            due[idx], prov[idx] = d, p
    df["due_date"] = pd.Series(due).dt.date.where(~np.isnat(due), None)
    df["due_provisional"] = pd.Series(prov).dt.date.where(~np.isnat(prov), None)
    unknown = ~np.isnat(prov)
    df.loc[unknown, "due_note"] = "provisional: holiday schedule not published (国务院办公厅当年部分节假日安排的通知尚未发布; 工作日按《中华人民共和国行政处罚法》第八十五条计算)"
    code, name, prefix = env.authority(df["region_code"])
    df["authority"], df["authority_name"], df["doc_prefix"] = code.values, name.values, prefix.values
    df["decision_date"] = on
    df["night"] = night
    df["actor"] = actor
    df["config_version"] = env.config_version
    df["proposed_action"] = None
    drafted = df["roster"].map(lambda r: env.drafts(r, on)).astype(bool) & (actor == "night")
    df.loc[drafted, "proposed_action"] = df.loc[drafted, "action"]
    df.loc[drafted, "action"] = "propose"
    return df.reindex(columns=INSERT_COLUMNS)


# ------------------------------------------------------------------------------------------------
# The night
# ------------------------------------------------------------------------------------------------
_ORDER = {"revoke": 0, "remove": 1, "refuse": 2, "include": 3, "escalate": 4, "notice": 5}


def decide_night(conn: Connection, ctx: NightContext) -> dict[str, Any]:
    """Decide everything that fell due by ``ctx.night`` and append it to the decision log.

    Order within the night: corrections of wrong listings, removals and refusals on pending
    applications, serious-list expiries, then new inclusions (abnormal roster and individual
    status), escalations (only where the rule in force provides them), serious-list notices and
    the listings whose defence period ran out. Deterministic: the same store and configuration
    give the same rows in the same order; no wall-clock time is read.
    """
    env = RosterEnv.load(ctx.settings)
    night = ctx.night
    conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    existing = set(conn.execute(sa.text(
        "select fact_key from roster_decisions where fact_key is not null")).scalars())
    steps = [
        _revocations_fact_withdrawn(conn, env, night),
        _removals_on_application(conn, env, night),
        _serious_expiries(conn, env, night),
        _abnormal_inclusions(conn, env, night),
        _escalations(conn, env, night),
        _serious_notices(conn, env, night),
        _serious_listings(conn, env, night),
    ]
    frames = [s for s in steps if not s.empty]
    cands = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not cands.empty:
        cands = cands[~cands["fact_key"].isin(existing)]
        cands = cands.drop_duplicates("fact_key", keep="first")
    rows = _finalise(cands, env, night, actor="night", night=night)
    if not rows.empty:
        rows["_o"] = rows["proposed_action"].fillna(rows["action"]).map(_ORDER).fillna(9)
        rows = rows.sort_values(["_o", "roster", "authority", "uscc", "fact_key"], kind="stable").drop(columns="_o")
    inserted = insert_decisions(conn, rows)
    head = conn.execute(sa.text(
        "select seq, row_hash from roster_decisions order by seq desc limit 1")).mappings().first()
    if head is not None:
        # Anchor the chain: the head this night leaves behind, in an append-only table of its own
        # (``credit audit verify`` compares the log against every anchor: tail truncation and a
        # consistent rewrite of the chain both show).
        conn.execute(sa.text(
            "insert into roster_chain_anchors (night, seq, row_hash) values (:n, :s, :h) "
            "on conflict (night, seq) do nothing"), {"n": night, "s": head["seq"], "h": head["row_hash"]})
    summary: dict[str, Any] = {"decisions": int(len(inserted)), "config_version": env.config_version}
    if not rows.empty:
        by = rows.groupby(["roster", "action"]).size()
        summary["by_roster_action"] = {f"{r}:{a}": int(n) for (r, a), n in by.items()}
        summary["late"] = int((pd.to_datetime(rows["due_date"]) < pd.Timestamp(night)).sum())
        summary["provisional_due"] = int(rows["due_provisional"].notna().sum())
    summary["chain_head"] = {"seq": head["seq"], "hash": head["row_hash"]} if head else None
    return summary


def _frame(conn: Connection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    res = conn.execute(sa.text(sql), params)
    return pd.DataFrame(res.mappings().all(), columns=list(res.keys()))


def _statuses(env: RosterEnv) -> list[str]:
    return [str(s) for s in env.cfg.get("statuses_decided", ["operating"])]


def _roster_of(kind: pd.Series) -> pd.Series:
    """Individual businesses get the abnormal-operation *status* (a marking, domain.md §2), others the roster."""
    return np.where(kind == "individual", "abnormal_status", "abnormal")  # type: ignore[return-value]


def _include_rule(roster: pd.Series, cause: pd.Series) -> pd.Series:
    prefix = np.where(roster == "abnormal_status", "ind.mark.", "abn.include.")
    return pd.Series(prefix, index=roster.index) + cause


def _abnormal_inclusions(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """Causes 1–4 of domain.md §3.1 (individuals: causes 1 and 4 as a marking, §2)."""
    first = int(env.cfg.get("annual_report_first_year", 2025))
    last = night.year - 1 if night > date(night.year, 6, 30) else night.year - 2
    ar = _frame(conn, _sql("annual_reports"),
                {"first_year": first, "last_year": last, "statuses": _statuses(env)}) if last >= first \
        else pd.DataFrame()
    facts_from = date.fromisoformat(str(env.cfg.get("facts_from", "2025-01-01")))
    fx = _frame(conn, _sql("fact_inclusions"),
                {"facts_from": facts_from, "night": night, "statuses": _statuses(env)})
    if not fx.empty:
        # Cause 2 from a spot check: the cause arises when the 10-day order period expires unmet.
        ordered = fx["order_served_on"].notna()
        if ordered.any():
            period = env.rules.at("abn.include.instant_info_not_disclosed", night).sub_period("order_period")
            served = fx.loc[ordered, "order_served_on"].to_numpy(dtype="datetime64[D]")
            end, _ = period.end_many(served, env.cal)  # NaT when the calendar cannot say: wait
            fx.loc[ordered, "trigger_date"] = pd.Series(end, index=fx.index[ordered]).dt.date.where(~np.isnat(end))
            cured = pd.to_datetime(fx["cured_on"]) <= pd.to_datetime(fx["trigger_date"])
            fx = fx[~(ordered & (cured | fx["trigger_date"].isna()))]
        # Facts on causes 2–4 for an entity already listed (or cured after the fact) on the same
        # cause are covered by that entry: one listing per cause at a time.
        entries = _frame(conn, "select uscc, roster, cause_code, state, removed_on from roster_entry_detail_as_of(:n)",
                         {"n": night})
        fx = fx.assign(roster=_roster_of(fx["entity_kind"]))
        if not entries.empty:
            m = fx.reset_index().merge(entries, on=["uscc", "roster", "cause_code"], how="inner")
            covered = m[(m["state"] == "listed") |
                        (pd.to_datetime(m["removed_on"]) >= pd.to_datetime(m["trigger_date"]))]["index"]
            fx = fx[~fx.index.isin(covered)]
        # Several new facts on one cause: the earliest decides, the rest are covered by it.
        fx = fx.sort_values(["uscc", "roster", "cause_code", "trigger_date", "fact_key"])
        fx = fx.drop_duplicates(["uscc", "roster", "cause_code"], keep="first")
    parts = []
    for part in (ar, fx):
        if part.empty:
            continue
        part = part.copy()
        part["roster"] = _roster_of(part["entity_kind"])
        part["rule_id"] = _include_rule(part["roster"], part["cause_code"])
        part["action"] = "include"
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    # Decided by the night on or after the day the obligation fell due: period-end triggers
    # (30 June) are decided from the next day, established facts (查实) from their own day.
    # The order period of a spot check likewise runs to the end of its last day.
    ordered = out["order_served_on"].notna() if "order_served_on" in out else False
    after = np.where((out["cause_code"] == "annual_report_missing") | ordered, 1, 0)
    trig = pd.to_datetime(out["trigger_date"])
    out = out[(trig + pd.to_timedelta(after, unit="D")) <= pd.Timestamp(night)]
    known = set(env.rules.rules)
    return out[out["rule_id"].isin(known)].reset_index(drop=True)


def _revocations_fact_withdrawn(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """A cause-1 listing whose report turns out to have been filed in time (late data) is revoked."""
    df = _frame(conn, """
        select e.entry_id, e.uscc, e.roster, e.cause_code, r.region_code, a.first_night as trigger_date,
               jsonb_build_object('source', 'annual_reports', 'uscc', a.uscc, 'report_year', a.report_year,
                                  'filed_on', a.filed_on, 'first_night', a.first_night)::text as facts
          from roster_entry_detail_as_of(:n) as e
          join roster_decisions as d on d.seq = e.entry_id
          join annual_reports as a on a.uscc = e.uscc and a.report_year = (d.facts ->> 'report_year')::bigint
          left join registration as r on r.uscc = e.uscc
         where e.state = 'listed' and e.cause_code = 'annual_report_missing'
           and a.filed_on <= (d.facts ->> 'period_end')::date
    """, {"n": night})
    if df.empty:
        return df
    df["action"] = "revoke"
    df["rule_id"] = "any.revoke.fact_withdrawn"
    df["refers_to"] = df["entry_id"]
    df["fact_key"] = "close:" + df["entry_id"].astype(str)
    return df


def _removal_rule(roster: str, cause: str) -> str:
    if roster == "serious":
        return "ser.remove.early"
    return ("ind.restore." if roster == "abnormal_status" else "abn.remove.") + cause


def _removals_on_application(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """Pending applications for removal (domain.md §3.3, §4 early removal, §5).

    Abnormal roster / individual status: removed once the cure is established, due 5 WD after
    the application or the cure, whichever is later (68号令 arts. 11–14); an application still
    uncured when its limit has run out is refused. Serious list: after one full year, penalty
    performed, no new heavier penalty (2021 repair rules art. 7; order 107: 7 WD from 2025-12-25).
    """
    df = _frame(conn, _sql("removal_candidates"),
                {"n": night, "night": night, "hm": env.heavier_measures()})
    auto = pd.DataFrame()
    if not bool(env.cfg.get("removal_requires_application", True)):
        auto = _auto_removal_candidates(conn, night)
    if not auto.empty:
        df = pd.concat([df, auto], ignore_index=True)
    if df.empty:
        return df
    df["rule_id"] = [_removal_rule(r, c) for r, c in zip(df["roster"], df["cause_code"], strict=True)]
    received = pd.to_datetime(df["received_on"])
    abn = df["roster"] != "serious"
    cure = pd.to_datetime(df["report_filed_on"].where(df["cause_code"] == "annual_report_missing", df["cured_on"]))
    cured = abn & cure.notna()
    due_start = received.where(~cured, np.maximum(received, cure))
    # Serious list: one full year on the list first (may apply from the day after, 民法典 art. 202).
    included = pd.to_datetime(df["included_on"])
    one_year = pd.to_datetime([add_years(d.date(), 1) if pd.notna(d) else None for d in included])
    old_enough = received > one_year
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
    reasons = np.where(too_early[ok | refuse], "列入严重违法失信名单未满一年，不予提前移出", None)
    out["reason"] = np.where(sel_ok, None, reasons)
    out.loc[out["reason"].isna() & ~sel_ok, "reason"] = "不符合移出条件，不予移出"
    out["facts"] = [json.dumps({"request_id": None if pd.isna(r) else int(r), "received_on": str(rv) if pd.notna(rv) else None,
                                "cure_on": None if pd.isna(c) else str(c.date()),
                                "penalty_fulfilled_on": None if pd.isna(p) else str(p)},
                               ensure_ascii=False, sort_keys=True)
                    for r, rv, c, p in zip(out["request_id"], out["received_on"], cure[ok | refuse],
                                           out["penalty_fulfilled_on"], strict=True)]
    return out.reset_index(drop=True)


def _auto_removal_candidates(conn: Connection, night: date) -> pd.DataFrame:
    """When the bureau does not require an application, the cure itself is the application."""
    df = _frame(conn, """
        select null::bigint as request_id, e.entry_id, e.uscc, e.roster, e.cause_code, e.included_on,
               e.authority, e.effective_until, d.trigger_date as fact_date, r.region_code,
               (select a.filed_on from annual_reports a where a.uscc = e.uscc
                   and a.report_year = (d.facts ->> 'report_year')::bigint) as report_filed_on,
               (select min(f.found_on) from findings f where f.uscc = e.uscc and f.found_on >= d.trigger_date
                   and f.found_on <= :n
                   and f.kind = case e.cause_code when 'unreachable' then 'contact_restored'
                       when 'false_disclosure' then 'disclosure_corrected'
                       when 'instant_info_not_disclosed' then 'ordered_disclosure_done' end) as cured_on,
               null::date as penalty_fulfilled_on, false as penalty_based, false as new_heavier_penalty,
               false as abnormal_still_open
          from roster_entry_detail_as_of(:n) e
          join roster_decisions d on d.seq = e.entry_id
          left join registration r on r.uscc = e.uscc
         where e.state = 'listed' and e.roster <> 'serious'
    """, {"n": night})
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


def _serious_expiries(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """Automatic removal the day after the listing period is full (3 years, 83号令-era 5 years; §4)."""
    df = _frame(conn, """
        select e.entry_id, e.uscc, e.roster, e.cause_code, e.effective_until, r.region_code,
               d.rule_version as listing_rule_version
          from roster_entry_detail_as_of(:n) e join roster_decisions d on d.seq = e.entry_id
          left join registration r on r.uscc = e.uscc
         where e.state = 'listed' and e.roster = 'serious' and e.effective_until < :n
    """, {"n": night})
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
    df["fact_key"] = "close:" + df["entry_id"].astype(str)
    df["facts"] = [json.dumps({"listing_period_full_on": str(d)}) for d in df["effective_until"]]
    return df


def _restricted_until(env: RosterEnv, included: pd.Series, measures: pd.Series) -> list[date | None]:
    years = {str(k): int(v) for k, v in (env.cfg.get("restriction_years") or {}).items() if v}
    out: list[date | None] = []
    for d, ms in zip(included, measures, strict=True):
        n = max([years.get(m, 0) for m in (ms or [])] or [0])
        out.append(add_years(d, n) if n else None)
    return out


def _escalations(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """3 years on the abnormal roster with obligations unmet → serious list, only where the rule in
    force on the night provides it (domain.md §3.5: off from 2024-05-01 unless the bureau switches it on)."""
    if not env.rules.enabled("ser.escalate.abnormal_3_years", night):
        return pd.DataFrame()
    df = _frame(conn, """
        select e.entry_id as abnormal_entry, e.uscc, e.included_on, r.region_code
          from roster_entry_detail_as_of(:n) e join registration r using (uscc)
         where e.state = 'listed' and e.roster = 'abnormal' and r.status = any(cast(:s as text[]))
    """, {"n": night, "s": _statuses(env)})
    if df.empty:
        return df
    full = pd.Series([add_years(d, 3) for d in df["included_on"]], index=df.index)
    df = df[full < night].copy()
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


def _serious_notices(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """Step 1 for a heavier penalty (较重行政处罚) in an offence family: prior notice (告知, §4)."""
    families = [str(f) for f in env.cfg.get("serious_families", [])]
    facts_from = date.fromisoformat(str(env.cfg.get("facts_from", "2025-01-01")))
    df = _frame(conn, """
        select p.case_no, p.uscc, p.decided_on as trigger_date, p.category as family, r.region_code,
               jsonb_build_object('source', 'penalties', 'case_no', p.case_no, 'uscc', p.uscc,
                                  'decided_on', p.decided_on, 'doc_no', p.doc_no, 'category', p.category,
                                  'measures', p.measures, 'fine_amount', p.fine_amount,
                                  'heavier', p.heavier)::text as facts
          from penalties p join registration r using (uscc)
         where (p.heavier or p.measures && cast(:hm as text[]))
           and p.category = any(cast(:f as text[])) and p.decided_on >= :ff and p.decided_on <= :n
           and r.status = any(cast(:s as text[]))
    """, {"f": families, "ff": facts_from, "n": night, "s": _statuses(env), "hm": env.heavier_measures()})
    if df.empty:
        return df
    # Record what made the penalty 较重行政处罚 (44号令 art. 2): the drop's flag (item 1, 从重 fine)
    # and/or a measure of items 2–3 (rosters.yaml heavier_measures).
    hm = set(env.heavier_measures())
    facts = []
    for raw in df["facts"]:
        f = json.loads(raw)
        f["heavier_by"] = (["heavier_flag"] if f.get("heavier") else []) + \
            [f"measure:{m}" for m in (f.get("measures") or []) if m in hm]
        facts.append(json.dumps(f, ensure_ascii=False, sort_keys=True))
    df["facts"] = facts
    df["roster"] = "serious"
    df["action"] = "notice"
    df["rule_id"] = "ser.notice"
    df["cause_code"] = "heavier_penalty"
    df["fact_key"] = "notice:penalties:" + df["case_no"]
    return df


def _serious_listings(conn: Connection, env: RosterEnv, night: date) -> pd.DataFrame:
    """Step 2: the listing, once the statement-and-defence period (5 WD) after the notice ran out and
    no statement or hearing request (recorded as an objection to the notice) is still open."""
    df = _frame(conn, """
        select n.seq as notice_seq, n.uscc, n.decision_date as noticed_on, n.facts::text as facts,
               n.facts ->> 'case_no' as case_no, n.facts ->> 'category' as family, r.region_code,
               (select array_agg(m) from jsonb_array_elements_text(n.facts -> 'measures') m) as measures
          from roster_decisions n left join registration r using (uscc)
         where n.action = 'notice' and n.roster = 'serious'
           and not exists (select 1 from roster_decisions x where x.refers_to = n.seq
                             and x.action in ('revoke', 'include', 'propose'))
           and not exists (select 1 from roster_requests q where q.kind = 'objection' and q.target_seq = n.seq
                             and not exists (select 1 from roster_decisions a where a.request_id = q.id))
    """, {})
    if df.empty:
        return df
    v = env.rules.at("ser.notice", night)
    defence = v.sub_period("defence_period")
    listing = v.sub_period("listing_period")
    ends, _ = defence.end_many(df["noticed_on"].to_numpy(dtype="datetime64[D]"), env.cal)
    df["defence_ends"] = pd.Series(ends).dt.date.where(~np.isnat(ends))
    df = df[df["defence_ends"].notna()]
    df = df[pd.to_datetime(df["defence_ends"]) < pd.Timestamp(night)].copy()
    if df.empty:
        return df
    due, prov = listing.end_many(df["defence_ends"].to_numpy(dtype="datetime64[D]"), env.cal)
    df["due_date"] = pd.Series(due, index=df.index).dt.date.where(~np.isnat(due))
    df["due_provisional"] = pd.Series(prov, index=df.index).dt.date.where(~np.isnat(prov))
    df["trigger_date"] = df["defence_ends"]
    df["roster"] = "serious"
    df["action"] = "include"
    df["rule_id"] = "ser.include.heavier_penalty"
    df["cause_code"] = "heavier_penalty"
    df["refers_to"] = df["notice_seq"]
    years = env.rules.at("ser.include.heavier_penalty", night).listing_years or 3
    base = add_years(night, int(years))
    restricted = _restricted_until(env, pd.Series([night] * len(df)), df["measures"])
    df["effective_until"] = [max(base, r) if r else base for r in restricted]
    df["fact_key"] = "include:serious:penalties:" + df["case_no"]
    return df


# ------------------------------------------------------------------------------------------------
# Reading the state
# ------------------------------------------------------------------------------------------------
def roster_as_of(conn: Connection, as_of: date, roster: str | None = None) -> pd.DataFrame:
    """The roster(s) on ``as_of``, folded from the log: the export columns plus ``entity_kind``.

    Every entry ever included up to ``as_of`` appears, ``state`` listed or removed (a revoked
    listing shows as removed with the revocation's reason), so a past date is answered from our
    own history (domain.md trap 5).
    """
    df = _frame(conn, """
        select e.uscc, coalesce(r.name, '') as name, e.roster, e.cause_code, e.cause, e.basis, e.included_on,
               e.decision_no, e.authority_name as authority, e.state, e.removed_on, e.removal_reason,
               r.entity_kind
          from roster_entry_detail_as_of(:d) e left join registration r using (uscc)
         where cast(:r as text) is null or e.roster = :r
         order by e.roster, e.included_on, e.uscc, e.entry_id
    """, {"d": as_of, "r": roster})
    return df.reindex(columns=EXPORT_COLUMNS + ["entity_kind"])


CURE_KIND = {"unreachable": "contact_restored", "false_disclosure": "disclosure_corrected",
             "instant_info_not_disclosed": "ordered_disclosure_done"}
APPLICATION_WINDOW_YEARS = 3  # 68号令 art. 10: apply within 3 years of inclusion (domain.md §3.3)


def latest_night(conn: Connection) -> date | None:
    """The latest published night (``max(night)`` of ``night_runs``): how far the data reach."""
    return conn.execute(sa.text("select max(night) from night_runs")).scalar()


def cure_established_on(conn: Connection, entry_id: int, on: date) -> date | None:
    """The day the bureau established (查实) the cure of an abnormal-roster entry, known by ``on``."""
    return conn.execute(sa.text("""
        select min(f.found_on) from roster_decisions d join findings f on f.uscc = d.uscc
         where d.seq = :e and f.found_on >= coalesce(d.trigger_date, d.decision_date) and f.found_on <= :on
           and f.kind = case d.cause_code when 'unreachable' then 'contact_restored'
                                          when 'false_disclosure' then 'disclosure_corrected'
                                          when 'instant_info_not_disclosed' then 'ordered_disclosure_done' end
    """), {"e": entry_id, "on": on}).scalar()


def application_due(env: RosterEnv, rule_id: str, received: date, due: date | None, provisional: date | None,
                    cure_on: date | None) -> tuple[date | None, date | None, str | None]:
    """(decide_by, provisional, note) of an application for removal as known now.

    Causes 3 and 4 (``limit_from: cure``): 5 WD from 查实 of the cure (not before receipt); while
    the cure is not established there is no date yet. Otherwise the stored date, a provisional
    one recomputed when the calendar has learnt its year.
    """
    if env.limit_from(rule_id) == "cure":
        if cure_on is None:
            return None, None, "自查实已更正公示信息或已恢复联系之日起5个工作日内决定（查实前不计算）" \
                               "(5 WD from the bureau's finding that the cure happened; not yet established)"
        d, p = env.derive_due(rule_id, max(received, cure_on))
        return d, p, None
    d, p = effective_due(env, rule_id, received, due, provisional)
    return d, p, None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def entity_rosters(conn: Connection, uscc: str, as_of: date, settings: Settings | None = None) -> list[dict[str, Any]]:
    """One entity's entries on ``as_of`` with causes, bases, dates and 文号, repair eligibility with
    dates, and every application for removal on the entry with its answer (pending / refused / removed)."""
    env = RosterEnv.load(settings)
    rows = conn.execute(sa.text("""
        select e.*, d.facts, d.rule_id as inc_rule_id, d.trigger_date as inc_trigger, d.due_date as inc_due,
               d.due_provisional as inc_provisional
          from roster_entry_detail_as_of(:d) e join roster_decisions d on d.seq = e.entry_id
         where e.uscc = :u order by e.included_on, e.entry_id
    """), {"d": as_of, "u": uscc.strip().upper()}).mappings().all()
    hints = env.cfg.get("removal_hints") or {}
    out: list[dict[str, Any]] = []
    for r in rows:
        item: dict[str, Any] = {
            "roster": r["roster"], "cause_code": r["cause_code"], "cause": r["cause"], "basis": r["basis"],
            "included_on": r["included_on"].isoformat(), "decision_no": r["decision_no"],
            "authority": r["authority_name"], "state": r["state"],
            "removed_on": r["removed_on"].isoformat() if r["removed_on"] else None,
            "removal_reason": r["removal_reason"], "removal_no": r["removal_no"],
        }
        # The inclusion's own limit, derived when read: a provisional date is recomputed once the
        # calendar knows its year, and the decision is then late if it came after it.
        due, prov = effective_due(env, r["inc_rule_id"], r["inc_trigger"], r["inc_due"], r["inc_provisional"])
        item["decision_due"] = _iso(due)
        item["decision_due_provisional"] = _iso(prov)
        item["decided_late"] = bool(due is not None and r["included_on"] > due)
        rule_id = _removal_rule(r["roster"], r["cause_code"])
        if r["roster"] == "serious":
            item["removal_possible"] = hints.get("serious")
            item["early_removal_from"] = (add_years(r["included_on"], 1) + timedelta(days=1)).isoformat()
            if r["effective_until"]:
                item["automatic_removal_on"] = (r["effective_until"] + timedelta(days=1)).isoformat()
        else:
            item["removal_possible"] = hints.get(r["cause_code"])
            item["removal_limit_from"] = env.limit_from(rule_id)
            if r["roster"] == "abnormal":
                # 68号令 art. 10: the application is made within 3 years of inclusion (民法典 art. 202).
                item["apply_until"] = add_years(r["included_on"], APPLICATION_WINDOW_YEARS).isoformat()
        cure_on = cure_established_on(conn, r["entry_id"], as_of) if env.limit_from(rule_id) == "cure" else None
        if r["roster"] != "serious" and env.limit_from(rule_id) == "cure":
            item["cure_established_on"] = _iso(cure_on)
        apps = conn.execute(sa.text("""
            select q.id, q.received_on, q.rule_id, q.due_date, q.due_provisional, q.grounds,
                   x.action, x.decision_no, x.decision_date, x.reason, x.basis
              from roster_requests q
              left join lateral (select d.* from roster_decisions d
                                  where d.request_id = q.id and d.entry_id = :e and d.decision_date <= :d
                                    and d.action in ('remove', 'refuse') order by d.seq limit 1) x on true
             where q.uscc = :u and q.roster = :r and q.kind = 'repair' and q.received_on <= :d
               and q.received_on >= :inc and (q.entry_id is null or q.entry_id = :e)
             order by q.id"""), {"u": r["uscc"], "r": r["roster"], "d": as_of, "e": r["entry_id"],
                                 "inc": r["included_on"]}).mappings().all()
        applications = []
        for p in apps:
            by, by_prov, note = application_due(env, p["rule_id"], p["received_on"], p["due_date"],
                                                p["due_provisional"], cure_on)
            status = {"remove": "removed", "refuse": "refused"}.get(p["action"] or "", "pending")
            applications.append({
                "id": p["id"], "received_on": p["received_on"].isoformat(), "status": status,
                "decide_by": _iso(by), "decide_by_provisional": _iso(by_prov), "decide_by_note": note,
                "decision": None if p["action"] is None else {
                    "action": p["action"], "decision_no": p["decision_no"],
                    "decision_date": p["decision_date"].isoformat(), "reason": p["reason"], "basis": p["basis"]},
            })
        item["applications"] = applications
        if r["state"] == "listed":
            item["pending_applications"] = [
                {k: a[k] for k in ("id", "received_on", "decide_by", "decide_by_provisional", "decide_by_note")}
                for a in applications if a["status"] == "pending"]
        out.append(item)
    return out


def deadline_watch(conn: Connection, on: date, within_wd: int, settings: Settings | None = None) -> pd.DataFrame:
    """What the bureau still owes: due within the next ``within_wd`` working days, and anything overdue.

    Open items are drafts awaiting an officer, applications and objections not yet answered, and
    serious-list notices whose listing is not yet decided. Due dates are derived when read: a
    provisional date is recomputed once the calendar knows its year; an application on causes 3
    and 4 is due 5 WD after 查实 of the cure, and shown without a date (``note``) until then.
    Columns: authority, kind, uscc, roster, ref, due_date, provisional, overdue, working_days_left,
    note. Sorted per authority by due date.
    """
    env = RosterEnv.load(settings)
    try:
        horizon: date | None = env.cal.add_working_days(on, within_wd) if within_wd > 0 else on
    except UnknownCalendarYear:
        horizon = None  # the horizon runs into an unknown year: show everything open, flagged
    columns = ["authority", "kind", "uscc", "roster", "ref", "due_date", "provisional", "overdue",
               "working_days_left", "note"]
    df = _frame(conn, """
        select p.authority_name as authority, 'draft:' || p.proposed_action as kind, p.uscc, p.roster,
               'decision ' || p.seq as ref, p.due_date, p.due_provisional, p.rule_id, p.trigger_date as start_on,
               null::date as cure_on
          from roster_decisions p
         where p.action = 'propose' and p.decision_date <= :on
           and not exists (select 1 from roster_decisions x where x.decision_date <= :on
                             and ((x.action = 'reject' and x.refers_to = p.seq)
                                  or (x.action <> 'propose' and x.fact_key = p.fact_key)))
        union all
        select coalesce(
                 (select d.authority_name from roster_decisions d where d.uscc = q.uscc and d.roster = q.roster
                   order by d.seq desc limit 1), q.roster) as authority,
               q.kind, q.uscc, q.roster, 'request ' || q.id, q.due_date, q.due_provisional, q.rule_id,
               q.received_on,
               (select min(f.found_on)
                  from roster_entry_detail_as_of(:on) e join roster_decisions i on i.seq = e.entry_id
                  join findings f on f.uscc = e.uscc
                 where q.kind = 'repair' and e.uscc = q.uscc and e.roster = q.roster and e.state = 'listed'
                   and e.included_on <= q.received_on and (q.entry_id is null or q.entry_id = e.entry_id)
                   and f.found_on >= coalesce(i.trigger_date, i.decision_date) and f.found_on <= :on
                   and f.kind = case e.cause_code when 'unreachable' then 'contact_restored'
                                                  when 'false_disclosure' then 'disclosure_corrected' end)
          from roster_requests q
         where q.received_on <= :on
           and not exists (select 1 from roster_decisions x where x.request_id = q.id and x.decision_date <= :on)
        union all
        select n.authority_name, 'listing after notice', n.uscc, n.roster, 'decision ' || n.seq,
               null::date, null::date, null::text, n.decision_date, null::date
          from roster_decisions n
         where n.action = 'notice' and n.decision_date <= :on
           and not exists (select 1 from roster_decisions x where x.refers_to = n.seq and x.decision_date <= :on
                             and x.action in ('include', 'revoke', 'propose'))
    """, {"on": on})
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["note"] = None
    due_col: list[date | None] = []
    prov_col: list[date | None] = []
    for r in df.itertuples(index=False):
        if r.kind == "listing after notice":
            # Listing after a notice: due = defence period end + listing period (ser.notice).
            v = env.rules.at("ser.notice", on)
            try:
                due_col.append(v.sub_period("listing_period").end(
                    v.sub_period("defence_period").end(r.start_on, env.cal), env.cal))
            except UnknownCalendarYear:
                due_col.append(None)
            prov_col.append(None)
            continue
        due = None if pd.isna(r.due_date) else r.due_date
        prov = None if pd.isna(r.due_provisional) else r.due_provisional
        cure = None if pd.isna(r.cure_on) else r.cure_on
        if r.kind == "repair" and isinstance(r.rule_id, str):
            d, p, _note = application_due(env, r.rule_id, r.start_on, due, prov, cure)
        elif r.kind == "objection" or r.kind.startswith("draft:"):
            d, p = effective_due(env, r.rule_id if isinstance(r.rule_id, str) else None, r.start_on, due, prov)
        else:
            d, p = due, prov
        due_col.append(d)
        prov_col.append(p)
    notes = []
    for r in df.itertuples(index=False):
        if r.kind == "repair" and isinstance(r.rule_id, str) and env.limit_from(r.rule_id) == "cure" \
                and pd.isna(r.cure_on):
            notes.append("awaiting 查实 of the cure: 5 WD run from that finding (68号令 arts. 13–14)")
        else:
            notes.append(None)
    df["note"] = notes
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
    return df[columns].reset_index(drop=True)
