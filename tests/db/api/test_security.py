"""The API as an intranet security review expects (issue 14): form tokens and the Origin check,
server-side sessions with safe cookies, body-size and rate limits, proxy headers only from
configured proxies, security headers, and no date in the future on any entry point."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient
from typer.testing import CliRunner

from credit.api import create_app
from credit.api.auth import create_key
from credit.settings import Settings, bundled
from tests.db.api.support import A, C, D, Live, live, page_token, seed_story, signed_in  # noqa: F401


def _events(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as c:
        return [(e, n) for e, n in c.execute(sa.text("select event, key_name from api_session_events order by id"))]


# ----------------------------------------------------------------------------------- forms (CSRF)
def test_every_form_needs_its_browser_token_and_cross_site_posts_are_refused(live: Live) -> None:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    form = {"roster": "abnormal", "grounds": "申请移出"}
    with httpx.Client(base_url=live.url, timeout=60) as h, httpx.Client(base_url=live.url, timeout=60) as other:
        page = h.get("/entity", params={"uscc": C}).text
        assert page.count('name="token"') >= 1 and "credit_csrf" in h.cookies
        # No token, or another browser's token: refused (403), nothing recorded.
        assert h.post(f"/entity/{C}/apply", data=form).status_code == 403
        assert h.post(f"/entity/{C}/apply", data={**form, "token": page_token(other, "/")}).status_code == 403
        # Sign-in, sign-out and the receipt look-up are forms too.
        assert h.post("/bureau/login", data={"key": live.keys["bureau"]}).status_code == 403
        assert h.post("/receipts", data={"receipt": "rct_x"}).status_code == 403
        # A cross-site post is refused before anything else, token or not.
        token = page_token(h, "/")
        evil = h.post(f"/entity/{C}/apply", data={**form, "token": token}, headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403 and "跨站请求被拒绝" in evil.text   # a page: Chinese
        evil = h.post(f"/entity/{C}/apply", data={**form, "token": token},
                      headers={"Referer": "https://evil.example/x"})
        assert evil.status_code == 403
        with live.client("bureau") as api:   # the JSON API under a key: Origin checked the same way
            r = api.post("/v1/bureau/objections", json={"decision": "1", "received_on": "2026-07-16"},
                         headers={"Origin": "http://evil.example"})
            assert r.status_code == 403
        with live.engine.connect() as c:
            assert c.execute(sa.text("select count(*) from roster_requests")).scalar_one() == 0
        ok = h.post(f"/entity/{C}/apply", data={**form, "token": token}, headers={"Origin": live.url})
        assert ok.status_code == 201, ok.text


# --------------------------------------------------------------------------------------- sessions
def test_sign_in_makes_a_server_side_session_with_safe_cookies_and_sign_out_ends_it(live: Live) -> None:  # noqa: F811
    with httpx.Client(base_url=live.url, timeout=60) as h:
        token = page_token(h, "/bureau")
        r = h.post("/bureau/login", data={"key": live.keys["bureau"], "token": token})
        assert r.status_code == 303
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("credit_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace(
            "Strict", "strict")
        assert "Secure" not in cookie                       # plain HTTP and secure_cookie: auto
        sid = h.cookies["credit_session"]
        assert live.keys["bureau"] not in cookie and sid not in live.keys["bureau"]
        with live.engine.connect() as c:
            stored = c.execute(sa.text("select session_hash, expires_at - created_at from api_sessions")).all()
        assert len(stored) == 1 and stored[0][0] != sid and stored[0][1].total_seconds() == 10 * 3600
        assert "监管部门工作台" in h.get("/bureau").text and "今天" in h.get("/bureau").text
        # A copy of the cookie works until sign-out…
        with httpx.Client(base_url=live.url, cookies={"credit_session": sid}) as thief:
            assert "今天：" in thief.get("/bureau").text
            out = h.post("/bureau/logout", data={"token": page_token(h, "/bureau")})
            assert out.status_code == 303
            # …and not after: the session is gone server-side.
            assert "今天：" not in thief.get("/bureau").text and 'name="key"' in thief.get("/bureau").text
        with live.engine.connect() as c:
            assert c.execute(sa.text("select count(*) from api_sessions")).scalar_one() == 0
        # The old raw-key cookie is not a way in any more.
        with httpx.Client(base_url=live.url, cookies={"credit_key": live.keys["bureau"]}) as old:
            assert 'name="key"' in old.get("/bureau").text
        # A consumer key cannot sign in; the refusal is recorded.
        r = h.post("/bureau/login", data={"key": live.keys["consumer"], "token": page_token(h, "/bureau")})
        assert r.status_code == 401
    assert _events(live.engine) == [("login", "测试bureau"), ("logout", "测试bureau"), ("login_refused", "测试consumer")]


def test_an_idle_or_old_session_no_longer_signs_in(live: Live) -> None:  # noqa: F811
    with signed_in(live) as h:
        assert "今天：" in h.get("/bureau").text
        with live.engine.begin() as c:
            c.execute(sa.text("update api_sessions set last_seen_at = now() - interval '31 minutes'"))
        assert 'name="key"' in h.get("/bureau").text        # idle over 30 minutes
    with signed_in(live) as h:
        with live.engine.begin() as c:
            c.execute(sa.text("update api_sessions set expires_at = now() - interval '1 second'"))
        assert 'name="key"' in h.get("/bureau").text        # past its absolute expiry


# ------------------------------------------------------------------- limits, proxies and headers
@pytest.fixture()
def strict_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The repository's configuration with small limits and one trusted proxy (10.0.0.1)."""
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    doc = yaml.safe_load((folder / "api.yaml").read_text(encoding="utf-8"))
    doc["rate_limits"].update({"login": 2, "unknown_key": 3})
    doc["security"].update({"max_body_bytes": 2000, "max_certificate_bytes": 3000, "trusted_proxies": ["10.0.0.1"]})
    (folder / "api.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return settings.model_copy(update={"config_dir": folder})


@pytest.fixture()
def strict(strict_settings: Settings, engine: Engine) -> Iterator[dict[str, Any]]:
    with engine.begin() as c:
        key = create_key(c, "consumer", "测试银行", "test", rate_per_minute=100_000)[1]
    app = create_app(strict_settings, today=lambda: D("2026-07-16"))
    yield {"app": app, "key": key}


def _client(app: Any, peer: str) -> TestClient:
    return TestClient(app, client=(peer, 40000), follow_redirects=False)


def test_bodies_over_the_limit_are_413(strict: dict[str, Any]) -> None:
    with _client(strict["app"], "192.0.2.10") as h:
        big = {"usccs": [A] * 200, "as_of": "2026-07-15"}
        r = h.post("/v1/screenings", json=big, headers={"X-API-Key": strict["key"]})
        assert r.status_code == 413 and "2000" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:   # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b"x" * 500

        r = h.post("/v1/repair-applications", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "2000" in r.json()["detail"]
        # a certificate sent back whole has its own limit (max_certificate_bytes), streamed or not
        r = h.post("/v1/certificates/verify", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413 and "3000" in r.json()["detail"]
        r = h.post("/v1/certificates/verify", content=b"{" + b" " * 2500 + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code != 413


def test_sign_in_attempts_and_unknown_keys_are_rate_limited_per_address(strict: dict[str, Any]) -> None:
    app = strict["app"]
    with _client(app, "192.0.2.20") as h:
        codes = [h.get("/v1/decisions", headers={"X-API-Key": f"crk_guess{i}"}).status_code for i in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
        # A good key from the same address still works.
        assert h.get("/v1/decisions", headers={"X-API-Key": strict["key"]}).status_code == 200
        codes = []
        for i in range(4):
            token = page_token(h, "/bureau")
            codes.append(h.post("/bureau/login", data={"key": f"crk_guess{i}", "token": token}).status_code)
        assert codes == [401, 401, 429, 429]
    with _client(app, "192.0.2.21") as other:   # another address has its own allowance
        assert other.get("/v1/decisions", headers={"X-API-Key": "crk_other"}).status_code == 401


def test_forwarded_headers_count_only_from_a_trusted_proxy(strict: dict[str, Any]) -> None:
    app = strict["app"]
    # From an untrusted peer, X-Forwarded-For does not give a fresh allowance, nor -Proto HTTPS.
    with _client(app, "192.0.2.30") as h:
        codes = [h.get("/v1/decisions", headers={"X-API-Key": f"crk_{i}", "X-Forwarded-For": f"198.51.100.{i}"}
                       ).status_code for i in range(4)]
        assert codes[-1] == 429
        r = h.get("/", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in r.headers
    # From the configured proxy, the forwarded client and scheme are believed.
    with _client(app, "10.0.0.1") as proxy:
        codes = [proxy.get("/v1/decisions", headers={"X-API-Key": f"crk_{i}", "X-Forwarded-For": f"198.51.100.{i}"}
                           ).status_code for i in range(4)]
        assert codes == [401] * 4
        r = proxy.get("/bureau", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.99"})
        assert r.headers["strict-transport-security"].startswith("max-age=")
        assert "Secure" in r.headers["set-cookie"]         # the form cookie under HTTPS


def test_serve_turns_uvicorns_own_proxy_trust_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from credit.cli.commands import api as cmd

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    monkeypatch.setattr("credit.db.get_engine", lambda s: None)
    monkeypatch.setattr("credit.api.create_app", lambda s: object())
    cmd.serve_command("127.0.0.1", 8000)
    assert seen["proxy_headers"] is False


def test_security_headers_on_every_response(live: Live) -> None:  # noqa: F811
    with httpx.Client(base_url=live.url, timeout=60) as h:
        for path in ("/", "/healthz", "/v1/entities/bad", "/bureau", "/static/site.css", "/nope"):
            r = h.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src" not in csp and "default-src 'none'" in csp and "'unsafe-inline'" not in csp
            assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["referrer-policy"] == "same-origin"
            assert "camera=()" in r.headers["permissions-policy"]
            assert "strict-transport-security" not in r.headers    # plain HTTP
        page = h.get("/").text
        assert "<style" not in page and "style=" not in page and "<script" not in page
        assert 'href="/static/site.css"' in page and h.get("/static/site.css").headers["content-type"].startswith(
            "text/css")


# ---------------------------------------------------------------------------------- future dates
def test_dates_in_the_future_are_refused_on_every_entry_point(live: Live, engine: Engine,  # noqa: F811
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seed_story(live)
    live.clock["today"] = D("2026-07-16")
    with live.client("bureau") as h:
        seq = h.get(f"/v1/entities/{A}").json()["rosters"][0]["entry_id"]
        calls = [("/v1/bureau/objections", {"decision": str(seq), "received_on": "2099-01-01"}),
                 ("/v1/bureau/repair-applications", {"uscc": C, "roster": "abnormal", "grounds": "x",
                                                     "received_on": "2099-01-01"}),
                 ("/v1/bureau/objections/1/decision", {"outcome": "dismissed", "on": "2099-01-01"}),
                 ("/v1/bureau/drafts/1/decision", {"approve": True, "on": "2099-01-01"}),
                 ("/v1/bureau/serious/P1/assessment", {"on": "2099-01-01", "intent": "negligent", "frequency": "1",
                                                       "harm": "x", "outcome": "list"}),
                 ("/v1/bureau/serious/P1/consent", {"on": "2026-07-16", "authority": "x",
                                                    "consented_on": "2099-01-01", "document_no": "x"})]
        for url, body in calls:
            r = h.post(url, json=body)
            assert r.status_code == 422, (url, r.text)
            assert "2099-01-01" in r.text and "in the future" in r.text and "将来的日期" in r.text
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from roster_requests")).scalar_one() == 0
    # The command line, on the bureau's clock.
    from credit.cli.commands import rosters as cmd
    from credit.cli.main import app as cli

    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    for args in (["repair", "apply", C, "--roster", "abnormal", "--received", "2099-01-01"],
                 ["objection", "file", str(seq), "--received", "2099-01-01"]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 2 and "in the future" in r.output, r.output
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from roster_requests")).scalar_one() == 0


def test_edge_refusals_on_a_page_are_chinese_pages(live) -> None:  # noqa: F811
    """A form too large (a pasted file in the documents box) or posted from another site: a browser
    got the API's JSON ({"detail": "请求体过大… (request body over …)"}); now a Chinese page. The
    API keeps its JSON."""
    seed_story(live)
    page = {"Accept": "text/html,application/xhtml+xml"}
    with httpx.Client(base_url=live.url, timeout=60) as h:
        big = h.post(f"/entity/{C}/apply", headers=page,
                     data={"roster": "abnormal", "grounds": "x", "documents": "材" * 400_000})
        cross = h.post(f"/entity/{C}/apply", headers={**page, "Origin": "http://evil.example"},
                       data={"roster": "abnormal", "grounds": "x"})
        api = h.post("/v1/repair-applications", headers={"Origin": "http://evil.example"},
                     json={"uscc": C, "roster": "abnormal", "grounds": "x"})
    for r, status, words in ((big, 413, "提交的内容过大"), (cross, 403, "跨站请求被拒绝")):
        assert r.status_code == status and r.headers["content-type"].startswith("text/html"), r.text
        assert words in r.text and "detail" not in r.text and "request" not in r.text
        assert "content-security-policy" in r.headers
    assert api.status_code == 403 and api.headers["content-type"].startswith("application/json")
