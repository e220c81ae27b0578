"""The help pages of the command line (contracts.md §2: ``--help`` on every subcommand).

- **Chinese first, the English kept beside it**, as every refusal and summary of the command line
  (officers read Chinese; docs quote the English): each text reads "中文 — English".
- **A plain layout, no boxes**: each option on its own line, its text on the lines below,
  indented and wrapped by terminal cells. Rich's boxed tables of Typer measure a Chinese sentence
  as one word and cut it with "…" at 80 columns; here a line breaks between two characters,
  never inside one, whatever the width.
- **Placeholders Chinese first too** (:data:`PLACEHOLDERS`): the usage line reads
  ``用法 Usage: credit draw run [选项 OPTIONS] {抽取编号 DRAW_ID}`` and an option's value
  ``--as-of <日期 YYYY-MM-DD>``, ``--seed <文本 str>``; the codes stay as contracts.md §2 and the
  parser's own English name them (an argument in capitals, as ``DRAW_ID`` and ``USCC``).
- **Printed by the command line's own console** (:func:`credit.cli.output.console`): a reader of
  standard output that stops early (``credit --help | head -1``) ends the command quietly with
  its usual exit, as every listing does (:func:`credit.cli.main.main`).
"""

from __future__ import annotations

import errno
import inspect
import os
import re
from collections.abc import Callable
from typing import Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import TyperException
from typer.models import CommandFunctionType

HELP_OPTION = "显示本帮助并退出 — Show this message and exit."
#: The Chinese of each placeholder a help page shows, by the code shown after it: the parts of a
#: usage line, the types typer names a value by, the metavars of ours (:data:`credit.cli.output.DAY`,
#: ``SOURCE``) and each argument's name in capitals. A placeholder missing here is shown in English
#: alone, and tests/unit/cli/test_help_metavars.py, which walks every page, names it.
PLACEHOLDERS = {
    "OPTIONS": "选项", "COMMAND": "命令", "ARGS": "参数",
    "str": "文本", "int": "整数", "float": "数值", "path": "路径", "file": "文件", "dir": "文件夹",
    "int range": "限定范围的整数", "float range": "限定范围的数值",
    "list[str]": "可重复的文本", "list[Path]": "可重复的路径",
    "YYYY-MM-DD": "日期", "SOURCE": "来源",
    "USCC": "统一社会信用代码", "DRAW_ID": "抽取编号", "TASK_ID": "抽查任务编号", "DECISION": "决定文号或序号",
    "OBJECTION": "异议编号", "DRAFT": "决定草案序号", "REF": "案号或步骤", "KEY_ID": "密钥标识",
    "LOGIN": "登录名", "FILE": "文件", "DUMP": "转储文件",
}
#: Click's notes after an option's text ("[default: 50]", "[required]"), Chinese first as well.
_EXTRAS = ((re.compile(r"([\[;] ?)required\]"), r"\1必填 required]"), (re.compile(r"\[default: "), "[默认 default: "))


class HelpConsole(Console):
    """The console of a help page: the terminal's width (COLUMNS, else 80 when piped), no colour
    when piped; standard output's reader gone is raised as the error it is, as the listings'
    console does (:meth:`credit.cli.output.BureauConsole.on_broken_pipe`), not rich's exit 1."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


#: Chinese (and Japanese, Korean) characters and full-width punctuation: a line may break before
#: or after any of them, as Chinese is set, where an English line breaks only at a space.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
#: A short bracketed note ("[必填 required]", "[默认 default: 50]") is kept on one line.
_UNIT = re.compile(rf"\[[^\[\]\n]{{1,40}}\]|\s+|[{_WIDE}]|[^\s{_WIDE}]+")
#: Never at the start of a line (they close what is before them) / never at its end.
_NO_START = frozenset("，。、；：？！）」』》〉】…,.;:?!)")
_NO_END = frozenset("（「『《〈【(")


def _units(text: str) -> list[str]:
    """``text`` cut where a line may break: a space, each Chinese character, each English word;
    a closing mark kept with what it closes, an opening one with what it opens."""
    units: list[str] = []
    glued = False
    for piece in _UNIT.findall(text):
        if units and not piece.isspace() and not units[-1].isspace() and (glued or piece[0] in _NO_START):
            units[-1] += piece
        else:
            units.append(piece)
        glued = not piece.isspace() and piece[-1] in _NO_END
    return units


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells (a Chinese character takes two): broken
    at a space or beside a Chinese character, never inside a character or an English word — unless
    a word alone is wider than a line, which is then cut between two characters."""
    lines: list[str] = []
    line = ""
    for unit in _units(text):
        if unit.isspace():
            line += " " if line else ""
            continue
        if line.strip() and cell_len(line + unit) > width:
            lines.append(line.rstrip())
            line = ""
        while cell_len(unit) > width:   # a path or URL longer than the line
            cut = next(i for i in range(len(unit), 0, -1) if cell_len(unit[:i]) <= width - cell_len(line))
            lines.append(line + unit[:cut])
            line, unit = "", unit[cut:]
        line += unit
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _print_indented(con: Console, text: str, left: int, style: str = "") -> None:
    """``text`` wrapped to the console's width (:func:`wrap`) after ``left`` spaces."""
    for line in wrap(text, max(con.width - left, 20)):
        con.print(Text(" " * left + line, style=style), soft_wrap=True)


def placeholder(code: str) -> str:
    """A placeholder Chinese first (:data:`PLACEHOLDERS`): ``文本 str``, ``抽取编号 DRAW_ID``; the
    values of a choice (``a|b``) as 可选值; a code unknown as it is."""
    zh = PLACEHOLDERS.get(code) or ("可选值" if "|" in code else None)
    return f"{zh} {code}" if zh else code


def argument_code(param: Any) -> str:
    """What an argument is called on the help page and in the parser's refusals: its metavar
    (``USCC``), else its name in capitals (``DRAW_ID``), as contracts.md §2 writes them."""
    return str(param.metavar or param.name.upper())


def _value_shown(param: Any, ctx: Any, code: str | None = None) -> str:
    """How the value of ``param`` is written on its help line: ``<日期 YYYY-MM-DD>``, ``<文本 str>``."""
    code = code or param.metavar or param.display_type(ctx).strip("<>")
    return f"<{placeholder(code)}>" + ("..." if param.nargs != 1 else "")


def _param_name(param: Any, ctx: Any, record_name: str) -> str:
    """The name line of a parameter on its help page: ``--as-of <日期 YYYY-MM-DD>``, a flag's names
    alone, an argument as ``抽取编号 DRAW_ID <文本 str>``."""
    if not hasattr(param, "display_type"):   # a parameter typer did not make: as click names it
        return record_name
    if param.param_type_name == "argument":
        return f"{placeholder(argument_code(param))} {_value_shown(param, ctx, param.display_type(ctx).strip('<>'))}"
    names = " / ".join([*param.opts, *param.secondary_opts])
    return names if param.is_flag or param.count else f"{names} {_value_shown(param, ctx)}"


def _usage_pieces(command: Any, ctx: Any) -> list[str]:
    """What follows the command's path on its usage line, each placeholder Chinese first:
    ``[选项 OPTIONS]``, then each argument, ``{…}`` when required and ``[…]`` when not."""
    pieces = [f"[{placeholder('OPTIONS')}]"] if command.options_metavar else []
    for param in command.get_params(ctx):
        if param.param_type_name != "argument":
            pieces += param.get_usage_pieces(ctx)
            continue
        shown = placeholder(argument_code(param))
        pieces.append(("{" + shown + "}" if param.required else f"[{shown}]") + ("..." if param.nargs != 1 else ""))
    return pieces


def _print_usage(con: Console, command: Any, ctx: Any) -> None:
    """The usage line, wrapped between its pieces (a placeholder is never cut), the lines after
    the first indented under the command's path."""
    words = ["用法", "Usage:", *ctx.command_path.split(), *command.collect_usage_pieces(ctx)]
    hang = " " * cell_len("用法 Usage: ")
    line = ""
    for word in words:
        if line.strip() and cell_len(f"{line} {word}") > con.width:
            con.print(Text(line, style="bold"), soft_wrap=True)
            line = hang
        line = f"{line} {word}" if line.strip() else line + word
    con.print(Text(line, style="bold"), soft_wrap=True)


def _params_help(command: Any, ctx: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (name, text) lines of a command's arguments and of its options, ``--help`` last."""
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or getattr(param, "hidden", False):
            continue
        name, text = _param_name(param, ctx, record[0]), record[1]
        for pattern, zh in _EXTRAS:
            text = pattern.sub(zh, text)
        (arguments if param.param_type_name == "argument" else options).append((name, text))
    return arguments, options


def print_help(command: Any, ctx: Any) -> None:
    """The help page of ``command``: usage, its text, arguments, options, sub-commands."""
    con = HelpConsole(highlight=False, emoji=False, markup=False)
    _print_usage(con, command, ctx)
    body = inspect.cleandoc(command.help or "").partition("\f")[0]
    for paragraph in body.split("\n\n"):
        if paragraph.strip():
            con.print()
            _print_indented(con, " ".join(paragraph.split("\n")), 2)
    arguments, options = _params_help(command, ctx)
    subcommands: list[tuple[str, str]] = []
    for name in getattr(command, "list_commands", lambda _: [])(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            first = inspect.cleandoc(sub.help or "").split("\n\n")[0]
            subcommands.append((name, " ".join(first.split("\n"))))
    for title, rows in (("参数 Arguments", arguments), ("选项 Options", options), ("命令 Commands", subcommands)):
        if not rows:
            continue
        con.print()
        con.print(Text(f"{title}:", style="bold"))
        for name, text in rows:
            _print_indented(con, name, 2, "cyan")
            if text:
                _print_indented(con, text, 6)


def _in_chinese(option: Any) -> Any:
    """Click's ``--help`` option (None when a command has none) with its text in Chinese first."""
    if option is not None:
        option.help = HELP_OPTION
    return option


def _name_the_command(error: TyperException, ctx: Any) -> None:
    """Give a usage error of the parser the context of the command whose arguments it was reading.

    Click's parser raises "Option '--drop' requires an argument" and "Option '--json' does not
    take a value" without a context, so the refusal (:func:`credit.cli.output.usage_problem`)
    could not tell whose option it was and sent the officer to ``credit --help``."""
    usage: Any = error
    if getattr(usage, "ctx", False) is None:
        usage.ctx, usage.cmd = ctx, ctx.command


class _BureauParsing:
    """What a bureau command and a bureau group add alike to typer's: the help option in Chinese,
    and parser errors that name the command being parsed (each prints :func:`print_help` itself).
    A mixin, first among the bases: typer's command classes derive from its own copy of click's,
    so no public base is shared to derive it from."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc, no-any-return]
        except TyperException as e:
            _name_the_command(e, ctx)
            raise

    def get_help_option(self, ctx: Any) -> Any:
        return _in_chinese(super().get_help_option(ctx))  # type: ignore[misc]


class BureauCommand(_BureauParsing, TyperCommand):
    """A command whose ``--help`` is :func:`print_help`."""

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        for param in self.params:   # the parser's refusals name it as the help page does: DRAW_ID
            if param.param_type_name == "argument" and param.metavar is None:
                param.metavar = argument_code(param)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage_pieces(self, ctx)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        print_help(self, ctx)


class BureauGroup(_BureauParsing, TyperGroup):
    """A group of commands whose ``--help`` is :func:`print_help`."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*_usage_pieces(self, ctx), f"{placeholder('COMMAND')} [{placeholder('ARGS')}]..."]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        print_help(self, ctx)


class BureauTyper(typer.Typer):
    """``typer.Typer`` whose groups and commands print the bureau's help pages."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("cls", BureauGroup)
        super().__init__(**options)

    def command(self, *args: Any, **options: Any) -> Callable[[CommandFunctionType], CommandFunctionType]:
        options.setdefault("cls", BureauCommand)
        return super().command(*args, **options)
