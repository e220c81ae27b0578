"""API keys and roles (issue 7: "roles and keys stored hashed; every call authorised by role").

Three roles, each seeing everything of the roles before it, and one beside them:

- ``public``: anyone, with or without a key — roster entries, exports, published inspection
  results, the applicants' page (domain.md §10: what is public);
- ``consumer``: joint-punishment consumers (联合惩戒 — procurement, bidding, banks): bulk screening
  with certificates and the change feed of decisions;
- ``bureau``: the bureau's staff — tiers with reasons, the deadline watch, draws, decisions on
  applications and objections. Tiers are internal (domain.md §7: "not public");
- ``licensing``: a licensing department (许可部门, migration 0038): the 双告知 notices of its own
  department (domain.md §11), and what the public sees; never tiers, bank data or another
  department's notices. A licensing key names its department (``api_keys.department``).

A key is ``crk_`` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored; a key
is shown once, when created.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

ROLES = ("public", "consumer", "bureau", "licensing")
#: The roles as officers read them (the codes stay in --json and the API).
ROLE_LABELS = {"public": "社会公众", "consumer": "联合惩戒使用单位", "bureau": "本局", "licensing": "许可部门"}
#: What a role sees of the ranked ones: each everything of those below it. A licensing department
#: ranks with the public; its own notices are a call of its own (credit.api.bureau_routes).
RANK = {"public": 0, "licensing": 0, "consumer": 1, "bureau": 2}
KEY_PREFIX = "crk_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key (id, name, role) or an anonymous caller (public role)."""

    role: str
    key_id: int | None = None
    name: str | None = None
    rate_per_minute: int | None = None
    # An officer signed in to the workbench with a password (credit.api.officers): role ``bureau``,
    # ``name`` the login, and the account's own role and authority.
    officer_id: int | None = None
    officer_role: str | None = None
    authority: str | None = None
    display_name: str | None = None
    department: str | None = None   # a licensing key's department (config/notices.yaml)

    def allows(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]

    @property
    def view_role(self) -> str:
        """The role whose view of entities and rosters the caller gets: a licensing department sees
        what the public sees (hidden entries included: never the consumers' fuller view)."""
        return "public" if self.role == "licensing" else self.role

    @property
    def limiter_key(self) -> str | None:
        if self.officer_id is not None:
            return f"officer:{self.officer_id}"
        return None if self.key_id is None else f"key:{self.key_id}"

    @property
    def actor(self) -> str:
        """Who a decision records: ``account:<login>`` for an officer's account (issue 15), else
        ``officer:<key name>`` for a bureau key, as before."""
        if self.officer_id is not None:
            return f"account:{self.name}"
        return f"officer:{self.name}"


ANONYMOUS = Principal("public")


class UnknownKey(LookupError):
    """The key is not known or was revoked."""


def create_key(conn: Connection, role: str, name: str, config_version: str,
               rate_per_minute: int | None = None, department: str | None = None) -> tuple[int, str]:
    """Create a key for ``role``; returns (id, key). The key cannot be recovered afterwards.
    ``department``: the licensing department of a ``licensing`` key (and of no other); the caller
    checks that the bureau's configuration names it."""
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("a key needs the name of whoever holds it")
    department = (department or "").strip() or None
    if (role == "licensing") != (department is not None):
        raise ValueError("许可部门的密钥须指明其许可部门，其他角色的密钥不能指明 "
                         "(a licensing key names its department, and only a licensing key does)")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = conn.execute(sa.text(
        "insert into api_keys (name, role, key_hash, key_prefix, rate_per_minute, config_version, department) "
        "values (:n, :r, :h, :p, :rate, :cv, :d) returning id"),
        {"n": name.strip(), "r": role, "h": hash_key(key), "p": key[:10], "rate": rate_per_minute,
         "cv": config_version, "d": department}).scalar_one()
    return int(key_id), key


def revoke_key(conn: Connection, key_id: int) -> bool:
    n = conn.execute(sa.text("update api_keys set revoked_at = now() where id = :i and revoked_at is null"),
                     {"i": key_id}).rowcount
    return bool(n)


class KeyListing(TypedDict):
    """A key as listed for the bureau: who holds it, its role and prefix, never the key itself."""

    id: int
    name: str
    role: str
    key_prefix: str
    rate_per_minute: int | None
    created_at: datetime
    revoked_at: datetime | None
    department: str | None


def list_keys(conn: Connection) -> list[KeyListing]:
    """Every key ever created, revoked ones included, in creation order."""
    rows = conn.execute(sa.text("select id, name, role, key_prefix, rate_per_minute, created_at, revoked_at, "
                                "department from api_keys order by id")).mappings().all()
    return [{"id": r["id"], "name": r["name"], "role": r["role"], "key_prefix": r["key_prefix"],
             "rate_per_minute": r["rate_per_minute"], "created_at": r["created_at"], "revoked_at": r["revoked_at"],
             "department": r["department"]}
            for r in rows]


def principal_for(conn: Connection, key: str) -> Principal:
    """The principal a key stands for; raises :class:`UnknownKey`."""
    row = conn.execute(sa.text(
        "select id, name, role, rate_per_minute, department from api_keys where key_hash = :h and revoked_at is null"),
        {"h": hash_key(key.strip())}).mappings().first()
    if row is None:
        raise UnknownKey("unknown or revoked API key")
    return Principal(row["role"], int(row["id"]), row["name"], row["rate_per_minute"], department=row["department"])
