"""A server whose database role is ``credit_api`` records no bureau decision (migration 0013): a
bureau key's serious-list assessment there was a 500 "系统暂时无法处理" (ProgrammingError,
insufficient privilege). It is the deployment's choice, answered 503 with the reason and no SQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from credit.api.app import create_app
from credit.api.auth import create_key
from credit.settings import Settings
from tests.db.api.support import A, D, ServerThread, register
from tests.db.rosters.helpers import decisions, night, penalty

BODY = {"on": "2026-03-10", "intent": "intentional", "frequency": "首次", "harm": "造成较大社会影响", "outcome": "list"}


@pytest.fixture()
def api_role(engine: Engine) -> Iterator[None]:
    with engine.begin() as c:
        c.exec_driver_sql("alter role credit_api login")
    try:
        yield
    finally:
        with engine.begin() as c:
            c.exec_driver_sql("alter role credit_api nologin")


@pytest.mark.usefixtures("api_role")
def test_a_bureau_decision_on_the_api_roles_server_is_refused_with_the_reason(engine: Engine, settings: Settings) -> None:
    import httpx

    with engine.begin() as c:
        register(c, A, "北京甲科技有限公司")
        penalty(c, "P1", A, "2026-03-02")
        night(c, settings, "2026-03-02")
        key = create_key(c, "bureau", "测试bureau", "test", rate_per_minute=100_000)[1]
    url = make_url(str(settings.database_url)).set(username="credit_api").render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}), today=lambda: D("2026-03-10"))
    with ServerThread(app) as srv, httpx.Client(base_url=srv.url, headers={"X-API-Key": key}, timeout=60) as h:
        r = h.post("/v1/bureau/serious/P1/assessment", json=BODY)
    assert r.status_code == 503, r.text
    detail = r.json()["detail"]
    assert "credit_writer" in detail and "数据库角色无权记录" in detail
    assert "permission denied" not in detail and "insert" not in detail.lower()
    with engine.connect() as c:
        assert decisions(c, action="assess") == []
    with engine.connect() as c:
        assert c.execute(sa.text("select current_user")).scalar() != "credit_api"
