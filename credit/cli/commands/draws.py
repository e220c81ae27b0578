"""Command-line commands of the draws area (wired into `credit` by credit/cli/main.py as `credit draw`).

Exit codes: 0 done (for ``verify``: the record matches), 1 ``verify`` found a difference,
2 refused with the reason printed (unknown plan, wrong seed, unknown calendar year, …; for
``verify``: a file it cannot read, so the draw cannot be checked).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Connection

from credit.calendar import UnknownCalendarYear
from credit.cli import output
from credit.cli.help import BureauTyper
from credit.db import get_engine
from credit.draws import read, store
from credit.draws.core import DrawRefused
from credit.draws.dates import iso
from credit.draws.labels import REDRAW_KIND_LABELS, RESULT_STATUS_LABELS, STATE_LABELS, label, note_text
from credit.draws.published import PublishedUnreadable, verify_published
from credit.draws.records import FULL_FORMAT, RecordMalformed, check_plan_shape, check_record_shape
from credit.draws.verify import verify_records
from credit.rosters.read import latest_night
from credit.settings import Settings, get_settings

app = BureauTyper(no_args_is_help=True, help="双随机、一公开：抽查计划、抽取、核验、结果 — 双随机、一公开: inspection plans, draws, verification, results.")
console = output.console()
DrawArg = Annotated[str, typer.Argument(help="抽取编号（计划时给出） — The draw's id (given by plan).")]


def _as_of(conn: Connection, as_of: date | None) -> date:
    """The plan date: --as-of, else the latest published night (never the wall clock)."""
    if as_of is not None:
        return as_of
    night = latest_night(conn)
    if night is None:
        output.refuse("尚无已发布的批次：请用 --as-of 指明名录日期 (no night has been published yet: give --as-of D)")
    return night


def _strata_table(strata: Sequence[Mapping[str, Any]], title: str) -> Table:
    t = output.table(title=title)
    for c in ("抽查事项 matter", "分层 stratum", "对象数 size", "抽取数 sample", "抽取概率 probability",
              "阈值 threshold"):
        t.add_column(c)
    for s in strata:
        t.add_row(s["matter"], s["stratum"], str(s["size"]), str(s["sample_size"]), s["inclusion_probability"],
                  (s.get("threshold") or "")[:16])
    return t


@app.command()
def plan(
    matter: Annotated[list[str], typer.Option("--matter", help="抽查事项编号（config/draws.yaml）；联合抽查时重复给出 — matter id from config/draws.yaml; repeat for a joint task")],
    scope: Annotated[str | None, typer.Option(help="行政区划代码（GB/T 2260）或其前缀（411400 包括其下各区县，4114 亦同） — GB/T 2260 region code or prefix (411400 covers its districts, as 4114 does)")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar=output.DAY,
        help="名录日期：名录库取该批次之后存储中的状态；检查期自其后第 lead 个工作日开始，该日已过则自今天之后起算（默认：最近的批次） — roster date (名录日期): the pool as the store held it after that night; the inspection "
             "window starts the lead-th working day after it, or after today when that day is past "
             "(default: latest night)")] = None,
    seed_commitment: Annotated[str | None, typer.Option("--seed-commitment", help="种子的 SHA-256 十六进制值 — SHA-256 hex of the seed")] = None,
    public_seed_source: Annotated[str | None, typer.Option("--public-seed-source",
                                                           help="将作为种子的公开数值 — the public value that will be the seed")] = None,
) -> None:
    """确定抽查任务：冻结检查对象名录库和执法检查人员名录库，公布其摘要、分层和种子承诺 — Fix a task: freeze the pools, publish their digests, strata and the seed commitment."""
    given = output.day_arg(as_of, "--as-of") if as_of else None   # before the database: a typo costs nothing
    settings = get_settings()
    try:
        with get_engine(settings).begin() as conn:
            d = _as_of(conn, given)
            draw_id = store.plan_draw(conn, matter, d, settings, scope=scope, seed_commitment=seed_commitment,
                                      public_seed_source=public_seed_source)
            plan = read.load_plan(conn, draw_id)
            p, counted_from = plan["public_plan"], plan["rules"].get("schedule_from")
    except (DrawRefused, UnknownCalendarYear) as e:
        output.refuse(str(e))
    console.print(f"已制定抽查计划 planned [bold]{escape(draw_id)}[/bold]，基准日 as of {p['as_of']}")
    # Published before the draw: its SHA-256, announced with it, is what `verify --plan` binds a record to.
    plan_file = store.draws_dir(settings) / f"{draw_id}.plan.json"
    console.print(f"计划文件 plan file             {plan_file} sha256 {hashlib.sha256(plan_file.read_bytes()).hexdigest()}",
                  markup=False)
    console.print(f"检查对象库摘要 entity pool digest    {p['entity_pool_digest']}", markup=False)
    console.print(f"检查人员库摘要 inspector pool digest {p['inspector_pool_digest']}"
                  f"（{p['inspector_pool_size']} 名检查人员 inspectors）",
                  markup=False)
    console.print(f"随机种子承诺 seed commitment       {p['seed_commitment'] or '-'}；"
                  f"公开种子来源 public seed source: {p['public_seed_source'] or '-'}",
                  markup=False)
    # Counted from today when the roster date's window had begun (store.plan_draw): said, since the
    # window then does not start the lead-th working day after the roster date.
    console.print(f"检查期间 inspection window     {p['schedule_window'][0]} … {p['schedule_window'][1]}"
                  + (f"（名录日期的检查期间已开始，自今日 {counted_from} 起计 counted from today, "
                     f"the roster date's window having begun）" if counted_from else "")
                  + (f"  [yellow]{escape(p['schedule_note'])}[/yellow]" if p["schedule_note"] else ""))
    for st in p.get("staffing") or []:
        per = p["inspectors_per_inspection"]
        console.print(f"符合条件的检查人员 competent inspectors  {st['matter']}: {st['inspectors']} 名；检查对象 "
                      f"{st['entities']} 户，其中 {st['unstaffable']} 户不足 {per} 名 ({st['inspectors']} inspectors; "
                      f"{st['entities']} entities, {st['unstaffable']} with fewer than {per})", markup=False)
    for w in p.get("staffing_warnings") or []:
        console.print(f"[yellow]警告 warning[/yellow]: {escape(w)}")
    console.print(_strata_table(p["strata"], "分层（公布各层对象数与抽取概率，不公布主体的分类） "
                                             "strata (published: sizes and probabilities, no entity's tier)"))


@app.command()
def run(draw_id: DrawArg, seed: Annotated[str, typer.Option(help="计划所承诺的种子 — the seed the plan committed to")]) -> None:
    """公开种子并抽取检查对象、执法检查人员和日期；写出公开记录和完整记录。计划的检查期开始后予以拒绝（退出码 2）：须重新制定计划 — Reveal the seed and draw entities, inspectors and dates; writes the public and full records.
    Refused (exit 2) once the plan's inspection window has begun: plan again."""
    settings = get_settings()
    try:
        with get_engine(settings).begin() as conn:
            summary = store.run_draw(conn, draw_id, seed, settings)
    except DrawRefused as e:
        _run_already(settings, draw_id, seed)   # a re-run: answered, not refused, with the same seed
        output.refuse(str(e))
    states = "；".join(f"{label(STATE_LABELS, k)} {k}: {v}" for k, v in output.flat_items(summary["states"]))
    console.print(f"已抽取 drew [bold]{escape(draw_id)}[/bold]：{summary['inspections']} 项检查 inspections"
                  f"（{escape(states)}）")
    console.print(_strata_table(summary["strata"], "分层 strata"))
    console.print(f"公开记录 public record {summary['public_record']} sha256 {summary['public_record_sha256']}",
                  markup=False)
    console.print(f"完整记录 full record   {summary['full_record']} sha256 {summary['full_record_sha256']}",
                  markup=False)


def _run_already(settings: Settings, draw_id: str, seed: str) -> None:
    """A run refused because the draw was run already: with the seed it was run with, a re-run —
    idempotent, as ``credit nightly`` answers a published night: exit 0, the same records named,
    nothing written; with another seed, refused (exit 2) naming the seed the draw used (public in
    its record). Returns when the draw was not run (the refusal stands as given)."""
    with get_engine(settings).connect() as conn:
        if not read.is_drawn(conn, draw_id):
            return
        run = read.stored_run(conn, draw_id)
    used = run["public_record"]["seed"]
    if seed != used:
        output.refuse(f"{draw_id} 已经抽取，所用种子为“{used}”，不是“{seed}”；每项抽查只抽取一次 "
                f"({draw_id} was drawn already with the seed {used!r}, not {seed!r}; a draw is run once)")
    folder = store.draws_dir(settings)
    console.print(f"{escape(draw_id)} 已经抽取（所用种子相同），本次未重新抽取，记录未变 "
                  f"({escape(draw_id)} was drawn already with this seed; nothing was drawn or written again):")
    console.print(f"公开记录 public record {folder / f'{draw_id}.public.json'} sha256 {run['public_record_sha256']}",
                  markup=False)
    console.print(f"完整记录 full record   {folder / f'{draw_id}.full.json'} sha256 {run['full_record_sha256']}",
                  markup=False)
    raise typer.Exit(0)


def _read_json(path: Path) -> Any:
    """The parsed JSON of a file given on the command line; refused (exit 2) when unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:   # named, in our words
        output.refuse(output.unreadable(path, e))


def _plan_beside(paths: Sequence[Path], docs: Sequence[Mapping[str, Any]]) -> Path | None:
    """The plan file published with the records (``DRAW_ID.plan.json`` in a record's folder), if any."""
    for path, doc in zip(paths, docs, strict=True):
        draw_id = doc["draw_id"]
        if draw_id and Path(draw_id).name == draw_id:   # a draw id, not a path out of the folder
            found = path.parent / f"{draw_id}.plan.json"
            if found.is_file():
                return found
    return None


@app.command()
def verify(
    draw_id: Annotated[str | None, typer.Argument(help="依数据库重新推导的抽取 — draw to re-derive from the database")] = None,
    record: Annotated[list[Path] | None, typer.Option(
        "--record", help="公开记录或完整记录的 JSON 文件；同一抽取的两份记录可重复给出 — a public or full record JSON file; repeat to give both records of one draw")] = None,
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="抽取前公布的计划（DRAW_ID.plan.json）；默认：记录旁的那一份 — the plan published before the draw (DRAW_ID.plan.json); default: the one beside the record")] = None,
) -> None:
    """核验一次抽取；全部一致时退出码 0，发现第一处不同时 1，无法核验时 2（文件缺失、不可读或不是 JSON，不是抽取记录，DRAW_ID 未知或尚未抽取，数据库无法连接） — Verify a draw; exit 0 only when everything matches, 1 at the first difference, 2 when it cannot be checked (a file missing, unreadable or not JSON, not a draw record, an unknown or undrawn DRAW_ID, the database cannot be reached).

    按 DRAW_ID 核验：核对已公布的文件 <home>/reports/draws/DRAW_ID.plan.json、.public.json 和 .full.json（以及重新抽取的事件文件）：各记录与计划相符，公开记录的抽取结果，完整记录重新推导，文件与数据库中的副本一致，每个记录文件的 SHA-256 与运行时记录的摘要一致。按 --record FILE 核验：公开记录（核对抽取结果）或完整记录（重新推导），须与抽取前公布的计划相符（--plan FILE，否则为记录旁的 DRAW_ID.plan.json）：抽取编号相同，公开的种子与计划的种子承诺相符，计划公布的每个字段都相符。两个 --record 文件（公开记录和完整记录）须属于同一次抽取，公开记录须是完整记录的公开部分 —
    DRAW_ID: the published files <home>/reports/draws/DRAW_ID.plan.json, .public.json and
    .full.json (and the redraw event files) are checked: the records bound to the plan, the public
    record's selections, the full record re-derived, the files against the database copy, and
    each record file's SHA-256 against the digest recorded at run time. --record FILE: a public
    record (selections checked) or full record (re-derived), bound to the plan published before
    the draw (--plan FILE, else DRAW_ID.plan.json beside the record): same draw id, the revealed
    seed against the plan's seed commitment, every field the plan published. Two --record files
    (public and full) must be of one draw, the public one the public part of the full one.
    """
    if (draw_id is None) == (not record):
        output.refuse("请给出抽查编号 DRAW_ID 或 --record 文件，二者选一 (give DRAW_ID or --record FILE, one of them)")
    if draw_id is not None:
        if plan is not None:
            output.refuse("--plan 只与 --record 文件同用；按抽查编号核验时直接核对已公布的计划文件 "
                    "(--plan goes with --record FILE; verify DRAW_ID checks the published plan file itself)")
        settings = get_settings()
        try:
            with output.checked_against_database(), get_engine(settings).connect() as conn:
                result, passed = verify_published(conn, draw_id, settings)
        except DrawRefused as e:
            output.refuse(str(e))
        except PublishedUnreadable as e:   # cannot check (2), not a difference (1)
            output.refuse(output.unreadable(e.path, e.error))
        for line in passed:
            console.print(f"  ok: {escape(line)}", highlight=False)
        if result.ok:
            console.print(f"[green]match[/green]: {escape(draw_id)} — published records and database copy")
            return
        console.print(f"[red]differs[/red]: {escape(draw_id)}\nfirst difference: {escape(result.first_difference or '')}", highlight=False)
        raise typer.Exit(1)
    assert record   # exactly one of DRAW_ID and --record was given (checked above)
    docs = [_read_json(path) for path in record]
    for path, doc in zip(record, docs, strict=True):
        try:
            check_record_shape(doc)
        except RecordMalformed as e:
            output.refuse(f"{path} 不是抽查记录文件 (not a draw record): {e}")
    plan_path = plan or _plan_beside(record, docs)
    plan_doc = None
    if plan_path is not None:
        plan_doc = _read_json(plan_path)
        try:
            check_plan_shape(plan_doc)
        except RecordMalformed as e:
            output.refuse(f"{plan_path} 不是抽查计划文件 (not a draw plan): {e}")
    result = verify_records(docs, plan_doc, [p.name for p in record])
    if result.malformed:
        output.refuse(f"不是抽查记录文件 (not a draw record): {result.first_difference}")
    kinds = " + ".join("full record (re-derived)" if d["format"] == FULL_FORMAT
                       else f"public record {d['format']} (selections checked)" for d in docs)
    shown = escape(str(docs[0]["draw_id"]))
    if not result.ok:
        console.print(f"[red]differs[/red]: {shown} — {kinds}\nfirst difference: {escape(result.first_difference or '')}",
                      highlight=False)
        raise typer.Exit(1)
    if plan_path is None or plan_doc is None:
        console.print(f"[green]match[/green]: {shown} — {kinds}")
        if all(d["format"] != FULL_FORMAT for d in docs):
            _public_limits(shown, result.unchecked)
        # Self-consistent is all a record alone can show: a record drawn with a seed chosen
        # after the fact checks as well. The plan published before the draw binds it.
        console.print("[yellow]not bound to a plan[/yellow]: no plan file was given or found beside the record, so "
                      "nothing shows this is the draw the bureau committed to before drawing (未与事前公布的抽查计划核对); "
                      f"give --plan {shown}.plan.json", highlight=False)
        return
    plan_sha = hashlib.sha256(plan_path.read_bytes()).hexdigest()
    console.print(f"  ok: bound to the plan {escape(str(plan_path))} (SHA-256 {plan_sha}): draw id, "
                  + ("seed against its commitment, " if plan_doc["seed_commitment"] else "")
                  + "matters, scope, pool digests, "
                  + ("sample sizes per matter" if result.unchecked else "strata"), highlight=False)
    if not plan_doc["seed_commitment"]:
        console.print("[yellow]check by hand[/yellow]: the plan names the public value that is the seed, "
                      f"{escape(str(plan_doc['public_seed_source']))}; the record's seed must be that value: "
                      f"{escape(str(docs[0]['seed']))}", highlight=False)
    console.print(f"[green]match[/green]: {shown} — {kinds}, bound to the plan published before the draw")
    if all(d["format"] != FULL_FORMAT for d in docs):
        _public_limits(shown, result.unchecked)


def _public_limits(shown: str, unchecked: Sequence[str] = ()) -> None:
    """Say what a public record cannot show (docs/draws.md): its pools are published as digests
    only, and a /2 record names no stratum (tiers are not public, domain.md §7), so the stratum
    checks are the full record's (``unchecked``)."""
    if unchecked:
        console.print("[yellow]needs the full record[/yellow] (公开记录不载明分层即信用风险分类，以下各项须以完整记录核验; "
                      "the public record names no stratum, a credit-risk tier, so these checks need the full "
                      "record, whose SHA-256 the public record gives as full_record_sha256):", highlight=False)
        for line in unchecked:
            console.print(f"  - {escape(line)}", highlight=False)
    console.print("[yellow]not shown by a public record[/yellow]: that no entity of the pool with a lower key was "
                  "left out, that the inspectors named are those the draw picks from the inspector pool, and that "
                  "each date is the one the date rule gives — the pools and quiet days are published as digests "
                  "and configuration only; the bureau checks them against its full record (公开记录无法核验检查对象库、检查人员库和检查日期，"
                  f"须由市场监管部门以完整记录核验): credit draw verify {shown}", highlight=False)


@app.command()
def show(draw_id: DrawArg, as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False) -> None:
    """本局所见的抽取：计划、分层、当前检查（含信用风险分类等级）、重新抽取 — A draw as the bureau sees it: plan, strata, current inspections (with tiers), redraws."""
    settings = get_settings()
    try:
        with get_engine(settings).connect() as conn:
            plan_row = read.load_plan(conn, draw_id)
            ran = read.stored_public_record(conn, draw_id)
            # The thresholds are the bureau's: a /2 public record no longer carries them.
            strata = read.drawn_strata(conn, draw_id) if ran else None
            cur = read.current_inspections(conn, draw_id) if ran else None
            events = read.redraw_events(conn, draw_id)
    except DrawRefused as e:
        output.refuse(str(e))
    p = plan_row["public_plan"]
    if as_json:
        output.emit_json({"draw_id": draw_id, "plan": plan_row, "strata": strata if strata is not None else p["strata"],
                          "inspections": None if cur is None else cur.to_dict("records"), "redraws": events})
        return
    console.print(f"[bold]{escape(draw_id)}[/bold] 抽查事项 matters {escape(', '.join(plan_row['matters']))}；"
                  f"基准日 as of {p['as_of']}；范围 scope {escape(p['scope'] or '全部 all')}；"
                  f"配置 config {escape(plan_row['config_version'])}")
    console.print(_strata_table(strata if strata is not None else p["strata"], "分层 strata"))
    if cur is None:
        console.print("已制定计划，尚未抽取 (planned, not drawn yet)")
        return
    t = output.table(title="检查对象（当前版本） inspections (current versions)")
    for c in ("统一社会信用代码 uscc", "版本 v", "状态 state", "抽查事项 matters", "分层 strata", "检查人员 inspectors",
              "检查日期 date", "说明 note"):
        t.add_column(c)
    # The stored note is English (the records keep it as written); read as the bureau page reads it.
    for r in cur.astype(object).where(cur.notna(), None).to_dict("records"):   # missing: None, as the page reads them
        t.add_row(r["uscc"], str(r["version"]), label(STATE_LABELS, r["state"]), ",".join(r["matters"] or []),
                  ",".join(r["strata"] or []), ",".join(r["inspectors"] or []), iso(r["scheduled_on"]) or "",
                  note_text(r["note"], {}))
    console.print(t)
    for ev in events:
        console.print(f"重新抽取 redraw {ev['seq']}: {label(REDRAW_KIND_LABELS, ev['kind'])} {ev['uscc']} {ev['inspector_id'] or ''} "
                      f"(amends v{ev['amends_version']}): {ev['reason']}", markup=False)
        if ev["skipped"]:   # an entity_closed replacement's passed-over entities (migration 0047)
            console.print(f"  跳过已被其他抽查抽中的企业 skipped, held by other live draws: {', '.join(ev['skipped'])}",
                          markup=False)


@app.command()
def redraw(
    draw_id: DrawArg,
    uscc: Annotated[str, typer.Option(help="被修正检查的主体 — the entity whose inspection is amended")],
    reason: Annotated[str, typer.Option(help="原因（予以记录并公布） — why (recorded and published)")],
    recuse: Annotated[str | None, typer.Option("--recuse", help="回避的执法检查人员编号 — inspector id who withdraws (回避)")] = None,
    entity_closed: Annotated[bool, typer.Option("--entity-closed", help="该主体已关闭：抽取下一个 — the entity closed: draw the next one")] = False,
) -> None:
    """将重新抽取登记为新事件，注明其所修正的版本（从不覆盖） — Record a redraw as a new event citing the version it amends (never an overwrite)."""
    if (recuse is None) == (not entity_closed):
        output.refuse("请选择 --recuse（检查人员回避）或 --entity-closed（企业已关闭）其中一项 "
                "(give exactly one of --recuse INSPECTOR or --entity-closed)")
    uscc = output.checked_uscc(uscc)   # a mistyped code is refused for what it is (domain.md §1)
    settings = get_settings()
    try:
        with get_engine(settings).begin() as conn:
            out = store.redraw(conn, draw_id, uscc, "inspector_recused" if recuse else "entity_closed", reason,
                               settings, inspector_id=recuse)
    except DrawRefused as e:
        output.refuse(str(e))
    console.print(f"重新抽取第 {out['seq']} 次，更正 {uscc} 的第 {out['amends_version']} 版 (redraw {out['seq']} of "
                  f"{draw_id} amends version {out['amends_version']} of {uscc}):", markup=False)
    for v in out["versions"]:
        console.print(f"  {v['uscc']} v{v['version']} {label(STATE_LABELS, v['state'])} "
                      f"{','.join(x['inspector_id'] for x in v['inspectors'])} {v['scheduled_on'] or ''}", markup=False)
    if out["skipped"]:
        console.print(f"  跳过已被其他抽查抽中的企业 skipped, held by other live draws: {', '.join(out['skipped'])}",
                      markup=False)


@app.command()
def results(
    task_id: Annotated[str, typer.Argument(help="抽查任务编号 — The task's id.")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar=output.DAY, help="按此日判断结果是否超期（默认：最近的批次） — judge overdue results on this date (default: latest night)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False,
) -> None:
    """抽查任务的公开结果，各附公示期限和状态 — The public results of a task, each with its publication limit and state.

    结果通过国家企业信用信息公示系统公示（企业信息公示暂行条例第十四条第三款，未规定期限）；期限为检查后 20 个工作日，依市场监管总局的公布（国务院政策例行吹风会 2018-06-08；“工作日”未经核实） —
    Results are published through the publicity system (企业信息公示暂行条例 第十四条第三款, no deadline stated); the limit is 20 working days after the inspection, as SAMR announced it (国务院政策例行吹风会 2018-06-08; "working" unverified).
    """
    # The rule and its sources: shared/domain.md §8 (results publicity).
    given = output.day_arg(as_of, "--as-of") if as_of else None
    settings = get_settings()
    try:
        with get_engine(settings).connect() as conn:
            d = _as_of(conn, given)
            rows = read.public_results(conn, task_id, settings, d)
    except DrawRefused as e:
        output.refuse(str(e))
    if as_json:
        typer.echo(output.json_shown(json.dumps(rows, ensure_ascii=False, indent=1)))
        return
    t = output.table(title=f"抽查检查结果 results of {output.esc(task_id)}，截至 as of {d}")
    for c in ("统一社会信用代码 uscc", "名称 name", "检查日期 inspected", "检查结果 result", "公示期限 publish by",
              "状态 status"):
        t.add_column(c)
    for r in rows:
        t.add_row(r["uscc"], r["name"] or "", r["inspected_on"] or "", r["result"] or "",
                  (r["publish_by"] or r["publish_by_estimate"] or "?")
                  + ("（暂定 provisional）" if r["publish_by_provisional"] else ""),
                  label(RESULT_STATUS_LABELS, r["status"]))
    console.print(t)
