"""A verify command that cannot reach the database could not check: exit 2 with the bilingual
"cannot reach the database", never exit 1, which says the chain is broken or the record differs
(contracts.md §2; `credit draw verify` exits 2 when it cannot check). Other commands keep exit 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit.cli import main as cli
from credit.settings import get_settings

UNREACHABLE = "postgresql+psycopg://credit@127.0.0.1:1/credit?connect_timeout=3"   # nothing listens on port 1


@pytest.fixture()
def unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CREDIT_DATABASE_URL", UNREACHABLE)
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _said(r: object) -> str:
    return " ".join(str(getattr(r, "output", "")).split())


@pytest.mark.parametrize("args", [["audit", "verify"], ["draw", "verify", "DRAW-20260901-001"],
                                  ["certificate", "verify", "CERT"]])
def test_a_verify_command_that_cannot_reach_the_database_exits_2(unreachable: Path, args: list[str]) -> None:
    if args[-1] == "CERT":
        cert = unreachable / "cert.json"
        cert.write_text(json.dumps({"format": "credit-screening-certificate/1"}), encoding="utf-8")
        args = [*args[:-1], str(cert)]
    r = CliRunner().invoke(cli.app, args)
    said = _said(r)
    assert r.exit_code == 2, (r.exit_code, said, r.exception)
    assert "数据库无法连接 (cannot reach the database)" in said and "CREDIT_DATABASE_URL" in said, said
    assert "Traceback" not in said and "BROKEN" not in said


@pytest.mark.parametrize("args", [["audit", "verify"], ["draw", "verify", "DRAW-20260901-001"]])
@pytest.mark.parametrize("setting", ["embedded", "url"])
def test_a_verify_command_whose_database_cannot_be_set_up_exits_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], setting: str) -> None:
    """The embedded server cannot start (CREDIT_HOME cannot hold its folder), or the URL is not one:
    nothing was checked, so exit 2 with "bad database setting", not the exit 1 of a broken chain."""
    if setting == "embedded":
        home = tmp_path / "home"
        home.mkdir()
        (home / "pg").write_text("a file where the embedded server's folder should be", encoding="utf-8")
        monkeypatch.delenv("CREDIT_DATABASE_URL", raising=False)
        monkeypatch.setenv("CREDIT_HOME", str(home))
    else:
        monkeypatch.setenv("CREDIT_DATABASE_URL", "postgresql+nosuchdriver://credit@localhost/credit")
        monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli.app, args)
    finally:
        get_settings.cache_clear()
    said = _said(r)
    assert r.exit_code == 2, (r.exit_code, said, r.exception)
    assert "数据库设置有误 (bad database setting)" in said and "未能校验 (nothing was checked)" in said, said
    assert "Traceback" not in said and "BROKEN" not in said


def test_another_command_keeps_exit_1(unreachable: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["credit", "api", "keys", "list"])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 1 and "cannot reach the database" in capsys.readouterr().err
