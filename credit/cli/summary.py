"""How a night is shown to the officer on duty: tables, and nested parts of the summary (counts per
roster and action, per department, the chain head) as ``key: value`` rows with Chinese names —
never a Python dict (issue 15). ``--json`` gives the stored summary as it is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from credit.cli import output
from credit.contract.sources import SOURCES
from credit.issues import rendered
from credit.night.issues import NightRefused
from credit.night.records import NightSummary
from credit.night.summary_lines import unlisted_lines


def print_summary(console: Console, summary: NightSummary) -> None:
    night = summary.get("night")
    if summary.get("already_published"):
        console.print(f"[yellow]批次 {night} 此前已发布，本次未作任何改动 "
                      f"(night {night} was already published; nothing changed.)[/yellow]")
    files = output.table("文件 file", "数据源 source", "方式 mode", "读入 rows in", "接收 accepted",
                         "隔离 quarantined", "质量关口 gate",
                         title=f"批次 night {night} — 输入快照 input snapshot "
                               f"{escape(str(summary.get('manifest_digest', ''))[:12])}")
    warnings: list[str] = []
    for f in summary.get("files", []):
        files.add_row(f["file"], _source(f["source"]), f"{MODES.get(f['mode'], '')} {f['mode']}".strip(),
                      f"{f['rows_in']:,}", f"{f['accepted']:,}", f"{f['quarantined']:,}",
                      Text("通过 pass", style="green") if not f["failures"] else Text("未通过 fail", style="red"))
        warnings += [_issue_line(w) for w in f.get("warnings", [])]
    warnings += [_issue_line(w) for w in summary.get("shrink_accepted", [])]   # --accept-shrink, confirmed
    if summary.get("gap_allowed"):
        warnings.append("以 --allow-gap 运行：允许此前缺失的批次不再发布 "
                        "(run with --allow-gap: the missing nights before it were confirmed as delivering nothing)")
    if skipped := summary.get("skipped_delivered"):
        days = ", ".join(skipped)
        warnings.append(f"以 --skip-night 放弃已交付但无法发布的批次 {days}，其变更未载入 "
                        f"(given up with --skip-night: delivered night(s) {days} could not be published; "
                        f"their changes were not loaded)")
    console.print(files)
    for w in warnings:
        console.print(f"  [yellow]![/yellow] {escape(w)}")
    for line in unlisted_lines(summary):   # files the manifest does not list were not read (contracts.md §1)
        console.print(f"[yellow]{escape(line)}[/yellow]")
    merges = output.table("数据源 source", "新增 new", "变更 changed", "删除 dropped", title="主体库 entity store")
    for m in summary.get("merges", []):
        merges.add_row(_source(m["source"]), f"{m['new']:,}", f"{m['changed']:,}", f"{m['dropped']:,}")
    console.print(merges)
    scope = summary.get("scope")
    if scope:   # issue 11: which entities the night re-decided and re-graded, and why
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(scope["reasons"].items()))
        console.print(f"处理范围 scope：{SCOPES.get(scope['mode'], '')} {scope['mode']}，"
                      f"{scope['entities']:,} 个主体 entities（原因 reasons: {escape(reasons)}）")
    for area, title in (("rosters", "名录决定 rosters"), ("grading", "信用风险分类 grading"),
                        ("notices", "双告知 notices")):
        part = summary.get(area)
        if isinstance(part, Mapping) and part:
            t = output.table("项目 item", "值 value", title=title)
            for key, text in output.flat_items(_in_order(part)):
                t.add_row(output.summary_key(key), text or "（无）")   # a first night has no previous night
            console.print(t)
    stages = output.table("阶段 stage", "秒 seconds", title="用时 timings")
    for k, v in _stages_in_run_order(summary):
        stages.add_row(_stage(k), f"{v:.2f}")
    console.print(stages)
    console.print(f"配置版本 config {summary.get('config_version')}", markup=False)


MODES = {"full": "全量", "delta": "增量"}                  # a file's mode (contracts.md §1)
SCOPES = {"full": "全量", "incremental": "增量"}           # a night's scope (docs/incremental.md)
#: The night's stages by the names an officer reads in the summary (credit.night.steps times them).
STAGES = {"scope": "处理范围", "store": "主体库", "rosters": "名录决定", "grading": "信用风险分类",
          "notices": "双告知", "ingest": "读入", "partition": "分区"}


#: The order the night runs its stages in (credit.night.steps): ingest, partitions, then the rest.
RUN_ORDER = ("ingest", "partition", "store", "scope", "rosters", "grading", "notices")


def _stages_in_run_order(summary: NightSummary) -> list[tuple[str, float]]:
    """The timed stages in the order the night ran them, the files in the manifest's order. The
    summary a published night stored comes back from PostgreSQL's jsonb with its keys sorted by
    length (``scope`` and ``store`` before every ``ingest …``): printed as read, an already
    published night (``credit nightly`` run again, ``credit summary``) listed them out of order."""
    files = [str(f.get("file")) for f in summary.get("files", [])]

    def rank(item: tuple[str, float]) -> tuple[int, int, str]:
        head, _, rest = item[0].partition(" ")
        at = RUN_ORDER.index(head) if head in RUN_ORDER else len(RUN_ORDER)
        within = files.index(rest) if head == "ingest" and rest in files else int(rest) if rest.isdigit() else 0
        return at, within, item[0]

    return sorted(summary.get("stages", {}).items(), key=rank)


def _in_order(part: Mapping[str, Any]) -> dict[str, Any]:
    """A part of the summary (rosters, grading, notices) with its items in one order, the labels'
    (:data:`output.SUMMARY_KEYS`), whether it was just computed or read back from jsonb, which
    sorts keys by length; keys without a label keep their place after them."""
    known = list(output.SUMMARY_KEYS)
    return dict(sorted(part.items(), key=lambda kv: known.index(kv[0]) if kv[0] in known else len(known)))


def _source(code: str) -> str:
    """A drop source by its Chinese name with the code kept (登记 registration)."""
    found = SOURCES.get(code)
    return f"{found.label} {code}" if found is not None else code


def _stage(stage: str) -> str:
    """A timed stage in Chinese with its code kept: ``ingest tax.parquet`` → ``读入 ingest tax.parquet``,
    ``partition 2`` → ``分区 partition 2``; a stage the table does not know stays as it is."""
    head = stage.split(" ", 1)[0]
    return f"{STAGES[head]} {stage}" if head in STAGES else stage


def _issue_line(stored: object) -> str:
    """A stored issue as one line; nights published before issues were records stored the sentence."""
    if isinstance(stored, Mapping):
        line = stored.get("line")
        return rendered(stored.get("file"), line if isinstance(line, int) else None, stored.get("zh"),
                        stored.get("en"), stored.get("code"))
    return str(stored)


def print_refusal(console: Console, error: NightRefused) -> None:
    """The refusal's headline, begun as every refusal of the command line (``拒绝 refused:``,
    contracts.md §2), then one line per issue, each naming its file, line where known, and rule."""
    console.print(f"{output.REFUSED} [bold red]批次 {error.night} 被拒绝，昨日的状态未变 "
                  f"(night {error.night} refused — yesterday's state is unchanged.)[/bold red]")
    for issue in error.issues:
        console.print(f"  [red]•[/red] {escape(issue.text())}")


def print_interrupted(err: Console, night: date, signal_name: str) -> None:
    """Say what became of a night whose run was stopped (SIGTERM, Ctrl-C): a night is published in
    one transaction, so it is either published whole or not at all, and the database says which."""
    try:
        published = stored_summary(night) is not None
    except Exception:   # the database itself may be what is going away: say what is known
        published = None
    err.print(f"批次 {night} 的运行被中断（{signal_name}） (the run of night {night} was stopped by {signal_name}).",
              style="red", markup=False)
    if published is None:
        err.print("一个批次只会整体发布或完全不发布 (a night is published whole or not at all): "
                  f"`credit summary --date {night}` says which; run the same command again.", markup=False)
    elif published:
        err.print(f"批次 {night} 已完整发布 (night {night} was published whole before the stop); "
                  "running the same command again changes nothing.", markup=False)
    else:
        err.print(f"批次 {night} 未发布，昨日的状态未变 (nothing of night {night} was published; "
                  "yesterday's state stays): run the same command again.", markup=False)


def stored_summary(night: date) -> NightSummary | None:
    """The summary stored with published night ``night``; None when it is not published."""
    from credit import sqlfiles
    from credit.db import engine_for
    from credit.settings import get_settings

    with engine_for(get_settings()).connect() as conn:
        summary = conn.execute(sqlfiles.statement("night/stored_summary"), {"n": night}).scalar()
    return cast(NightSummary | None, summary)


def print_stored_summary(console: Console, night: date, *, as_json: bool = False) -> bool:
    """Print the summary stored with a published night (as JSON with ``as_json``); False, printing
    nothing, when the night is not published (the command refuses it: :func:`output.refuse_unpublished`)."""
    summary = stored_summary(night)
    if summary is None:
        return False
    if as_json:
        output.emit_json(summary)
    else:
        print_summary(console, summary)
    return True
