"""The keyring's lines and the anchors published outside the database (README "A stolen key"):
the lines added since the last anchor are named as not yet anchored until the next night's anchor
records them; ``GET /v1/keys/signing`` says what it checked its keyring against and refuses to
vouch for a keyring through a revoked key."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit import clock
from credit.api import create_app
from credit.cli.main import app
from credit.keyring import current_signer, keyring_for, revoke, rotate
from credit.rosters.anchors import anchor_path, publish_anchors
from credit.settings import Settings
from credit.signing import Signer
from tests.db.api.support import ServerThread, run_night
from tests.db.security.test_tamper import published_nights

runner = CliRunner()


def _said(*args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), env={"COLUMNS": "400"})
    return r.exit_code, " ".join(r.output.split())


def test_keyring_lines_after_the_last_anchor_are_named_until_the_next_nights_anchor_records_them(
        engine: Engine, settings: Settings, cli_env: None) -> None:
    published_nights(engine, settings)
    stolen = current_signer(settings)
    code, out = _said("keys", "list")
    assert code == 0 and "密钥清单 1 行均已被锚点记录" in out, out
    rotate(settings)
    new = current_signer(settings)
    since = (clock.now(settings) - timedelta(days=1)).date().isoformat()
    assert _said("keys", "revoke", stolen.key_id, "--compromised-since", since, "--reason", "私钥文件外泄")[0] == 0
    # the hand-over and the revocation: in the keyring, recorded by no anchor yet
    code, out = _said("keys", "list")
    assert code == 0 and "有 2 行尚未被任何锚点记录" in out, out
    assert f"line 2 (密钥 key {new.key_id})" in out and f"line 3 (吊销 revocation of {stolen.key_id})" in out, out
    code, out = _said("audit", "verify")
    assert code == 0 and "注意 warning: 密钥清单 signing-keys.jsonl 有 2 行尚未被任何锚点记录" in out, out
    # the next night's anchor records them
    run_night(engine, settings, "2026-07-23")
    assert publish_anchors(engine, settings) == 1
    ring = keyring_for(settings)
    last = json.loads(anchor_path(settings).read_text(encoding="utf-8").splitlines()[-1])
    assert last["keyring"] == {"lines": 3, "sha256": ring.prefix_digest(3)}
    assert last["signature"]["key_id"] == new.key_id
    code, out = _said("keys", "list")
    assert code == 0 and "密钥清单 3 行均已被锚点记录" in out, out
    code, out = _said("audit", "verify")
    assert code == 0 and "尚未被任何锚点记录" not in out, out
    # an audit held against the revoked key alone is refused: its thief could have signed any keyring
    (settings.home / "stolen.pem").write_text(stolen.public_pem, encoding="ascii")
    code, out = _said("audit", "verify", "--public-key", str(settings.home / "stolen.pem"))
    assert code == 1 and f"所信任的公钥 {stolen.key_id} 已被吊销" in out and "Traceback" not in out, out


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _get(settings: Settings) -> httpx.Response:
    with ServerThread(create_app(settings)) as srv, httpx.Client(base_url=srv.url, timeout=60) as h:
        return h.get("/v1/keys/signing")


def test_the_api_says_what_it_checked_the_keyring_against_and_not_through_a_revoked_key(
        engine: Engine, settings: Settings, tmp_path: Path) -> None:
    """The API holds its keyring against the installation's own key. Set back to a key since revoked
    (its file restored by mistake, or by its thief), it served the bureau's keyring as verified
    through that key; it is refused now (503, Chinese first). The answer says what it was checked
    against: the key, the keyring's lines and their SHA-256, and how many of them an anchor records."""
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "old.pem").write_bytes(_pem(old))
    (tmp_path / "new.pem").write_bytes(_pem(new))
    before = settings.model_copy(update={"signing_key_file": tmp_path / "old.pem"})
    after = settings.model_copy(update={"signing_key_file": tmp_path / "new.pem"})
    rotate(before, _pem(new))
    revoke(after, Signer(old).key_id, clock.now(after) - timedelta(hours=1), "私钥文件外泄", [])
    r = _get(before)
    assert r.status_code == 503, r.text
    assert f"所信任的公钥 {Signer(old).key_id} 已被吊销" in r.json()["detail"], r.text
    r = _get(after)
    assert r.status_code == 200, r.text
    ring = keyring_for(after)
    assert r.json()["verified_against"] == {"key_id": Signer(new).key_id, "lines": 3,
                                            "sha256": ring.prefix_digest(3), "anchored_lines": 0}
