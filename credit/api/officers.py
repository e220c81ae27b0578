"""Officers' accounts of the bureau workbench (issue 15): who signs in, what they may do, for which authority.

Each officer has an account (``officers``, migration 0018): a login name, a display name, a role
and an authority. Roles (who may draft, approve, decide):

- ``officer`` 办案人员: drafts — records the serious-list art. 12 assessment (domain.md §4) and
  counter applications and objections;
- ``approver`` 审核人员: also approves or rejects drafts (拟列入/拟移出), decides objections and
  records the higher bureau's consent;
- ``admin`` 管理员: as an approver (accounts themselves are managed with ``credit officers``).

The authority is the GB/T 2260 code of the issuing authority whose decisions the officer signs
(谁认定、谁修复, domain.md §5.1; :mod:`credit.rosters.authorities`): an approval or a decision is
refused when the decision belongs to another authority.

Passwords: only ``scrypt`` hashes are stored (stdlib :func:`hashlib.scrypt`, N=2**14, r=8, p=1, a
random 16-byte salt), compared in constant time. A password is at least 10 characters. An account
is locked after ``officer_lockout.failures`` refused sign-ins within ``officer_lockout.minutes``
(config/api.yaml), counted from ``api_session_events`` (so the lock holds across server processes
and restarts); the per-address sign-in rate limit (``rate_limits.login``) applies as well.

Decisions made on the workbench record the account as the actor, ``account:<login>``
(:attr:`credit.api.auth.Principal.actor`), never a name typed into a form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy.engine import Connection, RowMapping

from credit import sqlfiles
from credit.api.auth import Principal

ROLES = ("officer", "approver", "admin")
ROLE_LABELS = {"officer": "办案人员", "approver": "审核人员", "admin": "管理员"}
PERMISSIONS: dict[str, frozenset[str]] = {
    "officer": frozenset({"draft"}),
    "approver": frozenset({"draft", "approve", "decide"}),
    "admin": frozenset({"draft", "approve", "decide"}),
}
"""What each role may do: ``draft`` (assessments, counter records), ``approve`` (drafts, consent),
``decide`` (objections, applications)."""
ACTION_LABELS = {"draft": "拟稿", "approve": "审批", "decide": "作出决定"}
MIN_PASSWORD = 10
_N, _R, _P = 2**14, 8, 1


class Refused(Exception):
    """An account cannot be created or changed as asked; the message says why."""


def hash_password(password: str, *, n: int = _N, r: int = _R, p: int = _P) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64) of ``password`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    dk = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(dk).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison of the derived keys)."""
    try:
        scheme, n, r, p, salt, want = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(want)
        dk = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                            dklen=len(expected), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(dk, expected)


_DUMMY = hash_password("not-a-password-of-anyone")


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少应有 {MIN_PASSWORD} 个字符 (the password needs at least {MIN_PASSWORD} characters)"
    if password.strip() != password:
        return "密码的首尾不能是空格 (the password must not start or end with a space)"
    return None


@dataclass(frozen=True)
class Lockout:
    """config/api.yaml ``officer_lockout``: so many refused sign-ins within so many minutes lock an account."""

    failures: int = 5
    minutes: int = 15

    @classmethod
    def of(cls, cfg: dict[str, object] | None) -> Lockout:
        cfg = cfg or {}
        return cls(failures=int(str(cfg.get("failures", 5))), minutes=int(str(cfg.get("minutes", 15))))


class OfficerAccount(TypedDict):
    """An account as listed: never its password hash."""

    id: int
    login: str
    display_name: str
    role: str
    role_label: str
    authority: str
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None


def _account(r: RowMapping | Mapping[str, Any]) -> OfficerAccount:
    return {"id": int(r["id"]), "login": str(r["login"]), "display_name": str(r["display_name"]),
            "role": str(r["role"]), "role_label": ROLE_LABELS.get(str(r["role"]), str(r["role"])),
            "authority": str(r["authority"]), "created_at": r["created_at"],
            "password_changed_at": r["password_changed_at"], "disabled_at": r["disabled_at"]}


def normal_login(login: str) -> str:
    return login.strip().lower()


def add_officer(conn: Connection, login: str, display_name: str, role: str, authority: str,
                password: str) -> OfficerAccount:
    """Create an account; raises :class:`Refused` for a taken login, an unknown role, a weak password."""
    from credit.rosters.authorities import authority_of

    login = normal_login(login)
    if role not in ROLES:
        raise Refused(f"角色 {role!r} 无效，应为 {'、'.join(ROLES)} 之一 (role {role!r} is not one of {', '.join(ROLES)})")
    if not display_name.strip():
        raise Refused("账号须有办案人员的姓名 (an account needs the officer's display name)")
    if not (authority.isdigit() and len(authority) == 6):
        raise Refused(f"机关代码 {authority!r} 应为 6 位 GB/T 2260 行政区划代码 (authority {authority!r} is not a 6-digit GB/T 2260 code)")
    if authority_of(authority, {}).resolved == "fallback":
        raise Refused(f"机关代码 {authority!r} 不是已知的行政区划 (authority {authority!r} is not a known division, GB/T 2260)")
    if (problem := password_problem(password)) is not None:
        raise Refused(problem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,63}", login):
        raise Refused("登录名应为 2–64 个 a-z、0-9、.、_、- 字符，以字母或数字开头 (a login is 2-64 of a-z 0-9 . _ -, starting with a letter or digit)")
    if conn.execute(sqlfiles.statement("api/officer_by_login"), {"l": login}).first() is not None:
        raise Refused(f"登录名 {login!r} 已被使用（账号只停用，不删除、不重用） (login {login!r} is taken: accounts are disabled, never deleted or reused)")
    row = conn.execute(sqlfiles.statement("api/insert_officer"),
                       {"l": login, "n": display_name.strip(), "r": role, "a": authority,
                        "h": hash_password(password)}).mappings().one()
    return _account(row)


def list_officers(conn: Connection) -> list[OfficerAccount]:
    """Every account, disabled ones included, in creation order."""
    return [_account(r) for r in conn.execute(sqlfiles.statement("api/list_officers")).mappings()]


def disable_officer(conn: Connection, login: str) -> bool:
    """Disable an account (its sessions end at once); False when there is no such live account."""
    row = conn.execute(sqlfiles.statement("api/disable_officer"), {"l": normal_login(login)}).first()
    if row is None:
        return False
    conn.execute(sqlfiles.statement("api/delete_officer_sessions"), {"i": int(row[0])})
    return True


def set_password(conn: Connection, login: str, password: str) -> bool:
    """A new password (sessions of the account end); False when there is no such live account."""
    if (problem := password_problem(password)) is not None:
        raise Refused(problem)
    row = conn.execute(sqlfiles.statement("api/set_officer_password"),
                       {"l": normal_login(login), "h": hash_password(password)}).first()
    if row is None:
        return False
    conn.execute(sqlfiles.statement("api/delete_officer_sessions"), {"i": int(row[0])})
    return True


@dataclass(frozen=True)
class SignIn:
    """The outcome of a password sign-in: the account (None when refused) and why it was refused."""

    officer: OfficerAccount | None
    refusal: str | None          # None, "unknown", "locked"


def authenticate(conn: Connection, login: str, password: str, lockout: Lockout, client: str | None) -> SignIn:
    """Check a login and password, counting refused attempts (``api_session_events``); a locked
    account is refused even with the right password. An unknown login costs the same hashing time."""
    row = conn.execute(sqlfiles.statement("api/officer_by_login"), {"l": normal_login(login)}).mappings().first()
    if row is None or row["disabled_at"] is not None:
        verify_password(password, _DUMMY)
        conn.execute(sqlfiles.statement("api/insert_officer_event"),
                     {"e": "login_refused", "o": None, "n": normal_login(login)[:64], "c": client})
        return SignIn(None, "unknown")
    failures = conn.execute(sqlfiles.statement("api/officer_recent_failures"),
                            {"o": row["id"], "minutes": lockout.minutes}).scalar_one()
    if int(failures) >= lockout.failures:
        verify_password(password, _DUMMY)
        conn.execute(sqlfiles.statement("api/insert_officer_event"),
                     {"e": "login_locked", "o": row["id"], "n": row["login"], "c": client})
        return SignIn(None, "locked")
    if not verify_password(password, str(row["password_hash"])):
        conn.execute(sqlfiles.statement("api/insert_officer_event"),
                     {"e": "login_refused", "o": row["id"], "n": row["login"], "c": client})
        return SignIn(None, "unknown")
    return SignIn(_account(row), None)


def may(role: str | None, action: str) -> bool:
    """Whether an officer's role allows ``action`` (draft / approve / decide)."""
    return role is not None and action in PERMISSIONS.get(role, frozenset())


def refusal(who: Principal, action: str, authority: str | None) -> str | None:
    """Why ``who`` may not take ``action`` on a decision of ``authority`` (its code), or None.

    Officers' accounts are checked by role and authority; a bureau key (the API, or the sign-in
    by key kept for compatibility) acts as before, for the bureau as a whole."""
    if not who.allows("bureau"):
        return "需要监管部门账号"
    if who.officer_id is None:
        return None
    if not may(who.officer_role, action):
        return (f"{ROLE_LABELS.get(who.officer_role or '', who.officer_role or '')}无权{ACTION_LABELS[action]}"
                f"（须{'或'.join(ROLE_LABELS[r] for r in ROLES if action in PERMISSIONS[r])}）")
    if authority is not None and who.authority != authority:
        from credit.rosters.authorities import authority_of

        return (f"该事项由{authority_of(authority, {}).name}决定，本账号所属机关为"
                f"{authority_of(who.authority or '000000', {}).name}")
    return None


def serious_refusal(who: Principal, action: str, authority: str | None, *, higher_too: bool = False) -> str | None:
    """Why ``who`` may not take a step of a serious-list procedure run by ``authority`` (its code),
    or None. The art. 12 assessment is the case authority's own (本局承办人员); the higher bureau's
    consent (``higher_too``) may also be recorded by that higher bureau (domain.md §4)."""
    if higher_too and authority is not None and who.authority is not None:
        from credit.rosters.authorities import higher_authority

        if who.authority == higher_authority(authority):
            authority = who.authority
    return refusal(who, action, authority)
