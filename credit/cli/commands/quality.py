"""``credit quality --night D [--json]``: night D's Great Expectations results (the quality view, issue 15).

One row per expectation of each file's suite: the rule, its column and parameters, what it
observed (unexpected rows and their share, or the measured value), pass or fail, and the same
rule's values over the last published nights. ``--json`` prints the records the API serves
(``GET /v1/bureau/quality/{night}``). Exit 2 when ``--night`` is not a date or the night is not
published (not run yet, or refused); a published night whose drop held no file says so (exit 0).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from credit.cli import output

# The shared console: uncut tables off a terminal, no emoji codes in data (credit.cli.output).
console = output.console()


def _value(v: float | None, percent: bool) -> str:
    return "—" if v is None else (f"{v:.2f}%" if percent else f"{v:.4g}")


def quality_command(
    night: Annotated[str, typer.Option("--night", metavar=output.DAY, help="批次日期，YYYY-MM-DD — The night, YYYY-MM-DD.")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果 — The results as JSON.")] = False,
) -> None:
    """已发布批次 D 的数据质量：每个文件的每项期望、观测值、通过/未通过及趋势 — Data quality of published night D: every expectation per file, observed value, pass/fail, trend."""
    from credit.db import engine_for
    from credit.night.quality_results import night_results
    from credit.night.read import published_at
    from credit.settings import get_settings

    d = output.day_arg(night, "--night")
    with engine_for(get_settings()).connect() as conn:
        results = night_results(conn, d)
        if not results and published_at(conn, d) is None:
            output.refuse_unpublished(d, "尚无其数据质量结果", "it has no quality results yet")
    if as_json:
        print(json.dumps({"night": d, "results": results}, ensure_ascii=False, default=str, indent=1))
        return
    files: dict[str, Table] = {}
    for r in results:
        t = files.get(r["file"])
        if t is None:
            t = files[r["file"]] = output.table("#", "规则 rule", "字段 column", "参数 parameters", "范围 scope",
                                                "观测 observed", "结论 verdict", "趋势 trend",
                                                title=f"{d} {output.esc(r['file'])}")
        percent = r["unexpected_percent"] is not None
        observed = (f"{r['unexpected_count']}/{r['element_count']} ({_value(r['unexpected_percent'], True)})"
                    if r["unexpected_count"] is not None else _value(r["measure"], False))
        trend = " ".join(_value(p["value"], percent) + ("" if p["success"] else "✗") for p in r["trend"])
        t.add_row(str(r["seq"] + 1), r["label"], r["column"] or "", r["parameters"],
                  "整批 file" if r["critical"] else "逐行 rows", observed,
                  Text("通过 pass", style="green") if r["success"] else Text("未通过 fail", style="red"), trend)
    for t in files.values():
        console.print(t)
    if not results:   # published, but its drop listed no file: nothing was checked
        console.print(f"{d}: 该批次没有文件，没有数据质量结果 (the night had no file: no quality results)", markup=False)
