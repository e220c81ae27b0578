"""The workbench's tests: a live service whose abnormal roster drafts (拟列入/拟移出) wait for an
approver, with officers' accounts of each role (issue 15)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from credit.api import create_app
from credit.api.auth import create_key
from credit.api.officers import add_officer
from credit.settings import Settings
from tests.db.api.support import D, Live, ServerThread

PASSWORD = "正确的密码-Correct-horse-1"
OFFICERS = {  # login: (display name, role, authority)
    "zhang.shen": ("张审", "approver", "110105"),
    "li.ban": ("李办", "officer", "110105"),
    "wang.dong": ("王东", "approver", "110101"),
}


def drafts_config(src: Path, dst: Path) -> Path:
    """The repository's config with drafts switched on for the abnormal roster."""
    shutil.copytree(src, dst)
    doc = yaml.safe_load((dst / "rosters.yaml").read_text(encoding="utf-8"))
    doc["drafts"]["abnormal"] = [{"from": "2014-01-01", "drafts": True}]
    doc["version"] = "rosters-test-drafts"
    (dst / "rosters.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return dst


@pytest.fixture()
def bench(engine: Engine, settings: Settings, tmp_path: Path) -> Iterator[Live]:
    s = Settings(database_url=settings.database_url, home=settings.home,
                 config_dir=drafts_config(settings.config_dir, tmp_path / "config"))
    clock = {"today": D("2026-07-15")}
    with engine.begin() as c:
        keys = {r: create_key(c, r, f"科员{r}", "t", 100_000)[1] for r in ("consumer", "bureau")}
        for login, (name, role, authority) in OFFICERS.items():
            add_officer(c, login, name, role, authority, PASSWORD)
    with ServerThread(create_app(s, today=lambda: clock["today"])) as srv:
        yield Live(srv.url, engine, s, clock, keys)


def form_token(h: httpx.Client, path: str) -> str:
    m = re.search(r'name="token" value="([0-9a-f]{64})"', h.get(path).text)
    assert m, f"{path} carries a form token"
    return m.group(1)


@contextmanager
def officer_session(live: Live, login: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A browser signed in to the workbench with an officer's login and password."""
    with httpx.Client(base_url=live.url, timeout=60) as h:
        r = h.post("/bureau/login", data={"login": login, "password": password, "token": form_token(h, "/bureau")})
        assert r.status_code == 303, r.text
        yield h


def drafts(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return dict(c.execute(sa.text("select uscc, seq from roster_decisions where action = 'propose'")).all())
