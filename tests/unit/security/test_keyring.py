"""The bureau's keyring: a signing key handed over to the next, so that what an earlier key signed
still verifies and a key changed without a hand-over signs nothing (no database)."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from credit import clock
from credit.cli.main import app, main
from credit.exports import write_export
from credit.keyring import current_signer, ensure_first_line, keyring_for, keyring_path, read_keyring, rotate
from credit.rosters.anchors import FORMAT as ANCHOR_FORMAT
from credit.rosters.anchors import GENESIS, line_digest, read_anchors
from credit.settings import Settings, get_settings
from credit.signing import Signer, SigningKeyError, canonical, sidecar_for, signer_for, write_signed

runner = CliRunner()


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _rotate_twice(s: Settings) -> list[Signer]:
    """Three generated keys in turn, each signing a file while in use; the signers, oldest first."""
    used = []
    for i in range(3):
        if i:
            rotate(s)
        used.append(current_signer(s))
        write_signed(s.home / f"export-{i}.csv", f"row {i}\r\n".encode(), used[-1], None)
    return used


def test_a_generated_key_is_handed_over_and_every_earlier_signature_still_verifies(tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "home")
    first = signer_for(s)
    ensure_first_line(s, first)
    used = _rotate_twice(s)
    assert used[0].key_id == first.key_id and len({u.key_id for u in used}) == 3
    ring = read_keyring(keyring_path(s))
    assert not ring.problems and [e.key_id for e in ring.entries] == [u.key_id for u in used]
    assert [e.previous for e in ring.entries] == [None, used[0].key_id, used[1].key_id]
    # the old generated keys are kept, the newest signs
    retired = sorted(p.name for p in (s.home / "keys" / "retired").iterdir())
    assert retired == sorted(u.key_id.replace(":", "-") + ".pem" for u in used[:2])
    assert signer_for(s).key_id == used[2].key_id
    # a reader holding any one of the keys checks every file, with the published keyring
    for trusted in used:
        (tmp_path / "given.pem").write_text(trusted.public_pem, encoding="ascii")
        for i in range(3):
            r = runner.invoke(app, ["verify-signature", str(s.home / f"export-{i}.csv"), "--public-key",
                                    str(tmp_path / "given.pem"), "--keyring", str(keyring_path(s))])
            assert r.exit_code == 0, r.output
            assert f"signed by {used[i].key_id}" in r.output
    # without the keyring, a file of an earlier key does not verify with the newest key, and says why
    (tmp_path / "newest.pem").write_text(used[2].public_pem, encoding="ascii")
    r = runner.invoke(app, ["verify-signature", str(s.home / "export-0.csv"), "--public-key",
                            str(tmp_path / "newest.pem")])
    assert r.exit_code == 1 and "--keyring" in r.output


def test_a_key_handed_over_or_changed_without_a_hand_over_signs_nothing(tmp_path: Path) -> None:
    old, new, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "old.pem").write_bytes(_pem(old))
    (tmp_path / "new.pem").write_bytes(_pem(new))
    (tmp_path / "other.pem").write_bytes(_pem(other))
    s = Settings(home=tmp_path / "home", signing_key_file=tmp_path / "old.pem")
    with pytest.raises(SigningKeyError, match="--new-key-file"):
        rotate(s)
    done = rotate(s, _pem(new))
    assert not done.generated and done.new == Signer(new).key_id
    with pytest.raises(SigningKeyError, match="handed over"):
        current_signer(s)       # the setting still names the old key
    switched = Settings(home=tmp_path / "home", signing_key_file=tmp_path / "new.pem")
    assert current_signer(switched).key_id == Signer(new).key_id
    changed = Settings(home=tmp_path / "home", signing_key_file=tmp_path / "other.pem")
    with pytest.raises(SigningKeyError, match="credit keys rotate"):
        current_signer(changed)   # a key swapped in without a hand-over


@pytest.mark.parametrize("edit", ["forged_hand_over", "swapped_key", "removed_line", "reordered"])
def test_a_keyring_altered_after_publication_is_named_by_its_line(tmp_path: Path, edit: str) -> None:
    s = Settings(home=tmp_path / "home")
    ensure_first_line(s, signer_for(s))
    rotate(s)
    rotate(s)
    path = keyring_path(s)
    lines = path.read_text(encoding="utf-8").splitlines()
    if edit == "forged_hand_over":   # an outsider's key appended, signed by itself only
        intruder = Signer(Ed25519PrivateKey.generate())
        doc = intruder.sign_document({"format": "credit-signing-key/1", "key_id": intruder.key_id,
                                      "public_key_pem": intruder.public_pem, "valid_from": "2030-01-01T00:00:00+08:00",
                                      "previous": json.loads(lines[-1])["key_id"]})
        lines.append(json.dumps(doc))
    elif edit == "swapped_key":      # the middle key's PEM replaced by an outsider's
        doc = json.loads(lines[1])
        doc["public_key_pem"] = Signer(Ed25519PrivateKey.generate()).public_pem
        lines[1] = json.dumps(doc)
    elif edit == "removed_line":
        del lines[1]
    else:
        lines[1], lines[2] = lines[2], lines[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ring = read_keyring(path)
    assert ring.problems, edit
    bad = 4 if edit == "forged_hand_over" else 2
    assert ring.problems[0].startswith(f"signing-keys.jsonl line {bad}:"), ring.problems
    assert len(ring.entries) == bad - 1      # nothing from the broken line on is trusted
    with pytest.raises(SigningKeyError):
        current_signer(s)                    # and nothing is signed while it does not verify


def test_keys_rotate_and_keys_list_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CREDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("CREDIT_SIGNING_KEY_FILE", raising=False)
    get_settings.cache_clear()
    try:
        before = signer_for(get_settings()).key_id
        r = runner.invoke(app, ["keys", "rotate"])
        assert r.exit_code == 0, r.output
        after = signer_for(get_settings()).key_id
        assert f"{before} → {after}" in r.output and before != after
        assert r.output.startswith("签名密钥已移交 (signing key handed over)"), r.output
        listed = runner.invoke(app, ["keys", "list", "--json"])
        assert listed.exit_code == 0 and [d["key_id"] for d in json.loads(listed.stdout)] == [before, after]
        refused = runner.invoke(app, ["keys", "rotate", "--new-key-file", str(tmp_path / "x.pem")])
        assert refused.exit_code == 2 and "Traceback" not in refused.output
    finally:
        get_settings.cache_clear()


def test_a_keyring_replaced_by_an_outsiders_chain_is_not_trusted(tmp_path: Path) -> None:
    """Whoever can write the publication folder but not the key must not make the installation
    trust their own key by writing a keyring of it: the installation's keyring is held against the
    key it signs with (audit verify, db restore, keys list read it so)."""
    s = Settings(home=tmp_path / "home")
    ensure_first_line(s, signer_for(s))
    rotate(s)
    outsider = Signer(Ed25519PrivateKey.generate())
    doc = outsider.sign_document({"format": "credit-signing-key/1", "key_id": outsider.key_id,
                                  "public_key_pem": outsider.public_pem,
                                  "valid_from": "2026-01-01T00:00:00+08:00", "previous": None})
    keyring_path(s).write_text(json.dumps(doc) + "\n", encoding="utf-8")
    ring = keyring_for(s)
    assert ring.problems and signer_for(s).key_id in ring.problems[0], ring.problems


def _key_line(key: Signer, since: str, by: Signer | None, **changed: object) -> str:
    """A keyring line for ``key``, handed over by ``by`` (signed by both), with ``changed`` fields."""
    body: dict[str, object] = {"format": "credit-signing-key/1", "key_id": key.key_id,
                               "public_key_pem": key.public_pem, "valid_from": since,
                               "previous": by.key_id if by else None, **changed}
    doc = key.sign_document(body)
    if by is not None:
        doc["handed_over_by"] = {"key_id": by.key_id, "value": by.sign(canonical(body))}
    return json.dumps(doc)


@pytest.mark.parametrize("case", ["format", "key_id", "twice", "first_previous", "wrong_previous", "earlier"])
def test_every_keyring_problem_is_said_in_chinese_first(tmp_path: Path, case: str) -> None:
    a, b, c = (Signer(Ed25519PrivateKey.generate()) for _ in range(3))
    t1, t2 = "2026-12-01T08:00:00+08:00", "2026-12-02T08:00:00+08:00"
    lines = {
        "format": [_key_line(a, t1, None, format="credit-signing-key/2")],
        "key_id": [_key_line(a, t1, None, key_id=b.key_id)],
        "twice": [_key_line(a, t1, None), _key_line(b, t2, a), _key_line(a, "2026-12-03T08:00:00+08:00", b)],
        "first_previous": [_key_line(a, t1, c)],
        "wrong_previous": [_key_line(a, t1, None), _key_line(b, t2, a, previous=c.key_id)],
        "earlier": [_key_line(a, t2, None), _key_line(b, t1, a)],
    }[case]
    path = tmp_path / "signing-keys.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = read_keyring(path).problems
    assert len(problems) == 1, problems
    said = problems[0].split(": ", 1)[1]
    assert "\u4e00" <= said[0] <= "\u9fff" and " (" in said, said     # Chinese, then the English in brackets


@pytest.mark.parametrize("damage", ["folder", "unreadable"])
def test_a_keyring_that_cannot_be_read_is_refused_in_our_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str], damage: str) -> None:
    """A keyring that is a folder, or that may not be read: nothing can be checked or signed
    (exit 2, contracts.md §2), said in Chinese and English, never a traceback."""
    monkeypatch.setenv("CREDIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CREDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("CREDIT_SIGNING_KEY_FILE", raising=False)
    get_settings.cache_clear()
    try:
        s = get_settings()
        path = keyring_path(s)
        if damage == "folder":
            path.mkdir(parents=True)
        else:
            ensure_first_line(s, signer_for(s))
            monkeypatch.setattr(Path, "read_bytes", _denied(path, Path.read_bytes))
        with pytest.raises(SigningKeyError, match="密钥清单"):
            current_signer(s)
        for cmd in (["keys", "list"], ["keys", "rotate"]):
            monkeypatch.setattr("sys.argv", ["credit", *cmd])
            with pytest.raises(SystemExit) as caught:
                main()
            said = capsys.readouterr().err
            assert caught.value.code == 2 and "密钥清单" in said and "Traceback" not in said, (cmd, said)
    finally:
        get_settings.cache_clear()


def _denied(path: Path, read: Any) -> Any:
    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return bytes(read(self))
    return read_bytes


def test_a_rotation_that_died_while_writing_the_new_key_is_started_again(tmp_path: Path) -> None:
    """A crash while ``signing.pem.new`` was written leaves a part of a key: no keyring line can
    name it (the line is written after the key file is complete), so the next rotation discards it
    and hands over to a fresh key instead of refusing for ever."""
    s = Settings(home=tmp_path / "home")
    old = signer_for(s)
    ensure_first_line(s, old)
    pending = s.home / "keys" / "signing.pem.new"
    pending.write_bytes(b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2Vw")
    done = rotate(s)
    assert done.old == old.key_id and not done.finished and not pending.exists()
    assert signer_for(s).key_id == done.new and not read_keyring(keyring_path(s)).problems


def test_a_rotation_that_died_before_the_swap_says_to_run_it_again(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the keyring line and the swap of the generated key files, the old key signs nothing
    and the refusal tells the operator what finishes it (credit keys rotate again), not to change a
    setting the installation does not use."""
    s = Settings(home=tmp_path / "home")
    ensure_first_line(s, signer_for(s))

    def crash(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("credit.keyring._swap", crash)
    with pytest.raises(KeyboardInterrupt):
        rotate(s)
    monkeypatch.undo()
    with pytest.raises(SigningKeyError, match="credit keys rotate") as refused:
        current_signer(s)
    assert "CREDIT_SIGNING_KEY" not in str(refused.value)
    assert rotate(s).finished and current_signer(s).key_id == read_keyring(keyring_path(s)).entries[-1].key_id


def test_a_rotation_waits_for_a_signature_under_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An export signing while ``credit keys rotate`` runs: the key is not handed over between the
    check that it may sign and its signature (the keyring's lock), so nothing is signed by a key
    after its hand-over; the rotation follows."""
    s = Settings(home=tmp_path / "home")
    old = signer_for(s)
    ensure_first_line(s, old)
    seen: list[object] = []

    def signing_while_rotating(out: Path, data: bytes, signer: Signer, head: object) -> Path:
        rotating = threading.Thread(target=rotate, args=(s,))
        rotating.start()
        rotating.join(timeout=0.5)
        seen.append(read_keyring(keyring_path(s)).successor(signer.key_id))
        seen.append(rotating)
        return write_signed(out, data, signer, None)

    monkeypatch.setattr("credit.signing.write_signed", signing_while_rotating)
    write_export(tmp_path / "x.csv", b"a\r\n", s)
    successor, rotating = seen
    assert successor is None, "the key was handed over while it signed"
    assert isinstance(rotating, threading.Thread)
    rotating.join(timeout=10)
    assert signer_for(s).key_id != old.key_id       # and the rotation went ahead after it


def test_a_retired_key_signing_after_its_hand_over_is_not_trusted(tmp_path: Path) -> None:
    """Whoever still holds a retired key (its file under keys/retired, a copy) cannot sign a file,
    a certificate or an anchor line dated after the hand-over that a reader with the keyring takes
    for the bureau's: a key handed over signs nothing more. What it signed before still verifies."""
    s = Settings(home=tmp_path / "home")
    old = signer_for(s)
    ensure_first_line(s, old)
    write_signed(tmp_path / "before.csv", b"a\r\n", old, None)
    cert_before = old.sign_document({"format": "x", "issued_at": clock.now(s).isoformat(timespec="seconds")})
    rotate(s)
    new = signer_for(s)
    later = (clock.now(s) + timedelta(seconds=2)).isoformat(timespec="seconds")
    (tmp_path / "after.csv").write_bytes(b"b\r\n")
    (tmp_path / "after.csv.sig.json").write_text(json.dumps(
        sidecar_for(b"b\r\n", "after.csv", old, None, datetime.fromisoformat(later))), encoding="utf-8")
    (tmp_path / "cert-before.json").write_text(json.dumps(cert_before), encoding="utf-8")
    (tmp_path / "cert-after.json").write_text(json.dumps(old.sign_document({"format": "x", "issued_at": later})),
                                              encoding="utf-8")
    (tmp_path / "new.pem").write_text(new.public_pem, encoding="ascii")
    for name, ok in (("before.csv", True), ("cert-before.json", True), ("after.csv", False), ("cert-after.json", False)):
        r = runner.invoke(app, ["verify-signature", str(tmp_path / name), "--public-key", str(tmp_path / "new.pem"),
                                "--keyring", str(keyring_path(s))])
        assert r.exit_code == (0 if ok else 1), (name, r.output)
        if not ok:
            assert "已移交的密钥" in r.output, r.output
    # an anchor line signed by the old key after the hand-over, before any line of the new key
    lines, prev = [], GENESIS
    for night, at in (("2026-12-01", cert_before["issued_at"]), ("2026-12-02", later)):
        text = canonical(old.sign_document({"format": ANCHOR_FORMAT, "night": night, "seq": 1, "row_hash": "ab",
                                            "prev": prev, "published_at": at})).decode()
        lines.append(text)
        prev = line_digest(text)
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_anchors(anchors, keyring_for(s))
    assert len(read.problems) == 1 and "line 2" in read.problems[0] and "已移交的密钥" in read.problems[0], read.problems
    assert [a.signed for a in read.anchors] == [True, False]


def test_an_anchor_line_naming_a_key_twice_is_not_read(tmp_path: Path) -> None:
    """An anchor line with a field repeated ("row_hash" twice): Python keeps the last value, which
    the signature covers, while other readers keep the first, so a signed line would show a head it
    does not vouch for. Refused as the keyring's and the sidecars' lines are."""
    key = Signer(Ed25519PrivateKey.generate())
    text = canonical(key.sign_document({"format": ANCHOR_FORMAT, "night": "2026-12-01", "seq": 1, "row_hash": "ab",
                                        "prev": GENESIS, "published_at": "2026-12-01T20:00:00+08:00"})).decode()
    forged = text.replace('"format"', '"row_hash":"ff","format"', 1)
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(forged + "\n", encoding="utf-8")
    read = read_anchors(anchors, key.public_key)
    assert read.problems and "row_hash" in read.problems[0], read.problems


def test_a_keyring_cut_short_before_its_first_line_is_a_keyring_not_yet_started(tmp_path: Path) -> None:
    """A crash after the keyring file was created and before its first line was written leaves an
    empty file: it holds no key, as a missing file; the key in use still signs and the next
    publication writes the first line (not "changed without a hand-over" for ever)."""
    s = Settings(home=tmp_path / "home")
    path = keyring_path(s)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    key = signer_for(s)
    assert not keyring_for(s).problems
    assert current_signer(s).key_id == key.key_id
    assert ensure_first_line(s, key)
    ring = read_keyring(path, key.public_key)
    assert not ring.problems and [e.key_id for e in ring.entries] == [key.key_id]


@pytest.mark.parametrize("given", ["public", "rsa"])
def test_a_new_key_that_is_not_an_ed25519_private_key_is_refused_in_chinese_first(
        tmp_path: Path, given: str) -> None:
    """``--new-key-file`` naming the public key, or another kind of key: refused in our words,
    Chinese first, without the cryptography library's text."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    s = Settings(home=tmp_path / "home", signing_key_file=str(tmp_path / "old.pem"))
    (tmp_path / "old.pem").write_bytes(_pem(Ed25519PrivateKey.generate()))
    if given == "public":
        data = Signer(Ed25519PrivateKey.generate()).public_pem.encode()
    else:
        data = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(SigningKeyError) as refused:
        rotate(s, data)
    said = str(refused.value)
    assert said.startswith("--new-key-file: ") and "\u4e00" <= said.split(": ", 1)[1][0] <= "\u9fff", said
    assert "Are you sure" not in said and "BEGIN/END" not in said, said


def test_verify_signature_names_a_keyring_that_is_a_folder_as_a_folder(tmp_path: Path) -> None:
    """``--keyring`` naming a folder cannot be checked (exit 2) and says so, not "no such file"."""
    key = Signer(Ed25519PrivateKey.generate())
    write_signed(tmp_path / "x.csv", b"a\r\n", key, None)
    (tmp_path / "k.pem").write_text(key.public_pem, encoding="ascii")
    (tmp_path / "ring").mkdir()
    r = runner.invoke(app, ["verify-signature", str(tmp_path / "x.csv"), "--public-key", str(tmp_path / "k.pem"),
                            "--keyring", str(tmp_path / "ring")])
    assert r.exit_code == 2 and "文件不存在" not in r.output and "密钥清单" in r.output, r.output
    missing = runner.invoke(app, ["verify-signature", str(tmp_path / "x.csv"), "--public-key",
                                  str(tmp_path / "k.pem"), "--keyring", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "文件不存在" in missing.output, missing.output


def test_a_keyring_line_without_a_timezone_is_named_not_a_traceback(tmp_path: Path) -> None:
    """A keyring handed to verify-signature whose lines give valid_from without a timezone (or a
    date alone): its problem is named (exit 1), not a TypeError comparing it with an aware time."""
    a, b = Signer(Ed25519PrivateKey.generate()), Signer(Ed25519PrivateKey.generate())
    path = tmp_path / "signing-keys.jsonl"
    path.write_text(_key_line(a, "2026-12-01T08:00:00+08:00", None) + "\n" + _key_line(b, "2026-12-02", a) + "\n",
                    encoding="utf-8")
    ring = read_keyring(path)
    assert len(ring.problems) == 1 and "line 2" in ring.problems[0] and len(ring.entries) == 1, ring.problems
    write_signed(tmp_path / "x.csv", b"a\r\n", a, None)
    (tmp_path / "a.pem").write_text(a.public_pem, encoding="ascii")
    r = runner.invoke(app, ["verify-signature", str(tmp_path / "x.csv"), "--public-key", str(tmp_path / "a.pem"),
                            "--keyring", str(path)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), (r.output, r.exception)


def test_a_keyring_line_naming_a_field_twice_says_so(tmp_path: Path) -> None:
    """valid_from given twice in a line: readers disagree on which one was signed; named as such."""
    a = Signer(Ed25519PrivateKey.generate())
    line = _key_line(a, "2026-12-01T08:00:00+08:00", None)
    path = tmp_path / "signing-keys.jsonl"
    path.write_text(line.replace('{"format"', '{"valid_from": "2020-01-01T00:00:00+08:00", "format"', 1) + "\n",
                    encoding="utf-8")
    problems = read_keyring(path).problems
    assert len(problems) == 1 and "重复" in problems[0] and "valid_from" in problems[0], problems


def test_an_unsigned_line_checked_against_a_keyring_is_said_to_be_unsigned(tmp_path: Path) -> None:
    """An anchor line without a signature, against a keyring of two keys: "no signature", not
    "signed by key None, which is not among the bureau's keys"."""
    s = Settings(home=tmp_path / "home")
    ensure_first_line(s, signer_for(s))
    rotate(s)
    text = canonical({"format": ANCHOR_FORMAT, "night": "2026-12-01", "seq": 1, "row_hash": "ab", "prev": GENESIS,
                      "published_at": "2026-12-01T20:00:00+08:00"}).decode()
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text(text + "\n", encoding="utf-8")
    read = read_anchors(anchors, keyring_for(s))
    assert len(read.problems) == 1 and "没有签名" in read.problems[0] and "None" not in read.problems[0], read.problems


def test_a_signer_arriving_behind_a_waiting_rotation_does_not_overtake_it(tmp_path: Path) -> None:
    """A rotation waits for a signature under way; a signer arriving while it waits waits behind it
    (the turnstile) and then signs with the new key. With flock alone the newcomer took the shared
    lock at once, ahead of the rotation: a stream of overlapping signatures (the API's
    certificates, a night's exports) kept a rotation waiting for as long as it lasted."""
    from credit.keyring import held_signer

    s = Settings(home=tmp_path / "home")
    old = signer_for(s)
    ensure_first_line(s, old)
    release_first = threading.Event()
    first_holds = threading.Event()
    order: list[str] = []

    def first() -> None:
        with held_signer(s):
            first_holds.set()
            release_first.wait(20)

    def rotation() -> None:
        rotate(s)
        order.append("rotated")

    def newcomer() -> None:
        with held_signer(s) as signer:
            order.append(f"signed with {'the old' if signer.key_id == old.key_id else 'a new'} key")

    threads = [threading.Thread(target=first, daemon=True)]
    threads[0].start()
    assert first_holds.wait(10)
    threads.append(threading.Thread(target=rotation, daemon=True))
    threads[1].start()
    threads[1].join(timeout=1.0)          # the rotation is waiting for the first signature
    threads.append(threading.Thread(target=newcomer, daemon=True))
    threads[2].start()
    threads[2].join(timeout=1.0)
    overtook = list(order)
    release_first.set()
    for t in threads:
        t.join(timeout=10)
    assert overtook == [], f"a signer arriving after the rotation went ahead of it: {overtook}"
    assert order == ["rotated", "signed with a new key"]



def test_a_revoked_key_is_not_trusted_for_what_it_dates_since_its_compromise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stolen key, revoked (after a rotation) as compromised since T: what it dates before T still
    verifies, what it dates at or after T or leaves undated does not, unless the revocation vouches
    for it (an anchor line the bureau's nights recorded); the revocation is listed and published."""
    from credit.keyring import revoke

    s = Settings(home=tmp_path / "home")
    stolen = current_signer(s)
    ensure_first_line(s, stolen)
    rotate(s)
    since = clock.now(s) - timedelta(hours=1)
    revoke(s, stolen.key_id, since, "私钥文件外泄", ["ab" * 32])
    ring = keyring_for(s)
    assert ring.problems == [] and set(ring.revocations) == {stolen.key_id}
    assert ring.late_signature(stolen.key_id, (since - timedelta(minutes=1)).isoformat()) is None
    for dated in ((since + timedelta(minutes=1)).isoformat(), since.isoformat(), None, "yesterday"):
        late = ring.late_signature(stolen.key_id, dated)
        assert late is not None and late.startswith(f"由已吊销的密钥 {stolen.key_id} 签署") and "私钥文件外泄" in late
    assert ring.late_signature(stolen.key_id, since.isoformat(), "ab" * 32) is None        # vouched for
    assert ring.late_signature(stolen.key_id, since.isoformat(), "cd" * 32) is not None
    assert "revoked as compromised since" in ring.describe(stolen.key_id)
    assert ring.lines[-1]["format"] == "credit-signing-key-revocation/1"
    monkeypatch.setenv("CREDIT_HOME", str(s.home))
    monkeypatch.delenv("CREDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("CREDIT_SIGNING_KEY_FILE", raising=False)
    get_settings.cache_clear()
    try:
        listed = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "240"})
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0 and "私钥文件外泄" in listed.output, listed.output


def test_a_revocation_is_refused_for_the_key_in_use_twice_or_without_a_reason(tmp_path: Path) -> None:
    from credit.keyring import revoke

    s = Settings(home=tmp_path / "home")
    first = current_signer(s)
    ensure_first_line(s, first)
    now = clock.now(s)
    with pytest.raises(SigningKeyError, match="^密钥 .* 正在使用：请先用 credit keys rotate"):
        revoke(s, first.key_id, now, "泄露", [])
    rotate(s)
    with pytest.raises(SigningKeyError, match="^请说明吊销原因"):
        revoke(s, first.key_id, now, "  ", [])
    with pytest.raises(SigningKeyError, match="^视为泄露的时间 .* 晚于现在"):
        revoke(s, first.key_id, now + timedelta(days=1), "泄露", [])
    with pytest.raises(SigningKeyError, match="^密钥 ed25519:nope 不在本局的密钥清单中"):
        revoke(s, "ed25519:nope", now, "泄露", [])
    revoke(s, first.key_id, now, "泄露", [])
    with pytest.raises(SigningKeyError, match="已被吊销"):
        revoke(s, first.key_id, now, "泄露", [])


@pytest.mark.parametrize("edit", ["reason", "signed_by_the_revoked_key", "since"])
def test_a_revocation_line_altered_or_signed_by_the_stolen_key_is_named(tmp_path: Path, edit: str) -> None:
    """The thief cannot take back or move a revocation (its line is signed by a later key), nor
    write one of its own with the stolen key (a revocation is signed by a key after the one it
    revokes)."""
    from credit.keyring import revoke

    s = Settings(home=tmp_path / "home")
    stolen = current_signer(s)
    ensure_first_line(s, stolen)
    rotate(s)
    revoke(s, stolen.key_id, clock.now(s) - timedelta(hours=1), "私钥文件外泄", [])
    path = keyring_path(s)
    lines = path.read_text().splitlines()
    doc = json.loads(lines[-1])
    if edit == "reason":
        doc["reason"] = "误报"
    elif edit == "since":
        doc["compromised_since"] = clock.now(s).isoformat()
    else:
        body = {k: v for k, v in doc.items() if k != "signature"}
        doc = stolen.sign_document(body)
    path.write_text("\n".join(lines[:-1] + [canonical(doc).decode()]) + "\n")
    ring = read_keyring(path)
    assert ring.problems and "line 3" in ring.problems[0], ring.problems
    assert ("吊销行签名无效" if edit != "signed_by_the_revoked_key" else "吊销行须由晚于被吊销密钥启用的密钥签署") \
        in ring.problems[0]


@pytest.mark.parametrize("form", ["answer", "array", "answer_bom"])
def test_the_keyring_as_the_api_serves_it_verifies_a_file_signed_before_a_rotation(tmp_path: Path, form: str) -> None:
    """An outsider has the API, not the publication folder: GET /v1/keys/signing serves the keyring as
    a JSON array (field ``keyring``). Saved as it came (or the array alone, `jq .keyring`), it is
    the keyring --keyring takes; it used to be read as lines and refused (exit 1, unreadable line)."""
    s = Settings(home=tmp_path / "home")
    ensure_first_line(s, signer_for(s))
    used = _rotate_twice(s)
    lines = read_keyring(keyring_path(s)).lines
    answer: Any = {"algorithm": "Ed25519", "key_id": used[2].key_id, "public_key_pem": used[2].public_pem,
                   "keyring": lines}
    text = json.dumps(answer if form != "array" else lines, ensure_ascii=False, indent=2)
    served = tmp_path / "signing.json"
    served.write_bytes((b"\xef\xbb\xbf" if form == "answer_bom" else b"") + text.encode("utf-8"))
    (tmp_path / "newest.pem").write_text(used[2].public_pem, encoding="ascii")
    r = runner.invoke(app, ["verify-signature", str(s.home / "export-0.csv"), "--public-key",
                            str(tmp_path / "newest.pem"), "--keyring", str(served)])
    assert r.exit_code == 0, r.output
    assert f"signed by {used[0].key_id}" in r.output
    # the served form is checked as the lines are: an item altered is named, and nothing verifies
    lines[1] = {**lines[1], "valid_from": "2020-01-01T00:00:00+08:00"}
    served.write_text(json.dumps({**answer, "keyring": lines}, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(app, ["verify-signature", str(s.home / "export-0.csv"), "--public-key",
                            str(tmp_path / "newest.pem"), "--keyring", str(served)])
    assert r.exit_code == 1 and "keyring INVALID" in r.output and "item 2" in r.output, r.output


def test_a_thief_of_a_handed_over_key_cannot_append_a_revocation_of_an_earlier_key(tmp_path: Path) -> None:
    """Keys K0 → K1 → K2; K1 stolen and revoked. Its thief, who can also write the published keyring,
    signs a revocation of K0 with K1 and appends it. The bureau only ever writes a revocation with
    the key in use (the last key line before it): a line signed by a key already handed over is
    not the bureau's. Before, it was accepted: it distrusted K0's signatures at will, and the
    bureau's own revocation of K0 was then refused as "revoked already"."""
    from credit.keyring import REVOCATION_FORMAT, revoke

    s = Settings(home=tmp_path / "home")
    k0 = current_signer(s)
    ensure_first_line(s, k0)
    rotate(s)
    k1 = current_signer(s)
    rotate(s)
    now = clock.now(s)
    revoke(s, k1.key_id, now - timedelta(hours=1), "私钥文件外泄", [])
    path = keyring_path(s)
    assert read_keyring(path).problems == []
    forged = k1.sign_document({"format": REVOCATION_FORMAT, "revoked": k0.key_id,
                               "compromised_since": now.isoformat(), "revoked_at": now.isoformat(),
                               "reason": "伪造", "vouched_anchors": []})
    with open(path, "a", encoding="utf-8") as f:
        f.write(canonical(forged).decode("utf-8") + "\n")
    ring = read_keyring(path)
    assert ring.problems and "line 5" in ring.problems[0], ring.problems
    assert "吊销行须由写入时正在使用的密钥" in ring.problems[0], ring.problems
    assert k0.key_id not in ring.revocations


def test_a_revocation_dated_before_its_signer_came_into_use_is_named(tmp_path: Path) -> None:
    """A revocation line is written by the key in use, after it came into use: one whose revoked_at
    is before its signer's valid_from was not written then (or not by the bureau)."""
    from credit.keyring import revoke

    s = Settings(home=tmp_path / "home")
    k0 = current_signer(s)
    ensure_first_line(s, k0)
    rotate(s)
    k1 = current_signer(s)
    revoke(s, k0.key_id, clock.now(s) - timedelta(days=3), "私钥文件外泄", [])
    path = keyring_path(s)
    lines = path.read_text(encoding="utf-8").splitlines()
    doc = {k: v for k, v in json.loads(lines[-1]).items() if k != "signature"}
    doc["revoked_at"] = (clock.now(s) - timedelta(days=2)).isoformat()
    path.write_text("\n".join(lines[:-1] + [canonical(k1.sign_document(doc)).decode("utf-8")]) + "\n",
                    encoding="utf-8")
    ring = read_keyring(path)
    assert ring.problems and "line 3" in ring.problems[0] and "早于签署它的密钥" in ring.problems[0], ring.problems


def test_verify_signature_trusts_an_anchor_line_the_revocation_vouches_for(tmp_path: Path) -> None:
    """An anchor line the bureau published with a key later revoked, and which the revocation vouches
    for, is trusted by credit audit verify; verify-signature --keyring on that line (an anchor line
    is a signed document it checks) must say the same. Before, it refused it (exit 1) as signed by
    a revoked key: the vouching was ignored. Another line of that time stays refused."""
    from credit.keyring import revoke

    s = Settings(home=tmp_path / "home")
    stolen = current_signer(s)
    ensure_first_line(s, stolen)
    since = clock.now(s) - timedelta(hours=1)
    texts = [canonical(stolen.sign_document({"format": ANCHOR_FORMAT, "night": night, "seq": 1, "row_hash": "ab",
                                             "prev": GENESIS, "published_at": clock.now(s).isoformat()})).decode()
             for night in ("2026-12-01", "2026-12-02")]
    (tmp_path / "vouched.json").write_text(texts[0] + "\n", encoding="utf-8")
    (tmp_path / "forged.json").write_text(texts[1] + "\n", encoding="utf-8")
    rotate(s)
    revoke(s, stolen.key_id, since, "私钥文件外泄", [line_digest(texts[0])])
    (tmp_path / "new.pem").write_text(signer_for(s).public_pem, encoding="ascii")
    for name, code in (("vouched.json", 0), ("forged.json", 1)):
        r = runner.invoke(app, ["verify-signature", str(tmp_path / name), "--public-key", str(tmp_path / "new.pem"),
                                "--keyring", str(keyring_path(s))])
        assert r.exit_code == code, (name, r.output)
    assert "由已吊销的密钥" in r.output, r.output


def test_a_signer_nested_in_a_signer_does_not_deadlock_behind_a_waiting_rotation(tmp_path: Path) -> None:
    """A signer holding the key that signs again inside its hold (an export written while an anchor
    is held, say) while a rotation waits: behind the turnstile the inner hold waited for the
    rotation, which waited for the outer hold — neither ever ended (flock alone granted the inner
    shared hold at once). The inner hold is the outer one's: it signs, then the rotation runs."""
    from credit.keyring import held_signer

    s = Settings(home=tmp_path / "home")
    old = signer_for(s)
    ensure_first_line(s, old)
    outer_holds = threading.Event()
    order: list[str] = []

    def outer() -> None:
        with held_signer(s) as signer:
            outer_holds.set()
            time.sleep(0.5)                     # the rotation is waiting by now
            with held_signer(s) as inner:
                order.append(f"inner signed with {'the old' if inner.key_id == signer.key_id == old.key_id else 'a new'} key")

    threads = [threading.Thread(target=outer, daemon=True)]
    threads[0].start()
    assert outer_holds.wait(10)
    threads.append(threading.Thread(target=lambda: (rotate(s), order.append("rotated")), daemon=True))
    threads[1].start()
    for t in threads:
        t.join(timeout=5)
    assert order == ["inner signed with the old key", "rotated"], order


@pytest.mark.parametrize("reason", ["私钥文件 [/etc/credit/signing.pem] 外泄", "工单 [ticket 42] 私钥外泄"])
def test_keys_list_shows_a_revocations_reason_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         reason: str) -> None:
    """The reason of a revocation is the operator's text: in credit keys list's table it was read as
    rich markup, so a path in brackets ended the command in a traceback (MarkupError) and a word
    in brackets vanished from the reason shown."""
    from credit.keyring import revoke

    s = Settings(home=tmp_path / "home")
    stolen = current_signer(s)
    ensure_first_line(s, stolen)
    rotate(s)
    revoke(s, stolen.key_id, clock.now(s) - timedelta(hours=1), reason, [])
    monkeypatch.setenv("CREDIT_HOME", str(s.home))
    monkeypatch.delenv("CREDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("CREDIT_SIGNING_KEY_FILE", raising=False)
    get_settings.cache_clear()
    try:
        listed = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "400"})
    finally:
        get_settings.cache_clear()
    assert listed.exit_code == 0 and reason in listed.output, (listed.exception, listed.output)
