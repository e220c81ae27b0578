"""``credit retention [--apply] [--json]``: months of operational data past their period (issue 11).

A dry run by default: every month of every table ``config/retention.yaml`` names (operational
tables partitioned by night month, migration 0026), with what retention would do and why.
``--apply`` drops the months marked drop, in one transaction, as the database owner (any other
role is refused, exit 2, before anything is planned; the function it calls refuses legal
records, default partitions, recent months and quarantine months that still hold back a
decision; docs/storage.md). Exit 2 when the configuration cannot be followed. The DAG
``credit_retention`` runs the same step (``credit.retention.run``) after each published night.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from credit.cli import output

# The shared console: uncut tables off a terminal, no emoji codes in data (credit.cli.output).
console = output.console()
err = output.console(stderr=True)


def retention_command(
    apply_: Annotated[bool, typer.Option("--apply", help="删除标为 drop 的月份（默认：只演练） — Drop the months marked drop (default: a dry run).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出各月份及处理方式 — The months and actions as JSON.")] = False,
) -> None:
    """运行数据（暂存、隔离区等）的保存期限：默认只演练不删除；法律记录从不删除 — Retention of operational data (staging, quarantine…): dry run by default; legal records are never deleted."""
    import sqlalchemy as sa

    from credit import retention
    from credit.db import engine_for
    from credit.settings import get_settings

    settings = get_settings()
    try:
        with engine_for(settings).begin() as conn:   # the step the DAG credit_retention runs
            done = retention.run(conn, settings, apply_)
    except retention.RetentionError as e:
        output.refuse(str(e))
    except sa.exc.DBAPIError as e:
        output.refuse(f"数据库拒绝了保存期限的处理，未删除任何数据 (retention refused by the database, nothing dropped): "
                      f"{str(e.orig).splitlines()[0]}")
    version, actions, dropped = done.config_version, done.months, done.dropped
    if as_json:
        print(json.dumps({"config_version": version, "applied": apply_, "dropped": dropped, "months": actions},
                         ensure_ascii=False, default=str, indent=1))
        return
    t = output.table("表 table", "分区 partition", "从 from", "至 to", "行 rows≈", "MB", "处理 action", "原因 reason",
                     title=f"retention ({output.esc(version)}){'' if apply_ else ' — dry run, nothing dropped (--apply to drop)'}")
    for a in actions:
        verb = (Text("已删除 dropped", style="red") if apply_ else Text("将删除 drop", style="yellow")) \
            if a["action"] == "drop" else "保留 keep"
        t.add_row(a["table"], a["partition"], str(a["start"] or "—"), str(a["end"] or "—"), f"{a['rows']:,}",
                  f"{a['bytes'] / 1e6:.1f}", verb, a["reason"])
    console.print(t)
    if not actions:
        console.print("no operational table is configured for retention (config/retention.yaml): nothing to do")
