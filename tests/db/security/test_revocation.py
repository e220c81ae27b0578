"""A stolen signing key revoked (README "A stolen key"): the anchor lines the bureau's nights
published with it since the compromise stay trusted because the revocation vouches for them, and
only those."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit import clock
from credit.cli.main import app
from credit.keyring import current_signer, keyring_for, revoke, rotate
from credit.rosters.anchors import anchor_path, read_anchors
from credit.settings import Settings
from tests.db.security.test_tamper import published_nights

runner = CliRunner()


def test_keys_revoke_vouches_for_the_nights_own_anchors(engine: Engine, settings: Settings, cli_env: None) -> None:
    published_nights(engine, settings)
    stolen = current_signer(settings)
    rotate(settings)
    since = (clock.now(settings) - timedelta(days=1)).date().isoformat()   # before every line was signed
    res = runner.invoke(app, ["keys", "revoke", stolen.key_id, "--compromised-since", since, "--reason", "私钥文件外泄"])
    assert res.exit_code == 0, res.output
    assert "为其间本局各批次发布的 3 行锚点背书" in " ".join(res.output.split()), res.output
    ring = keyring_for(settings)
    assert ring.problems == [] and len(ring.revocations[stolen.key_id].vouched) == 3
    assert all(a.signed for a in read_anchors(anchor_path(settings), ring).anchors)
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(app, ["keys", "revoke", stolen.key_id, "--compromised-since", since, "--reason", "x"])
    assert again.exit_code == 2 and "已被吊销" in again.output


def test_a_revocation_that_vouches_for_nothing_leaves_the_lines_of_that_time_untrusted(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    published_nights(engine, settings)
    stolen = current_signer(settings)
    rotate(settings)
    revoke(settings, stolen.key_id, clock.now(settings) - timedelta(days=1), "私钥文件外泄", [])
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"由已吊销的密钥 {stolen.key_id} 签署" in " ".join(bad.output.split()), bad.output


@pytest.mark.parametrize("since", ["2026-13-01", "soon"])
def test_keys_revoke_refuses_a_time_it_cannot_read(settings: Settings, cli_env: None, since: str) -> None:
    res = runner.invoke(app, ["keys", "revoke", "ed25519:x", "--compromised-since", since, "--reason", "r"])
    assert res.exit_code == 2 and "不是日期或时间" in res.output
