"""``credit officers add|list|disable|password``: officers' accounts of the bureau workbench (issue 15).

Passwords are read from a prompt (hidden, asked twice) or, with ``--password-stdin``, from the
first line of standard input — never from an argument, which would stay in the shell history and
the process list. Exit 2 = refused, with the reason printed (contracts.md §2).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from credit.cli import output
from credit.cli.help import BureauTyper

app = BureauTyper(no_args_is_help=True, help="本局工作台的执法人员账户（角色、所属机关、密码） — Officers' accounts of the bureau workbench (role, authority, password).")
# The shared console: uncut tables off a terminal, no emoji codes in data (credit.cli.output).
console = output.console()
err = output.console(stderr=True)
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="从标准输入的第一行读取密码 — Read the password from the first line of stdin.")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="登录名（a-z 0-9 . _ -），不得重复使用 — Login name (a-z 0-9 . _ -), never reused.")],
    name: Annotated[str, typer.Option("--name", help="显示名称（执法人员姓名） — Display name (the officer's name).")],
    role: Annotated[str, typer.Option("--role", help="角色：办案人员 officer | 审核人员 approver | 管理员 admin — officer (办案人员) | approver (审核人员) | admin (管理员)")],
    authority: Annotated[str, typer.Option("--authority", help="作出决定机关的 GB/T 2260 行政区划代码，如 110105 — GB/T 2260 code of the issuing authority, e.g. 110105.")],
    password_stdin: StdinOpt = False,
) -> None:
    """创建执法人员账户 — Create an officer's account."""
    from credit.api.officers import Refused, add_officer
    from credit.db import get_engine
    from credit.rosters.authorities import authority_of
    from credit.settings import get_settings

    password = _password(password_stdin)
    try:
        with get_engine(get_settings()).begin() as conn:
            acc = add_officer(conn, login, name, role, authority, password)
    except Refused as e:
        output.refuse(str(e))
    console.print(f"account {acc['id']} {acc['login']} ({acc['display_name']}, {acc['role_label']}) "
                  f"for {authority_of(acc['authority'], {}).name}", markup=False)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False) -> None:
    """全部账户（从不显示密码哈希） — Every account (never a password hash)."""
    import json

    from credit.api.officers import list_officers
    from credit.db import get_engine
    from credit.settings import get_settings

    with get_engine(get_settings()).connect() as conn:
        rows = list_officers(conn)
    if as_json:
        typer.echo(output.json_shown(json.dumps(rows, ensure_ascii=False, default=str, indent=2)))
        return
    t = output.table("编号 id", "登录名 login", "姓名 name", "角色 role", "机关 authority", "创建 created",
                     "停用 disabled", title="工作人员账户 officers")
    for r in rows:
        t.add_row(str(r["id"]), r["login"], r["display_name"], f"{r['role']} {r['role_label']}", r["authority"],
                  output.when(r["created_at"]),     # the bureau's clock, not UTC; as every listing
                  output.when(r["disabled_at"]) if r["disabled_at"] else "")
    console.print(t)


@app.command("disable")
def disable(login: Annotated[str, typer.Argument(help="登录名 — Login name.")]) -> None:
    """停用账户：不能再登录，其会话立即结束 — Disable an account: it can no longer sign in, and its sessions end now."""
    from credit.api.officers import disable_officer
    from credit.db import get_engine
    from credit.settings import get_settings

    with get_engine(get_settings()).begin() as conn:
        if not disable_officer(conn, login):
            output.refuse(f"没有在用的账号 {login!r} (no live account {login!r})")
    console.print(f"account {login} disabled", markup=False)


@app.command("password")
def password(login: Annotated[str, typer.Argument(help="登录名 — Login name.")], password_stdin: StdinOpt = False) -> None:
    """设置新密码（该账户的会话随即结束） — Set a new password (the account's sessions end)."""
    from credit.api.officers import Refused, set_password
    from credit.db import get_engine
    from credit.settings import get_settings

    new = _password(password_stdin)
    try:
        with get_engine(get_settings()).begin() as conn:
            if not set_password(conn, login, new):
                raise Refused(f"no live account {login!r}")
    except Refused as e:
        output.refuse(str(e))
    console.print(f"password of {login} changed", markup=False)
