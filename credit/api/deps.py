"""What every route needs: the service state, the caller, role checks, rate limits, USCC checks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, APIKeyHeader
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from credit.api.auth import ANONYMOUS, Principal, UnknownKey, principal_for
from credit.api.limits import RateLimiter, retry_after
from credit.api.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SessionPolicy,
    form_token,
    new_secret,
    session_principal,
)
from credit.api.validation import normalise_uscc, uscc_problem
from credit.config import ConfigDoc
from credit.rosters.certificates import DataVersion
from credit.rosters.read import latest_night
from credit.settings import Settings

KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                          description="API key (`credit api keys create`); none = the public role")
SESSION = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                       description="the bureau page's session (set by its sign-in form; never the key itself)")


@dataclass
class ServiceState:
    """One per app: settings, engine, configuration, limiter and the bureau's calendar day."""

    settings: Settings
    engine: Engine
    config: ConfigDoc
    limiter: RateLimiter
    today: Callable[[], date]
    secret: bytes = b""
    sessions: SessionPolicy = field(default_factory=SessionPolicy)
    key_cache: dict[str, tuple[float, Principal]] = field(default_factory=dict)

    def limit(self, name: str, default: int) -> int:
        """Requests per minute of config/api.yaml ``rate_limits.<name>``."""
        return int((self.config.get("rate_limits") or {}).get(name, default))

    def remembered(self, key: str) -> Principal | None:
        """The key's principal while remembered (:meth:`principal`), else None: no database."""
        hit = self.key_cache.get(key)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def principal(self, key: str) -> Principal:
        """The key's principal, remembered for ``key_cache_seconds`` (config) so that a busy
        consumer's calls do not each pay a look-up; a revoked key stops working within that time."""
        ttl = float(self.config.get("key_cache_seconds", 10))
        now = time.monotonic()
        hit = self.remembered(key)
        if hit is not None:
            return hit
        with self.engine.connect() as conn:
            who = principal_for(conn, key)
        if len(self.key_cache) > 10_000:
            self.key_cache.clear()
        self.key_cache[key] = (now + ttl, who)
        return who

    def connect(self) -> Connection:
        """A connection (use as a context manager)."""
        return self.engine.connect()

    def begin(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction committed when the block ends."""
        return self.engine.begin()


def state(request: Request) -> ServiceState:
    st: ServiceState = request.app.state.credit   # set by create_app
    return st


async def service_state(request: Request) -> ServiceState:
    """:func:`state` as a dependency run on the event loop: it does no I/O, so it takes no worker
    thread (each sync dependency is a hop to the thread pool and back, issue 11)."""
    return state(request)


def connection(request: Request) -> Iterator[Connection]:
    """A read connection for the length of one request."""
    with state(request).engine.connect() as conn:
        yield conn


def client_address(request: Request) -> str:
    """The caller's address: the peer, or what a trusted proxy said (security.trusted_proxies)."""
    return request.client.host if request.client else "?"


def _session_principal(st: ServiceState, session: str) -> Principal | None:
    try:
        with st.begin() as conn:
            return session_principal(conn, session, st.sessions)
    except SQLAlchemyError:
        return None


async def caller(request: Request, header_key: Annotated[str | None, Security(KEY_HEADER)],
                 session: Annotated[str | None, Security(SESSION)]) -> Principal:
    """The principal behind the request, rate-limited (HTTP 401 for an unknown key, 429 over the limit).

    A key comes in ``X-API-Key`` or ``Authorization: Bearer``; a browser signed in to the bureau
    page brings its session cookie instead (credit.api.sessions). Unknown keys are limited per
    client address (``rate_limits.unknown_key``): guessing keys ends in 429, not in a look-up each.

    Runs on the event loop (issue 11: no worker-thread hop for a remembered key); the database
    look-ups of a key not remembered and of a session go to the thread pool."""
    st = state(request)
    key = header_key
    auth = request.headers.get("authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    addr = client_address(request)
    who: Principal | None = None
    if key:
        try:
            who = st.remembered(key) or await run_in_threadpool(st.principal, key)
        except UnknownKey:
            per_minute = st.limit("unknown_key", 20)
            wait = st.limiter.take(f"unknown:{addr}", per_minute)
            if wait > 0:
                raise HTTPException(429, f"未知密钥尝试过多，请 {retry_after(wait)} 秒后重试 (too many unknown keys from "
                                         f"this address: {per_minute}/min)",
                                    headers={"Retry-After": str(retry_after(wait))}) from None
            raise HTTPException(401, "未知或已停用的 API 密钥 (unknown or revoked API key)",
                                headers={"WWW-Authenticate": "ApiKey"}) from None
    elif session:
        who = await run_in_threadpool(_session_principal, st, session)
        request.state.session = session if who is not None else None
    who = who or ANONYMOUS
    limits = st.config.get("rate_limits") or {}
    per_minute = who.rate_per_minute or int(limits.get("anonymous" if who.key_id is None and who.officer_id is None else who.role, 60))
    bucket = who.limiter_key or f"addr:{addr}"
    wait = st.limiter.take(bucket, per_minute)
    if wait > 0:
        raise HTTPException(429, f"请求过于频繁，请 {retry_after(wait)} 秒后重试 (rate limit of {per_minute}/min exceeded)",
                            headers={"Retry-After": str(retry_after(wait))})
    request.state.principal = who
    return who


def browser_token(request: Request) -> str:
    """The form token for this browser and session (credit.api.sessions); a browser without the
    form cookie gets one with the response (:func:`credit.api.pages` sets it)."""
    st = state(request)
    browser = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_browser", None)
    if not browser:
        browser = request.state.new_browser = new_secret()
    return form_token(st.secret, browser, getattr(request.state, "session", None))


def require(role: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold ``role`` (or a higher one); 403 otherwise."""

    async def check(who: Annotated[Principal, Depends(caller)]) -> Principal:   # no I/O: on the event loop
        if not who.allows(role):
            raise HTTPException(403, f"需要 {role} 角色的密钥 (this call needs a key with the {role} role; "
                                     f"yours is {who.role})")
        return who

    check.__name__ = f"require_{role}"
    return check


async def require_licensing(who: Annotated[Principal, Depends(caller)]) -> Principal:   # no I/O: on the event loop
    """Dependency: a licensing department's key (:mod:`credit.api.auth`); 403 otherwise, a bureau
    key included — the bureau reads every department's notices through ``/v1/bureau/notices``."""
    if who.role != "licensing" or who.department is None:
        raise HTTPException(403, f"需要许可部门的密钥 (this call needs a licensing department's key; yours is {who.role})")
    return who


def checked_uscc(raw: str, where: str = "path") -> str:
    """The normalised USCC, or HTTP 422 saying what is wrong with it."""
    problem = uscc_problem(raw)
    if problem:
        raise HTTPException(422, [{"loc": [where, "uscc"], "msg": problem, "type": "value_error.uscc",
                                   "input": raw}])
    return normalise_uscc(raw)


def default_as_of(conn: Connection, st: ServiceState, version: DataVersion | None = None) -> date:
    """No date given: the latest published night (what the data speaks for), else today.
    ``version``: the data version already read for the answer (its night spares a query)."""
    if version is not None:
        return date.fromisoformat(version["night"]) if version["night"] else st.today()
    return latest_night(conn) or st.today()
