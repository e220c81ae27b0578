"""Command-line commands of the grading area (wired into `credit` by credit/cli.py as ``credit grades``).

- ``credit grades show USCC [--as-of D] [--json]``: the tier on or before D with its ordered
  reasons and the facts whose change would move it up a tier.
- ``credit grades transitions [--night D] [--json]``: the tier movements of a graded night.

Exit 2 (with the reason printed) when there is nothing to show.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from credit.cli import output
from credit.cli.help import BureauTyper
from credit.grading.read import latest_graded_night
from credit.grading.read import transitions as transitions_on
from credit.grading.scheme import TIERS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = BureauTyper(no_args_is_help=True)
console = output.console()
err = output.console(stderr=True)


def _engine() -> Engine:
    from credit.db import get_engine
    from credit.settings import get_settings

    return get_engine(get_settings())


@app.command("show")
def show(
    uscc: Annotated[str, typer.Argument(metavar=output.USCC, help="主体的统一社会信用代码 — The entity's unified social credit code.")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar=output.DAY, help="日期 YYYY-MM-DD；默认：最近一次分类的批次 — YYYY-MM-DD; default: the latest graded night")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 代替表格输出 — print JSON instead of tables")] = False,
) -> None:
    """显示主体的信用风险分类等级及其理由和改进办法 — Show an entity's credit-risk tier (信用风险分类) with its reasons and how to improve it."""
    from credit.grading.read import grade_of
    from credit.rosters.read import latest_night
    from credit.settings import get_settings

    day = output.day_arg(as_of, "--as-of") if as_of else date.max
    # Refused (exit 2) as `credit status` and the API refuse it (GB 32100-2015, domain.md §1): a
    # mistyped code would otherwise read as "no grade" for a real entity.
    uscc = output.checked_uscc(uscc)
    with _engine().connect() as conn:
        g = grade_of(conn, uscc, day, get_settings())
        through = latest_night(conn) if as_of else None
    if g is None:
        output.refuse(f"{uscc}: 没有分类结果（不在营，或尚未分类） (no grade on {as_of or 'the latest graded night'}: not operating, or not graded yet)")
    # A date after the latest night gets that night's grade, and later nights may change it: said
    # as `credit status` says it (data_through / beyond_data, and the warning).
    beyond = as_of is not None and (through is None or day > through)
    if as_json:
        extra = {} if as_of is None else {"data_through": through.isoformat() if through else None,
                                          "beyond_data": beyond}
        output.emit_json({"uscc": uscc, **g, **extra})
        return
    console.print(f"[bold]{output.esc(uscc)}[/bold]  等级 tier [bold]{output.esc(g['grade'])}[/bold] "
                  f"{output.esc(g['label'])}"
                  + (f"（{output.esc(g['local_label'])}）" if g.get("local_label") not in (None, g["label"]) else "")
                  + f"  分数 score {g['score']:g}  批次 night {g['night']}  配置 config {output.esc(g['config_version'])}"
                  + f"  名录配置 rosters {output.esc(g['rosters_version'])}")
    if beyond:
        console.print(output.beyond_data_warning(day), style="yellow", markup=False)
    t = output.table(title="原因 Reasons (most important first)")
    for c in ("代码 code", "原因", "值 value", "分值 contribution"):
        t.add_column(c)
    for r in g["reasons"]:
        contrib = f"等级不低于 {r['floor']} (tier ≥ {r['floor']})" if r.get("floor") else str(r["contribution"])
        t.add_row(r["code"], r["text"], output.cell(r["value"]), contrib)
    console.print(t)
    if g["to_improve"]:
        t2 = output.table(title="提升一级需改变 What would move the tier up one level")
        for c in ("代码 code", "事实", "值 value", "如何 how"):
            t2.add_column(c)
        for i in g["to_improve"]:
            t2.add_row(i["code"], i["text"], output.cell(i["value"]), i["change"])
        console.print(t2)


@app.command("transitions")
def transitions(
    night: Annotated[str | None, typer.Option("--night", metavar=output.DAY, help="日期 YYYY-MM-DD；默认：最近一次分类的批次 — YYYY-MM-DD; default: the latest graded night")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 代替表格输出 — print JSON instead of a table")] = False,
) -> None:
    """显示某一分类批次中在各等级之间变动的主体数（A→C 等） — Show how many entities moved between tiers on a graded night (A→C and so on)."""
    day: date | None = output.day_arg(night, "--night") if night else None
    with _engine().connect() as conn:
        if day is None:
            day = latest_graded_night(conn)
            if day is None:
                output.refuse("没有已分类的批次 (no graded night yet)")
        rows = transitions_on(conn, day)
    if not rows:
        output.refuse(f"{day}: 该批次没有分类结果 (night not graded)")
    if as_json:
        typer.echo(json.dumps({"night": str(day), "transitions": [
            {"from": f, "to": t, "count": int(c)} for f, t, c in rows]}, ensure_ascii=False))
        return
    cols = ["-", *TIERS]   # '-': not graded on the previous night
    m = {(f, t): int(c) for f, t, c in rows}
    tab = output.table(title=f"等级迁移 Transitions {day} (rows: previous night, columns: this night; '-' = not graded)")
    tab.add_column("from \\ to")
    for c in cols:
        tab.add_column(c, justify="right")
    for f in cols:
        if any((f, t) in m for t in cols):
            tab.add_row(f, *[f"{m.get((f, t), 0):,}" for t in cols])
    console.print(tab)
