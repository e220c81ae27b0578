"""``GET /v1/keys/signing`` across a rotation of a key from the settings (``credit keys rotate
--new-key-file``, then the switch of ``CREDIT_SIGNING_KEY_FILE``): between the two, the key in the
settings signs nothing more (``credit.keyring.current_signer``), so the answer names the key it was
handed over to, which will sign, says that it does not sign yet and which key it replaces."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine

from credit.api import create_app
from credit.keyring import rotate
from credit.settings import Settings
from credit.signing import Signer
from tests.db.api.support import ServerThread


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _published(settings: Settings) -> dict[str, object]:
    import httpx

    with ServerThread(create_app(settings)) as srv, httpx.Client(base_url=srv.url, timeout=60) as h:
        r = h.get("/v1/keys/signing")
    assert r.status_code == 200, r.text
    doc: dict[str, object] = r.json()
    return doc


def test_between_the_rotation_and_the_switch_the_answer_names_the_key_that_will_sign(
        engine: Engine, settings: Settings, tmp_path: Path) -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "old.pem").write_bytes(_pem(old))
    (tmp_path / "new.pem").write_bytes(_pem(new))
    before = settings.model_copy(update={"signing_key_file": tmp_path / "old.pem"})
    doc = _published(before)
    assert doc["key_id"] == Signer(old).key_id         # (signs_now and handed_over_from: after the switch)

    rotate(before, _pem(new))                          # credit keys rotate --new-key-file new.pem
    doc = _published(before)                           # the setting still names old.pem
    assert doc["key_id"] == Signer(new).key_id         # was the old key, which signs nothing more
    assert doc["public_key_pem"] == Signer(new).public_pem
    assert doc["signs_now"] is False and doc["handed_over_from"] == Signer(old).key_id
    assert [line["key_id"] for line in doc["keyring"]] == [Signer(old).key_id, Signer(new).key_id]  # type: ignore[attr-defined, index]

    after = settings.model_copy(update={"signing_key_file": tmp_path / "new.pem"})   # the switch
    doc = _published(after)
    assert (doc["key_id"], doc["signs_now"], doc["handed_over_from"]) == (Signer(new).key_id, True, None)


def test_a_keyring_cut_since_an_anchor_recorded_it_is_not_served(engine: Engine, settings: Settings) -> None:
    """Whoever can write the publication folder deletes the keyring's last line, the revocation of
    a stolen key, which a night's anchor line has recorded since: the API served the shortened
    keyring, 200, its ``anchored_lines`` equal to its lines, as if nothing were missing (a bank then
    trusted the stolen key's signatures). It is refused, 503, naming the anchor line, as a keyring
    that does not verify is."""
    import httpx

    from credit import clock
    from credit.keyring import current_signer, ensure_first_line, keyring_path, read_keyring, revoke
    from credit.rosters.anchors import FORMAT, GENESIS, anchor_path
    from credit.signing import canonical

    stolen = current_signer(settings)
    ensure_first_line(settings, stolen)
    rotate(settings)
    revoke(settings, stolen.key_id, clock.now(settings), "私钥文件外泄", [])
    body = {"format": FORMAT, "night": "2026-07-13", "seq": 1, "row_hash": "a" * 64, "prev": GENESIS,
            "published_at": clock.now(settings).isoformat(timespec="seconds"),
            "keyring": read_keyring(keyring_path(settings)).cut()}
    anchor_path(settings).write_text(canonical(current_signer(settings).sign_document(body)).decode() + "\n",
                                     encoding="utf-8")
    assert _published(settings)["verified_against"]["anchored_lines"] == 3  # type: ignore[index]
    path = keyring_path(settings)
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    with ServerThread(create_app(settings)) as srv, httpx.Client(base_url=srv.url, timeout=60) as h:
        r = h.get("/v1/keys/signing")
    assert r.status_code == 503 and "anchors.jsonl line 1" in r.text and "密钥清单已被删改" in r.text, r.text
