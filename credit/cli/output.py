"""What the command line prints, for people and for machines (issue 15).

- **One console factory** (:func:`console`): on a terminal, rich as usual; when standard output
  is a file, a pipe or a CI log, tables are printed at their full natural width — no cell is cut
  (``annual_repo…``) or wrapped at 80 columns — and without colour codes.
- **Machines** get ``--json`` on every listing command (:func:`emit_json`: UTF-8, unescaped Chinese).
- **No raw dicts or Python reprs**: nested records become ``key: value`` rows (:func:`flat_items`).
- **A limit that cuts says so** (:func:`cut_note`): "共 196 行，显示前 50 行".
- **Chinese labels where officers read them**: rosters, actions, tiers, deadline kinds.
- **Data is shown as it came, never obeyed** (review D3): a name, address, file name or raw
  quarantined value is printed as plain text, not read as rich markup (``[/]`` in a drop must not
  crash a command, ``[white on white]`` must not hide text), and control characters (ESC, C1, DEL
  and C0 except tab and newline) are shown as ``\\x1b`` / ``\\u009b`` instead of reaching the
  terminal. Cells of :func:`table` are data (style a cell of ours with a :class:`~rich.text.Text`);
  data inside one of our own markup messages goes through :func:`esc`; every string printed by
  the console has its control characters made visible (:meth:`BureauConsole.render_str`).
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from rich.console import (
    Console,
    ConsoleDimensions,
    HighlighterType,
    JustifyMethod,
    OverflowMethod,
    RenderableType,
)
from rich.markup import escape
from rich.style import Style
from rich.table import Column, Table
from rich.text import Text

from credit.cli.help import argument_code, placeholder
from credit.rosters.labels import ROSTER_LABELS, decision_label, roster_label

#: Width given to rich when the output is not a terminal: wide enough that no table is ever cut
#: or wrapped (rich sizes a table to its content, so nothing is padded to this width).
UNCUT_WIDTH = 1_000_000


class BureauConsole(Console):
    """A rich console that never cuts what it prints when the output is not a terminal.

    Rich falls back to 80 columns (or the width of a terminal on another stream) when standard
    output is redirected; a table then loses the ends of its cells. The decision is taken at each
    print, so a console made at import time follows whatever stream the command writes to.
    """

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        return dims if self.is_terminal else ConsoleDimensions(UNCUT_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self.width, self.height = new_size

    def on_broken_pipe(self) -> None:
        """Standard output's reader went away (``credit quarantine | head``): raised on as the
        error it is, as a plain ``print`` raises it, so that the entry point ends every command
        alike and quietly (:func:`credit.cli.main.main`); rich's own handling exits 1."""
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    def render_str(self, text: str, *, style: str | Style = "", justify: JustifyMethod | None = None,
                   overflow: OverflowMethod | None = None, emoji: bool | None = None, markup: bool | None = None,
                   highlight: bool | None = None, highlighter: HighlighterType | None = None) -> Text:
        """Every string this console prints (messages, table cells, titles) with its control
        characters shown (:func:`visible`): a terminal escape in data is never sent as one."""
        return super().render_str(visible(text), style=style, justify=justify, overflow=overflow, emoji=emoji,
                                  markup=markup, highlight=highlight, highlighter=highlighter)


def console(*, stderr: bool = False) -> Console:
    """The console of a command (standard output, or standard error for messages and warnings).

    No emoji codes: what it prints holds user data and record fields, and rich would turn
    ``annual_report:B:`` into ``annual_report🅱`` (``:B:`` is an emoji code); ``escape`` does
    not prevent that, only ``emoji=False`` does."""
    return BureauConsole(stderr=stderr, highlight=False, emoji=False)


def emit_json(obj: Any) -> None:
    """``obj`` as JSON on standard output: unescaped Chinese, ISO dates, one document. DEL and the
    C1 controls, which JSON may leave raw, are written as ``\\u00xx`` (the same string, and no
    terminal escape when the JSON is read on a screen)."""
    sys.stdout.write(json_shown(json.dumps(_missing_as_null(obj), ensure_ascii=False, indent=1, default=_jsonable))
                     + "\n")
    sys.stdout.flush()


def json_shown(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL and the C1 controls written as
    ``\\u00xx``: the same document, and nothing a terminal would take for an escape sequence."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# ------------------------------------------------------------------------------------------------
# Data shown, never obeyed (review D3)
# ------------------------------------------------------------------------------------------------
#: C0 controls except tab and newline, DEL, and the C1 controls (U+0080–U+009F: U+009B is a CSI).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What json.dumps(ensure_ascii=False) leaves raw of those (it escapes C0 itself).
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with each control character written out (``\\x1b``, ``\\x7f``, ``\\u009b``), so that
    a value from a drop can neither recolour the terminal, move its cursor nor set its title."""
    return _CONTROL.sub(_written_out, text)


def _written_out(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def plain(value: object) -> Text:
    """A value from the data as the console shows it: the text as written (never read as markup or
    an emoji code), control characters visible; formatted as :func:`cell` when not a string."""
    return Text(visible(value if isinstance(value, str) else cell(value)))


def esc(value: object) -> str:
    """A value from the data inside one of our own markup messages (``f"[red]refused:[/red] {esc(x)}"``)."""
    return escape(str(value))


class DataTable(Table):
    """A table whose string cells are data: shown as written, never read as markup. A cell that
    should be styled is given as a :class:`~rich.text.Text` (``Text("fail", style="red")``)."""

    def add_row(self, *renderables: RenderableType | None, style: str | Style | None = None,
                end_section: bool = False) -> None:
        super().add_row(*(plain(r) if isinstance(r, str) else r for r in renderables), style=style,
                        end_section=end_section)


def table(*headers: Column | str, **options: Any) -> DataTable:
    """The table of a command (the headers and title are ours; the cells are data: :class:`DataTable`)."""
    return DataTable(*headers, **options)


def _missing_as_null(value: object) -> object:
    """``value`` with every float NaN (how pandas reads a SQL null beside text or numbers) as None:
    ``json.dumps`` would write ``NaN``, which is not JSON, and a reader's parser refuses the whole
    document (an outsider's acceptance pass found one in ``draw results --json``)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _missing_as_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_missing_as_null(v) for v in value]
    return value


def _jsonable(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def cut_note(shown: int, total: int) -> str | None:
    """The line that says a limit cut the listing, or None when everything was shown."""
    if total <= shown:
        return None
    return (f"共 {total:,} 行，显示前 {shown:,} 行；--limit 可显示更多 "
            f"(showing {shown:,} of {total:,} rows; raise --limit to see more)")


def when(instant: datetime | str, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A stored instant (or an ISO string of one) as a person reads it: on the bureau's clock
    (:func:`credit.clock.local`; a naive instant is UTC), ``2026-12-01 05:52:07``, no fractions of
    a second and no offset — as the pages and the CSV exports show it."""
    from credit import clock

    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    return clock.local(moment).strftime(fmt)


def cell(value: object) -> str:
    """One table cell for a person: nested records as ``key: value`` lines, lists one item a line,
    nothing for None, an instant on the bureau's clock (:func:`when`); never a Python repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, Mapping) or isinstance(value, list | tuple):
        return "\n".join(f"{k}: {v}" if k else v for k, v in flat_items(value))
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def flat_items(value: object, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(key, text)`` pairs of a nested record: ``{"by_department": {"卫健委": 3}}`` gives
    ``("by_department.卫健委", "3")``; list items are numbered; a scalar under no key has key ''."""
    if isinstance(value, Mapping | list | tuple) and not value:
        yield prefix, "（无）"
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from flat_items(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list | tuple):
        scalars = all(not isinstance(v, Mapping | list | tuple) for v in value)
        if scalars:
            yield prefix, "；".join(cell(v) for v in value)
        else:
            for i, v in enumerate(value, 1):
                yield from flat_items(v, f"{prefix}[{i}]")
    else:
        yield prefix, cell(value)


# ------------------------------------------------------------------------------------------------
# Chinese labels (the codes stay in --json and in the exports' column values)
# ------------------------------------------------------------------------------------------------
TIER_LABELS = {"A": "A 信用风险低", "B": "B 信用风险一般", "C": "C 信用风险较高", "D": "D 信用风险高"}
SUMMARY_KEYS = {
    "decisions": "决定数 decisions", "by_roster_action": "按名录与决定 by roster and action",
    "late": "超期决定 decided late", "provisional_due": "暂定期限 provisional due dates",
    "penalty_windows": "处罚公示期变化 penalty windows", "chain_head": "决定链头 chain head",
    "config_version": "配置版本 config version", "graded": "已分类 graded",
    "distribution": "等级分布 distribution", "previous_night": "上一分类批次 previous night",
    "warnings": "警告 warnings", "by_department": "按许可部门 by department", "by_event": "按事由 by event",
    "notices": "告知数 notices", "seq": "序号 seq", "hash": "哈希 hash",
    "chain_start": "本批次前决定链尾序号 chain start", "produced": "推送数 produced",
    "report": "分类报告 report",
}


def tier_label(code: object) -> str:
    return TIER_LABELS.get(str(code), str(code)) if code is not None else ""


def summary_key(path: str) -> str:
    """A flattened summary key for a person: known parts in Chinese (with the code kept), a
    ``roster:action`` pair as its two Chinese names."""
    # imported here: it brings the database layer, which `credit --help` has no need of
    from credit.notices.read import EVENT_LABELS

    out = []
    for part in path.split("."):
        if ":" in part and part.split(":", 1)[0] in ROSTER_LABELS:
            r, a = part.split(":", 1)
            out.append(f"{roster_label(r)}·{decision_label(a, roster=r)}")
        elif part in TIER_LABELS:
            out.append(tier_label(part))
        elif part in EVENT_LABELS:   # 双告知 events: new registration, change into a licensed industry
            out.append(f"{EVENT_LABELS[part]} {part}")
        else:
            out.append(SUMMARY_KEYS.get(part, part))
    return " › ".join(out)


# ------------------------------------------------------------------------------------------------
# Arguments
# ------------------------------------------------------------------------------------------------
#: How every refusal on the command line begins (standard error, exit 2, contracts.md §2): Chinese
#: first, as the message after it.
REFUSED = "[red]拒绝 refused:[/red]"


def usage_problem(error: Exception) -> str:
    """A command line the parser refused (Typer's click: an option or argument missing or unknown,
    a value it cannot take, an extra argument, no such command), Chinese first, the parser's own
    words after. Told apart by the classes' names: Typer keeps its click inside (``typer._click``)."""
    english = str(getattr(error, "format_message", lambda: str(error))())
    kind = type(error).__name__
    param = getattr(error, "param", None)
    opts = " / ".join(getattr(param, "opts", None) or ())
    if getattr(param, "param_type_name", None) == "argument":   # as its help page names it: 异议编号 OBJECTION
        opts = placeholder(argument_code(param))
    if kind == "MissingParameter":   # "Missing argument 'USCC'", "Missing option '--name'"
        named = re.search(r"'([^']+)'", english)
        name = named.group(1) if named else opts
        zh = f"缺少参数 {placeholder(name)}" if english.startswith("Missing argument") else f"缺少选项 {name}"
    elif kind == "NoSuchOption":
        close = list(getattr(error, "possibilities", None) or ())
        zh = f"没有选项 {getattr(error, 'option_name', '')}" + (f"（是否想用 {' 或 '.join(close)}？）" if close else "")
    elif kind == "BadParameter":
        name = opts or str(getattr(error, "param_hint", "") or "")
        zh = f"{name} 的取值无效" if name else "取值无效"
    elif kind == "BadOptionUsage":   # "Option '--drop' requires an argument", "Option '--json' does not take a value"
        option = getattr(error, "option_name", "")
        zh = (f"选项 {option} 缺少取值" if " requires " in english else
              f"选项 {option} 不带取值" if "does not take a value" in english else f"选项 {option} 的用法有误")
    elif kind == "NoArgsIsHelpError":   # `credit roster`: its help page is printed; its text is not the error's
        zh, english = "缺少命令", "Missing command"
    elif english.startswith("No such command"):
        zh = "没有这个命令"
    elif english.startswith("Got unexpected extra argument"):
        zh = "多给了参数"
    else:
        zh = "命令行有误"
    ctx = getattr(error, "ctx", None)
    where = getattr(ctx, "command_path", None) or "credit"
    return f"{zh.strip()} ({english.rstrip('.')})；用法见 {where} --help (see {where} --help)"


def refuse(message: str) -> NoReturn:
    """The CLI's usual refusal: one line on standard error, exit 2 (contracts.md §2)."""
    import typer
    from rich.markup import escape

    console(stderr=True).print(f"{REFUSED} {escape(message)}")
    raise typer.Exit(2)


def unreadable(path: Path | str, error: Exception) -> str:
    """Why a file given on the command line could not be read, in Chinese and English, naming it:
    missing, a folder, not permitted, not UTF-8 or not JSON (with the line and column) — never
    Python's own words (``[Errno 2] …``, ``Expecting value …``)."""
    name = str(path)
    if isinstance(error, FileNotFoundError):
        return f"{name}：文件不存在 (no such file)"
    if isinstance(error, IsADirectoryError):
        return f"{name}：这是一个文件夹，不是文件 (is a folder, not a file)"
    if isinstance(error, PermissionError):
        return f"{name}：无权读取该文件 (permission denied)"
    if isinstance(error, UnicodeDecodeError):
        return f"{name}：不是 UTF-8 文本，文件可能已损坏 (not UTF-8 text: the file may be damaged)"
    if isinstance(error, json.JSONDecodeError):
        return (f"{name}：不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列处无法解析，文件可能不完整或已损坏） "
                f"(not valid JSON: it cannot be read at line {error.lineno} column {error.colno}; "
                "it may be truncated or damaged)")
    if isinstance(error, OSError):
        return f"{name}：无法读取 (cannot read: {error.strerror or error})"
    return f"{name}：无法读取 (cannot read: {error})"


def as_of_line(day: date, through: date | None, known_night: date | None = None) -> str:
    """What an answer for ``day`` speaks for: the day, the last night of the data (``through``: the
    latest published night, or night K of ``--known-at``) and, when asked so, the record after night
    K — Chinese first, the English after, as the export's 说明 sheet names them."""
    line = (f"截至 as of {day.isoformat()}；数据截至批次 data through "
            + (through.isoformat() if through else "尚无已发布批次 (no night published)"))
    if known_night is not None:
        line += f"；依据第 {known_night.isoformat()} 批次处理后的记录 as recorded after night {known_night.isoformat()}"
    return line


def beyond_data_warning(day: date, known_night: date | None = None) -> str:
    """The warning of an answer for a day after the data it speaks for (the latest published night,
    or night K of ``--known-at``): Chinese first, the English in brackets, as the API's pages say it."""
    if known_night is not None:
        return (f"注意：{day.isoformat()} 晚于所依据记录的批次 {known_night.isoformat()}（--known-at），其后批次的决定可能改变本结果 "
                f"(warning: {day.isoformat()} is after the night {known_night.isoformat()} of the record asked for; "
                "later data may change this answer)")
    return (f"注意：{day.isoformat()} 晚于最新已发布批次，其后批次的决定可能改变本结果 "
            f"(warning: {day.isoformat()} is after the latest published night; later data may change this answer)")


def refuse_unpublished(night: date, consequence_zh: str, consequence_en: str) -> NoReturn:
    """Night D is not published (not run yet, or refused: a refusal writes nothing): every command
    that reads a night (``summary``, ``quality``, ``quarantine``, ``notices``) refuses it alike —
    exit 2 (contracts.md §2: refused), one line on standard error in Chinese and English, nothing
    on standard output that a reader would take for the night's (empty) answer."""
    refuse(f"{night}：该批次尚未发布（未运行或被拒绝），{consequence_zh} "
           f"(night {night} is not published — not run yet, or refused: {consequence_en})")


#: What ``--out`` takes for standard output, as every Unix tool reads ``-``.
STDOUT = "-"
#: What every ``--out FILE`` help says of a file in a folder that does not exist (:func:`out_file`).
OUT_FOLDERS = "Missing folders are created and named on standard error."


def is_stdout(path: Path | None) -> bool:
    """Whether ``--out`` names standard output: omitted, or ``-`` (contracts.md §2)."""
    return path is None or str(path) == STDOUT


def out_or_stdout(path: Path | None, option: str = "--out") -> Path | None:
    """The file an export goes to, or None for standard output (``--out`` omitted or ``-``, never a
    file called ``-``): what ``credit roster export`` and ``credit notices`` write to. Standard
    output carries the export alone, unsigned — a signature sidecar ``<file>.sig.json`` is written
    beside a file only (README, Signatures). A file is checked as :func:`out_file`."""
    if path is None or is_stdout(path):
        return None
    return out_file(path, option)


def out_file(path: Path, option: str = "--out") -> Path:
    """The file a command is about to write (every ``--out F``, one behaviour, documented in each
    ``--help`` and the README): missing parent folders are created when the file is written
    (:func:`writing`), and named on standard error, as ``credit db backup`` always made them; a
    folder given as the file, or a file where a parent folder should be, is refused (exit 2) in
    one line, never a traceback. ``-`` (standard output, :func:`out_or_stdout`) is refused here:
    this command's output is a file (a dump), never a file named ``-`` in the working folder.
    Called before any work and creating nothing, so a wrong ``--out``, or a command refused
    later (a night not published, a database out of reach), costs nothing and leaves no folder."""
    if is_stdout(path):
        refuse(f"{option} -: 此命令只能写入文件，不能写到标准输出，请给出文件名 "
               f"(this command writes a file, not standard output: give a file name)")
    if path.is_dir():
        refuse(f"{option} {path}: 这是一个文件夹，请给出文件名 (is a folder; give a file name inside it)")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        refuse(f"{option} {path}: 无法创建所在文件夹，{existing} 是文件而不是文件夹 "
               f"(cannot create its folder: {existing} is a file, not a folder)")
    return path


def out_folder(path: Path, option: str = "--out") -> Path:
    """A folder a command is about to write into (``credit sample --out DIR``): created with its
    parents when missing; an existing file in its place, or ``-`` (standard output: a drop is
    a folder of files), is refused (exit 2) in one line."""
    if is_stdout(path):
        refuse(f"{option} -: 须给出文件夹，不能写到标准输出 (give a folder: a drop cannot go to standard output)")
    if path.exists() and not path.is_dir():
        refuse(f"{option} {path}: 这是一个文件，不是文件夹 (is a file, not a folder)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        refuse(f"{option} {path}: 无法创建文件夹 (cannot create the folder: {e.strerror or e}: {e.filename or path})")
    return path


@contextmanager
def writing(path: Path, option: str = "--out") -> Iterator[None]:
    """Around the write of ``path`` (after :func:`out_file`): its missing parent folders are
    created first and named on standard error (standard output may carry an answer); a failure the
    system reports (permission denied, disk full, a folder where the signature sidecar goes) is
    refused (exit 2) in one line naming the file, never a traceback."""
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            console(stderr=True).print(f"已创建缺少的文件夹 {path.parent} (created the missing folder {path.parent})",
                                       markup=False, soft_wrap=True)
        yield
    except OSError as e:
        refuse(f"{option} {path}: 写入失败 (cannot write: {e.strerror or e}: {e.filename or path})")


def database_fault(error: Exception) -> None:
    """Tell on standard error why the database did not answer (``error``: SQLAlchemy's
    OperationalError or InterfaceError): a server out of disk, memory or connections (SQLSTATE class
    53) in its own words, anything else as "cannot reach the database" with what to check."""
    err = console(stderr=True)
    orig = getattr(error, "orig", None)
    if str(getattr(orig, "sqlstate", None) or "").startswith("53"):
        err.print(f"[red]数据库服务器资源不足 (the database server is out of disk space or another resource): "
                  f"{esc(orig)}[/red]")
        err.print("free space on the database's disk (CREDIT_HOME for the embedded one) and run the "
                  "command again; its transaction was rolled back", markup=False)
        return
    err.print(f"[red]数据库无法连接 (cannot reach the database): {esc(orig or error)}[/red]")
    err.print("check CREDIT_DATABASE_URL, or unset it to use the embedded database")


@contextmanager
def checked_against_database() -> Iterator[None]:
    """Around a verify command's reading of the database: a database that does not answer (or
    cannot be set up: a malformed URL, an embedded server that does not start) means the check
    could not be made — exit 2, as a file that cannot be read (contracts.md §2: exit 1 is
    a check that failed: a broken chain, a difference), never exit 1."""
    import sqlalchemy.exc
    import typer

    from credit.db import EmbeddedDatabaseError

    try:
        yield
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError) as e:
        database_fault(e)
        console(stderr=True).print("未能校验 (nothing was checked)", markup=False)
        raise typer.Exit(2) from None
    except (sqlalchemy.exc.ArgumentError, EmbeddedDatabaseError) as e:
        # a malformed CREDIT_DATABASE_URL, or an embedded server that cannot start (CREDIT_HOME not
        # writable, no space): the same words as every other command, but nothing was checked
        console(stderr=True).print(f"[red]数据库设置有误 (bad database setting): {esc(e)}[/red]")
        console(stderr=True).print("未能校验 (nothing was checked)", markup=False)
        raise typer.Exit(2) from None


#: What ``--help`` shows for a date option (``--as-of YYYY-MM-DD``) instead of typer's ``<str>``.
DAY = "YYYY-MM-DD"
#: What ``--help`` shows for a USCC argument (统一社会信用代码) instead of its parameter name.
USCC = "USCC"


def day_arg(text: str, option: str) -> date:
    """A date given on the command line (``--as-of``, ``--date``, ``--night`` …) as ISO
    ``YYYY-MM-DD``, or exit 2 (contracts.md §2) with one line naming the option and the value in
    「」, Chinese first, as every refusal (:func:`refuse`): ``拒绝 refused: --as-of「2026-13-01」不是有效日期，
    应写作 YYYY-MM-DD（如 2026-07-15）(…)``.

    Only that form (:func:`credit.clock.calendar_day`, the API's reading too):
    ``date.fromisoformat`` alone also took ``20260715`` and the week date ``2026-W29-3``."""
    from credit.clock import calendar_day

    try:
        return calendar_day(text)
    except ValueError:
        pass
    refuse(f"{option}「{visible(text)}」不是有效日期，应写作 YYYY-MM-DD（如 2026-07-15） ({option} is not a date YYYY-MM-DD)")


def not_future(day: date, option: str) -> date:
    """``day`` when it is not after today on the bureau's clock, else exit 2 (contracts.md §2).

    For every date an officer's decision, a step or a received document is recorded with
    (``--received``, ``--on``, ``--consented-on``, a draw's ``--as-of``): such a date becomes a
    permanent row of the append-only log, and a decision dated ahead would take a 文号 of a year
    not yet begun (issue 14). The rule and its bilingual words are the API's own
    (:func:`credit.api.validation.future_date_problem`, which ``not_in_future`` of the routes
    turns into a 422): one check, two front ends."""
    from credit.api.validation import bureau_today, future_date_problem

    problem = future_date_problem(day, bureau_today(), option)
    if problem:
        refuse(problem)
    return day


def recorded_day(text: str | None, option: str) -> date:
    """The date a command records something on (``--on D``, ``--received D``): parsed as
    :func:`day_arg`, today on the bureau's clock when omitted, refused when in the future
    (:func:`not_future`) — before any database is reached."""
    from credit.clock import today

    return not_future(today() if text is None else day_arg(text, option), option)


def checked_uscc(raw: str) -> str:
    """A USCC argument as the drop normalises it (full-width, spaces, case: :func:`credit.contract.uscc.canonical`),
    or exit 2 saying exactly what is wrong with it (GB 32100-2015, domain.md §1).

    Every command taking a USCC goes through here, and every API route through
    :func:`credit.api.deps.checked_uscc`: both ask :func:`credit.api.validation.uscc_problem`
    (python-stdnum's check), so a code one refuses the other refuses with the same words — never
    "no such entity" or "no grade" for a mistyped check character
    (tests/unit/cli/test_uscc_args.py, tests/db/api/test_uscc_everywhere.py)."""
    import typer
    from rich.markup import escape

    from credit.api.validation import normalise_uscc, uscc_problem

    problem = uscc_problem(raw)
    if problem is None:
        return normalise_uscc(raw)
    console(stderr=True).print(f"{REFUSED} USCC {escape(repr(raw))}: {escape(problem)}")
    raise typer.Exit(2)
