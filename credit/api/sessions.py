"""Bureau page sessions and the form tokens of every page form (issue 14).

**Sessions.** Signing in to ``/bureau`` with a bureau key creates a server-side session: a random
id (256 bits) goes into an ``HttpOnly``, ``SameSite=Strict`` cookie (``Secure`` under HTTPS, or
always when config/api.yaml ``session.secure_cookie`` says so); only its SHA-256 is stored, with an
absolute expiry and an idle timeout (``session.absolute_hours``, ``session.idle_minutes``).
Signing out deletes the row, so a copied cookie stops working at once; a revoked key ends its
sessions at the next request. Every sign-in, sign-out and refused sign-in is a row of
``api_session_events``. The key itself never leaves the sign-in form.

**Form tokens** (against cross-site request forgery). Each browser gets a random value in an
``HttpOnly`` cookie (``credit_csrf``); a form carries ``HMAC(secret, cookie | session id)`` in a
hidden field, checked on POST (HTTP 403 without it). Another site can make a browser post a
form, but can read neither the cookie nor our page, so it cannot produce the token; binding the
session id in makes a token of the signed-out page useless once signed in, and the other way
round. The secret is ``CREDIT_FORM_SECRET`` (set it when several server processes serve one
site), else random per server process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from credit import sqlfiles
from credit.api.auth import Principal

SESSION_COOKIE = "credit_session"
CSRF_COOKIE = "credit_csrf"


@dataclass(frozen=True)
class SessionPolicy:
    """Timeouts and cookie flags of the bureau page's sessions (config/api.yaml ``session``)."""

    idle_seconds: int = 30 * 60
    absolute_seconds: int = 10 * 3600
    secure_cookie: str = "auto"      # auto: Secure when the request came over HTTPS; always: every time

    @classmethod
    def of(cls, cfg: dict[str, Any] | None) -> SessionPolicy:
        cfg = cfg or {}
        secure = str(cfg.get("secure_cookie", "auto"))
        if secure not in ("auto", "always"):
            raise ValueError("api.yaml session.secure_cookie is auto or always")
        return cls(idle_seconds=int(float(cfg.get("idle_minutes", 30)) * 60),
                   absolute_seconds=int(float(cfg.get("absolute_hours", 10)) * 3600), secure_cookie=secure)

    def secure(self, scheme: str) -> bool:
        return self.secure_cookie == "always" or scheme == "https"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A random value for a cookie (session id, form-token cookie, receipt token)."""
    return secrets.token_urlsafe(32)


def form_token(secret: bytes, browser: str, session: str | None) -> str:
    """The token a form of this browser (its ``credit_csrf`` cookie) in this session carries."""
    msg = b"credit-form\x00" + browser.encode("utf-8") + b"\x00" + (session or "").encode("utf-8")
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def form_token_ok(secret: bytes, browser: str | None, session: str | None, token: str) -> bool:
    """Whether ``token`` is this browser's form token (constant-time comparison)."""
    if not browser or not token:
        return False
    return hmac.compare_digest(form_token(secret, browser, session).encode(), token.strip().encode("utf-8"))


def log_event(conn: Connection, event: str, key_id: int | None, key_name: str | None, client: str | None,
              officer_id: int | None = None) -> None:
    """A row of ``api_session_events``: login, logout, login_refused, login_locked or expired."""
    if officer_id is not None:
        conn.execute(sqlfiles.statement("api/insert_officer_event"),
                     {"e": event, "o": officer_id, "n": key_name, "c": client})
        return
    conn.execute(sqlfiles.statement("api/insert_session_event"), {"e": event, "k": key_id, "n": key_name, "c": client})


def start_session(conn: Connection, who: Principal, client: str | None, policy: SessionPolicy) -> str:
    """A new session for ``who`` (a bureau key's principal, or an officer's account); returns the id
    for the cookie."""
    sid = new_secret()
    if who.officer_id is not None:
        conn.execute(sqlfiles.statement("api/insert_officer_session"),
                     {"h": digest(sid), "o": who.officer_id, "absolute": policy.absolute_seconds, "c": client})
    else:
        conn.execute(sqlfiles.statement("api/insert_session"),
                     {"h": digest(sid), "k": who.key_id, "absolute": policy.absolute_seconds, "c": client})
    log_event(conn, "login", who.key_id, who.name, client, who.officer_id)
    return sid


def session_principal(conn: Connection, sid: str, policy: SessionPolicy) -> Principal | None:
    """The principal of a live session (its idle timeout restarted), None when unknown or expired."""
    row = conn.execute(sqlfiles.statement("api/session_principal"),
                       {"h": digest(sid), "idle": policy.idle_seconds, "touch": 60}).mappings().first()
    if row is None:
        return None
    if row["stale"]:    # at most one write a minute per session
        conn.execute(sqlfiles.statement("api/touch_session"), {"h": digest(sid)})
    if row["officer_id"] is not None:
        return Principal("bureau", None, row["name"], None, officer_id=int(row["officer_id"]),
                         officer_role=row["officer_role"], authority=row["authority"],
                         display_name=row["display_name"])
    return Principal(row["role"], int(row["key_id"]), row["name"], row["rate_per_minute"])


def end_session(conn: Connection, sid: str, client: str | None) -> bool:
    """Sign-out: delete the session server-side and record who signed out; False when there was none."""
    row = conn.execute(sqlfiles.statement("api/delete_session"), {"h": digest(sid)}).mappings().first()
    if row is None:
        return False
    officer = row["officer_id"]
    log_event(conn, "logout", None if row["key_id"] is None else int(row["key_id"]), row["key_name"], client,
              None if officer is None else int(officer))
    return True


def purge_expired(conn: Connection, policy: SessionPolicy) -> int:
    """Delete expired sessions (recorded as ``expired``); returns how many."""
    rows = conn.execute(sqlfiles.statement("api/delete_expired_sessions"), {"idle": policy.idle_seconds}).all()
    for key_id, officer_id in rows:
        log_event(conn, "expired", None if key_id is None else int(key_id), None, None,
                  None if officer_id is None else int(officer_id))
    return len(rows)
