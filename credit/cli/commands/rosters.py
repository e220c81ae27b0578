"""Command-line commands of the rosters area (wired into `credit` by credit/cli.py).

- ``credit status USCC [--as-of D] [--known-at K] [--json]`` → :func:`status_command` (serious list:
  ``steps`` of each entry, ``serious_procedures`` still open)
- ``credit roster export --roster … [--as-of D] [--known-at K] [--format …] [--out F]`` → ``roster_app``
- ``credit repair apply USCC --roster … --received D [--grounds T]``     → ``repair_app``
  (``--penalty CASE_NO``: repair of penalty information, 行政处罚信息信用修复)
- ``credit objection file REF --received D`` / ``credit objection decide ID --outcome …`` → ``objection_app``
- ``credit decision approve SEQ --officer O --on D`` / ``reject`` / ``list`` → ``decision_app``
- ``credit deadlines [--on D] [--within N]``                 → :func:`deadlines_command`
- ``credit audit verify``                                    → ``audit_app``

Exit 2 = refused, with the reason printed (contracts.md §2).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from credit.cli import output
from credit.cli.help import BureauTyper
from credit.rosters.labels import ACTOR_LABELS, decision_label, roster_label, state_label

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from credit.rosters.known import KnownAt

app = BureauTyper(no_args_is_help=True)
roster_app = BureauTyper(no_args_is_help=True, help="某日的经营异常名录 / 严重违法失信名单 — The rosters as of a date (经营异常名录 / 严重违法失信名单).")
repair_app = BureauTyper(no_args_is_help=True, help="移出申请（信用修复） — Applications for removal (信用修复).")
objection_app = BureauTyper(no_args_is_help=True, help="异议，以及对告知的陈述申辩 — Objections (异议) and statements on notices (陈述申辩).")
decision_app = BureauTyper(no_args_is_help=True, help="执法人员审批本批次的决定草案（拟列入/拟移出） — Officers' approval of the night's drafts (拟列入/拟移出).")
audit_app = BureauTyper(no_args_is_help=True, help="决定日志的哈希链 — The decision log's hash chain.")

console = output.console()
err = output.console(stderr=True)


def _group() -> None:
    """Keep single-command apps as groups (`credit roster export`, not `credit roster`)."""


for _sub in (roster_app, repair_app, objection_app, decision_app, audit_app):
    _sub.callback()(_group)


def _day(text: str | None, what: str) -> date:
    if text is None:
        return _today()
    return output.day_arg(text, what)


def _today() -> date:
    # The command line may default to today (a clerk's "now", on the bureau's clock: credit.clock);
    # the nightly path never does.
    from credit.clock import today

    return today()


def _engine() -> Engine:
    from credit.db import get_engine
    from credit.settings import get_settings

    return get_engine(get_settings())


def _cell(value: object) -> str | None:
    """A table cell: text as it is, nothing for None."""
    return None if value is None else str(value)


def _checked_uscc(raw: str) -> str:
    """The USCC normalised as the drop normalises it, or exit 2 with what exactly is wrong."""
    return output.checked_uscc(raw)


def _data_through(conn: Connection) -> date | None:
    from credit.rosters.read import latest_night

    return latest_night(conn)


KNOWN_AT_HELP = ("批次 YYYY-MM-DD：按该批次之后记录所载的情况作答（记录时间，与法律日期 --as-of 并列） — "
                 "Night YYYY-MM-DD: answer from the record as it stood after that night "
                 "(record time, beside the legal date --as-of).")


def _known(conn: Connection, night: date | None, through: date | None) -> KnownAt | None:
    """The record after night ``night`` (``--known-at``, read by :func:`_day` before the database);
    refused (exit 2) when that night is after the latest published, or before the first (an
    empty roster would read as "nothing was listed"). A day that is no published night gives the
    record after the latest night on or before it, and that night is the one printed
    (credit.rosters.known.known_at), as the API's ``known_at`` answers."""
    from credit.rosters.known import NoNightPublished, after_latest_problem, known_at

    if night is None:
        return None
    if (problem := after_latest_problem(night, through, "--known-at")) is not None:
        output.refuse(problem)
    try:
        return known_at(conn, night)
    except NoNightPublished as e:
        output.refuse(f"--known-at: {e}")


def _within_history(conn: Connection, day: date, through: date | None) -> None:
    """Refuse (exit 2) an ``--as-of`` before the first published night, as the API answers 422
    (credit.api.answers.within_history): the rosters before it are unknown to the system, not empty,
    and "not on any roster" or an empty export would read as a clean record (domain.md §10).
    ``through``: the latest published night (a day on or after it needs no query)."""
    from credit.rosters.known import before_data_problem, first_night

    if through is not None and day >= through:
        return
    first = first_night(conn)
    if first is not None and (problem := before_data_problem(day, first, "--as-of")):
        output.refuse(problem)


def _json(obj: Any) -> None:
    sys.stdout.write(output.json_shown(json.dumps(obj, ensure_ascii=False, indent=1, default=str)) + "\n")


# ------------------------------------------------------------------------------------------------
def status_command(
    uscc: Annotated[str, typer.Argument(metavar=output.USCC, help="统一社会信用代码 — Unified social credit code (统一社会信用代码).")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar=output.DAY, help="日期 YYYY-MM-DD（默认：最近发布的批次；与 --known-at 同用时为该批次） — Date YYYY-MM-DD (default: the latest published night; with --known-at, that night).")] = None,
    known_at: Annotated[str | None, typer.Option("--known-at", metavar=output.DAY, help=KNOWN_AT_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False,
) -> None:
    """单个主体：所在名录及其事由、依据、日期和文号；行政处罚信息及其公示期；能否信用修复；信用风险分类等级及理由 — One entity: rosters with causes, bases, dates and 文号; penalties with their publicity window;
    repair eligibility; tier with reasons."""
    from credit.grading.read import grade_of
    from credit.penalties.read import penalties_of
    from credit.rosters.read import entity_rosters, last_known_name, registration, removed_since
    from credit.rosters.serious import procedures
    from credit.settings import get_settings

    code = _checked_uscc(uscc)
    asked = _day(as_of, "--as-of") if as_of is not None else None
    record_night = _day(known_at, "--known-at") if known_at is not None else None
    with _engine().connect() as conn:
        through = _data_through(conn)
        known = _known(conn, record_night, through)
        day = asked or (known.night if known else None) or through or _today()
        _within_history(conn, day, through)
        record = registration(conn, code, known)   # as the store held it after night K
        reg = record.registration if record else None
        # dropped by a later full snapshot: still named by the last name the store held (contracts.md §2)
        name = reg["name"] if reg else last_known_name(conn, code, known)
        rosters: list[dict[str, Any]] = [dict(r) for r in entity_rosters(conn, code, day, known=known)]
        # an entry listed on a past date that has left its roster since says how (revoked as wrong, …)
        latest = known.night if known else through
        if latest is not None and day < latest and any(r["state"] == "listed" for r in rosters):
            since = removed_since(conn, code, latest, known=known)
            for r in rosters:
                if r["state"] == "listed" and r["decision_no"] in since:
                    r["removed_since"] = since[r["decision_no"]]
        pending = procedures(conn, day, code, open_only=True, known=known)   # serious list: procedures not yet ended
        penalties = penalties_of(conn, code, day, known)
        # The tier as graded by the night K at the latest: grades are the nights' own record.
        tier = grade_of(conn, code, min(day, known.night) if known else day, get_settings())
    if reg is None and not rosters:
        output.refuse(f"{code}：未找到该主体，也没有涉及它的名录决定 (no entity with this USCC in the store, and no roster decision)")
    # The data the answer speaks for end with night K when it is asked "as known after K" (as the
    # API's data_through does), else with the latest published night.
    speaks = known.night if known else through
    beyond = speaks is None or day > speaks
    status = record.status_on(day) if record else None
    out: dict[str, Any] = {"uscc": code, "name": name, "as_of": day.isoformat(),
                           "data_through": speaks.isoformat() if speaks else None, "beyond_data": beyond,
                           "entity_kind": reg["entity_kind"] if reg else None,
                           # the status on the day asked (not today's): revoked, cancelled or moved
                           # out before it, as recorded up to night K; null when not registered then
                           **(status or dict.fromkeys(("registration_status", "registration_status_label",
                                                       "registration_status_on"))),
                           "known_at": known.as_dict() if known else None,
                           "rosters": rosters,
                           "serious_procedures": pending,
                           "penalties": penalties,
                           # always present (contracts.md §2), null without a grade; its reasons
                           # are texts as the contract shows them, each reason whole in reason_details
                           "tier": None if tier is None else {
                               **tier, "reasons": [r["text"] for r in tier["reasons"]],
                               "reason_details": tier["reasons"]}}
    if as_json:
        _json(out)
        return
    console.print(f"[bold]{code}[/bold] {output.esc(out['name'] or '')} — "
                  + output.esc(output.as_of_line(day, speaks, known.night if known else None)))
    if beyond:
        console.print(output.beyond_data_warning(day, known.night if known else None), style="yellow", markup=False)
    if out["registration_status"] is not None:
        since = out["registration_status_on"]
        console.print(f"登记状态 registration status ({day.isoformat()}): {out['registration_status_label']} "
                      f"{out['registration_status']}" + (f"，自 {since} (since {since})" if since else ""), markup=False)
    if not rosters:
        console.print("未列入经营异常名录或严重违法失信名单 (not on any roster)")
    else:
        # One block per entry, field by field: legal wording is long and must stay readable in a
        # terminal of any width.
        for r in rosters:
            marking = r["roster"] == "abnormal_status"   # a 个体工商户 is marked, not listed (domain.md §2)
            t = output.table(show_header=False, box=None, padding=(0, 1), title_justify="left",
                             title=output.esc(f"{roster_label(r['roster'])} · {state_label(r['state'], r['roster'])}"))
            t.add_column(style="bold", no_wrap=True)
            t.add_column(overflow="fold")
            t.add_row("事由 cause", f"{r['cause_code']} — {r['cause']}")
            t.add_row("依据 basis", r["basis"] or "")
            t.add_row("标记日期 marked on" if marking else "列入日期 included on", str(r["included_on"]))
            t.add_row("文号", r["decision_no"] or "")
            t.add_row("作出机关 authority", r["authority"] or "")
            if r.get("remedy"):
                t.add_row("救济途径 remedy", r["remedy"])
            if r["removed_on"]:
                t.add_row("恢复 restored on" if marking else "移出 removed on", f"{r['removed_on']} — {r['removal_reason'] or ''}")
            if r.get("removed_since"):
                t.add_row("此后 since", r["removed_since"]["label"])
            if r.get("removal_possible"):
                zh = r.get("removal_possible_zh")
                t.add_row("信用修复 repair", r["removal_possible"] + (f" ({zh})" if zh else ""))
            if r.get("early_removal_from"):
                t.add_row("申请期 window", f"自 {r['early_removal_from']} 起可申请 (apply from {r['early_removal_from']})")
            if r.get("restriction_note"):
                # The night's own words for a restriction that holds early removal back (domain.md §4).
                en = (f"apply from {r['early_removal_from']}" if r.get("early_removal_from")
                      else f"no early removal: removed automatically on {r.get('automatic_removal_on')}")
                t.add_row("限制期限 restriction", f"{r['restriction_note']} (restriction until {r['restriction_ends']}; {en})")
            if r.get("apply_until"):
                prov = r.get("apply_until_provisional")
                t.add_row("申请期 window", f"截至 {r['apply_until']} 可申请，列入之日起3年内（68号令第十条）"
                          f"(apply until {r['apply_until']}: 3 years after inclusion, 68号令 art. 10)"
                          + (f"; 遇休息日顺延，暂定 {prov} (past a rest day: {prov}, provisional until the year's "
                             "holiday notice)" if prov and prov != r["apply_until"] else ""))
            if r.get("automatic_removal_on"):
                t.add_row("期满 expiry", f"{r['automatic_removal_on']} 自动移出 (automatic removal {r['automatic_removal_on']})")
            for s in r.get("steps", []):
                t.add_row("程序步骤 step", f"{s['date']} {s['label']} {s['decision_no'] or ''}".rstrip())
            for p in r.get("applications", []):
                line = f"{p['received_on']} 收到 (received {p['received_on']}): {p['status']}"
                if p["decision"]:
                    d = p["decision"]
                    line += f" {d['decision_date']} {d['decision_no'] or ''} {d['reason'] or ''}".rstrip()
                    if d.get("remedy"):
                        line += f" — {d['remedy']}"
                elif p["decide_by"] or p["decide_by_provisional"]:
                    by = p['decide_by'] or p['decide_by_provisional']
                    line += (f"，应于 {by} 前决定{'（暂定）' if not p['decide_by'] else ''} (decide by {by}"
                             f"{'' if p['decide_by'] else ' provisional'})")
                elif p.get("decide_by_note"):
                    line += f", {p['decide_by_note']}"
                t.add_row(f"申请 application {p['id']}", line)
            console.print(t)
    for proc in pending:
        steps = "; ".join(f"{s['label']} {s['date']}" for s in proc["steps"])
        console.print(f"严重违法失信名单列入程序 serious list procedure, 案号 case {proc['case_no']}: {steps}; "
                      f"下一步 next: {proc['next_step_label']}"
                      f"{_by_text(proc)} ({ACTOR_LABELS.get(proc['next_actor'] or '', proc['next_actor'])})",
                      markup=False)
    for pen in penalties:
        window = f"{pen['publicity_from'] or ''} → {pen['publicity_until'] or ''}" if pen["published"] else ""
        repair = f"；自 {pen['repair_from']} 起可申请修复 (repair from {pen['repair_from']})" if pen["repair_from"] else ""
        console.print(f"行政处罚 penalty {pen['case_no']} {pen['doc_no'] or ''} 决定日期 decided {pen['decided_on']}: "
                      f"{pen['class_label']} {window} — {pen['state_label']}{repair}", markup=False)
    if tier is not None:
        console.print(f"信用风险分类 tier [bold]{output.esc(tier.get('grade'))}[/bold] {output.esc(tier.get('label') or '')}")
        for reason in tier["reasons"]:
            value = reason.get("value")
            line = f"{reason.get('code') or ''}: {reason.get('text') or ''}"
            console.print(f"  - {line}" + (f"（值 value {output.cell(value)}）" if value is not None else ""), markup=False)
    else:
        console.print("信用风险分类 tier：无（该日没有分类结果：不在营，或尚未分类） (none: no grade on this date: not operating, "
                      "or not graded yet)")


def _by_text(proc: Any) -> str:
    """The limit of a procedure's next step as a person reads it: the date; a provisional date with
    why it is provisional; or that no fixed limit applies — never a bare '?'."""
    if proc["next_by"]:
        return f" by {proc['next_by']}"
    if proc.get("next_by_provisional"):
        return f" by {proc['next_by_provisional']} (暂定 provisional: {proc.get('next_by_note') or ''})"
    return " (未设期限 no limit set)"


# ------------------------------------------------------------------------------------------------
@roster_app.command("export")
def roster_export(
    roster: Annotated[str, typer.Option("--roster", help="经营异常名录 abnormal | 严重违法失信名单 serious（个体工商户另有 abnormal_status） — abnormal | serious (also abnormal_status: 个体工商户).")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar=output.DAY, help="日期 YYYY-MM-DD（默认：最近发布的批次；与 --known-at 同用时为该批次） — Date YYYY-MM-DD (default: the latest published night; with --known-at, that night).")] = None,
    known_at: Annotated[str | None, typer.Option("--known-at", metavar=output.DAY, help=KNOWN_AT_HELP)] = None,
    fmt: Annotated[str, typer.Option("--format", help="输出格式 — csv | json | parquet | xlsx.")] = "csv",
    out: Annotated[Path | None, typer.Option(
        "--out", help="要写入的文件，连同其签名文件 FILE.sig.json（默认或 -：标准输出，不签名）。缺失的目录会被创建，并在标准错误上列出 — File to write, with its signature FILE.sig.json (default, or -: standard output, unsigned). "
        + output.OUT_FOLDERS)] = None,
) -> None:
    """某日（D）的名录：各列依次为 uscc、name、roster、cause_code、cause、basis、included_on、decision_no、authority、state、removed_on、removal_reason、remedy（严重违法失信名单另有 steps；CSV 为带 BOM 的 UTF-8） — The roster as of D: uscc, name, roster, cause_code, cause, basis, included_on, decision_no,
    authority, state, removed_on, removal_reason, remedy (and steps on the serious list; CSV in
    UTF-8 with BOM)."""
    from credit.rosters.export import FORMATS, export_roster
    from credit.settings import get_settings

    if roster not in ("abnormal", "serious", "abnormal_status"):
        output.refuse(f"--roster {roster!r}：名录应为 abnormal（经营异常名录）、abnormal_status（经营异常状态）"
                      f"或 serious（严重违法失信名单） (--roster must be abnormal, abnormal_status or serious)")
    if fmt not in FORMATS:
        output.refuse(f"--format「{fmt}」：格式应为 {'、'.join(FORMATS)} 之一 (--format must be one of {', '.join(FORMATS)})")
    if fmt in ("parquet", "xlsx") and output.is_stdout(out):
        output.refuse(f"--format {fmt} 须用 --out 指定文件：二进制文件不写到标准输出 "
                      f"({fmt} needs --out FILE: a binary file is not written to standard output)")
    # ``-`` is standard output, as omitted (contracts.md §2); a file: checked before any work (a
    # folder refused), its missing folders made when it is written
    out = output.out_or_stdout(out)
    asked = _day(as_of, "--as-of") if as_of is not None else None
    record_night = _day(known_at, "--known-at") if known_at is not None else None
    with _engine().connect() as conn:
        through = _data_through(conn)
        known = _known(conn, record_night, through)
        day = asked or (known.night if known else None) or through or _today()
        _within_history(conn, day, through)
        data = export_roster(conn, roster, day, fmt, None, known, get_settings())
    if out is not None:
        from credit.exports import write_export

        with output.writing(out):
            # with its signed sidecar <out>.sig.json, naming the head of night K when asked as known after K
            write_export(out, data, get_settings(), known.night if known else None)
    # On standard error, so the export itself keeps exactly the contract's columns.
    # The data the export speaks for end with night K when asked "as known after K", as in
    # `credit status` and the API's X-Data-Through.
    speaks = known.night if known else through
    err.print(f"{roster_label(roster)} {roster} roster, " + output.as_of_line(day, speaks, known.night if known else None),
              markup=False)
    if speaks is None or day > speaks:
        err.print(output.beyond_data_warning(day, known.night if known else None), style="yellow", markup=False)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        err.print(f"已写入 {out}，签名 {out.name}.sig.json (wrote {out}; signature: {out.name}.sig.json)", markup=False)


# ------------------------------------------------------------------------------------------------
@repair_app.command("apply")
def repair_apply(
    uscc: Annotated[str, typer.Argument(metavar=output.USCC, help="申请人的统一社会信用代码 — The applicant's USCC.")],
    received: Annotated[str, typer.Option("--received", metavar=output.DAY, help="申请送达本局的日期 — Day the application reached the bureau.")],
    roster: Annotated[str | None, typer.Option(
        "--roster", help="经营异常名录 abnormal | 严重违法失信名单 serious（个体工商户为 abnormal_status）；与 --penalty 同用时为 penalty — abnormal | serious (abnormal_status for 个体工商户); penalty with --penalty.")] = None,
    penalty: Annotated[str | None, typer.Option(
        "--penalty", help="申请人请求修复其公示信息的行政处罚的案号 — Case number (案号) of a penalty whose publicity the applicant asks to repair.")] = None,
    grounds: Annotated[str | None, typer.Option("--grounds", help="申请人陈述的理由 — What the applicant states.")] = None,
    clerk: Annotated[str, typer.Option("--clerk", help="登记人 — Who recorded it.")] = "clerk",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False,
) -> None:
    """登记 D 日收到的移出申请（或与 --penalty 同用：行政处罚信息的信用修复申请）；输出其编号和办结期限 — Record an application for removal (or, with --penalty, for repair of penalty information)
    received on D; prints its id and the decide-by date."""
    from credit.api.validation import received_without_data_problem
    from credit.penalties.repair import apply_for_penalty_repair
    from credit.rosters.repair import Refused, apply_for_removal

    code = _checked_uscc(uscc)
    if penalty is None and roster in (None, "penalty"):
        output.refuse("请用 --roster 指明名录（abnormal、serious 或 abnormal_status），或用 --penalty 指明处罚案号 "
                      "(--roster abnormal|serious|abnormal_status, or --penalty CASE_NO)")
    if penalty is not None and roster not in (None, "penalty"):
        output.refuse("--penalty 用于行政处罚信息的信用修复：不要同时给出其他 --roster（或写 --roster penalty） "
                      "(--penalty applies to penalty information: leave out --roster, or give --roster penalty)")
    day = output.recorded_day(received, "--received")   # the API's rule (received_on), before the database
    try:
        with _engine().begin() as conn:
            through = _data_through(conn)
            if (why := received_without_data_problem(day, through, "--received")) is not None:
                raise Refused(why)   # as POST /v1/bureau/repair-applications answers it (422)
            if penalty is not None:
                res: Any = apply_for_penalty_repair(conn, code, penalty, day, grounds, recorded_by=clerk)
            else:
                assert roster is not None
                res = apply_for_removal(conn, code, roster, day, grounds, recorded_by=clerk)
    except Refused as e:
        output.refuse(str(e))
    if as_json:
        _json(res)
        return
    if res["decide_by"] or res["decide_by_provisional"]:
        by = res["decide_by"] or f"{res['decide_by_provisional']} (provisional: holiday schedule not published)"
        console.print(f"application {res['id']} recorded; the bureau must decide by {by}", markup=False)
    else:
        console.print(f"application {res['id']} recorded; decide-by date not yet set")
    if through is not None and day > through:   # the counter's morning after a night (received_without_data_problem)
        console.print(f"名录按最新已发布批次 {through.isoformat()} 核对，自 {day.isoformat()} 的批次起处理 "
                      f"(checked against the rosters of the latest published night {through.isoformat()}; "
                      f"the nights from {day.isoformat()} on answer it)", markup=False)
    if res.get("note"):
        console.print(str(res["note"]), style="yellow", markup=False)


# ------------------------------------------------------------------------------------------------
@objection_app.command("file")
def objection_file(
    decision: Annotated[str, typer.Argument(help="被提出异议的决定：其文号或序号 — The decision objected to: its 文号 or seq.")],
    received: Annotated[str, typer.Option("--received", metavar=output.DAY, help="异议送达本局的日期 — Day the objection reached the bureau.")],
    grounds: Annotated[str | None, typer.Option("--grounds", help="提出异议的理由 — The grounds stated.")] = None,
    clerk: Annotated[str, typer.Option("--clerk", help="登记人 — Who recorded it.")] = "clerk",
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False,
) -> None:
    """登记对列入的异议，或对告知的陈述申辩、听证申请 — Record an objection (异议) to a listing, or a statement/hearing request on a notice (告知)."""
    from credit.rosters.repair import Refused, file_objection

    day = output.recorded_day(received, "--received")   # the API's rule (received_on), before the database
    try:
        with _engine().begin() as conn:
            res = file_objection(conn, decision, day, grounds, recorded_by=clerk)
    except Refused as e:
        output.refuse(str(e))
    if as_json:
        _json(res)
        return
    timing = "in time" if res["in_time"] else ("LATE" if res["in_time"] is False else "timing unknown (calendar)")
    console.print(f"objection {res['id']} recorded ({timing}; period ended {res['filing_period_ends']}); "
                  f"accept or refuse by {res['accept_by']}", markup=False)


@objection_app.command("decide")
def objection_decide(
    objection: Annotated[int, typer.Argument(help="异议编号 — Objection id.")],
    outcome: Annotated[str, typer.Option("--outcome", help="异议成立 upheld（撤销列入/告知）| 不成立 dismissed — upheld (revoke the listing/notice) | dismissed.")],
    officer: Annotated[str, typer.Option("--officer", help="作出决定的执法人员（予以记录） — The officer who decides (recorded).")],
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="决定日期（默认今天） — Decision date (default today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注（予以记录） — A note (recorded).")] = None,
) -> None:
    """执法人员对异议的答复；两种结果都是有文号的决定 — An officer's answer to an objection; both outcomes are numbered decisions."""
    from credit.rosters.repair import Refused, decide_objection

    day = output.recorded_day(on, "--on")   # not after today, as POST …/objections/{id}/decision
    try:
        with _engine().begin() as conn:
            res = decide_objection(conn, objection, outcome, day, officer, note)
    except Refused as e:
        output.refuse(str(e))
    console.print(f"decision {res['seq']} ({res['label']} {res['action']}) "
                  f"{res['decision_no']}", markup=False)


# ------------------------------------------------------------------------------------------------
@decision_app.command("approve")
def decision_approve(
    draft: Annotated[int, typer.Argument(help="决定草案的序号（见 `credit decision drafts`） — The draft's seq (see `credit decision drafts`).")],
    officer: Annotated[str, typer.Option("--officer", help="作出决定的执法人员（予以记录） — The officer who decides (recorded).")],
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="批准日期（默认今天） — Approval date (default today).")] = None,
) -> None:
    """批准决定草案：决定于当日作出，并编文号 — Approve a draft: the decision is issued on that date, with its 文号."""
    _decide_draft(draft, officer, on, approve=True, note=None)


@decision_app.command("reject")
def decision_reject(
    draft: Annotated[int, typer.Argument(help="决定草案的序号（见 `credit decision drafts`） — The draft's seq (see `credit decision drafts`).")],
    officer: Annotated[str, typer.Option("--officer", help="作出决定的执法人员（予以记录） — The officer who decides (recorded).")],
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="驳回日期（默认今天） — Rejection date (default today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注（予以记录） — A note (recorded).")] = None,
) -> None:
    """驳回决定草案（予以记录，不编文号） — Reject a draft (recorded, no 文号)."""
    _decide_draft(draft, officer, on, approve=False, note=note)


def _decide_draft(draft: int, officer: str, on: str | None, *, approve: bool, note: str | None) -> None:
    from credit.rosters.repair import Refused, decide_draft

    day = output.recorded_day(on, "--on")   # not after today, as POST …/drafts/{seq}/decision
    try:
        with _engine().begin() as conn:
            res = decide_draft(conn, draft, officer, day, approve, note)
    except Refused as e:
        output.refuse(str(e))
    console.print(f"decision {res['seq']} ({res['label']} {res['action']}) "
                  f"{res['decision_no'] or ''}", markup=False)


@decision_app.command("drafts")
def decision_drafts(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False) -> None:
    """待执法人员审批的决定草案 — Drafts waiting for an officer."""
    from credit.rosters.read import open_drafts

    with _engine().connect() as conn:
        rows = open_drafts(conn)
    if as_json:
        _json(rows)
        return
    t = output.table("序号 seq", "统一社会信用代码", "名录 roster", "拟办 proposed", "事由 cause", "起草 drafted",
                     "期限 due", title=f"待审批草稿 drafts（{len(rows)}）")
    for r in rows:
        t.add_row(str(r["seq"]), r["uscc"], roster_label(r["roster"]),
                  decision_label(r["proposed_action"], r["rule_id"], r["roster"]),
                  str(r["cause"] or ""), str(r["decision_date"]), str(r["due_date"] or ""))
    console.print(t)


# ------------------------------------------------------------------------------------------------
def deadlines_command(
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="日期 YYYY-MM-DD（默认：本局时钟的今天） — Date YYYY-MM-DD (default: today on the bureau's clock).")] = None,
    within: Annotated[int, typer.Option("--within", min=0, help="向后看的工作日数 — Working days ahead.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False,
) -> None:
    """今后 N 个工作日内到期及已超期的决定，按机关列出 — Decisions due within the next N working days and any overdue, per authority."""
    from credit.rosters.deadlines import deadline_watch, watch_records

    day = _day(on, "--on")
    with _engine().connect() as conn:
        df = deadline_watch(conn, day, within)
    if as_json:
        _json(watch_records(df))   # due_date YYYY-MM-DD; provisional true with a note when not computable
        return
    t = output.table("机关 authority", "事项 kind", "统一社会信用代码", "名录 roster", "编号 ref", "期限 due",
                     "剩余工作日 WD left", "逾期 overdue", "说明 note",
                     title=f"期限提醒 deadlines on {day.isoformat()}（{within} 个工作日内到期及已逾期）")
    for r in df.itertuples(index=False):
        due = "" if r.due_date is None or str(r.due_date) == "NaT" else str(r.due_date)
        if r.provisional:
            due += "（暂定）"
        t.add_row(_cell(r.authority), _cell(r.kind_label), _cell(r.uscc), _cell(r.roster_label), _cell(r.ref_label), due,
                  "" if r.working_days_left is None or str(r.working_days_left) == "<NA>" else str(r.working_days_left),
                  Text("已逾期 OVERDUE", style="red") if r.overdue else "", r.note if isinstance(r.note, str) else "")
    console.print(t)


# ------------------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[Path | None, typer.Option(
        "--anchors", help="在数据库之外发布的锚点文件（默认：<publication>/anchors.jsonl）；可给出另处保存的副本以与之核对 — The anchor file published outside the database (default: "
                          "<publication>/anchors.jsonl); give a copy kept elsewhere to check against it.")] = None,
    public_key: Annotated[Path | None, typer.Option(
        "--public-key", help="签署锚点的本局已公布公钥（PEM）（默认：本安装的密钥） — The bureau's published public key (PEM) that signed the anchors "
                             "(default: the key of this installation).")] = None,
) -> None:
    """沿决定日志的哈希链逐条核对数据库中的锚点、各批次记录的链头以及在数据库之外发布的已签名锚点。完好时退出码 0；断裂时 1（指出第一个断裂的决定和批次）；无法核对时 2（数据库无法连接，锚点文件或公钥无法读取） — Walk the decision log's hash chain against the anchors in the database, the heads the nights
    recorded and the signed anchors published outside it. Exit 0 only when intact; 1 when broken (the
    first broken decision and night named); 2 when it cannot be checked (the database cannot be
    reached, the anchor file or the public key cannot be read)."""
    from credit.rosters.anchors import anchor_path
    from credit.rosters.audit import audit_log
    from credit.settings import get_settings
    from credit.signing import SigningKeyError, load_public_key

    settings = get_settings()
    # A key or an anchor file that cannot be read cannot be checked against: exit 2, named in our
    # words (as `credit verify-signature`), never a traceback or an exit 1 that blames the log.
    try:
        key = load_public_key(public_key.read_bytes(), str(public_key)) if public_key else None
        with output.checked_against_database():
            report = audit_log(_engine(), settings, anchors, key)
    except OSError as e:
        output.refuse(output.unreadable(e.filename or anchors or anchor_path(settings), e))
    except SigningKeyError as e:
        output.refuse(str(e))
    for w in report.warnings:
        err.print(f"注意 warning: {w}", style="yellow", markup=False)
    if report.ok:
        console.print(report.message(), markup=False)
        return
    err.print(report.message(), style="red", markup=False)
    raise typer.Exit(1)


@audit_app.command("publish")
def audit_publish() -> None:
    """将数据库中已锚定但尚未在外部发布的批次追加到锚点文件（每个批次提交后都会这样做；本命令用于崩溃后补发）。不签署任何核对不通过的内容：先像 `credit audit verify` 那样核对文件各行和整个决定日志；不通过时退出码 1（与 `credit audit verify` 一样，只有完好的日志才能通过） — Append to the anchor file the nights anchored in the database and not yet published outside
    it (each night does this after its commit; this catches up after a crash). Signs nothing that
    does not verify: the file's lines and the whole decision log are checked first, as `credit
    audit verify` checks them; exit 1 when they fail (as `credit audit verify`: only an intact log passes)."""
    from credit.rosters.anchors import AnchorsRefused, anchor_path, append_missing_anchors
    from credit.settings import get_settings
    from credit.signing import SigningKeyError

    settings = get_settings()
    try:
        added = append_missing_anchors(_engine(), settings)
    except AnchorsRefused as e:
        err.print(f"未发布锚点 (nothing published): {e}", style="red", markup=False)
        raise typer.Exit(1) from None
    except OSError as e:
        output.refuse(f"未发布锚点 (cannot publish the anchors): {output.unreadable(e.filename or anchor_path(settings), e)}")
    except SigningKeyError as e:
        output.refuse(f"未发布锚点 (cannot publish the anchors): {e}")
    console.print(f"已追加 {added} 个锚点至 {anchor_path(settings)} ({added} anchor(s) appended)", markup=False)
