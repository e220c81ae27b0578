"""``credit``: the bureau's command line (contracts.md §2). Every subcommand has ``--help``.

Exit codes: 0 done (also when a reader of standard output stopped early: ``| head``); 2 refused
(a manifest, a quality gate, a rule, a night not published), with the reason printed; anything
else is a fault of ours.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from credit.cli import output
from credit.cli.help import BureauTyper

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

app = BureauTyper(no_args_is_help=True, add_completion=False,
                  help="市场监督管理局的信用监管流水线 — Credit-supervision pipeline of a market-supervision bureau (市场监督管理局).")
db_app = BureauTyper(no_args_is_help=True, help="数据库结构 — The database schema.")
app.add_typer(db_app, name="db")
console = output.console()
err = output.console(stderr=True)

DateOpt = Annotated[str, typer.Option("--date", metavar=output.DAY, help="批次日期，YYYY-MM-DD — The night, YYYY-MM-DD.")]


def parse_day(text: str, what: str = "date") -> date:
    return output.day_arg(text, what)


class _Terminated(BaseException):
    """SIGTERM received: a BaseException, as KeyboardInterrupt is, so that no ``except Exception``
    on the way takes it for a fault of the night and goes on."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


@app.command()
def nightly(
    date_: DateOpt,
    drop: Annotated[Path, typer.Option("--drop", help="交付目录，内含 <YYYY-MM-DD>/manifest.json — The drop folder holding <YYYY-MM-DD>/manifest.json.")],
    allow_gap: Annotated[bool, typer.Option(
        "--allow-gap", help="上次发布之后的批次缺失时仍予发布（仅限平台对这些批次未作任何交付；已交付但无法发布的批次用 --skip-night） — Publish although the nights since the last published one are missing "
                            "(only when the platform delivered nothing for them; a delivered night that "
                            "cannot be published: --skip-night).")] = False,
    skip_night: Annotated[list[str] | None, typer.Option(
        "--skip-night", metavar=output.DAY,
        help="与 --allow-gap 同用：放弃已交付但无法发布的批次 DATE（被拒绝且平台无法重新交付）；其变更随之丢失，"
             "除非以后的全量快照带有这些变更；与本批次一并记录。多个批次重复给出 — With --allow-gap: give up "
             "night DATE, which the drop folder holds but which was refused and cannot be delivered again; "
             "its changes are lost unless a later full snapshot carries them; recorded with the night. "
             "Repeat for several nights.")] = None,
    full: Annotated[bool, typer.Option(
        "--full", help="对全部主体重新作出决定、重新分类，而不仅是今夜输入或日期有变化的主体（issue 11） — Re-decide and re-grade every entity, not only those whose inputs or dates "
                       "changed tonight (issue 11).")] = False,
    partitions: Annotated[int | None, typer.Option(
        "--partitions", min=1,
        help="将本批次按至多 N 个区域分区（config/partitions.yaml）依次计算，再一并发布，与 DAG 相同；默认在一个事务中完成 — Compute the night in at most N region partitions (config/partitions.yaml), one after "
             "another, and publish them at once, as the DAG does; default: in one transaction.")] = None,
    accept_shrink: Annotated[list[str] | None, typer.Option(
        "--accept-shrink", metavar="SOURCE",
        help="确认该来源的全量快照确属实际缩减：虽低于 full_snapshot_min_share 仍予发布；与本批次一并记录。"
             "多个来源重复给出 — Confirm that SOURCE's full snapshot truly shrank: "
             "publish it although it is below full_snapshot_min_share; recorded with the night. "
             "Repeat for several sources.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出本批次摘要 — Print the night's summary as JSON.")] = False,
) -> None:
    """完整运行第 D 夜批次（与 Airflow DAG `credit_nightly` 运行的代码相同） — Run night D end to end — the same code the Airflow DAG `credit_nightly` runs."""
    from credit.cli.summary import print_interrupted, print_refusal, print_summary
    from credit.contract.sources import SOURCES
    from credit.night.issues import NightRefused
    from credit.night.steps import run_night
    from credit.settings import get_settings

    night = parse_day(date_, "--date")
    skip_nights = [parse_day(d, "--skip-night") for d in skip_night or ()]
    unknown = sorted(set(accept_shrink or ()) - set(SOURCES))
    if unknown:
        raise typer.BadParameter(f"未知的来源 {', '.join(unknown)} (unknown source; one of {', '.join(SOURCES)})",
                                 param_hint="--accept-shrink")
    # SIGTERM is how Airflow, systemd or an operator stops a run (a task's timeout): it ends the
    # run as Ctrl-C does, through the transactions' rollback, and says what became of the night
    # instead of exiting without a word (an outsider's acceptance pass).
    previous = signal.signal(signal.SIGTERM, _terminate)
    with console.status(f"night {night}: starting", spinner="dots") as status:
        try:
            summary = run_night(drop, night, get_settings(),
                                progress=lambda f: status.update(f"night {night}: {f}"),
                                allow_gap=allow_gap, full=full, max_partitions=partitions,
                                accept_shrink=tuple(accept_shrink or ()), skip_nights=skip_nights)
        except NightRefused as e:
            print_refusal(err, e)
            raise typer.Exit(2) from None
        except (KeyboardInterrupt, _Terminated) as e:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)   # a second SIGTERM ends the process at once
            status.stop()
            print_interrupted(err, night, "SIGTERM" if isinstance(e, _Terminated) else "SIGINT")
            raise typer.Exit(128 + (signal.SIGTERM if isinstance(e, _Terminated) else signal.SIGINT)) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    if as_json:
        output.emit_json(summary)
    else:
        print_summary(console, summary)


@app.command()
def summary(date_: DateOpt,
            as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出所存摘要 — The stored summary as JSON.")] = False) -> None:
    """已发布批次 D 所存的摘要（文件、质量关口、存储、名录、分类等级、耗时）。未发布的批次（尚未运行或被拒绝）予以拒绝（退出码 2） — The summary stored with published night D (files, gate, store, rosters, tiers, timings).
    A night not published (not run yet, or refused) is refused (exit 2)."""
    from credit.cli.summary import print_stored_summary

    night = parse_day(date_, "--date")
    if not print_stored_summary(console, night, as_json=as_json):
        output.refuse_unpublished(night, "尚无其摘要", "it has no summary yet")


@app.command()
def sample(
    entities: Annotated[int, typer.Option("--entities", min=1, help="主体数量 — Number of entities.")],
    nights: Annotated[int, typer.Option("--nights", min=1, help="连续批次数 — Number of consecutive nights.")],
    out: Annotated[Path, typer.Option("--out", help="要写入的交付目录（缺失的上级目录一并创建） — Drop folder to write (created with its missing parents).")],
    seed: Annotated[int, typer.Option("--seed", help="随机种子：种子相同，字节相同 — Seed: same seed, same bytes.")] = 0,
    start: Annotated[str, typer.Option("--start", metavar=output.DAY, help="第一个批次日期，YYYY-MM-DD — First night, YYYY-MM-DD.")] = "2026-07-13",
    defect_rate: Annotated[float, typer.Option("--defect-rate", min=0.0, max=0.5,
                                               help="带有逼真缺陷的行所占比例 — Share of rows given a realistic defect.")] = 0.01,
) -> None:
    """为 N 个主体写出 K 个逼真的夜间交付批次，同一种子结果确定 — Write K realistic nightly drops for N entities, deterministic for a seed."""
    from rich.progress import Progress, TaskID

    from credit.sample import write_sample

    out = output.out_folder(out)
    with Progress(console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        folders = write_sample(out, entities, nights, seed=seed, start=parse_day(start, "--start"),
                               defect_rate=defect_rate, progress=progress)
    for f in folders:
        console.print(f"已写入 wrote {f}", markup=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """在 CREDIT_DATABASE_URL 所指（或内嵌）的数据库中创建或迁移数据库结构 — Create or migrate the schema of the database in CREDIT_DATABASE_URL (or the embedded one)."""
    from credit import schema
    from credit.db import get_engine

    console.print(f"schema at revision {schema.upgrade(get_engine())}")


@db_app.command("url")
def db_url() -> None:
    """显示正在使用的数据库地址（需要时启动内嵌服务器） — Print the database URL in use (starting the embedded server if needed)."""
    from credit.db import database_url

    console.print(database_url(), markup=False)


@app.command()
def quarantine(
    date_: DateOpt,
    source: Annotated[str | None, typer.Option("--source", help="仅限此来源 — Only this source.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="最多显示的行数（0：全部） — At most this many rows (0: all).")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出：{night, total, shown, rows} — JSON: {night, total, shown, rows}.")] = False,
) -> None:
    """批次 D 被隔离的行：文件、行号、规则、原因及原始内容；并说明 --limit 省略了多少行。未发布的批次或未知的 --source 予以拒绝（退出码 2） — The rows held back on night D: file, line, rule, reason and the row as it came; says how
    many rows a --limit left out. A night not published, or an unknown --source, is refused (exit 2)."""
    from credit.contract.sources import SOURCES
    from credit.db import engine_for
    from credit.night.read import published_at, quarantine_count, quarantined_rows
    from credit.settings import get_settings

    night = parse_day(date_, "--date")
    if source is not None and source not in SOURCES:
        output.refuse(f"--source {source!r}：没有该来源 (no such source; one of {', '.join(SOURCES)})")
    with engine_for(get_settings()).connect() as conn:
        total = quarantine_count(conn, night, source)
        if not total and published_at(conn, night) is None:
            # the publishing transaction writes the quarantine: "0 rows" would say nothing was held back
            output.refuse_unpublished(night, "隔离区中尚无其记录", "nothing held back is recorded yet")
        rows = quarantined_rows(conn, night, source, limit or max(total, 1))
    if as_json:
        output.emit_json({"night": night.isoformat(), "source": source, "total": total, "shown": len(rows),
                          "rows": rows})
        return
    table = output.table("文件 file", "行 line", "规则 rule", "原因 reason", "原始内容 raw",
                         title=f"隔离区 quarantine {night}" + (f" · {output.esc(source)}" if source else ""))
    for r in rows:
        table.add_row(r["file"], str(r["line"]), r["rule"], r["reason"], output.cell(r["raw"]), end_section=False)
    console.print(table)
    note = output.cut_note(len(rows), total)
    console.print(note or f"共 {total:,} 行 ({total:,} rows)", markup=False)


def _wire() -> None:
    """Mount the commands of each area (their modules live in credit/cli/commands/)."""
    from credit.cli.commands import (
        api,
        draws,
        grading,
        notices,
        officers,
        quality,
        rosters,
        security,
        serious,
        storage,
    )

    app.add_typer(draws.app, name="draw", help="双随机、一公开抽查 — Double-random inspection draws (双随机抽查).")
    app.add_typer(grading.app, name="grades", help="信用风险分类 A–D 及其理由 — Credit-risk tiers A–D with reasons.")
    for name in ("status_command", "deadlines_command"):
        fn = getattr(rosters, name, None)
        if fn is not None:
            app.command(name.removesuffix("_command"))(fn)
    for name, help_text in (("roster", "某日的名录（经营异常名录、严重违法失信名单） — The rosters as of a date."),
                            ("repair", "信用修复 — Credit repair (信用修复)."),
                            ("objection", "异议 — Objections (异议)."),
                            ("decision", "执法人员对决定草案的审批 — Officers' decisions on drafts."),
                            ("audit", "决定日志的哈希链 — The decision log's hash chain.")):
        sub = getattr(rosters, f"{name}_app", None)
        if sub is not None:
            app.add_typer(sub, name=name, help=help_text)
    app.command("notices")(notices.notices_command)
    app.command("quality")(quality.quality_command)
    app.add_typer(serious.app, name="serious", help="严重违法失信名单程序（裁量评估、上级同意） — The serious-list procedure (严重违法失信名单: 评估、上级同意).")
    app.command("serve")(api.serve_command)
    app.add_typer(api.api_app, name="api", help="数据使用方和本局人员的 API 密钥 — API keys of consumers and bureau staff.")
    app.add_typer(officers.app, name="officers", help="本局工作台的执法人员账户 — Officers' accounts of the bureau workbench.")
    app.add_typer(api.certificate_app, name="certificate", help="筛查证明 — Screening certificates (筛查证明).")
    app.add_typer(security.keys_app, name="keys", help="本局的签名密钥（Ed25519） — The bureau's signing key (Ed25519).")
    app.command("verify-signature")(security.verify_signature_command)
    app.command("retention")(storage.retention_command)
    db_app.command("backup")(security.db_backup)
    db_app.command("restore")(security.db_restore)
    db_app.command("roles")(security.db_roles)
    db_app.command("airflow-role")(security.db_airflow_role)


_wire()


def _reader_gone(code: object) -> bool:
    """Whether the command stopped because standard output's reader went away (``credit quarantine
    | head``, ``credit roster export | head``): typer ends a command whose write met the closed
    pipe (EPIPE) with exit 1, and the kernel reports that pipe as having no reader (POLLERR)."""
    import select

    if code != 1:
        return False
    try:
        poller = select.poll()
        poller.register(sys.__stdout__.fileno() if sys.__stdout__ else 1, select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError):   # standard output closed or not a file descriptor: nothing to tell
        return False


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush of what is still
    buffered for the closed pipe prints no "Exception ignored … BrokenPipeError" at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    os.close(devnull)


def main() -> None:
    """Entry point of the ``credit`` command: database faults become one clear line, not a
    traceback; a listing whose reader stopped early (``| head``) ends quietly with exit 0, as
    ``seq 1000000 | head`` users expect — once here for every command."""
    try:
        _main()
    except SystemExit as e:
        if _reader_gone(e.code):
            _quiet_stdout()
            raise SystemExit(0) from None
        raise


def _main() -> None:
    import sqlalchemy.exc
    from pydantic import ValidationError

    from credit.config import ConfigError
    from credit.db import EmbeddedDatabaseError
    from credit.logs import configure_logging
    from credit.settings import get_settings
    from credit.signing import SigningKeyError

    try:
        configure_logging(get_settings().log_format)   # CREDIT_LOG_FORMAT=json: JSON lines on standard error
    except ValidationError as e:
        first = e.errors()[0]
        name = "CREDIT_" + "_".join(str(p) for p in first["loc"]).upper()
        err.print(f"{output.REFUSED} 设置有误 (bad setting) {output.esc(name)}: {output.esc(first['msg'])}")
        raise SystemExit(2) from None
    from typer.exceptions import TyperException

    try:
        # Not standalone: the parser's refusals come here to be said in Chinese first (standalone,
        # Typer prints them in English in a box); a command's end is 0, an Exit its own code.
        code = app(standalone_mode=False)
    except TyperException as e:   # click's ClickException and its usage errors, as Typer keeps them
        err.print(f"{output.REFUSED} {output.esc(output.usage_problem(e))}")
        raise SystemExit(getattr(e, "exit_code", 2)) from None
    except typer.Abort:
        err.print("已中止 (Aborted!)", markup=False)
        raise SystemExit(1) from None
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError) as e:
        output.database_fault(e)   # out of disk (class 53) or cannot reach the database
        raise SystemExit(1) from None
    except ConfigError as e:
        err.print(f"{output.REFUSED} 配置有误 (bad configuration) {output.esc(e)}")
        err.print("请改正该文件（或取消 CREDIT_CONFIG_DIR，使用自带的配置）后重新运行 (fix that file, or unset "
                  "CREDIT_CONFIG_DIR for the bundled one, and run the command again)", markup=False)
        raise SystemExit(2) from None
    except (sqlalchemy.exc.ArgumentError, EmbeddedDatabaseError) as e:
        err.print(f"[red]数据库设置有误 (bad database setting): {output.esc(e)}[/red]")
        raise SystemExit(1) from None
    except SigningKeyError as e:   # a key that cannot be read, handed over, or not in the keyring
        err.print(f"{output.REFUSED} 签名密钥有误，未签署 (signing key: nothing signed) {output.esc(e)}")
        raise SystemExit(2) from None
    raise SystemExit(code if type(code) is int else 0)
