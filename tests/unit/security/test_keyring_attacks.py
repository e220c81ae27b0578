"""Attacks on the bureau's keyring by whoever holds one of its keys and can write the published
file (README "A stolen key"): each is refused or named, in Chinese first, never a traceback."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from credit import clock
from credit.cli.main import app
from credit.keyring import (
    FORMAT,
    REVOCATION_FORMAT,
    current_signer,
    ensure_first_line,
    keyring_path,
    read_keyring,
    revoke,
    rotate,
)
from credit.settings import Settings
from credit.signing import Signer, canonical, write_signed

runner = CliRunner()


def _three_keys(s: Settings) -> list[Signer]:
    """K0 → K1 → K2, each signing an export while in use; the signers, oldest first."""
    used = [current_signer(s)]
    ensure_first_line(s, used[0])
    write_signed(s.home / "export-0.csv", b"row 0\r\n", used[0], None)
    for i in (1, 2):
        rotate(s)
        used.append(current_signer(s))
        write_signed(s.home / f"export-{i}.csv", f"row {i}\r\n".encode(), used[i], None)
    return used


def _verify(file: Path, key: Signer, keyring: Path, tmp: Path, *more: str) -> tuple[int, str]:
    (tmp / "trusted.pem").write_text(key.public_pem, encoding="ascii")
    r = runner.invoke(app, ["verify-signature", str(file), "--public-key", str(tmp / "trusted.pem"),
                            "--keyring", str(keyring), *more])
    return r.exit_code, " ".join(r.output.split())


def test_a_backdated_revocation_inserted_before_the_successors_line_is_named(tmp_path: Path) -> None:
    """The thief of K1 (handed over to K2 since) signs a revocation of K0 "compromised since" K0's
    first day and inserts it between K1's line and K2's, where K1 was the key in use, dated then:
    every check of the line itself passes, and K0's honest exports stopped verifying. Each line
    now records the keyring before it (``keyring_before``: its line count and their SHA-256), so
    K2's line, which the thief cannot sign again, names the line slipped in before it."""
    s = Settings(home=tmp_path / "home")
    k0, k1, _ = _three_keys(s)
    path = keyring_path(s)
    assert read_keyring(path).problems == []
    lines = path.read_text(encoding="utf-8").splitlines()
    docs = [json.loads(x) for x in lines]
    body = {"format": REVOCATION_FORMAT, "revoked": k0.key_id, "compromised_since": docs[0]["valid_from"],
            "revoked_at": docs[1]["valid_from"], "reason": "伪造的吊销", "vouched_anchors": []}
    if "keyring_before" in docs[1]:   # the thief writes the line as the bureau's software would
        before = b"\n".join(canonical(d) for d in docs[:2])
        body["keyring_before"] = {"lines": 2, "sha256": hashlib.sha256(before).hexdigest()}
    forged = canonical(k1.sign_document(body)).decode("utf-8")
    path.write_text("\n".join([*lines[:2], forged, *lines[2:]]) + "\n", encoding="utf-8")

    ring = read_keyring(path)
    assert ring.problems, "a revocation inserted between a key's line and its successor's was accepted"
    assert ring.problems[0].startswith("signing-keys.jsonl line 4:"), ring.problems
    assert "插入" in ring.problems[0] and "inserted" in ring.problems[0], ring.problems
    code, out = _verify(s.home / "export-0.csv", k0, path, tmp_path)
    assert code == 1 and "密钥清单未通过校验 keyring INVALID" in out and "插入" in out, out
    assert "Traceback" not in out


def _legacy(s: Settings, keys: list[Signer]) -> list[str]:
    """The keyring's lines as written before ``keyring_before`` existed (each signed again without
    it, as the software of that time signed them)."""
    out = []
    for n, doc in enumerate(json.loads(x) for x in keyring_path(s).read_text(encoding="utf-8").splitlines()):
        body = {k: v for k, v in doc.items() if k not in ("signature", "handed_over_by", "keyring_before")}
        line = keys[n].sign_document(body)
        if n:
            line["handed_over_by"] = {"key_id": keys[n - 1].key_id, "value": keys[n - 1].sign(canonical(body))}
        out.append(canonical(line).decode("utf-8"))
    return out


def test_an_old_keyring_still_verifies_and_the_next_line_pins_its_lines(tmp_path: Path) -> None:
    """Old keyrings stay readable: lines without ``keyring_before`` are read as before. The next line
    the bureau writes records them all, so a line slipped in among them afterwards is named."""
    s = Settings(home=tmp_path / "home")
    k0, k1, k2 = _three_keys(s)
    path = keyring_path(s)
    old = _legacy(s, [k0, k1, k2])
    path.write_text("\n".join(old) + "\n", encoding="utf-8")
    assert read_keyring(path).problems == []                  # an old keyring, read as before
    revoke(s, k1.key_id, clock.now(s) - timedelta(hours=1), "私钥文件外泄", [])
    ring = read_keyring(path)
    assert ring.problems == [] and ring.lines[-1]["keyring_before"]["lines"] == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    # the thief of K1 slips a revocation of K0 among the old lines, where K1 was in use
    forged = canonical(k1.sign_document({
        "format": REVOCATION_FORMAT, "revoked": k0.key_id, "compromised_since": json.loads(old[0])["valid_from"],
        "revoked_at": json.loads(old[1])["valid_from"], "reason": "伪造的吊销", "vouched_anchors": []})).decode()
    path.write_text("\n".join([*lines[:2], forged, *lines[2:]]) + "\n", encoding="utf-8")
    ring = read_keyring(path)
    assert ring.problems and ring.problems[0].startswith("signing-keys.jsonl line 5:"), ring.problems
    assert "插入" in ring.problems[0], ring.problems


def test_a_reader_whose_only_trusted_key_is_revoked_is_refused(tmp_path: Path) -> None:
    """Whoever holds a revoked key can write a whole keyring of their own, signed by it: a reader
    who trusts only that key cannot tell the bureau's keyring from the thief's. Given the bureau's
    keyring, which names the key revoked, verify-signature refused nothing (what K0 signed before
    its compromise verified, through K0 alone); now it refuses (exit 1) and says what to pin."""
    s = Settings(home=tmp_path / "home")
    k0, _, _ = _three_keys(s)
    revoke(s, k0.key_id, clock.now(s), "私钥文件外泄", [])   # after K0 signed its export
    code, out = _verify(s.home / "export-0.csv", k0, keyring_path(s), tmp_path)
    assert code == 1, out
    assert f"所信任的公钥 {k0.key_id} 已被吊销" in out and "--keyring-pin" in out, out
    assert "Traceback" not in out


def test_a_keyring_forged_with_a_revoked_key_is_refused_against_the_pinned_cut(tmp_path: Path) -> None:
    """The thief of K0 hands a reader who trusts K0 a keyring of their own: K0's line, then a key of
    theirs handed over by K0, which signed an export. Checked against K0 alone it verified
    ("signature valid"). Pinned to the bureau's keyring as an anchor recorded it (``--keyring-pin
    LINES:SHA256``), the forged keyring does not begin with those lines and is refused; the bureau's
    keyring, pinned the same way, verifies what K1 signed with K0 given as the key."""
    s = Settings(home=tmp_path / "home")
    k0 = current_signer(s)
    ensure_first_line(s, k0)
    rotate(s)
    k1 = current_signer(s)
    write_signed(s.home / "honest.csv", b"row\r\n", k1, None)
    revoke(s, k0.key_id, clock.now(s) - timedelta(hours=1), "私钥文件外泄", [])
    ring = read_keyring(keyring_path(s))
    pin = f"{len(ring.lines)}:{ring.prefix_digest(len(ring.lines))}"

    thief = Signer(Ed25519PrivateKey.generate())
    first = keyring_path(s).read_text(encoding="utf-8").splitlines()[0]
    body = {"format": FORMAT, "key_id": thief.key_id, "public_key_pem": thief.public_pem,
            "valid_from": clock.now(s).isoformat(), "previous": k0.key_id,
            "keyring_before": {"lines": 1, "sha256": hashlib.sha256(canonical(json.loads(first))).hexdigest()}}
    doc = thief.sign_document(body)
    doc["handed_over_by"] = {"key_id": k0.key_id, "value": k0.sign(canonical(body))}
    forged = tmp_path / "forged-keys.jsonl"
    forged.write_text(first + "\n" + canonical(doc).decode("utf-8") + "\n", encoding="utf-8")
    write_signed(tmp_path / "forged.csv", b"fake\r\n", thief, None)

    # against K0 alone the forged keyring cannot be told from the bureau's: said, with what to pin
    code, out = _verify(tmp_path / "forged.csv", k0, forged, tmp_path)
    assert code == 0 and f"{k0.key_id} 之后的密钥仅凭它的移交签名可信" in out and "--keyring-pin" in out, out
    code, out = _verify(tmp_path / "forged.csv", k0, forged, tmp_path, "--keyring-pin", pin)
    assert code == 1 and "与所钉住的密钥清单不符" in out and "keyring INVALID" in out, out
    code, out = _verify(s.home / "honest.csv", k0, keyring_path(s), tmp_path, "--keyring-pin", pin)
    assert code == 0, out
    assert f"核对依据 verified against: {k1.key_id}" in out and f"SHA-256 {pin.split(':')[1]}" in out, out
    code, out = _verify(s.home / "honest.csv", k0, keyring_path(s), tmp_path, "--keyring-pin", "two:lines")
    assert code == 2 and "--keyring-pin" in out and "Traceback" not in out, out


def test_verify_signature_says_what_it_verified_against(tmp_path: Path) -> None:
    """The trusted key, the keyring's lines and their SHA-256 (to compare with the bureau's published
    cut), and, for a trusted key older than the newest, that the lines after it rest on its
    hand-overs alone."""
    s = Settings(home=tmp_path / "home")
    k0, k1, k2 = _three_keys(s)
    ring = read_keyring(keyring_path(s))
    code, out = _verify(s.home / "export-1.csv", k2, keyring_path(s), tmp_path)
    assert code == 0, out
    assert f"核对依据 verified against: {k2.key_id}" in out and f"3 行 (lines), SHA-256 {ring.prefix_digest(3)}" in out
    code, out = _verify(s.home / "export-2.csv", k0, keyring_path(s), tmp_path)
    assert code == 0 and "--keyring-pin" in out, out


def test_a_malformed_keyring_pin_is_refused_never_a_traceback(tmp_path: Path) -> None:
    """``--keyring-pin`` is read before anything else: a count that ``str.isdigit`` takes but
    ``int`` does not (², ①: a mistyped or pasted pin) ended in a ValueError traceback; every form
    but LINES:SHA256 is refused, exit 2, naming the option, Chinese first."""
    k0 = Signer(Ed25519PrivateKey.generate())
    write_signed(tmp_path / "f.csv", b"row\r\n", k0, None)
    (tmp_path / "keys.jsonl").write_text("", encoding="utf-8")
    for pin in ("²:" + "a" * 64, "①:" + "a" * 64, "0:" + "a" * 64, "3:" + "g" * 64, "3:" + "a" * 63, "3", ":"):
        code, out = _verify(tmp_path / "f.csv", k0, tmp_path / "keys.jsonl", tmp_path, "--keyring-pin", pin)
        assert code == 2 and out.startswith("拒绝 refused: --keyring-pin「"), (pin, code, out)
        assert "Traceback" not in out, out


def _anchor(s: Settings, signer: Signer, night: str, prev: str) -> str:
    """An anchor line as a night's publication writes it, recording the keyring as it stands."""
    from credit.rosters.anchors import FORMAT as ANCHOR_FORMAT
    from credit.rosters.anchors import anchor_path, line_digest

    ring = read_keyring(keyring_path(s))
    body = {"format": ANCHOR_FORMAT, "night": night, "seq": 1, "row_hash": "a" * 64, "prev": prev,
            "published_at": clock.now(s).isoformat(timespec="seconds"), "keyring": ring.cut()}
    text = canonical(signer.sign_document(body)).decode("utf-8")
    with open(anchor_path(s), "a", encoding="utf-8") as f:
        f.write(text + "\n")
    return line_digest(text)


def test_keys_list_names_a_revocation_removed_after_an_anchor_recorded_it(tmp_path: Path, monkeypatch) -> None:
    """Whoever can write the publication folder deletes the keyring's last line, a revocation that
    a night's anchor line has recorded since (``keyring``: 3 lines). ``credit keys list`` looked for
    the last anchor whose record the keyring still begins with, found the one before the
    revocation, and said every line anchored, exit 0: the operator's own listing vouched for the
    keyring the revocation was taken out of. It now names the anchor line the keyring no longer
    matches, exit 1, as ``credit audit verify`` does."""
    from credit.settings import get_settings

    s = Settings(home=tmp_path / "home")
    monkeypatch.setenv("CREDIT_HOME", str(s.home))
    get_settings.cache_clear()
    try:
        k0 = current_signer(s)
        ensure_first_line(s, k0)
        prev = _anchor(s, k0, "2026-07-13", "0" * 64)
        rotate(s)
        k1 = current_signer(s)
        prev = _anchor(s, k1, "2026-07-14", prev)
        revoke(s, k0.key_id, clock.now(s) - timedelta(hours=1), "私钥文件外泄", [])
        _anchor(s, k1, "2026-07-15", prev)
        r = runner.invoke(app, ["keys", "list"])
        assert r.exit_code == 0 and "3 行均已被锚点记录" in r.output, r.output
        path = keyring_path(s)
        path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
        r = runner.invoke(app, ["keys", "list"])
        said = " ".join(r.output.split())
        assert r.exit_code == 1 and "均已被锚点记录" not in said, said
        assert "anchors.jsonl line 3" in said and "密钥清单已被删改" in said, said
        path.unlink()   # the whole file deleted: "no keyring yet", exit 0, it said
        r = runner.invoke(app, ["keys", "list"])
        said = " ".join(r.output.split())
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 1 and "anchors.jsonl line 3" in said and "不存在，而该行发布时它有 3 行" in said, said


def test_keys_after_an_older_pin_are_said_to_rest_on_hand_overs(tmp_path: Path) -> None:
    """A pin fixes only the lines it covers: pinned to the keyring's first two lines (K0, K1) the
    root is K1, and K2 after them is trusted on K1's hand-over alone — which a thief of K1 can
    sign. With a pin the answer no longer said so (it said it only without one)."""
    s = Settings(home=tmp_path / "home")
    k0, k1, _ = _three_keys(s)
    ring = read_keyring(keyring_path(s))
    pin = f"2:{ring.prefix_digest(2)}"
    code, out = _verify(s.home / "export-2.csv", k0, keyring_path(s), tmp_path, "--keyring-pin", pin)
    assert code == 0 and "其前 2 行与所钉住的相符" in out, out
    assert f"{k1.key_id} 之后的密钥仅凭它的移交签名可信" in out and "--keyring-pin" in out, out
    code, out = _verify(s.home / "export-2.csv", k0, keyring_path(s), tmp_path, "--keyring-pin",
                        f"3:{ring.prefix_digest(3)}")
    assert code == 0 and "仅凭它的移交签名可信" not in out, out   # pinned to the newest: nothing rests on a hand-over
