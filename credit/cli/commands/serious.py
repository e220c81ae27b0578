"""Command-line commands of the serious-list procedure (严重违法失信名单, domain.md §4).

- ``credit serious list [--on D] [--uscc U] [--all] [--json]``  → the procedures with their steps,
  next step and limit (open ones unless ``--all``)
- ``credit serious assess REF [--uscc U] --officer O --intent … --frequency … --harm … --outcome list|not_list``
  → the officer's art. 12 assessment
- ``credit serious consent REF [--uscc U] --officer O --authority A --consented-on D --document NO``
  → the next-higher bureau's consent (or ``--outcome refused``)

REF: the penalty's case number, or the seq/文号 of a step. A penalty corrected to name another
entity has a procedure per entity (domain.md §4): name the entity with ``--uscc U`` (or type
``CASE_NO:U``, the procedure's key as ``serious list`` shows it); a case number alone that names
procedures of several entities is refused with each of them.

Exit 2 = refused, with the reason printed (contracts.md §2).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from credit.cli import output
from credit.cli.help import BureauTyper

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

app = BureauTyper(no_args_is_help=True,
                  help="严重违法失信名单程序：拟列入 → 告知 → 陈述申辩 → 裁量评估 → 上级同意 → 列入 → 公示 — The serious-list procedure (拟列入 → 告知 → 陈述申辩 → 裁量评估 → 上级同意 → 列入 → 公示).")
console = output.console()
err = output.console(stderr=True)


USCC_HELP = ("所指的是该案中哪一主体的程序（案件更正为另一主体后，每个主体各有一个程序）；或将 REF 写作 CASE_NO:USCC — "
             "The entity whose procedure on the case is meant (a penalty corrected to name another entity "
             "has one per entity); or type REF as CASE_NO:USCC.")


def _day(text: str | None, what: str) -> date:
    if text is None:
        from credit.clock import today

        return today()  # an officer's "now" on the bureau's clock; the nightly path never reads it
    return output.day_arg(text, what)


def _engine() -> Engine:
    from credit.db import get_engine
    from credit.settings import get_settings

    return get_engine(get_settings())


def _json(obj: Any) -> None:
    sys.stdout.write(output.json_shown(json.dumps(obj, ensure_ascii=False, indent=1, default=str)) + "\n")


@app.command("list")
def serious_list(
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="日期 YYYY-MM-DD（默认今天） — Date YYYY-MM-DD (default today).")] = None,
    uscc: Annotated[str | None, typer.Option("--uscc", help="仅限此主体 — One entity only.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="包括已结束的程序 — Closed procedures too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False,
) -> None:
    """严重违法失信名单程序：各步骤、下一步、由谁办理及期限 — Serious-list procedures with their steps, the next step, who acts and by when."""
    from credit.rosters.serious import procedures

    day = _day(on, "--on")
    code = output.checked_uscc(uscc) if uscc else None   # refused as the API's ?uscc= is (domain.md §1)
    with _engine().connect() as conn:
        rows = procedures(conn, day, code, open_only=not show_all)
    if as_json:
        _json(rows)
        return
    from credit.rosters.labels import ACTOR_LABELS, procedure_state_label

    t = output.table("案件 case", "统一社会信用代码", "机关 authority", "状态 state", "已办步骤 steps", "下一步 next",
                     "期限 by", "办理人 who", title=f"严重违法失信名单列入程序 serious list procedures on {day}")
    for p in rows:
        steps = "\n".join(f"{s['date']} {s['label']}" + (f" {s['decision_no']}" if s["decision_no"] else "")
                          for s in p["steps"])
        t.add_row(p["case_no"], p["uscc"], p["authority"], procedure_state_label(p["state"]), steps, p["next_step_label"] or "",
                  p["next_by"] or (f"{p['next_by_provisional']}（暂定：{p['next_by_note']}）"
                                   if p["next_by_provisional"] else ""),
                  ACTOR_LABELS.get(p["next_actor"] or "", p["next_actor"] or ""))
    console.print(t)


@app.command("assess")
def serious_assess(
    ref: Annotated[str, typer.Argument(help="行政处罚的案号，或某一步骤（告知）的序号或文号 — The penalty's case number, or the seq or 文号 of a step (the notice).")],
    officer: Annotated[str, typer.Option("--officer", help="评估人（予以记录） — Who assessed (recorded).")],
    intent: Annotated[str, typer.Option("--intent", help="主观过错（第十二条）：故意 intentional | 过失 negligent | 当事人能够证明没有主观故意 no_intent_proven（不予列入） — intentional | negligent | no_intent_proven (the party proved it had no intent: not listed).")],
    frequency: Annotated[str, typer.Option("--frequency", help="违法频次，如“三年内第二次” — How often, e.g. '三年内第二次'.")],
    harm: Annotated[str, typer.Option("--harm", help="危害后果（对健康的危害、损失、社会影响） — Harm (to health, loss, social effect).")],
    outcome: Annotated[str, typer.Option("--outcome", help="结果：列入 list | 不予列入 not_list — list | not_list.")],
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="评估日期（默认今天） — Date of the assessment (default today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注（予以记录） — A note (recorded).")] = None,
    uscc: Annotated[str | None, typer.Option("--uscc", help=USCC_HELP)] = None,
) -> None:
    """登记第十二条裁量评估（44号令第十二条）；not_list 同时作出有文号的不予列入决定 — Record the art. 12 assessment (44号令 art. 12); not_list also issues the numbered 不予列入."""
    from credit.rosters.serious_officers import Refused, record_assessment

    day = output.recorded_day(on, "--on")   # not after today, as POST …/serious/{case}/assessment
    code = output.checked_uscc(uscc) if uscc else None
    try:
        with _engine().begin() as conn:
            out = record_assessment(conn, ref, officer=officer, on=day, intent=intent, frequency=frequency,
                                    harm=harm, outcome=outcome, note=note, uscc=code)
    except Refused as e:
        output.refuse(str(e))
    for s in out:
        console.print(f"decision {s['seq']} ({s['action']}) {s['decision_no'] or ''} case {s['case_no']}", markup=False)


@app.command("consent")
def serious_consent(
    ref: Annotated[str, typer.Argument(help="行政处罚的案号，或某一步骤的序号或文号 — The penalty's case number, or the seq or 文号 of a step.")],
    officer: Annotated[str, typer.Option("--officer", help="登记人 — Who records it.")],
    authority: Annotated[str, typer.Option("--authority", help="作出同意的上一级部门 — The consenting next-higher bureau.")],
    consented_on: Annotated[str, typer.Option("--consented-on", metavar=output.DAY, help="上一级部门答复的日期 — Date of the bureau's answer.")],
    document: Annotated[str, typer.Option("--document", help="其文号 — Its document number (文号).")],
    outcome: Annotated[str, typer.Option("--outcome", help="结果：同意 granted | 不同意 refused — granted | refused.")] = "granted",
    on: Annotated[str | None, typer.Option("--on", metavar=output.DAY, help="登记日期（默认今天） — Date recorded (default today).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注（予以记录） — A note (recorded).")] = None,
    uscc: Annotated[str | None, typer.Option("--uscc", help=USCC_HELP)] = None,
) -> None:
    """登记上一级部门对县级、设区的市级机关列入决定的同意 — Record the next-higher bureau's consent to a listing by a county- or city-level authority."""
    from credit.rosters.serious_officers import Refused, record_consent

    day = output.recorded_day(on, "--on")   # both not after today, as POST …/serious/{case}/consent
    given = output.recorded_day(consented_on, "--consented-on")
    code = output.checked_uscc(uscc) if uscc else None
    try:
        with _engine().begin() as conn:
            out = record_consent(conn, ref, officer=officer, on=day, consenting_authority=authority,
                                 consented_on=given, document_no=document, outcome=outcome, note=note, uscc=code)
    except Refused as e:
        output.refuse(str(e))
    for s in out:
        console.print(f"decision {s['seq']} ({s['action']}) {s['decision_no'] or ''} case {s['case_no']}", markup=False)
