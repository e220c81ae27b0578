"""``create_app(settings)``: the FastAPI service behind ``credit serve`` (issue 7, docs/api.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from credit import clock
from credit.api.bureau_routes import bureau, licensing
from credit.api.deps import ServiceState
from credit.api.docs import docs
from credit.api.errors import install as install_edge
from credit.api.limits import RateLimiter
from credit.api.metrics import ApiMetrics, MetricsMiddleware, metrics_router
from credit.api.pages import pages
from credit.api.quality import quality_api, quality_pages
from credit.api.routes import CERTIFICATE_VERIFY, consumer, public
from credit.api.security import SecurityMiddleware
from credit.api.sessions import SessionPolicy, new_secret
from credit.api.workbench import workbench
from credit.config import ConfigDoc, load_config
from credit.db import database_url
from credit.night.metrics import NightCollector
from credit.settings import Settings

DESCRIPTION = """
Roster decisions of the bureau (经营异常名录、经营异常状态、严重违法失信名单) for three kinds of reader,
all served from the same append-only decision log:

* **public** (no key needed): an entity's entries on any date, roster exports, published
  inspection results, credit-repair applications and their status, certificate verification;
* **consumer** (joint punishment, 联合惩戒: procurement, bidding, banks): bulk screening with a
  verifiable certificate, and a change feed of decisions;
* **bureau**: tiers with reasons, the deadline watch, draws, decisions on objections and drafts.

Send the key as `X-API-Key`. Tiers and reasons are never public. See docs/api.md.
"""


def create_app(settings: Settings, *, today: Callable[[], date] | None = None,
               limiter: RateLimiter | None = None) -> FastAPI:
    """The service for ``settings``' database. ``today`` (the bureau's calendar day, used as the
    receipt date of online applications) defaults to the wall clock in config ``timezone``."""
    config = load_config("api", settings)
    engine = sa.create_engine(database_url(settings), pool_size=8, max_overflow=8, pool_pre_ping=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    # /docs and /redoc are credit.api.docs: served from the app's own files, no CDN (issue 15).
    app = FastAPI(title="credit — 企业信用监管 API", version=config.version, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.credit = ServiceState(settings=settings, engine=engine, config=config,
                                    limiter=limiter or RateLimiter(),
                                    today=today or (lambda: clock.today(settings)),
                                    secret=(settings.form_secret or new_secret()).encode("utf-8"),
                                    sessions=SessionPolicy.of(config.get("session")))
    app.include_router(public)
    app.include_router(consumer)
    app.include_router(bureau)
    app.include_router(licensing)
    app.include_router(pages)
    app.include_router(docs)
    app.include_router(workbench)
    app.include_router(quality_api)
    app.include_router(quality_pages)
    app.include_router(metrics_router)
    # /metrics (credit.api.metrics): this app's requests, and the nights read from the database at scrape time.
    registry = CollectorRegistry()
    app.state.metrics = ApiMetrics(registry)
    registry.register(NightCollector(engine))
    # Innermost: forbidden characters refused (422) before any route; errors in Chinese on pages,
    # in the API's shape on /v1; a value the database refuses is a 422, not a 500 (credit.api.errors).
    install_edge(app)
    sec = config.get("security") or {}
    app.add_middleware(SecurityMiddleware, max_body_bytes=int(sec.get("max_body_bytes", 1_048_576)),
                       allowed_origins=[str(o) for o in sec.get("allowed_origins") or []],
                       hsts_seconds=int(sec.get("hsts_seconds", 31_536_000)),
                       path_limits={CERTIFICATE_VERIFY: int(sec.get("max_certificate_bytes", 33_554_432))},
                       large_at_once=int(sec.get("large_bodies_at_once", 2)),
                       large_read_seconds=float(sec.get("large_body_read_seconds", 30)))
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)   # outside: refused requests count too
    # Outermost: X-Forwarded-For/-Proto believed only from the configured proxies (none by
    # default; `credit serve` turns uvicorn's own proxy handling off, which trusts 127.0.0.1).
    proxies = trusted_proxies(config)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app


def trusted_proxies(config: ConfigDoc) -> list[str]:
    """config/api.yaml ``security.trusted_proxies``: addresses or networks of the reverse proxies."""
    return [str(a) for a in (config.get("security") or {}).get("trusted_proxies") or []]
