"""Command-line commands of the API area.

credit/cli.py wires them as (integrator):

- ``credit serve [--host H] [--port P]``  → :func:`serve_command`
- ``credit api keys create --role public|consumer|bureau|licensing --name N [--rate R] [--department D]`` → :data:`api_app`
  (prints the key once; only its hash is stored); ``credit api keys list``; ``credit api keys revoke ID``
- ``credit certificate verify FILE`` → :data:`certificate_app` (exit 0 valid, 1 superseded or
  invalid, 2 refused: unreadable file or not a certificate)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from credit.cli import output
from credit.cli.help import BureauTyper

console = output.console()
api_app = BureauTyper(no_args_is_help=True, help="数据接口（HTTP API）：密钥与角色 — The HTTP API: keys and roles.")
keys_app = BureauTyper(no_args_is_help=True, help="数据接口密钥（以哈希存储，只显示一次） — API keys (stored hashed; shown once).")
api_app.add_typer(keys_app, name="keys")
certificate_app = BureauTyper(no_args_is_help=True, help="联合惩戒核查凭证 — Screening certificates (联合惩戒核查凭证).")


@certificate_app.callback()
def _certificates() -> None:
    """筛查证明：依决定日志复核 — Screening certificates: re-check one against the decision log."""


def serve_command(
    host: Annotated[str, typer.Option("--host", help="监听地址 — Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="监听端口 — Port to listen on.")] = 8000,
) -> None:
    """提供 HTTP API（OpenAPI 见 /docs）和申请人页面，数据在 PostgreSQL 中 — Serve the HTTP API (OpenAPI at /docs) and the applicants' page on PostgreSQL."""
    import signal
    import sys

    import uvicorn

    from credit.api import create_app
    from credit.db import get_engine
    from credit.settings import get_settings

    settings = get_settings()
    get_engine(settings)  # start (and, when embedded, migrate) the database before taking requests
    # uvicorn re-raises SIGTERM after its graceful shutdown; ending through SystemExit instead lets
    # the embedded database stop with the process (its clean-up runs at interpreter exit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Proxy headers are believed only from config/api.yaml security.trusted_proxies (create_app
    # adds uvicorn's ProxyHeadersMiddleware for those); uvicorn's own default trusts 127.0.0.1.
    # CREDIT_LOG_FORMAT=json: uvicorn's loggers write through the JSON handler (credit.logs), not its own.
    from uvicorn.config import LOGGING_CONFIG

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=False,
                server_header=False, log_config=None if settings.log_format == "json" else LOGGING_CONFIG)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", help="角色：公众 public | 数据使用方 consumer | 本局 bureau | 许可部门 licensing — public | consumer | bureau | licensing")],
    name: Annotated[str, typer.Option("--name", help="密钥持有者（部门、银行、执法人员） — Who holds the key (department, bank, officer).")],
    rate: Annotated[int | None, typer.Option("--rate", min=1, help="每分钟请求数（默认：该角色的限额） — Requests per minute (default: the role's).")] = None,
    department: Annotated[str | None, typer.Option(
        "--department", help="与 --role licensing 同用：该密钥只能读取此许可部门（config/notices.yaml）的双告知信息 — With --role licensing: the licensing department (config/notices.yaml) whose "
                             "双告知 notices the key reads, and no other.")] = None,
) -> None:
    """创建密钥并只显示一次 — Create a key and print it once."""
    from credit.api.auth import ROLE_LABELS, ROLES, create_key
    from credit.config import load_config
    from credit.db import get_engine
    from credit.notices.rules import rules_of
    from credit.settings import get_settings

    if role not in ROLES:
        output.refuse(f"--role 须为 {' / '.join(ROLES)} 之一 (--role must be one of {', '.join(ROLES)})")
    settings = get_settings()
    if role == "licensing":
        rules = rules_of(load_config("notices", settings))
        if department is None or rules.department(department) is None:
            names = "、".join(d.name for d in rules.departments)
            output.refuse(f"--role licensing 须用 --department 指明配置的许可部门之一：{names} "
                    f"(a licensing key needs --department, one of config/notices.yaml's departments)")
    elif department is not None:
        output.refuse("只有 --role licensing 的密钥可以指明 --department (only a licensing key names a department)")
    try:
        with get_engine(settings).begin() as conn:
            key_id, key = create_key(conn, role, name, load_config("api", settings).version, rate, department)
    except ValueError as e:
        output.refuse(str(e))
    whose = f"，{output.esc(department)}" if department else ""
    console.print(f"已为 [bold]{output.esc(name)}[/bold] 创建密钥 {key_id}（角色 {ROLE_LABELS[role]} {role}{whose}）；"
                  "密钥只显示这一次，请妥善保管 (key shown only now, keep it safe):")
    typer.echo(key)


@keys_app.command("list")
def keys_list(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出 — JSON output.")] = False) -> None:
    """各密钥及其角色（从不显示密钥本身）；时间按本局时钟 — Keys with their roles (never the keys themselves); times on the bureau's clock."""
    from credit.api.auth import ROLE_LABELS, list_keys
    from credit.db import get_engine
    from credit.settings import get_settings

    with get_engine(get_settings()).connect() as conn:
        keys = list_keys(conn)
    if as_json:
        output.emit_json(keys)
        return
    t = output.table("编号 id", "名称 name", "角色 role", "许可部门 department", "前缀 prefix", "每分钟限额 rate/min",
                     "创建 created", "吊销 revoked", title="API 密钥 API keys")
    for k in keys:
        t.add_row(str(k["id"]), k["name"], f'{ROLE_LABELS.get(k["role"], k["role"])} {k["role"]}', k["department"] or "", k["key_prefix"] + "…", str(k["rate_per_minute"] or "按角色默认 role default"),
                  output.when(k["created_at"]), output.when(k["revoked_at"]) if k["revoked_at"] else "")
    console.print(t)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(help="密钥编号（见 credit api keys list） — The key's id (as credit api keys list shows it).")]) -> None:
    """吊销密钥：此后用它的调用一律拒绝 — Revoke a key: calls with it are refused from now on."""
    from credit.api.auth import revoke_key
    from credit.db import get_engine
    from credit.settings import get_settings

    with get_engine(get_settings()).begin() as conn:
        if not revoke_key(conn, key_id):
            output.refuse(f"没有有效的密钥 {key_id} (no active key {key_id})")
    console.print(f"密钥 {key_id} 已吊销 (key {key_id} revoked)")


@certificate_app.command("verify")
def certificate_verify(file: Annotated[Path, typer.Argument(help="签发时的证明 JSON 文件 — A certificate JSON file as issued.")]) -> None:
    """依决定日志复核筛查证明。有效时退出码 0；已被取代或无效时 1；无法核对时 2（文件缺失、不可读、不是 JSON 或不是证明，或数据库无法连接） — Re-check a screening certificate against the decision log. Exit 0 when valid; 1 when superseded
    or invalid; 2 when it cannot be checked (the file is missing, unreadable, not JSON or not a certificate,
    or the database cannot be reached)."""
    from credit.db import get_engine
    from credit.rosters.certificates import MalformedCertificate, verify_certificate
    from credit.settings import get_settings
    from credit.signing import RepeatedKey, parse_document

    try:
        doc = parse_document(file.read_bytes())
    except RepeatedKey as e:   # what it says depends on who reads it: not a certificate to check
        output.refuse(e.reason(str(file)))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:   # named, in our words, on standard error
        output.refuse(output.unreadable(file, e))
    try:
        with output.checked_against_database(), get_engine(get_settings()).connect() as conn:
            result = verify_certificate(conn, doc)
    except MalformedCertificate as e:
        output.refuse(str(e))
    colour = {"valid": "green", "superseded": "yellow"}.get(result.verdict, "red")
    console.print(f"[{colour}]{result.verdict}[/{colour}]: {output.esc(doc.get('certificate_id'))} "
                  f"as of {output.esc(doc.get('as_of'))}, "
                  f"{len(doc.get('results', []))} USCCs; digest {'ok' if result.digest_ok else 'MISMATCH'}, "
                  f"log anchor {'ok' if result.anchor_ok else 'MISMATCH'}, "
                  f"answers {'match' if result.answers_ok else 'differ'}, "
                  f"issued here: {'yes' if result.issued_here else 'no'}")
    for reason in result.reasons:
        console.print(f"  {reason}", markup=False)
    for d in result.differences[:20]:
        later = output.cell(d.get("later_decisions") or []).replace("\n", "; ") or "（无）"
        console.print(f"  differs: {d['uscc']} later decisions: {later}", markup=False)
    if not result.ok:
        raise typer.Exit(1)
