"""Signatures and backups on the command line.

- ``credit keys public [--out F]``: the bureau's public signing key (PEM), to publish.
- ``credit verify-signature FILE --public-key KEY.pem [--sidecar S]``: offline — a signed
  document (screening certificate) or a file with its ``<file>.sig.json``; no database needed.
- ``credit db backup --out F`` / ``credit db restore F [--database NAME | --target-url URL]``.
- ``credit db roles [--password-env]``: the least-privilege roles' logins (docs/deploy.md §3).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credit.cli import output
from credit.cli.help import BureauTyper

console = output.console()
err = output.console(stderr=True)
keys_app = BureauTyper(no_args_is_help=True, help="本局的签名密钥（Ed25519） — The bureau's signing key (Ed25519).")


@keys_app.callback()
def _group() -> None:
    """Keep ``credit keys public`` a subcommand."""


@keys_app.command("public")
def keys_public(out: Annotated[Path | None, typer.Option(
        "--out", help="同时将 PEM 写入此文件（-：标准输出，本来也会显示在那里）。缺失的目录会被创建，并在标准错误上列出 — Also write the PEM to this file (-: standard output, where it is printed anyway). "
        + output.OUT_FOLDERS)] = None
                ) -> None:
    """显示用于核验证明、导出签名文件和锚点文件的公钥 — Print the public key that verifies certificates, export sidecars and the anchor file."""
    from credit.settings import get_settings
    from credit.signing import SigningKeyError, signer_for

    out = output.out_or_stdout(out)   # ``-``: printed once, never a file named ``-``
    try:
        signer = signer_for(get_settings())
    except SigningKeyError as e:
        err.print(f"{output.REFUSED} {output.esc(e)}")
        raise typer.Exit(2) from None
    if out is not None:
        with output.writing(out):
            out.write_text(signer.public_pem, encoding="ascii")
        err.print(f"已写入 wrote {out} ({signer.key_id})", markup=False)
    print(signer.public_pem, end="")


def verify_signature_command(
    file: Annotated[Path, typer.Argument(help="已签名的证明（JSON），或带 .sig.json 签名文件的导出文件 — A signed certificate (JSON), or an export with its .sig.json.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="本局已公布的公钥（PEM） — The bureau's published public key (PEM).")],
    sidecar: Annotated[Path | None, typer.Option(
        "--sidecar", help="签名文件（默认：存在时为 FILE.sig.json） — The signature sidecar (default: FILE.sig.json when it exists).")] = None,
    keyring: Annotated[Path | None, typer.Option(
        "--keyring", help="本局已公布的密钥环（signing-keys.jsonl，或原样保存的 GET /v1/keys/signing 答复）：密钥轮换前签署的文件用其当时的密钥核验，该密钥经链条连到 --public-key — The bureau's published keyring (signing-keys.jsonl, or the answer of GET "
        "/v1/keys/signing saved as it came): a file signed before a key rotation verifies with the key of its "
        "time, chained to --public-key.")] = None,
    keyring_pin: Annotated[str | None, typer.Option(
        "--keyring-pin", help="行数:哈希（LINES:SHA256）：本局所公布的密钥环，取自窃密者无法写入的来源（anchors.jsonl 副本中某锚点行的密钥环记录，或本局的公告）；所给密钥环须以这些行开头，其中最新的密钥受信任。所信任的密钥已被吊销时须提供 — LINES:SHA256 — the keyring as the bureau published it, from a source no thief can "
        "write (an anchor line's keyring record, lines and sha256, from a copy of anchors.jsonl, or the bureau's "
        "notice): the keyring given must begin with those lines, and the newest key among them is trusted. Needed "
        "when the key you trust is revoked (its thief can sign a keyring of their own).")] = None,
) -> None:
    """仅凭公钥离线核验签名（不需数据库，不需网络）。签名成立时退出码 0；不成立时 1（并说明原因：被改动、伪造、证明或签名文件损坏、密钥环核验不通过）；无法核验时 2（文件、签名文件、公钥或密钥环无法读取） — Check a signature offline with the public key alone (no database, no network). Exit 0 when
    it holds; 1 when it does not (the reason printed: changed, forged, a damaged certificate or
    sidecar, a keyring that does not verify); 2 when it cannot be checked (the file, its sidecar,
    the public key or the keyring cannot be read)."""
    from dataclasses import replace

    from credit.keyring import read_keyring
    from credit.signing import SigningKeyError, load_public_key, verify_file

    ring = None
    pin = _pin(keyring_pin) if keyring_pin is not None else None
    if pin is not None and keyring is None:
        output.refuse("--keyring-pin 须与 --keyring 一起给出 (--keyring-pin pins the keyring given with --keyring: give "
                      "both)")
    try:
        key = load_public_key(public_key.read_bytes(), str(public_key))
        if keyring is not None:
            if not keyring.exists():   # a missing keyring is not one key alone here: it was named
                raise FileNotFoundError(2, "No such file or directory", str(keyring))
            ring = read_keyring(keyring, key, served=True, pin=pin)
            if ring.problems:
                err.print(f"密钥清单未通过校验 keyring INVALID: {keyring}", style="red", markup=False)
                for r in ring.problems:
                    err.print(f"  {r}", markup=False)
                raise typer.Exit(1)
        check = verify_file(file, key, sidecar, {e.key_id: e.public for e in ring.entries} if ring else None)
    except OSError as e:   # missing, a folder, not permitted: named, in our words (never "[Errno 2] …")
        output.refuse(output.unreadable(e.filename or file, e))
    except SigningKeyError as e:
        output.refuse(str(e))
    # a signed document alone may be an anchor line a revocation vouches for (by the SHA-256 of the
    # line as published, credit.rosters.anchors.line_digest): trusted then, as credit audit verify does
    digest = None
    if ring is not None and check.ok and check.kind == "document":
        from credit.rosters.anchors import line_digest

        digest = line_digest(file.read_bytes().decode("utf-8").strip())
    late = ring.late_signature(check.key_id, check.dated, digest) if ring is not None and check.ok else None
    if late:   # a key handed over signs nothing more: what it signed dated after that is not the bureau's
        check = replace(check, ok=False, reasons=(late,))
    if ring is not None:   # what the keyring was held against, in every answer (README "A stolen key")
        (console if check.ok else err).print(ring.basis(f"--public-key {public_key.name}"), markup=False)
    if check.ok:
        who = ring.describe(check.key_id) if ring is not None else check.key_id
        console.print(f"签名有效 signature valid: {file.name} ({check.kind}) signed by {who}", markup=False)
        if check.chain_head:
            h = check.chain_head
            console.print(f"decision-log head published at the time: night {h.get('night')}, decision {h.get('seq')}, "
                          f"{str(h.get('row_hash'))[:16]}…", markup=False)
        return
    err.print(f"签名无效 signature INVALID: {file}", style="red", markup=False)
    for r in check.reasons:
        err.print(f"  {r}", markup=False)
    if ring is None and any("签名密钥不符" in r for r in check.reasons):
        err.print("  若本局已轮换签名密钥，请同时给出其公布的密钥清单 --keyring signing-keys.jsonl (if the bureau has "
                  "rotated its key, give its published keyring too: --keyring signing-keys.jsonl)", markup=False)
    raise typer.Exit(1)


def _pin(given: str) -> tuple[int, str]:
    """``--keyring-pin LINES:SHA256`` read; exit 2 naming the option when it is not of that form."""
    lines, _, digest = given.strip().partition(":")
    digest = digest.strip().lower()
    lines = lines.strip()
    # isdigit alone also takes ² and ①, which int() refuses (a traceback): only the digits 0–9
    if not lines.isascii() or not lines.isdigit() or int(lines) < 1 or len(digest) != 64 \
            or any(c not in "0123456789abcdef" for c in digest):
        output.refuse(f"--keyring-pin「{output.visible(given)}」应为 行数:SHA-256，如 3:9f2c…（64 位十六进制） (--keyring-pin is "
                      "LINES:SHA256, e.g. 3:9f2c… with 64 hex digits, as an anchor line's keyring record gives them)")
    return int(lines), digest


@keys_app.command("rotate")
def keys_rotate(new_key_file: Annotated[Path | None, typer.Option(
        "--new-key-file", help="新私钥（PEM），在用密钥来自 CREDIT_SIGNING_KEY 或 CREDIT_SIGNING_KEY_FILE 时使用；没有这些设置时自动生成新密钥 — The new private key (PEM), when the key in use comes from CREDIT_SIGNING_KEY or "
        "CREDIT_SIGNING_KEY_FILE; without them a new key is generated.")] = None) -> None:
    """将签名密钥交接给新密钥：本局密钥环（发布目录中的 signing-keys.jsonl）为新密钥增加一行，由新密钥和在用密钥共同签署，使旧密钥签署的内容仍可核验。自动生成的密钥立即替换（旧密钥存于 keys/retired/）；来自设置的密钥在设置指向新密钥时替换 — Hand the signing key over to a new one: the bureau's keyring (signing-keys.jsonl in the
    publication folder) gets a line for the new key, signed by it and by the key in use, so what
    the old key signed still verifies. A generated key is replaced at once (the old one kept
    under keys/retired/); a key from the settings is replaced when the setting names the new key,
    and until then nothing is signed."""
    from credit.keyring import keyring_path, rotate
    from credit.settings import get_settings

    settings = get_settings()
    try:
        data = new_key_file.read_bytes() if new_key_file is not None else None
    except OSError as e:
        output.refuse(output.unreadable(e.filename or str(new_key_file), e))
    done = rotate(settings, data)
    if done.finished:
        console.print(f"已完成上次中断的轮换 (finished the interrupted rotation): {done.old} → {done.new}", markup=False)
        return
    console.print(f"签名密钥已移交 (signing key handed over): {done.old} → {done.new}, 自 (from) "
                  f"{done.valid_from.isoformat()}；密钥清单 (keyring): {keyring_path(settings)}", markup=False)
    if not done.generated:
        err.print(f"现在请将 CREDIT_SIGNING_KEY_FILE（或 CREDIT_SIGNING_KEY）改为新密钥 {new_key_file}；改之前不签署任何文件 "
                  f"(now point CREDIT_SIGNING_KEY_FILE or CREDIT_SIGNING_KEY at the new key, {new_key_file}; "
                  "until then nothing is signed)", markup=False)
    err.print("请公布新公钥（credit keys public）及锚点旁的密钥清单 (publish the new public key, credit keys public, "
              "and the keyring beside the anchors)", markup=False)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="被吊销的密钥（其标识 ed25519:…，与 credit keys list 所列相同） — The key revoked (its id, ed25519:…, as credit keys list names it).")],
    compromised_since: Annotated[str, typer.Option(
        "--compromised-since", help="视为被盗的起始时间：YYYY-MM-DD（当日零时）或 YYYY-MM-DDTHH:MM[:SS][±HH:MM]，未给时差时按本局时钟 — Since when the key is taken as stolen: YYYY-MM-DD (the start of that day) or "
        "YYYY-MM-DDTHH:MM[:SS][±HH:MM], on the bureau's clock when no offset is given.")],
    reason: Annotated[str, typer.Option("--reason", help="原因，随吊销一并公布（如 私钥文件外泄） — Why, as published with the revocation (e.g. 私钥文件外泄).")],
    accept_unvouched: Annotated[bool, typer.Option(
        "--accept-unvouched", help="即使该密钥此后签署的部分锚点行没有任何批次的记录（伪造、被改动，或早于批次记录）也予吊销：这些行将永远无法通过 credit audit verify — Revoke although some anchor lines the key signed since then were not recorded by "
        "any night (forged, altered, or older than the nights' records): they will fail credit audit verify for good.")
    ] = False,
) -> None:
    """吊销被盗的签名密钥：密钥环增加一行，由在用密钥签署（被盗的正是在用密钥时先轮换）；此后被吊销密钥所签、日期在 --compromised-since 当时或之后的内容一律不受信任，但本局各批次记录了在此期间发布的锚点行除外，吊销为其作保 — Revoke a stolen signing key: the keyring gets a line, signed by the key in use (rotate first
    when the stolen key is the one in use), after which nothing the revoked key signed dated at or
    after --compromised-since is trusted, except the anchor lines the bureau's nights recorded
    publishing in that time, which the revocation vouches for."""
    from datetime import date, datetime, time

    from credit import clock
    from credit.db import engine_for
    from credit.keyring import keyring_path, revoke
    from credit.rosters.anchors import vouchable_lines
    from credit.settings import get_settings
    from credit.signing import SigningKeyError

    settings = get_settings()
    zone = clock.zone(settings)
    try:
        typed = compromised_since.strip()
        since = (datetime.combine(date.fromisoformat(typed), time(0), zone)
                 if len(typed) == 10 else datetime.fromisoformat(typed))
    except ValueError:
        output.refuse(f"--compromised-since「{compromised_since}」不是日期或时间，应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM "
                      f"(not a date or time: YYYY-MM-DD or YYYY-MM-DDTHH:MM[±HH:MM])")
    if since.tzinfo is None:
        since = since.replace(tzinfo=zone)
    with engine_for(settings).connect() as conn:
        found = vouchable_lines(conn, settings, key_id, since)
    if found.unknown and not accept_unvouched:
        # A revocation cannot be taken back: lines it does not vouch for fail every audit from then on.
        output.refuse(f"该密钥自 {since.isoformat()} 起签署的锚点行中，有 {len(found.unknown)} 行没有任何批次记录发布过"
                      f"（{'；'.join(found.unknown)}）：核实后如仍吊销，请加 --accept-unvouched，这些行此后将无法通过 "
                      f"credit audit verify (anchor lines the key signed since then that no night recorded publishing: "
                      f"{'; '.join(found.unknown)}; a revocation cannot be taken back and these lines would fail every "
                      "audit from then on: check them, then give --accept-unvouched to revoke anyway); 未吊销 (nothing "
                      "revoked)")
    try:
        done = revoke(settings, key_id, since, reason, found.vouched)
    except SigningKeyError as e:
        output.refuse(str(e))
    console.print(f"已吊销 (revoked) {done.key_id}：自 (compromised since) {done.compromised_since.isoformat()} 起签署的"
                  f"文件不再可信；为其间本局各批次发布的 {len(done.vouched)} 行锚点背书 (vouched for the {len(done.vouched)} "
                  f"anchor lines the nights published in that time)；密钥清单 (keyring): {keyring_path(settings)}",
                  markup=False)
    for line in found.unknown:
        err.print(f"未背书 (not vouched for): {line} — 没有批次记录发布过该行（伪造或被改动）(no night recorded publishing "
                  "it: forged or altered)", style="red", markup=False)
    err.print("请公布更新后的密钥清单，并重新签发该密钥在泄露后签署的导出文件和证书 (publish the keyring again; exports "
              "and certificates the key signed since then must be issued again)", markup=False)


@keys_app.command("list")
def keys_list(json_out: Annotated[bool, typer.Option("--json", help="原样输出密钥环各行 — The keyring's lines as published.")] = False
              ) -> None:
    """本局的签名密钥，按启用先后排列，取自其密钥环并经核验（密钥环核验不通过，或某锚点行所记录的行已不在其开头时退出码 1），并列出尚无锚点记录的行 — The bureau's signing keys in the order they came into use, from its keyring, checked
    (exit 1 when the keyring does not verify, or an anchor line recorded lines it no longer begins
    with), and which of its lines no anchor records yet."""
    import json

    from credit.keyring import keyring_for
    from credit.rosters.anchors import anchor_path, anchored_lines, keyring_cut_since, read_anchors
    from credit.settings import get_settings

    settings = get_settings()
    ring = keyring_for(settings)
    cut = None
    if json_out:
        print(json.dumps(ring.lines, ensure_ascii=False, indent=1))
    else:
        table = output.table("密钥 key", "启用 in use from", "移交自 handed over by", "吊销 revoked")   # cells as written
        for e in ring.entries:
            rev = ring.revocations.get(e.key_id)
            table.add_row(e.key_id, e.valid_from.isoformat() if e.valid_from else "（尚无密钥清单 no keyring yet）",
                          e.previous or "—",
                          f"自 {rev.compromised_since.isoformat()} 起视为泄露：{rev.reason}" if rev else "—")
        console.print(table)
    if not ring.problems:
        try:
            found = read_anchors(anchor_path(settings), None)
        except OSError as e:   # the anchor file cannot be read: said, the keys are listed all the same
            err.print(f"无法判断哪些行已锚定 (cannot tell which lines are anchored): "
                      f"{output.unreadable(e.filename or anchor_path(settings), e)}", markup=False)
        else:
            # a line an anchor recorded, taken out since (a revocation hidden, the file deleted): named,
            # never "all anchored" nor "no keyring yet" alone
            cut = keyring_cut_since(found, ring)
            note = ring.unanchored(anchored_lines(found, ring))
            if cut is None and ring.path is not None:
                (err if json_out else console).print(
                    note or f"密钥清单 {len(ring.lines)} 行均已被锚点记录 (all {len(ring.lines)} keyring lines are "
                            "anchored: an anchor line published outside records them)", markup=False)
    for r in [*ring.problems, *([cut] if cut else [])]:
        err.print(f"密钥清单未通过校验 keyring INVALID: {r}", style="red", markup=False)
    if ring.problems or cut:
        raise typer.Exit(1)


def db_backup(out: Annotated[Path, typer.Option("--out", help="要写入的转储文件（pg_dump custom 格式）。缺失的目录会被创建，并在标准错误上列出 — The dump file to write (pg_dump custom format). " + output.OUT_FOLDERS)]
              ) -> None:
    """将整个数据库（存储、决定日志及其哈希链、锚点、授权）转储到一个文件 — Dump the whole database (store, decision log with its chain, anchors, grants) to one file."""
    from credit.backup import BackupError, backup
    from credit.db import database_url
    from credit.settings import get_settings

    out = output.out_file(out)
    settings = get_settings()
    url = database_url(settings)
    try:
        with output.writing(out):
            backup(url, out, settings)
    except BackupError as e:
        err.print(f"[red]备份失败 backup failed:[/red] {output.esc(e)}")
        raise typer.Exit(1) from None
    console.print(f"已写入 {out}（{out.stat().st_size:,} 字节） (wrote {out}, {out.stat().st_size:,} bytes)", markup=False)


def db_roles(password_env: Annotated[bool, typer.Option(
        "--password-env", help="为设置了相应环境变量的角色赋予登录权和密码：CREDIT_WRITER_PASSWORD、CREDIT_API_PASSWORD、CREDIT_AUDITOR_PASSWORD（密码从不出现在命令行上）。须以数据表所有者身份运行 — Give LOGIN and a password to each role whose variable is set: CREDIT_WRITER_PASSWORD, "
        "CREDIT_API_PASSWORD, CREDIT_AUDITOR_PASSWORD (never on the command line). Run as the tables' owner.")] = False
             ) -> None:
    """角色 credit_writer、credit_api、credit_auditor 及其能否登录；与 --password-env 同用时先为它们设置登录（被拒绝时退出码 2，不作任何改动） — The roles credit_writer, credit_api and credit_auditor and whether each may log in; with
    --password-env, give them their logins first (exit 2, nothing changed, when refused)."""
    import os

    import sqlalchemy as sa

    from credit.db import engine_for
    from credit.roles import ROLE_PASSWORD_ENV, RolesError, give_logins, passwords_from, role_logins
    from credit.settings import get_settings

    passwords = passwords_from(os.environ) if password_env else {}
    if password_env and not passwords:
        output.refuse(f"未设置任何角色口令 (none of {', '.join(ROLE_PASSWORD_ENV.values())} is set): nothing to do")
    try:
        with engine_for(get_settings()).begin() as conn:
            states = {r.role: (r.login, r.password_set) for r in give_logins(conn, passwords)} if passwords else \
                {role: (login, False) for role, login in role_logins(conn).items()}
    except RolesError as e:
        output.refuse(str(e))
    except sa.exc.DBAPIError as e:
        output.refuse(f"数据库拒绝修改角色，未做任何改动 (the database refused, nothing changed; run as the tables' "
                      f"owner with CREATEROLE, or a superuser): {str(e.orig).splitlines()[0]}")
    t = output.table("角色 role", "可登录 login", "本次设置口令 password set", "口令变量 variable", title="database roles")
    for role, var in ROLE_PASSWORD_ENV.items():
        login, set_now = states.get(role, (False, False))
        t.add_row(role, "是 yes" if login else "否 no", "是 yes" if set_now else "—", var)
    console.print(t)


def db_airflow_role(database: Annotated[str, typer.Option(
        "--database", help="同一服务器上 Airflow 的元数据库 — Airflow's metadata database on the same server.")] = "airflow_meta") -> None:
    """供 Airflow 使用的登录（docker compose，docs/deploy.md §3）：角色 airflow，密码取自 AIRFLOW_DB_PASSWORD，为 Airflow 元数据库及其中以往部署以所有者身份所建对象的所有者。须在 Airflow 迁移之前、每次启动时以超级用户身份运行（重复运行不改变任何内容）；被拒绝时退出码 2 — Airflow's own login (docker compose, docs/deploy.md §3): the role airflow with the password of
    AIRFLOW_DB_PASSWORD, owner of Airflow's metadata database and of what an earlier deployment
    created there as the owner. Run as a superuser before Airflow migrates, at every start (running
    it again changes nothing); exit 2 when refused."""
    import os

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from credit.db import database_url
    from credit.roles import (
        AIRFLOW_PASSWORD_ENV,
        AIRFLOW_ROLE,
        RolesError,
        give_airflow_login,
        hand_over_airflow_objects,
    )
    from credit.settings import get_settings

    password = os.environ.get(AIRFLOW_PASSWORD_ENV, "")
    if not password:
        output.refuse(f"未设置 {AIRFLOW_PASSWORD_ENV} ({AIRFLOW_PASSWORD_ENV} is not set): nothing to do")
    url = database_url(get_settings())
    try:
        owner = sa.create_engine(url)
        try:
            with owner.begin() as conn:
                give_airflow_login(conn, database, password)
        finally:
            owner.dispose()
        meta = sa.create_engine(make_url(url).set(database=database))
        try:
            with meta.begin() as conn:
                hand_over_airflow_objects(conn)
        finally:
            meta.dispose()
    except RolesError as e:
        output.refuse(str(e))
    except sa.exc.DBAPIError as e:
        output.refuse(f"数据库拒绝修改角色或数据库，请以超级用户身份重新运行 (the database refused; run it again as a "
                      f"superuser): {str(e.orig).splitlines()[0]}")
    console.print(f"{AIRFLOW_ROLE}: login, password set, owner of {database}", markup=False)


def db_restore(
    dump: Annotated[Path, typer.Argument(help="由 `credit db backup` 写出的转储文件 — A dump written by `credit db backup`.")],
    database: Annotated[str | None, typer.Option(
        "--database", help="恢复到同一服务器上的这个新数据库（之后将 CREDIT_DATABASE_URL 指向它） — Restore into this new database on the same server (then point "
                           "CREDIT_DATABASE_URL at it).")] = None,
    target_url: Annotated[str | None, typer.Option(
        "--target-url", help="恢复到此地址的（空）数据库 — Restore into the (empty) database at this URL.")] = None,
) -> None:
    """将转储恢复到空数据库，然后像 `credit audit verify` 那样依在数据库之外发布的锚点核对决定日志的哈希链（包括密钥环本身的问题及尚无锚点记录的行）；恢复或核对失败，或锚点、密钥环无法读取时退出码 1 — Restore a dump into an empty database, then verify the decision log's chain against the
    anchors published outside the database, as `credit audit verify` does (the keyring's own
    problems and its lines no anchor records yet included); exit 1 when the restore or the
    verification fails, or when the anchors or the keyring cannot be read to verify it."""
    from sqlalchemy.engine import make_url

    from credit.backup import BackupError, restore
    from credit.db import database_url
    from credit.rosters.anchors import anchor_path
    from credit.rosters.audit import audit_log
    from credit.settings import get_settings
    from credit.signing import SigningKeyError

    settings = get_settings()
    if database is not None and target_url is not None:
        err.print(f"{output.REFUSED} --database 与 --target-url 只能给出其一 (give --database or --target-url, not both)")
        raise typer.Exit(2)
    url = target_url or database_url(settings)
    if database is not None:
        url = make_url(url).set(database=database).render_as_string(hide_password=False)
    try:
        done = restore(dump, url, settings)
    except BackupError as e:
        err.print(f"[red]恢复失败 restore failed:[/red] {output.esc(e)}")
        raise typer.Exit(1) from None
    console.print(f"已恢复 {done.tables} 张表、{done.decisions} 项决定到数据库 {make_url(url).database} "
                  f"(restored {done.tables} tables, {done.decisions} decisions into {make_url(url).database})",
                  markup=False)
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:   # the same check as `credit audit verify`: the keyring read with its problems, not only its keys
        report = audit_log(engine, settings)
    except OSError as e:
        err.print(f"已恢复，但未能校验 (restored, but not verified): "
                  f"{output.unreadable(e.filename or anchor_path(settings), e)}", style="red", markup=False)
        raise typer.Exit(1) from None
    except SigningKeyError as e:
        err.print(f"已恢复，但未能校验 (restored, but not verified): {e}", style="red", markup=False)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    for w in report.warnings:
        err.print(f"注意 warning: {w}", style="yellow", markup=False)
    if not report.ok:
        err.print(report.message(), style="red", markup=False)
        raise typer.Exit(1)
    console.print(report.message(), markup=False)

