"""Shared pieces of the API and page tests: a real uvicorn server in a thread on 127.0.0.1 (a free
port) over the test's own PostgreSQL database, store rows put in by SQL, and nights decided by the
rosters' and grading's own functions (never decisions inserted by hand)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import Engine

from credit.api import create_app
from credit.api.auth import create_key
from credit.context import NightContext
from credit.contract.uscc import calc_check_character
from credit.settings import Settings

D = date.fromisoformat
SECRET_REP = "LEGALREP-0f1e2d3c4b5a-SECRET"   # a legal_rep_hash that must never appear in any answer


def make_uscc(i: int, region: str = "110105") -> str:
    first17 = f"91{region}MA{i:06d}0"[:17]
    return first17 + calc_check_character(first17)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn serving an app in a thread; stops by itself when asked (bounded wait)."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        # A browser keeps connections open: do not wait long for them when stopping.
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on", timeout_graceful_shutdown=1,
                                                    proxy_headers=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Live:
    """A running service with keys of each role and a settable bureau day."""

    url: str
    engine: Engine
    settings: Settings
    clock: dict[str, date]
    keys: dict[str, str] = field(default_factory=dict)

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"X-API-Key": self.keys[role]} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture()
def live(engine: Engine, settings: Settings) -> Iterator[Live]:
    clock = {"today": D("2026-07-15")}
    app = create_app(settings, today=lambda: clock["today"])
    keys = {}
    with engine.begin() as c:
        for role in ("public", "consumer", "bureau"):
            keys[role] = create_key(c, role, f"测试{role}", "test", rate_per_minute=100_000)[1]
    with ServerThread(app) as srv:
        yield Live(srv.url, engine, settings, clock, keys)


# ------------------------------------------------------------------------------------- store rows
def register(c: sa.Connection, uscc: str, name: str, *, kind: str = "enterprise", established: str = "2020-03-01",
             region: str = "110105") -> None:
    c.execute(sa.text("""
        insert into registration (uscc, name, entity_kind, region_code, established_on, status, address,
                                  legal_rep_hash, first_night, last_night)
        values (:u, :n, :k, :r, :e, 'operating', '北京市朝阳区测试路1号', :h, :e, :e)"""),
        {"u": uscc, "n": name, "k": kind, "r": region, "e": D(established), "h": SECRET_REP})


def annual_report(c: sa.Connection, uscc: str, year: int, filed_on: str) -> None:
    c.execute(sa.text("insert into annual_reports (uscc, report_year, filed_on, first_night, last_night) "
                      "values (:u, :y, :f, :f, :f)"), {"u": uscc, "y": year, "f": D(filed_on)})


def run_night(engine: Engine, settings: Settings, day: str, *, grade: bool = False) -> dict[str, Any]:
    """Decide a night with the areas' own functions and record it as published."""
    from credit.rosters.decide import decide_night

    night = D(day)
    ctx = NightContext(night, f"test-{day}", settings)
    with engine.begin() as c:
        summary: dict[str, Any] = {"rosters": decide_night(c, ctx)}
        if grade:
            from credit.grading.night import grade_night

            summary["grading"] = grade_night(c, ctx)
        c.execute(sa.text("insert into night_runs values (:n, :d, 'test', now(), now(), cast(:s as jsonb))"),
                  {"n": night, "d": ctx.manifest_digest, "s": json.dumps(summary, default=str)})
    return summary


# The story used by most tests: 甲 did not file its 2025 annual report and is listed on the night
# after the 10-WD limit's start; it files on 07-20, applies on 07-21 and is removed by the night of
# 07-22. 乙 filed in time. 丙 never filed and stays listed.
A, B, C = make_uscc(1), make_uscc(2), make_uscc(3)
NAMES = {A: "北京甲科技有限公司", B: "北京乙商贸有限公司", C: "北京丙餐饮有限公司"}


def seed_story(live: Live, *, grade: bool = False) -> None:
    with live.engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        annual_report(c, B, 2025, "2026-03-01")
    run_night(live.engine, live.settings, "2026-07-15", grade=grade)


def file_and_apply(live: Live) -> dict[str, Any]:
    """甲 files its report on 07-20 and applies online on 07-21."""
    with live.engine.begin() as c:
        annual_report(c, A, 2025, "2026-07-20")
    live.clock["today"] = D("2026-07-21")
    with live.client() as h:
        r = h.post("/v1/repair-applications", json={
            "uscc": A, "roster": "abnormal", "grounds": "已于2026-07-20补报2025年度报告并公示",
            "documents": ["守信承诺书", "2025年度报告回执"]})
    assert r.status_code == 201, r.text
    return r.json()


# ------------------------------------------------------------------------------------- browsers
def page_token(h: httpx.Client, path: str = "/") -> str:
    """The form token of the page at ``path`` for this client (its form cookie is set by the page)."""
    import re

    m = re.search(r'name="token" value="([0-9a-f]{64})"', h.get(path).text)
    assert m, f"{path} carries a form token"
    return m.group(1)


@contextmanager
def signed_in(live: Live, role: str = "bureau") -> Iterator[httpx.Client]:
    """A browser signed in to the bureau page with ``role``'s key (a session cookie, never the key)."""
    with httpx.Client(base_url=live.url, timeout=60) as h:
        r = h.post("/bureau/login", data={"key": live.keys[role], "token": page_token(h, "/bureau")})
        assert r.status_code == 303, r.text
        assert "credit_session" in h.cookies and live.keys[role] not in str(h.cookies)
        yield h
