"""Logins of the least-privilege roles: ``credit db roles [--password-env]`` (docs/deploy.md §3).

Migration 0013 creates ``credit_writer``, ``credit_api`` and ``credit_auditor`` ``NOLOGIN``; a
deployment gives each a login and a password once per server, as the owner of the tables (or a
superuser), then points each service's ``CREDIT_DATABASE_URL`` at its role. The passwords come
from the environment (``ROLE_PASSWORD_ENV``), never from the command line, and go to the server as
SCRAM-SHA-256 verifiers computed here, as ``psql``'s ``\\password`` does: the plain password is in
no statement, no server log and no ``pg_stat_activity``. Setting them again is harmless (the
compose file's init service does it at every start, so a password changed in ``.env`` takes
effect at the next ``docker compose up``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from credit import sqlfiles

#: The environment variable holding each role's password (deploy/env.example).
ROLE_PASSWORD_ENV = {
    "credit_writer": "CREDIT_WRITER_PASSWORD",
    "credit_api": "CREDIT_API_PASSWORD",
    "credit_auditor": "CREDIT_AUDITOR_PASSWORD",
}
#: Airflow's own login in docker compose: owns Airflow's metadata database, nothing of the project's
#: (``credit db airflow-role``); its password's variable (deploy/env.example).
AIRFLOW_ROLE = "airflow"
AIRFLOW_PASSWORD_ENV = "AIRFLOW_DB_PASSWORD"
SCRAM_ITERATIONS = 4096   # PostgreSQL's default (scram_iterations)
#: Characters a password may not hold: docker-compose.yml writes it unescaped into a URL, where '@'
#: ends it (the rest is read as the host) and '%' starts an escape (``%41`` is read as ``A``).
URL_MISREAD = ("@", "%")


class RolesError(ValueError):
    """The roles cannot be given their logins as asked (a clear message, nothing changed)."""


@dataclass(frozen=True)
class RoleLogin:
    role: str
    login: bool
    password_set: bool   # by this run


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802, RFC 7677).

    Printable ASCII only: the server prepares other text with SASLprep, which this does not
    reproduce, so such a password could be set and then never accepted."""
    if not password or not all(" " <= ch <= "~" for ch in password):
        raise RolesError("口令须为非空的可打印 ASCII 字符 (a role's password must be non-empty printable ASCII)")
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("ascii"), salt, iterations)
    stored = hashlib.sha256(hmac.new(salted, b"Client Key", "sha256").digest()).digest()
    server = hmac.new(salted, b"Server Key", "sha256").digest()
    return f"SCRAM-SHA-256${iterations}:{_b64(salt)}${_b64(stored)}:{_b64(server)}"


def passwords_from(env: Mapping[str, str]) -> dict[str, str]:
    """The roles whose password variable is set and not empty, with that password."""
    return {role: env[var] for role, var in ROLE_PASSWORD_ENV.items() if env.get(var)}


def role_logins(conn: Connection) -> dict[str, bool]:
    """Each least-privilege role the server has, and whether it may log in."""
    return {str(r["role"]): bool(r["login"]) for r in conn.execute(sqlfiles.statement("roles/login_roles")).mappings()}


def give_logins(conn: Connection, passwords: Mapping[str, str]) -> list[RoleLogin]:
    """``LOGIN`` and the password for each role of ``passwords`` (in the caller's transaction);
    every role's state after it. Refused, nothing changed, when a role is missing (the schema is
    not upgraded) or a password cannot be used."""
    unknown = sorted(set(passwords) - set(ROLE_PASSWORD_ENV))
    if unknown:
        raise RolesError(f"不是本系统的角色 (not a role of this system): {', '.join(unknown)}")
    for role, pw in passwords.items():
        _usable_in_url(role, pw)
    verifiers = {role: scram_verifier(pw) for role, pw in passwords.items()}
    present = role_logins(conn)
    missing = [r for r in ROLE_PASSWORD_ENV if r not in present]
    if missing:
        raise RolesError(f"数据库中没有角色 {', '.join(missing)}，请先运行 credit db upgrade "
                         f"(the roles {', '.join(missing)} do not exist: run `credit db upgrade` first)")
    for role, verifier in verifiers.items():
        conn.execute(sqlfiles.statement("roles/role_verifier"), {"role": role, "verifier": verifier})
        conn.execute(sqlfiles.statement("roles/role_login"))
    after = role_logins(conn)
    return [RoleLogin(r, after[r], r in verifiers) for r in ROLE_PASSWORD_ENV]


def _usable_in_url(role: str, pw: str, url: str = "CREDIT_DATABASE_URL") -> None:
    """Refuse a password that ``url`` (the setting docker-compose.yml writes it into) would misread."""
    if any(ch in pw for ch in URL_MISREAD):
        raise RolesError(f"{role} 的口令不得含 {'、'.join(URL_MISREAD)}：各服务的 {url} 原样写入口令，"
                         f"这些字符会改变连接地址的含义，未做任何改动 (the password of {role} must not contain "
                         f"{' or '.join(URL_MISREAD)}: each service's {url} (docker-compose.yml) "
                         "carries it as written, where '@' ends it and '%' starts an escape; nothing changed)")


def give_airflow_login(conn: Connection, database: str, password: str) -> None:
    """Airflow's own login (``credit db airflow-role``, docs/deploy.md §3), in the caller's
    transaction on the server, as a superuser: the role :data:`AIRFLOW_ROLE` (created when missing)
    with LOGIN and ``password`` (sent as its SCRAM verifier, :func:`scram_verifier`), made the
    owner of ``database``, Airflow's metadata database. :func:`hand_over_airflow_objects` then
    gives it the tables an earlier deployment created there as the owner."""
    _usable_in_url(AIRFLOW_ROLE, password, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    conn.execute(sqlfiles.statement("roles/airflow_database"),
                 {"verifier": scram_verifier(password), "database": database})
    conn.execute(sqlfiles.statement("roles/airflow_login"))


def hand_over_airflow_objects(conn: Connection) -> None:
    """On Airflow's metadata database (the caller's transaction): what this connection's role owns
    in its schema public, handed to :data:`AIRFLOW_ROLE` (``roles/airflow_objects.sql``)."""
    conn.execute(sqlfiles.statement("roles/airflow_objects"))
