"""What the bureau workbench shows, as tables (issue 15): nights, drafts, requests, quarantine, draws.

Each function reads through the areas' own functions or a SQL file of ``credit/sql/workbench`` and
returns typed rows ready for a template: Chinese labels, times on the bureau's clock (config
``timezone``, the one the nights and deadlines count in) without microseconds, and no raw dicts
or server paths.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.api.views import ROSTER_LABELS, ApplicationStatus, application_status
from credit.contract.sources import SOURCES
from credit.exports import neutralise_row
from credit.grading.scheme import TIERS
from credit.rosters.labels import specific_label
from credit.settings import Settings

ACTION_LABELS = {"include": "列入", "escalate": "升级列入", "remove": "移出", "revoke": "撤销",
                 "correct": "更正", "notice": "告知", "refuse": "不予（驳回）", "propose": "拟作决定（草稿）",
                 "reject": "不予批准草稿", "proposal": "拟列入", "assess": "裁量评估", "consent": "上级意见"}
TIER_LABELS = {"A": "信用风险低", "B": "信用风险一般", "C": "信用风险较高", "D": "信用风险高"}
KIND_LABELS = {"repair": "信用修复（移出申请）", "objection": "异议", "draft": "待审批草稿",
               "quarantine": "隔离数据核查"}
MODE_LABELS = {"full": "全量", "delta": "增量", "snapshot": "全量快照", "events": "事件"}
STATUS_LABELS = {"pending": "待决定", "removed": "已移出", "refused": "已驳回", "decided": "已决定"}
QUARANTINE_PAGE = 50


def clock(ts: datetime | str | None, zone: ZoneInfo) -> str:
    """A moment on the bureau's clock, to the second ("2026-07-15 03:12:09")."""
    if ts is None:
        return ""
    if isinstance(ts, str):
        ts = datetime.fromisoformat(ts)
    if ts.tzinfo is None:
        return ts.strftime("%Y-%m-%d %H:%M:%S")
    return ts.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def source_label(source: str) -> str:
    """A drop source by the Chinese name a clerk knows (credit.contract.sources), e.g. 登记."""
    found = SOURCES.get(source)
    return found.label if found is not None else source


def kind_label(kind: str) -> str:
    """A deadline-watch item's kind (credit.rosters.deadlines) in Chinese: ``draft:<action>``,
    ``repair``, ``objection``, ``serious:<step>`` (its step is in the note), a held report."""
    if kind.startswith("serious:"):
        return "严重违法失信名单列入程序"
    if kind.startswith("draft:"):
        return f"待审批草稿（{ACTION_LABELS.get(kind.removeprefix('draft:'), kind.removeprefix('draft:'))}）"
    if kind.startswith("held"):
        return "年报被隔离，待核查"
    return KIND_LABELS.get(kind, kind)


REF_LABELS = {"decision": "决定", "request": "申请", "case": "案件", "objection": "异议"}


def ref_label(ref: str) -> str:
    """A deadline-watch item's reference (``decision 12``, ``request 3``, ``case P1``) in Chinese."""
    head, _, rest = ref.partition(" ")
    return f"{REF_LABELS[head]} {rest}" if head in REF_LABELS and rest else ref


class FileRow(TypedDict):
    file: str
    source: str
    mode: str
    rows_in: int
    accepted: int
    quarantined: int
    failures: int
    warnings: int


class DecisionCount(TypedDict):
    roster: str
    action: str
    count: int


class TierRow(TypedDict):
    tier: str
    label: str
    count: int
    share: str


class NightView(TypedDict):
    """One published night for the workbench."""

    night: str
    finished_at: str
    config_version: str
    files: list[FileRow]
    rows_in: int
    accepted: int
    quarantined: int
    decisions: int
    decision_counts: list[DecisionCount]
    tiers: list[TierRow]
    graded: int
    report: str | None          # the app's URL of the night's report, when the report exists


def _tiers(grading: Mapping[str, Any] | None) -> tuple[int, list[TierRow]]:
    if not grading:
        return 0, []
    dist = {str(k): int(v) for k, v in (grading.get("distribution") or {}).items()}
    total = sum(dist.values())
    return int(grading.get("graded") or total), [
        {"tier": t, "label": TIER_LABELS[t], "count": dist.get(t, 0),
         "share": f"{dist.get(t, 0) / total:.1%}" if total else "—"} for t in TIERS]


def night_view(night: date, config_version: str, finished_at: datetime, summary: Mapping[str, Any] | str,
               zone: ZoneInfo, reports_dir: Path) -> NightView:
    """A night's stored summary as tables: files, decisions per roster and action, tiers."""
    doc: Mapping[str, Any] = json.loads(summary) if isinstance(summary, str) else summary
    files: list[FileRow] = [
        {"file": str(f.get("file", "")), "source": source_label(str(f.get("source", ""))),
         "mode": MODE_LABELS.get(str(f.get("mode", "")), str(f.get("mode", ""))),
         "rows_in": int(f.get("rows_in") or 0), "accepted": int(f.get("accepted") or 0),
         "quarantined": int(f.get("quarantined") or 0), "failures": len(f.get("failures") or []),
         "warnings": len(f.get("warnings") or [])} for f in doc.get("files") or []]
    rosters = doc.get("rosters") or {}
    counts: list[DecisionCount] = []
    for key, n in sorted((rosters.get("by_roster_action") or {}).items()):
        roster, _, action = str(key).partition(":")
        counts.append({"roster": ROSTER_LABELS.get(roster, roster),
                       "action": specific_label(action, roster=roster) or ACTION_LABELS.get(action, action),
                       "count": int(n)})
    graded, tiers = _tiers(doc.get("grading"))
    has_report = (reports_dir / night.isoformat() / "index.html").is_file()
    return {"night": night.isoformat(), "finished_at": clock(finished_at, zone), "config_version": config_version,
            "files": files, "rows_in": sum(f["rows_in"] for f in files),
            "accepted": sum(f["accepted"] for f in files), "quarantined": sum(f["quarantined"] for f in files),
            "decisions": int(rosters.get("decisions") or 0), "decision_counts": counts, "tiers": tiers,
            "graded": graded, "report": f"/bureau/report/{night.isoformat()}" if has_report else None}


def recent_nights(conn: Connection, zone: ZoneInfo, settings: Settings, limit: int = 7) -> list[NightView]:
    """The latest published nights, newest first."""
    rows = conn.execute(sqlfiles.statement("workbench/recent_nights"), {"l": limit}).mappings().all()
    return [night_view(r["night"], r["config_version"], r["finished_at"], r["summary"], zone, settings.reports_dir)
            for r in rows]


def night_of(conn: Connection, night: date, zone: ZoneInfo, settings: Settings) -> NightView | None:
    row = conn.execute(sqlfiles.statement("workbench/night"), {"n": night}).mappings().first()
    if row is None:
        return None
    return night_view(row["night"], row["config_version"], row["finished_at"], row["summary"], zone,
                      settings.reports_dir)


def published(conn: Connection, night: date) -> bool:
    """Whether ``night`` is a published night (a night the workbench's per-night pages can show)."""
    return conn.execute(sqlfiles.statement("workbench/night"), {"n": night}).first() is not None


def unpublished(night: date) -> str:
    return f"{night.isoformat()} 没有已发布的夜间批次"


# ------------------------------------------------------------------------- paging and districts
PAGE_SIZE = 50
"""Rows on a page of the workbench's long lists (drafts, requests, deadlines, procedures)."""
COUNT_CAP = 10_000
"""A list's count stops here ("至少 10000 项"): counting further would cost more than the page."""
OVERVIEW_ROWS = 20
"""Rows of each section on the overview (the most urgent), with a link to the whole list."""
MAX_PAGE = 1_000_000


class Paging(TypedDict):
    """Where a page stands in its list (as the quarantine page: ``?page=N``, "共 N 项")."""

    page: int
    size: int
    total: int              # exact, or the cap when ``at_least``
    at_least: bool          # the count stopped at the cap: "至少 N 项"
    pages: int | None       # None when the count is not exact
    first: int              # the first and last row shown (1-based; 0 on an empty page)
    last: int
    has_next: bool
    total_text: str         # "共 58 项" / "至少 10000 项"
    note: str | None        # a page asked for beyond the last one, or a malformed number


def parse_page(text: str | None) -> tuple[int, str | None]:
    """The page number asked for (``?page=``), 1 when absent; a malformed one gives page 1 and a note."""
    raw = (text or "").strip()
    if not raw:
        return 1, None
    if raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= MAX_PAGE:
        return int(raw), None
    shown = raw[:20] + ("…" if len(raw) > 20 else "")
    return 1, f"页码“{shown}”无效，页码应为从 1 开始的整数；现显示第 1 页"


def paging(total: int, page: int, size: int = PAGE_SIZE, cap: int = COUNT_CAP) -> Paging:
    """The page of a list of ``total`` rows (counted up to ``cap``); a page beyond the last is the last one."""
    at_least = total >= cap
    pages = None if at_least else max(1, -(-total // size))
    note = None
    if pages is not None and page > pages:
        note = f"第 {page} 页超出范围（共 {pages} 页），现显示第 {pages} 页"
        page = pages
    return {"page": page, "size": size, "total": total, "at_least": at_least, "pages": pages, "first": 0,
            "last": 0, "has_next": False, "total_text": f"至少 {cap} 项" if at_least else f"共 {total} 项",
            "note": note}


def settle(p: Paging, shown: int, more: bool) -> Paging:
    """The page once its rows are read: which rows it shows and whether another page follows."""
    first = (p["page"] - 1) * p["size"] + 1 if shown else 0
    note = p["note"]
    if not shown and p["page"] > 1 and note is None:
        note = f"第 {p['page']} 页超出范围，没有内容；请返回第 1 页"
    return {**p, "first": first, "last": first + shown - 1 if shown else 0, "has_next": more, "note": note}


def page_of(items: list[Any], page: int, size: int = PAGE_SIZE) -> tuple[list[Any], Paging]:
    """One page of a list read whole (the deadline watch and the serious-list procedures, whose due
    dates are derived on the working calendar when read, not stored)."""
    p = paging(len(items), page, size, cap=max(len(items) + 1, COUNT_CAP))
    start = (p["page"] - 1) * size
    shown = items[start:start + size]
    return shown, settle(p, len(shown), start + size < len(items))


class Scope(TypedDict):
    """Which districts a list shows: the account's own (and those below it, for a higher bureau), or all."""

    all: bool
    pattern: str | None     # LIKE pattern of authority codes; None: every district
    prefix: str | None
    label: str              # what the page says it shows
    mine_label: str         # the switch's two sides
    switchable: bool        # an officer's account (a bureau key acts for the bureau as a whole)


def district_prefix(code: str) -> str:
    """The codes an authority's district covers, as a prefix of GB/T 2260 codes: a province's (xx0000)
    and a city's (xxyy00) bureau cover the divisions below them, a county's its own code."""
    if len(code) == 6 and code.isdigit():
        if code[2:] == "0000":
            return code[:2]
        if code[4:] == "00":
            return code[:4]
    return code


def scope_of(authority: str | None, ask: str | None) -> Scope:
    """The districts a list shows for an account of ``authority`` (its code; None for a bureau key):
    its own by default, every district with ``?scope=all``."""
    if not authority:
        return {"all": True, "pattern": None, "prefix": None, "label": "全部辖区", "mine_label": "",
                "switchable": False}
    from credit.rosters.authorities import authority_of

    prefix = district_prefix(authority)
    name = authority_of(authority, {}).name
    mine = f"本局（{name}）" if prefix == authority else f"本局及下级辖区（{name}）"
    if (ask or "").strip() == "all":
        return {"all": True, "pattern": None, "prefix": None, "label": "全部辖区", "mine_label": mine,
                "switchable": True}
    return {"all": False, "pattern": prefix + "%", "prefix": prefix, "label": mine, "mine_label": mine,
            "switchable": True}


# ----------------------------------------------------------------------------------------- drafts
class DraftRow(TypedDict):
    """A draft (拟列入/拟移出) waiting for an approver."""

    seq: int
    uscc: str
    name: str | None
    roster: str
    proposed: str
    cause: str | None
    drafted_on: str
    due_date: str
    authority: str
    authority_name: str | None
    request_id: int | None


def open_drafts(conn: Connection, scope: Scope | None = None, page: int = 1,
                size: int = PAGE_SIZE) -> tuple[list[DraftRow], Paging]:
    """One page of the drafts neither approved nor rejected, soonest due first (as ``credit decision
    drafts``), in ``scope`` (every district without one), and how many there are."""
    pat = scope["pattern"] if scope else None
    total = int(conn.execute(sqlfiles.statement("workbench/open_drafts_count"),
                             {"pat": pat, "cap": COUNT_CAP}).scalar_one())
    paged = paging(total, page, size)
    rows = conn.execute(sqlfiles.statement("workbench/open_drafts_page"),
                        {"pat": pat, "l": size + 1, "o": (paged["page"] - 1) * size}).mappings().all()
    out: list[DraftRow] = [
        {"seq": int(r["seq"]), "uscc": r["uscc"], "name": r["name"],
         "roster": ROSTER_LABELS.get(r["roster"], r["roster"]),
         "proposed": specific_label(r["proposed_action"], r["rule_id"], r["roster"])
                     or ACTION_LABELS.get(r["proposed_action"] or "", r["proposed_action"] or ""),
         "cause": r["cause"], "drafted_on": r["decision_date"].isoformat(),
         "due_date": r["due_date"].isoformat() if r["due_date"] else "", "authority": r["authority"],
         "authority_name": r["authority_name"],
         "request_id": None if r["request_id"] is None else int(r["request_id"])} for r in rows[:size]]
    return out, settle(paged, len(out), len(rows) > size)


def draft_authority(conn: Connection, seq: int) -> str | None:
    """The issuing authority (code) of a draft, None when there is no such draft."""
    return conn.execute(sqlfiles.statement("workbench/draft_authority"), {"s": seq}).scalar()


def serious_authority(conn: Connection, ref: str) -> str | None:
    """The authority (code) running a serious-list procedure (domain.md §4), named by its case number
    or a step's seq/文号; None when there is no such procedure."""
    return conn.execute(sqlfiles.statement("workbench/serious_authority"), {"r": ref.strip()}).scalar()


def decision_no(conn: Connection, seq: int) -> str | None:
    """The 文号 of a decision of the log (None for a draft's rejection, or no such decision)."""
    return conn.execute(sqlfiles.statement("workbench/decision_no"), {"s": seq}).scalar()


# --------------------------------------------------------------------------------------- requests
class RequestRow(TypedDict):
    """An application or objection with its decide-by date, and the draft on it if any."""

    app: ApplicationStatus
    kind_label: str
    status_label: str
    authority: str | None
    draft_seq: int | None


def open_requests(conn: Connection, settings: Settings, scope: Scope | None = None, page: int = 1,
                  size: int = PAGE_SIZE) -> tuple[list[RequestRow], Paging]:
    """One page of the applications for removal and objections not yet decided, oldest first, in
    ``scope`` (every district without one), and how many there are."""
    pat = scope["pattern"] if scope else None
    total = int(conn.execute(sqlfiles.statement("workbench/open_requests_count"),
                             {"pat": pat, "cap": COUNT_CAP}).scalar_one())
    paged = paging(total, page, size)
    rows = conn.execute(sqlfiles.statement("workbench/open_requests_page"),
                        {"pat": pat, "l": size + 1, "o": (paged["page"] - 1) * size}).mappings().all()
    out: list[RequestRow] = []
    for r in rows[:size]:
        app = application_status(conn, int(r["id"]), settings)
        if app is None:
            continue
        out.append({"app": app, "kind_label": KIND_LABELS.get(app["kind"], app["kind"]),
                    "status_label": STATUS_LABELS.get(app["status"], app["status"]),
                    "authority": r["authority"], "draft_seq": None if r["draft_seq"] is None else int(r["draft_seq"])})
    return out, settle(paged, min(len(rows), size), len(rows) > size)


def request_authority(conn: Connection, request_id: int) -> str | None:
    """The authority (code) that decides a request: that of the decision objected to / the entity's area."""
    return conn.execute(sqlfiles.statement("workbench/request_authority"), {"i": request_id}).scalar()


# ------------------------------------------------------------------------------------- quarantine
class QuarantineRow(TypedDict):
    file: str
    line: int
    rule: str
    reason: str
    raw: str


class QuarantinePage(TypedDict):
    night: str
    total: int
    page: int
    pages: int
    first: int
    last: int
    rows: list[QuarantineRow]
    by_file: list[dict[str, Any]]


def _raw_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return json.dumps(raw, ensure_ascii=False, sort_keys=False)


def quarantine_page(conn: Connection, night: date, page: int, size: int = QUARANTINE_PAGE) -> QuarantinePage:
    """One page of the rows a night held back, by file and line, with the count per file."""
    total = int(conn.execute(sqlfiles.statement("workbench/quarantine_count"), {"n": night}).scalar_one())
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = conn.execute(sqlfiles.statement("workbench/quarantine_page"),
                        {"n": night, "l": size, "o": (page - 1) * size}).mappings().all()
    by_file = [{**r, "source": source_label(str(r["source"]))}
               for r in conn.execute(sqlfiles.statement("workbench/quarantine_by_file"), {"n": night}).mappings()]
    return {"night": night.isoformat(), "total": total, "page": page, "pages": pages,
            "first": (page - 1) * size + 1 if total else 0, "last": min(page * size, total),
            "rows": [{"file": r["file"], "line": int(r["line"]), "rule": r["rule"], "reason": r["reason"],
                      "raw": _raw_text(r["raw"])} for r in rows], "by_file": by_file}


QUARANTINE_HEADERS = ("文件", "行号", "规则", "原因", "原始内容")


def quarantine_csv(conn: Connection, night: date) -> bytes:
    """Every row a night held back as CSV (UTF-8 with BOM, so that a spreadsheet reads the Chinese)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(QUARANTINE_HEADERS)
    for r in conn.execute(sqlfiles.statement("workbench/quarantine_all"), {"n": night}).mappings():
        # Every text cell as the other exports neutralise it (CSV injection; credit.exports): the
        # file's name is the platform's, the raw row a hostile sender's.
        w.writerow(neutralise_row([r["file"], r["line"], r["rule"], r["reason"], _raw_text(r["raw"])]))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
