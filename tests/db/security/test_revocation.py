"""A stolen signing key revoked (README "A stolen key"): the anchor lines the bureau's nights
published with it since the compromise stay trusted because the revocation vouches for them, and
only those."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit import clock
from credit.cli.main import app
from credit.keyring import current_signer, ensure_first_line, keyring_for, keyring_path, revoke, rotate
from credit.rosters.anchors import anchor_path, read_anchors
from credit.settings import Settings
from tests.db.api.support import live  # noqa: F401
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


def test_the_api_does_not_publish_a_keyring_cut_short_before_its_revocation(
        live) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """GET /v1/keys/signing published the keyring's lines up to its first broken line as the whole
    keyring: a line damaged or slipped in before a revocation (by whoever can write the publication
    folder) made the API serve the keyring without it, a stolen key trusted again by every reader
    who takes the keyring from the API. A keyring that does not verify is refused (503, Chinese
    first), as a certificate then is."""
    s = live.settings
    stolen = current_signer(s)
    ensure_first_line(s, stolen)
    rotate(s)
    revoke(s, stolen.key_id, clock.now(s) - timedelta(hours=1), "私钥文件外泄", [])
    path = keyring_path(s)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1] + ['{"format": "x"}'] + lines[-1:]) + "\n", encoding="utf-8")
    with live.client() as h:
        r = h.get("/v1/keys/signing")
    assert r.status_code == 503 and "密钥清单未通过校验" in r.text, (r.status_code, r.text)


def test_keys_revoke_refuses_while_a_line_of_that_time_is_not_the_nights_own(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    """A revocation cannot be taken back, and a line it does not vouch for fails every audit from
    then on: an anchor line no night recorded publishing (here one altered in the file) makes
    `keys revoke` refuse (exit 2, nothing revoked) until the officer, having checked, says
    --accept-unvouched."""
    import json

    published_nights(engine, settings)
    stolen = current_signer(settings)
    rotate(settings)
    path = anchor_path(settings)
    lines = path.read_text().splitlines()
    doc = json.loads(lines[1])
    doc["seq"] = int(doc["seq"]) + 1
    lines[1] = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n")
    since = (clock.now(settings) - timedelta(days=1)).date().isoformat()
    args = ["keys", "revoke", stolen.key_id, "--compromised-since", f" {since} ", "--reason", "私钥文件外泄"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and "--accept-unvouched" in refused.output and "line 2" in refused.output, \
        refused.output
    assert keyring_for(settings).revocations == {}
    done = runner.invoke(app, [*args, "--accept-unvouched"])
    assert done.exit_code == 0 and "not vouched for" in " ".join(done.output.split()), done.output
    assert set(keyring_for(settings).revocations) == {stolen.key_id}


def test_a_revocation_removed_from_the_keyring_is_named_by_the_next_anchor(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    """Every anchor line records the keyring as it stood (its line count and their SHA-256): a
    revocation (or any keyring line) removed after a night published an anchor no longer matches
    what the anchors outside recorded, and `credit audit verify` names it."""
    from credit.rosters.anchors import publish_anchors
    from tests.db.api.support import run_night

    published_nights(engine, settings)
    stolen = current_signer(settings)
    rotate(settings)
    since = (clock.now(settings) - timedelta(days=1)).date().isoformat()
    assert runner.invoke(app, ["keys", "revoke", stolen.key_id, "--compromised-since", since,
                               "--reason", "私钥文件外泄"]).exit_code == 0
    run_night(engine, settings, "2026-07-23")
    assert publish_anchors(engine, settings) == 1
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    path = keyring_path(settings)
    lines = path.read_text().splitlines()
    assert json.loads(lines[-1])["format"] == "credit-signing-key-revocation/1"
    path.write_text("\n".join(lines[:-1]) + "\n")          # the stolen key's thief takes the revocation back
    bad = runner.invoke(app, ["audit", "verify"])
    out = " ".join(bad.output.split())
    assert bad.exit_code == 1 and "密钥清单已被删改：该行发布时清单有 3 行，现在只有 2 行" in out, out
