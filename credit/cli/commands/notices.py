"""``credit notices``: the 双告知 notices a night produced, per licensing department (domain.md §11).

``credit notices --night D [--department X] [--format csv|json|xlsx] [--out F]``: without
``--format`` a table per department on the terminal; with it, the notices as a file for the
department's inbox (CSV is UTF-8 with BOM; xlsx keeps the USCC as text). With ``--letters``, the
applicant's half: one 告知书 per registration event naming every licence it needs
(:mod:`credit.notices.letters`; with ``--department``, the letters that name that department). Exit 2 with the reason
when the night is not a date or not published (no notices exist yet), the department is neither in
config/notices.yaml nor named by any notice, the format unknown, or ``--out`` given without ``--format``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from credit.cli import output

if TYPE_CHECKING:
    from credit.notices.read import Notice
    from credit.settings import Settings

console = output.console()
err = output.console(stderr=True)


def notices_command(
    night: Annotated[str, typer.Option("--night", metavar=output.DAY, help="批次日期，YYYY-MM-DD — The night, YYYY-MM-DD.")],
    department: Annotated[str | None, typer.Option(
        "--department", help="仅限此许可部门（其在 config/notices.yaml 中的名称） — Only this licensing department (its name in config/notices.yaml).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="输出格式（默认：表格） — csv | json | xlsx (default: tables).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="写入此文件（与 --format 同用），连同其签名文件 FILE.sig.json（默认或 -：标准输出，不签名）。缺失的目录会被创建，并在标准错误上列出 — Write to this file (with --format), with its signature FILE.sig.json (default, or -: standard "
        "output, unsigned). "
        + output.OUT_FOLDERS)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="同 --format json — Same as --format json.")] = False,
    letters: Annotated[bool, typer.Option(
        "--letters", help="给申请人的告知书：每个登记事项一份，列出所需的全部许可 — The applicants' letters (告知书): one per registration event, every licence it needs.")] = False,
) -> None:
    """双告知：批次 D 推送给各许可部门的登记信息（新设登记和变更为许可行业），按部门列出 — 双告知: the registrations night D pushed to licensing departments (new registrations and
    changes into a licensed industry), per department."""

    from credit import clock
    from credit.config import load_config
    from credit.db import engine_for
    from credit.notices.export import FORMATS, notices_note, render
    from credit.notices.read import by_department, department_known, night_published, notices_of_night
    from credit.notices.rules import rules_of
    from credit.settings import get_settings

    if as_json and fmt not in (None, "json"):
        output.refuse(f"--json 与 --format {fmt} 互相矛盾，只能给一个 (--json and --format {fmt} contradict each other)")
    fmt = "json" if as_json else fmt
    day = output.day_arg(night, "--night")
    if fmt is not None and fmt not in FORMATS:
        output.refuse(f"--format「{fmt}」：格式应为 {'、'.join(FORMATS)} 之一 (--format must be one of {', '.join(FORMATS)})")
    if fmt is None and out is not None and not output.is_stdout(out):   # a table is not a file: nothing written
        output.refuse(f"--out {out} 须同时给出 --format csv|json|xlsx：不给格式时只在屏幕上显示表格，不写文件 (--out needs "
                "--format csv|json|xlsx: without it the tables are shown on screen and no file is written)")
    if fmt == "xlsx" and output.is_stdout(out):
        output.refuse("--format xlsx 须用 --out 指定文件：工作簿不输出到屏幕 (--format xlsx needs --out FILE: a workbook is not printed)")
    # ``-`` is standard output, as omitted (contracts.md §2); a file: checked before any work (a
    # folder refused), its missing folders made when it is written
    out = output.out_or_stdout(out)
    settings = get_settings()
    rules = rules_of(load_config("notices", settings))
    with engine_for(settings).connect() as conn:
        # a department an earlier configuration named keeps the notices it was sent
        if department is not None and rules.department(department) is None and not department_known(conn, department):
            names = "、".join(d.name for d in rules.departments)
            output.refuse(f"--department {department!r}: 配置中没有该许可部门 (not in config/notices.yaml: {names})")
        if not night_published(conn, day):   # no notice exists yet: "none produced" would be untrue
            output.refuse_unpublished(day, "尚无双告知推送", "no notices yet; run or repair the night first")
        notices = notices_of_night(conn, day, None if letters else department, clock.zone(settings))
    if letters:
        _letters(day, department, notices, fmt, out, settings)
        return
    if fmt is not None:
        data = render(notices, fmt, notices_note(day, department, notices, settings) if fmt == "xlsx" else None)
        _deliver(data, out, f"{len(notices)} notices", settings)
        return
    if not notices:
        console.print(f"{day}: 没有双告知推送 (no notices produced that night"
                      + (f" for {department})" if department else ")"), markup=False)
        return
    for dept, items in by_department(notices).items():
        t = output.table("告知事由", "统一社会信用代码", "名称", "行业", "原行业", "成立日期", "推送时间",
                         title=output.esc(f"{dept} — {items[0]['licence']}（{len(items)} 户）"))
        for n in items:
            t.add_row(n["event_label"], n["uscc"], n["name"], n["industry_code"], n["previous_industry_code"] or "",
                      n["established_on"], output.when(n["produced_at"]))   # as the page and the CSV show it
        console.print(t)


def _letters(day: date, department: str | None, notices: list[Notice], fmt: str | None, out: Path | None,
             settings: Settings) -> None:
    """``--letters``: the night's 告知书 as a table, or as a file (``--format``)."""
    from credit.exports import ExportNote
    from credit.notices.letters import letters_of, render_letters

    found = [x for x in letters_of(notices)
             if department is None or any(lic["department"] == department for lic in x["licences"])]
    if fmt is not None:
        note = None
        if fmt == "xlsx":
            note = ExportNote(f"许可告知书（{day.isoformat()}）",
                              (("批次日期 night", day.isoformat()),
                               ("许可部门 department", department or "全部 (all departments)"),
                               ("份数 letters", str(len(found)))))
        _deliver(render_letters(found, fmt, note), out, f"{len(found)} letters", settings)
        return
    if not found:
        console.print(f"{day}: 没有许可告知书 (no letters: no notices that night"
                      + (f" for {department})" if department else ")"), markup=False)
        return
    t = output.table("统一社会信用代码", "名称", "告知事由", "行业", "需取得的许可（许可部门）",
                     title=output.esc(f"{day} 许可告知书（{len(found)} 份）"))
    for x in found:
        t.add_row(x["uscc"], x["name"], x["event_label"], x["industry_code"],
                  "；".join(f"{lic['licence']}（{lic['department']}）" for lic in x["licences"]))
    console.print(t)


def _deliver(data: bytes, out: Path | None, what: str, settings: Settings) -> None:
    """An export's bytes to ``out`` with its signed sidecar ``<out>.sig.json``, or to standard output."""
    import sys

    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from credit.exports import write_export

    with output.writing(out):
        write_export(out, data, settings)
    console.print(f"已写入 {out}，签名 {out.name}.sig.json (wrote {what} to {out}; signature: {out.name}.sig.json)", markup=False)
