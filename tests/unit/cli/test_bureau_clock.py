"""Every time the command line shows is on the bureau's clock (Asia/Shanghai, :mod:`credit.clock`),
as a table cell a person reads, never a repr: ``credit officers list``, ``credit notices``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from credit.cli import output


class _Engine:
    @contextmanager
    def connect(self) -> Iterator[None]:
        yield None


def test_officers_list_shows_when_an_account_was_made_on_the_bureaus_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """21:52 UTC on 30 November is 05:52 on 1 December in Shanghai."""
    import credit.api.officers
    import credit.db
    from credit.cli.commands import officers

    account = {"id": 1, "login": "zhang.shen", "display_name": "张审", "role": "approver", "role_label": "审批人",
               "authority": "110105", "created_at": datetime(2026, 11, 30, 21, 52, 7, tzinfo=UTC),
               "password_changed_at": datetime(2026, 11, 30, 21, 52, 7, tzinfo=UTC),
               "disabled_at": datetime(2026, 12, 1, 2, 0, tzinfo=UTC)}
    monkeypatch.setattr(credit.db, "get_engine", lambda *_: _Engine())
    monkeypatch.setattr(credit.api.officers, "list_officers", lambda _conn: [account])
    r = CliRunner().invoke(officers.app, ["list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "2026-12-01 05:52:07" in r.output and "2026-12-01 10:00:00" in r.output
    assert "2026-11-30" not in r.output and "21:52" not in r.output
    assert "工作人员账户" in r.output and "登录名 login" in r.output and "停用 disabled" in r.output


def test_api_keys_list_shows_its_times_as_officers_list_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """One format for an instant in every listing (:func:`credit.cli.output.when`): no zone name in
    one table and none in the next, no seconds cut in one of them."""
    import credit.api.auth
    import credit.db
    from credit.cli.commands import api

    key = {"id": 1, "name": "信用科", "role": "bureau", "key_prefix": "crk_HTDZP8", "rate_per_minute": None,
           "created_at": datetime(2026, 11, 30, 21, 52, 7, 654321, tzinfo=UTC), "department": None,
           "revoked_at": datetime(2026, 12, 1, 2, 0, tzinfo=UTC)}
    monkeypatch.setattr(credit.db, "get_engine", lambda *_: _Engine())
    monkeypatch.setattr(credit.api.auth, "list_keys", lambda _conn: [key])
    r = CliRunner().invoke(api.api_app, ["keys", "list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "2026-12-01 05:52:07" in r.output and "2026-12-01 10:00:00" in r.output
    assert "Asia/Shanghai" not in r.output and ".654321" not in r.output and "21:52" not in r.output
    assert "本局 bureau" in r.output and "按角色默认" in r.output and "吊销 revoked" in r.output


def _notice(produced_at: str) -> dict[str, Any]:
    return {"id": 1, "night": "2026-11-30", "produced_at": produced_at, "department": "市场监督管理局（食品生产许可）",
            "licence": "食品生产许可", "event": "new", "event_label": "新设立", "uscc": "91110105MA00000012",
            "name": "测试食品有限公司", "entity_kind": "enterprise", "region_code": "110105", "industry_code": "1391",
            "previous_industry_code": None, "established_on": "2026-11-30", "address": "某路 1 号", "matched": "13"}


def test_notices_table_shows_the_push_time_as_the_page_and_csv_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import credit.db
    import credit.notices.read
    from credit.cli.commands.notices import notices_command

    monkeypatch.setattr(credit.db, "engine_for", lambda *_: _Engine())
    monkeypatch.setattr(credit.notices.read, "notices_of_night",
                        lambda *_: [_notice("2026-12-01T05:56:38.695999+08:00")])
    monkeypatch.setattr(credit.notices.read, "night_published", lambda *_: True)
    app = typer.Typer()
    app.command()(notices_command)
    r = CliRunner().invoke(app, ["--night", "2026-11-30"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "2026-12-01 05:56:38" in r.output
    assert "T05:56" not in r.output and "+08:00" not in r.output and ".695999" not in r.output


@pytest.mark.parametrize("instant", [datetime(2026, 11, 30, 21, 52, 7, 123456, tzinfo=UTC),
                                     datetime(2026, 12, 1, 5, 52, 7, tzinfo=timezone(timedelta(hours=8)))])
def test_a_time_in_a_table_cell_is_on_the_bureaus_clock(instant: datetime) -> None:
    assert output.cell(instant) == "2026-12-01 05:52:07"
