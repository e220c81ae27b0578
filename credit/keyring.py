"""The bureau's signing keys over time: a key is replaced (rotated) by a signed hand-over, so that
what an earlier key signed still verifies, and whoever trusts one of the keys can trust them all.

The keyring is published beside the anchors, ``<publication>/signing-keys.jsonl``: one canonical
JSON line per key, in the order the keys came into use::

    {"format": "credit-signing-key/1", "key_id": "ed25519:…", "public_key_pem": "…",
     "valid_from": "2026-12-02T17:05:00+08:00", "previous": "ed25519:…" | null,
     "keyring_before": {"lines": 2, "sha256": "…"},
     "handed_over_by": {"key_id": <previous>, "value": <its signature of the body>},   (not on the first line)
     "signature": {"algorithm": "Ed25519", "key_id": <this key>, "value": <its signature of the body>}}

The body is the line without ``signature`` and ``handed_over_by``. ``keyring_before`` (every line
since it was introduced, revocations too) records the lines before it — their count and the
SHA-256 of their canonical forms joined by line feeds (:meth:`Keyring.cut`), as an anchor line
records the keyring — so a line inserted before a line its inserter cannot sign again is named
(:func:`_link_problem`); lines of older keyrings, without it, are read as before and pinned by the
first line that has it. Every line is signed by its own
key (whoever wrote it held that key), and every line after the first also by the key it replaces
(the hand-over). So a reader who trusts the key they were given at any time follows the chain
forwards (each key vouched for its successor) and backwards (each successor vouched for the key it
names as its predecessor) and checks what any of the bureau's keys signed.

The first line is written when the bureau first publishes an anchor (or rotates), for the key in
use then. ``credit keys rotate`` appends a line and puts the new key to work; after it, the old key
signs nothing more (:func:`current_signer` refuses it), and an anchor line signed by it after a
line of its successor, or dated at or after the hand-over (:meth:`Keyring.late_signature`), is
named by :func:`credit.rosters.anchors.read_anchors`. What signs holds the key through
:func:`held_signer`, so a rotation waits for it. A keyring is trusted only through a key the reader
already trusts (:func:`read_keyring`'s ``trusted``; the installation's own key by default,
:func:`keyring_for`), never by itself, and never through a key revoked (its thief can sign a
keyring of their own): then only a ``pin`` of the keyring the bureau published (an anchor line's
``keyring`` record) holding a later key is trusted.

A rotation is a planned change of key. A key believed stolen is also **revoked**
(``credit keys revoke``, :func:`revoke`): a line of another format in the same file, signed by a
later key of the chain, the one in use where the line stands (never a key handed over, such as the
stolen one), naming the key, since when it is taken as compromised and why::

    {"format": "credit-signing-key-revocation/1", "revoked": "ed25519:…",
     "compromised_since": "…+08:00", "revoked_at": "…+08:00", "reason": "…",
     "vouched_anchors": ["<sha256 of an anchor line>", …], "keyring_before": {…},
     "signature": {"algorithm": "Ed25519", "key_id": <a later key>, "value": …}}

From then on nothing the revoked key signed dated at or after ``compromised_since`` is trusted
(:meth:`Keyring.late_signature`), nor anything it signed without a date, but the anchor lines the
revocation vouches for: the bureau's own lines of that time, which its nights recorded when they
published them (:func:`credit.rosters.anchors.vouchable_lines`). What the thief dates before
``compromised_since`` cannot be told from the bureau's own signatures of that time; the anchors
published to storage the thief cannot rewrite are what shows the bureau's own lines then.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credit import clock
from credit.settings import Settings
from credit.signing import (
    RepeatedKey,
    Signer,
    SigningKeyError,
    canonical,
    document_problem,
    generated_key_path,
    key_id_of,
    load_public_key,
    parse_document,
    private_key_from_pem,
    public_pem,
    signer_for,
    verify_bytes,
)

KEYRING_FILE = "signing-keys.jsonl"
FORMAT = "credit-signing-key/1"
REVOCATION_FORMAT = "credit-signing-key-revocation/1"
#: The lock a rotation holds while it appends and swaps keys (beside the keyring).
LOCK_FILE = ".signing-keys.lock"
#: The turnstile every taker of :data:`LOCK_FILE` passes first, so that signers do not starve a
#: rotation (:func:`_locked`).
TURNSTILE_FILE = ".signing-keys.turnstile"


@dataclass(frozen=True)
class KeyEntry:
    """One key of the keyring: its line, its id, its public key, since when it signs, and the key it
    replaced."""

    line: int
    key_id: str
    public: Ed25519PublicKey
    valid_from: datetime | None      # None: the one key of an installation without a keyring file
    previous: str | None


@dataclass(frozen=True)
class Revocation:
    """A key revoked as compromised: since when, why, by which later key, and the anchor lines it
    signed since then that the bureau vouches for (their SHA-256)."""

    line: int
    key_id: str
    compromised_since: datetime
    revoked_at: datetime
    reason: str
    revoked_by: str
    vouched: frozenset[str]


@dataclass
class Keyring:
    """The keys as read and checked, in the order they came into use, the keys revoked, and what is
    wrong with the file (by line: keys after a broken line are not trusted)."""

    path: Path | None
    entries: list[KeyEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)    # as published (signed), keys and revocations
    revocations: dict[str, Revocation] = field(default_factory=dict)
    numbers: list[int] = field(default_factory=list)   # the line (or served item) number of each of ``lines``
    root: str | None = None    # the trusted key it was held against (:func:`read_keyring`), not revoked
    pinned: int = 0            # the lines a reader pinned (``pin``) and the keyring begins with

    @classmethod
    def single(cls, public: Ed25519PublicKey) -> Keyring:
        """One key, trusted as given (an installation before its first key line, or a reader who was
        given one key and no keyring)."""
        return cls(None, [KeyEntry(0, key_id_of(public), public, None, None)])

    def position(self, key_id: str) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.key_id == key_id), None)

    def successor(self, key_id: str) -> KeyEntry | None:
        i = self.position(key_id)
        return self.entries[i + 1] if i is not None and i + 1 < len(self.entries) else None

    @property
    def current(self) -> KeyEntry | None:
        return self.entries[-1] if self.entries else None

    def document_problem(self, doc: Any) -> str | None:
        """None when ``doc`` carries a valid signature of one of the keyring's keys; else why not."""
        sig = doc.get("signature") if isinstance(doc, dict) else None
        kid = sig.get("key_id") if isinstance(sig, dict) else None
        i = self.position(str(kid)) if kid is not None else None
        if i is None:
            if len(self.entries) == 1 or (self.entries and not isinstance(kid, str)):
                # one key given, or no key named (no signature): the words of a plain check
                return document_problem(doc, self.entries[-1].public)
            named = "、".join(e.key_id for e in self.entries)
            return (f"签名密钥 {kid} 不在本局的密钥清单中（{named}） (signed by key {kid}, which is not among the "
                    f"bureau's keys: {', '.join(e.key_id for e in self.entries)})")
        return document_problem(doc, self.entries[i].public)

    def prefix_digest(self, n: int) -> str | None:
        """The SHA-256 of the keyring's first ``n`` lines (keys and revocations, each in its canonical
        form, joined by line feeds), as an anchor line records it (``keyring``,
        :func:`credit.rosters.anchors.append_missing_anchors`); None when it holds fewer lines."""
        if n < 1 or n > len(self.lines):
            return None
        return cut_digest(self.lines[:n])

    def cut(self) -> dict[str, Any]:
        """The keyring as read so far, as a line written after it records it (``keyring_before``)
        and an anchor line (``keyring``): its line count and their SHA-256."""
        return {"lines": len(self.lines), "sha256": cut_digest(self.lines)}

    def basis(self, given: str) -> str:
        """What a check was made against (``credit verify-signature``, ``GET /v1/keys/signing``): the
        trusted key (``given``: where the reader got it), the lines pinned, and the keyring read —
        its lines and their SHA-256, to compare with the cut the bureau published (an anchor line's
        ``keyring``) — and, for a trusted key older than the newest, what rests on it alone."""
        cut = self.cut()
        pinned = (f"；其前 {self.pinned} 行与所钉住的相符 (its first {self.pinned} lines match the pin)"
                  if self.pinned else "")
        out = (f"核对依据 verified against: {self.root} ({given}){pinned}；密钥清单 keyring "
               f"{self.path.name if self.path else '—'}：{cut['lines']} 行 (lines), SHA-256 {cut['sha256']}")
        at = self.position(self.root) if self.root else None
        newest = self.current
        # pinned or not: the keys after the root (after the pinned lines) rest on its hand-overs alone
        if at is not None and newest is not None and newest.key_id != self.root:
            out += (f"；{self.root} 之后的密钥仅凭它的移交签名可信：如它曾泄露，可用 --keyring-pin 行数:SHA-256 钉住本局公布的"
                    f"密钥清单 (the keys after {self.root} are trusted on its hand-overs alone: if it was ever "
                    "compromised, pin the keyring the bureau published with --keyring-pin LINES:SHA256)")
        return out

    def unanchored(self, anchored: int) -> str | None:
        """Which lines no anchor line records yet (``anchored``: the lines the last anchor recorded,
        :func:`credit.rosters.anchors.anchored_lines`), named by line and what they say; None when
        every line is recorded (or there is no keyring file)."""
        if self.path is None or anchored >= len(self.lines):
            return None
        named = []
        for no, doc in zip(self.numbers[anchored:], self.lines[anchored:], strict=True):
            what = (f"吊销 revocation of {doc.get('revoked')}" if doc.get("format") == REVOCATION_FORMAT
                    else f"密钥 key {doc.get('key_id')}")
            named.append(f"line {no} ({what})")
        return (f"密钥清单 {self.path.name} 有 {len(named)} 行尚未被任何锚点记录（{'；'.join(named)}）：下一夜发布的锚点将记录它们"
                f" (not yet anchored: {'; '.join(named)} — no anchor line published outside records them yet; the "
                "next night's anchor will, until then a removal or change of them shows nowhere else)")

    def late_signature(self, key_id: str, dated: Any, digest: str | None = None) -> str | None:
        """Why a signature of ``key_id`` on something dated ``dated`` (its ``published_at``,
        ``issued_at`` or ``signed_at``, ISO 8601) is not trusted: the key was revoked as compromised
        and it is dated at or after ``compromised_since``, or not dated (unless it is an anchor line,
        of SHA-256 ``digest``, the revocation vouches for); or it is dated at or after the key was
        handed over to its successor (a key handed over signs nothing more). None when it is dated
        before, or the keyring does not say (the newest key, a key not in it, no date)."""
        rev = self.revocations.get(key_id)
        if rev is not None and (digest is None or digest not in rev.vouched):
            when = signed_time(dated)
            if when is None or when >= rev.compromised_since:
                return (f"由已吊销的密钥 {key_id} 签署：该密钥自 {rev.compromised_since.isoformat()} 起视为泄露"
                        f"（{rev.reason}），所署时间 {dated if isinstance(dated, str) else '（无）'} 不早于此 (signed by "
                        f"{key_id}, revoked as compromised since {rev.compromised_since.isoformat()}: {rev.reason}; "
                        f"dated {dated if isinstance(dated, str) else 'nowhere'}, not before then, and not vouched "
                        "for by the revocation)")
        nxt = self.successor(key_id)
        signed_on = signed_time(dated)
        if nxt is None or nxt.valid_from is None or signed_on is None or signed_on < nxt.valid_from:
            return None
        return (f"由已移交的密钥 {key_id} 签署，所署时间 {dated} 不早于其移交给 {nxt.key_id} 的时间 "
                f"{nxt.valid_from.isoformat()} (signed by {key_id}, dated {dated}, which is not before the key "
                f"was handed over to {nxt.key_id} on {nxt.valid_from.isoformat()}: a key handed over signs nothing more)")

    def describe(self, key_id: str) -> str:
        """When a key signed: "in use since …, handed over to … on …" (for what a check prints)."""
        i = self.position(key_id)
        if i is None:
            return key_id
        e, nxt = self.entries[i], self.successor(key_id)
        since = f"in use since {e.valid_from.isoformat()}" if e.valid_from else "the key given"
        until = f", handed over to {nxt.key_id} on {nxt.valid_from.isoformat()}" if nxt and nxt.valid_from else ""
        rev = self.revocations.get(key_id)
        revoked = f", revoked as compromised since {rev.compromised_since.isoformat()}" if rev else ""
        return f"{key_id} ({since}{until}{revoked})"


def cut_digest(docs: list[dict[str, Any]]) -> str:
    """The SHA-256 of keyring lines, each in its canonical form, joined by line feeds."""
    return hashlib.sha256(b"\n".join(canonical(doc) for doc in docs)).hexdigest()


def signed_time(dated: Any) -> datetime | None:
    """``dated`` (ISO 8601) as a time with its offset; None when it is not one."""
    if not isinstance(dated, str):
        return None
    try:
        when = datetime.fromisoformat(dated)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def keyring_path(settings: Settings) -> Path:
    return settings.publication_folder / KEYRING_FILE


def read_keyring(path: Path, trusted: Ed25519PublicKey | None = None, *, served: bool = False,
                 pin: tuple[int, str] | None = None) -> Keyring:
    """Read and check a keyring file. Each line must be signed by its own key and, after the first,
    by the key before it, which it names as ``previous``. With ``trusted`` (the key a reader was
    given), that key must be in the chain. A missing file: a keyring of ``trusted`` alone (or empty);
    one that cannot be read (a folder, not permitted): :class:`SigningKeyError`.

    ``served``: the file may also be the keyring as ``GET /v1/keys/signing`` serves it — that whole
    answer saved, or its ``keyring`` array — whose items are the lines, checked the same way: an
    outsider who has only the API checks a certificate signed before a rotation with it
    (``credit verify-signature --keyring``, README "How a bank verifies a certificate offline").

    A key revoked as compromised vouches for no keyring: whoever holds it can sign a whole keyring
    of their own (its line, then keys of theirs handed over by it, no revocation). So the trusted
    key must not be revoked in the keyring read, unless ``pin`` — the keyring as the bureau
    published it, its first lines' count and SHA-256 (an anchor line's ``keyring`` record, from a
    copy no thief can write) — fixes lines holding a later key that is not: the keyring must begin
    with those lines, and its newest key then is the root trusted (``Keyring.root``)."""
    if not path.exists():
        return Keyring.single(trusted) if trusted is not None else Keyring(None)
    try:
        data = path.read_bytes()
    except OSError as e:   # a folder, not permitted: nothing can be checked (or signed) against it
        raise SigningKeyError(f"密钥清单 {path} 无法读取 (the keyring cannot be read: "
                              f"{e.strerror or e}): nothing was checked or signed") from None
    if not data.strip():   # cut short before its first line (a crash): no key yet, as a missing file
        return Keyring.single(trusted) if trusted is not None else Keyring(None)
    ring = Keyring(path)
    items = _served_items(data) if served else None
    if items is not None:
        for no, item in enumerate(items, start=1):
            problem = _add_doc(ring, no, item) if isinstance(item, dict) else \
                f"不是一行密钥记录 (not a key line: {type(item).__name__})"
            if problem:
                ring.problems.append(f"{path.name} 第 {no} 项 (item {no}): {problem}")
                break
    else:
        for no, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            problem = _add_line(ring, no, raw)
            if problem:
                ring.problems.append(f"{path.name} line {no}: {problem}")
                break
    if trusted is not None and ring.position(key_id_of(trusted)) is None:
        ring.problems.append(
            f"{path.name}：所信任的公钥 {key_id_of(trusted)}（给出的公钥或本机的签名密钥）不在密钥清单中 (the trusted "
            f"public key {key_id_of(trusted)} — the one given, or this installation's signing key — is not in the "
            "keyring: the key is not the bureau's, or the keyring is not)")
    elif trusted is not None:
        _hold_against(ring, path, key_id_of(trusted), pin)
    return ring


def _hold_against(ring: Keyring, path: Path, trusted: str, pin: tuple[int, str] | None) -> None:
    """Check the keyring's root of trust (:func:`read_keyring`): the lines pinned, then a root that
    is not revoked — the newest key of the pinned lines, else the trusted key."""
    roots = [trusted]
    if pin is not None:
        n, digest = pin
        if ring.prefix_digest(n) != digest:
            ring.problems.append(
                f"{path.name}：与所钉住的密钥清单不符——本局公布的清单前 {n} 行的 SHA-256 为 {digest}，此清单"
                f"{'不足 ' + str(n) + ' 行' if n > len(ring.lines) else '的前 ' + str(n) + ' 行与之不同'}，不是本局的密钥清单 "
                f"(the keyring does not match the pinned one: the bureau's first {n} lines have SHA-256 {digest}, "
                "which this keyring does not begin with; it is not the bureau's keyring)")
            return
        ring.pinned = n
        last = ring.numbers[n - 1]
        pinned_keys = [e.key_id for e in ring.entries if e.line <= last]
        roots = pinned_keys[-1:] + roots
    ring.root = next((k for k in roots if k not in ring.revocations), None)
    if ring.root is None:
        rev = ring.revocations[trusted]
        ring.problems.append(
            f"{path.name}：所信任的公钥 {trusted} 已被吊销（自 {rev.compromised_since.isoformat()} 起视为泄露：{rev.reason}）。"
            "持有它的人可以自行签出整份密钥清单，凭它核实不了任何密钥清单；请向本局取得其现用公钥（本局网站、"
            "GET /v1/keys/signing）作为所信任的公钥，或以 --keyring-pin 行数:SHA-256 钉住本局公布的密钥清单（锚点行的 keyring 记录） "
            f"(the trusted key {trusted} is revoked as compromised since {rev.compromised_since.isoformat()}: whoever "
            "holds it can sign a whole keyring of their own, so it vouches for no keyring; trust the bureau's current "
            "key instead — from its website or GET /v1/keys/signing — or pin the keyring the bureau published with "
            "--keyring-pin LINES:SHA256, an anchor line's keyring record)")


def _served_items(data: bytes) -> list[Any] | None:
    """The key lines of a keyring in the form the API serves it (``GET /v1/keys/signing``): the whole
    answer (an object with a ``keyring`` array) or the array alone, when ``data`` is one JSON
    document of that form; else None (a keyring file of lines, read line by line)."""
    try:
        doc = parse_document(data.removeprefix(b"\xef\xbb\xbf"))
    except (ValueError, UnicodeDecodeError):   # lines (or a repeat, named when its line is read)
        return None
    if isinstance(doc, dict) and isinstance(doc.get("keyring"), list):
        return list(doc["keyring"])
    return list(doc) if isinstance(doc, list) else None


def _add_line(ring: Keyring, no: int, raw: bytes) -> str | None:
    """Check one line against the keys before it and add it; else say what is wrong."""
    try:
        doc = parse_document(raw)
    except RepeatedKey as e:
        return e.reason("密钥行 (key line)")
    except (ValueError, UnicodeDecodeError) as e:
        return f"不可读的密钥行 (unreadable key line: {e})"
    if not isinstance(doc, dict):
        return f"不可读的密钥行 (unreadable key line: not an object but {type(doc).__name__})"
    return _add_doc(ring, no, doc)


def _add_doc(ring: Keyring, no: int, doc: dict[str, Any]) -> str | None:
    """Check one line of the keyring, parsed (a key or a revocation), against the lines before it and
    add it; else say what is wrong."""
    if doc.get("format") == REVOCATION_FORMAT:
        return _add_revocation(ring, no, doc)
    try:
        kid, pem, previous = str(doc["key_id"]), str(doc["public_key_pem"]), doc.get("previous")
        since = datetime.fromisoformat(str(doc["valid_from"]))
        public = load_public_key(pem, f"key line {no}")
    except (ValueError, KeyError, TypeError) as e:
        return f"不可读的密钥行 (unreadable key line: {e})"
    if since.tzinfo is None:
        return (f"启用时间 valid_from 没有时区 ({doc['valid_from']}) (valid_from has no timezone: the bureau's "
                "clock writes one)")
    if doc.get("format") != FORMAT:
        return f"格式不是 {FORMAT} (format is not {FORMAT}: {doc.get('format')!r})"
    if key_id_of(public) != kid:
        return (f"本行的 key_id {kid} 与本行公钥不符（应为 {key_id_of(public)}） (key_id {kid} is not the id of the line's "
                f"public key, {key_id_of(public)})")
    if ring.position(kid) is not None:
        return f"密钥 {kid} 出现两次，一把密钥不得再次启用 (key {kid} appears twice: a key is never used again)"
    body = _body(doc)
    if (problem := document_problem({**body, "signature": doc.get("signature")}, public)) is not None:
        return f"自签名无效 (the line's own signature: {problem})"
    before = ring.current
    if before is None:
        if previous is not None:
            return (f"第一把密钥却写明了上一密钥 {previous}，而清单中没有它 (the first key names a previous key, "
                    f"{previous}, the keyring does not hold: a line before it was removed)")
    else:
        hand = doc.get("handed_over_by")
        if previous != before.key_id:
            return (f"所写上一密钥 previous 为 {previous}，不是它前一行的密钥 {before.key_id} (previous is {previous}, not the key "
                    f"before it, {before.key_id}: a line was removed, inserted or moved)")
        if not isinstance(hand, dict) or hand.get("key_id") != before.key_id \
                or not verify_bytes(before.public, canonical(body), str(hand.get("value"))):
            return (f"移交签名无效：上一密钥 {before.key_id} 未签署此移交 (the hand-over is not signed by the key "
                    f"before it, {before.key_id})")
        if before.valid_from is not None and since <= before.valid_from:
            return (f"启用时间 {since.isoformat()} 不晚于上一密钥的 {before.valid_from.isoformat()} (valid_from "
                    f"{since.isoformat()} is not after the previous key's, {before.valid_from.isoformat()})")
    if (problem := _link_problem(ring, doc)) is not None:
        return problem
    ring.entries.append(KeyEntry(no, kid, public, since, previous))
    ring.lines.append(doc)
    ring.numbers.append(no)
    return None


def _link_problem(ring: Keyring, doc: dict[str, Any]) -> str | None:
    """Why a line (its signatures checked) does not stand where it is: it records the keyring before
    it (``keyring_before``: line count and SHA-256, as :meth:`Keyring.cut` gives it) and the lines
    read before it are not those — one was inserted, removed or altered before it, which only this
    record shows when the line slipped in is signed by a key that was in use there (a thief of a
    key handed over since). A line without the record (written by a version older than it) is read
    as before: the next line that has it pins it with the lines before it. A line slipped in
    without the record is named all the same, by the next line, which the thief cannot sign again."""
    recorded = doc.get("keyring_before")
    if recorded is None:
        return None
    held = ring.cut()
    if not isinstance(recorded, dict) or recorded.get("lines") != held["lines"] \
            or recorded.get("sha256") != held["sha256"]:
        n = recorded.get("lines") if isinstance(recorded, dict) else None
        return (f"本行写入时其前有 {n} 行（keyring_before），而现在其前有 {held['lines']} 行或其内容不同：其前被插入、删除或改动了行 "
                f"(the line was written after {n} lines, keyring_before, which the {held['lines']} lines before it "
                "now are not: a line was inserted, removed or altered before it)")
    return None


def _add_revocation(ring: Keyring, no: int, doc: dict[str, Any]) -> str | None:
    """Check a revocation line (signed by a key that came into use after the key it revokes, which
    it revokes once) and add it; else say what is wrong. It is signed by the key in use where it
    stands (the last key line before it) and dated after that key came into use, as
    :func:`revoke` writes it: a line signed by a key handed over (its thief appending one with
    the stolen key) is not the bureau's."""
    try:
        kid, reason = str(doc["revoked"]), str(doc["reason"])
        since = datetime.fromisoformat(str(doc["compromised_since"]))
        at = datetime.fromisoformat(str(doc["revoked_at"]))
        vouched = doc.get("vouched_anchors") or []
        by = str(doc["signature"]["key_id"])
        if not isinstance(vouched, list) or not all(isinstance(v, str) for v in vouched):
            raise TypeError("vouched_anchors is not a list of digests")
    except (ValueError, KeyError, TypeError) as e:
        return f"不可读的吊销行 (unreadable revocation line: {e})"
    if since.tzinfo is None or at.tzinfo is None:
        return "吊销行的时间没有时区 (a time of the revocation line has no timezone: the bureau's clock writes one)"
    revoked, signer = ring.position(kid), ring.position(by)
    if revoked is None:
        return f"所吊销的密钥 {kid} 不在它之前的密钥行中 (the revoked key {kid} is not among the key lines before it)"
    if signer is None or signer <= revoked:
        return (f"吊销行须由晚于被吊销密钥启用的密钥签署，而签署者为 {by} (a revocation is signed by a key that came into "
                f"use after the key it revokes; this one is signed by {by})")
    if (problem := document_problem(doc, ring.entries[signer].public)) is not None:
        return f"吊销行签名无效 (the revocation's signature: {problem})"
    in_use = ring.entries[-1]
    if signer != len(ring.entries) - 1:   # credit keys revoke signs with the key in use, under the lock
        return (f"吊销行须由写入时正在使用的密钥（它之前最后一个密钥行的 {in_use.key_id}）签署，而签署者 {by} "
                f"此前已移交 (a revocation is signed by the key in use where it stands, {in_use.key_id}, the last key "
                f"line before it; {by} had been handed over: the bureau did not write it)")
    if in_use.valid_from is not None and at < in_use.valid_from:
        return (f"吊销时间 {at.isoformat()} 早于签署它的密钥 {by} 的启用时间 {in_use.valid_from.isoformat()} (revoked_at "
                f"is before its signer {by} came into use: the bureau did not write it then)")
    if kid in ring.revocations:
        return f"密钥 {kid} 已被吊销，不得再次吊销 (key {kid} is revoked twice)"
    if since > at:
        return (f"视为泄露的时间 {since.isoformat()} 晚于吊销时间 {at.isoformat()} (compromised_since is after revoked_at)")
    if (problem := _link_problem(ring, doc)) is not None:
        return problem
    ring.revocations[kid] = Revocation(no, kid, since, at, reason, by, frozenset(vouched))
    ring.lines.append(doc)
    ring.numbers.append(no)
    return None


def _body(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("signature", "handed_over_by")}


def keyring_for(settings: Settings, trusted: Ed25519PublicKey | None = None) -> Keyring:
    """This installation's keyring, held against ``trusted`` (a key given), else the key it signs
    with: a keyring is trusted only through a key the reader already trusts, never by itself (a
    chain of an outsider's keys written in the publication folder would otherwise verify). Without
    a keyring file yet, that one key."""
    key = trusted if trusted is not None else signer_for(settings).public_key
    return read_keyring(keyring_path(settings), key)


def _line(signer: Signer, since: datetime, previous: Signer | None, before: Keyring) -> str:
    body = {"format": FORMAT, "key_id": signer.key_id, "public_key_pem": signer.public_pem,
            "valid_from": since.isoformat(), "previous": previous.key_id if previous else None,
            "keyring_before": before.cut()}
    doc = signer.sign_document(body)
    if previous is not None:
        doc["handed_over_by"] = {"key_id": previous.key_id, "value": previous.sign(canonical(body))}
    return canonical(doc).decode("utf-8")


def _append(path: Path, text: str) -> None:
    with open(path, "ab") as f:
        f.write(text.encode("utf-8") + b"\n")
        f.flush()
        os.fsync(f.fileno())


def _lock_file(settings: Settings, name: str, shared: bool) -> BinaryIO:
    """The lock file ``name`` beside the keyring, opened: read-only for a caller that only signs
    when it exists (the API needs no write access to take it), made otherwise."""
    folder = settings.publication_folder
    lock = folder / name
    if shared and lock.is_file():
        return open(lock, "rb")
    folder.mkdir(parents=True, exist_ok=True)
    return open(lock, "a+b")


def _turnstile(settings: Settings, shared: bool) -> BinaryIO | None:
    """:data:`TURNSTILE_FILE`, opened; None for a signer that can neither open nor make it (a
    publication folder it may not write, from an installation older than the turnstile, where no
    rotation has made it yet: that signer takes the lock as before)."""
    try:
        return _lock_file(settings, TURNSTILE_FILE, shared)
    except OSError:
        if shared:
            return None
        raise


@contextmanager
def _locked(settings: Settings, mode: int = fcntl.LOCK_EX) -> Iterator[None]:
    """The keyring's lock: shared by what signs, exclusive for a rotation (and the first line).

    flock alone favours no one: a stream of signatures whose holds overlap (the API's certificates,
    a night's exports) would keep a rotation waiting for as long as the stream lasts. So every taker
    first passes a turnstile (:data:`TURNSTILE_FILE`, taken exclusively and only for the instant of
    taking the lock itself); a rotation keeps the turnstile while it waits for the signatures in
    progress to end, and signers arriving after it wait behind it instead of overtaking it."""
    shared = mode == fcntl.LOCK_SH
    opened = _lock_file(settings, LOCK_FILE, shared)
    gate = _turnstile(settings, shared)
    try:
        if gate is not None:
            fcntl.flock(gate.fileno(), fcntl.LOCK_EX)
        try:
            fcntl.flock(opened.fileno(), mode)
        finally:
            if gate is not None and shared:
                gate.close()          # a signer holds the gate only to take its turn
                gate = None
        yield
    finally:
        opened.close()
        if gate is not None:
            gate.close()


#: The keyring holds :func:`held_signer` has taken in this thread, by publication folder.
_holds = threading.local()


@contextmanager
def held_signer(settings: Settings) -> Iterator[Signer]:
    """:func:`current_signer`, held while the caller signs: under a shared hold of the keyring's
    lock, which a rotation takes exclusively, so no key is handed over between the check and the
    signature (what it signs is dated before its successor's ``valid_from``). Not to be nested with
    :func:`ensure_first_line` or :func:`rotate` (they take the lock exclusively). Nested in itself
    (the same thread), the inner hold is the outer one's: taking the lock again would wait at the
    turnstile behind a rotation that waits for the outer hold, for ever."""
    holds: dict[str, int] = _holds.__dict__.setdefault("folders", {})
    folder = str(settings.publication_folder.resolve())
    with nullcontext() if holds.get(folder) else _locked(settings, fcntl.LOCK_SH):
        holds[folder] = holds.get(folder, 0) + 1
        try:
            yield current_signer(settings)
        finally:
            holds[folder] -= 1


def ensure_first_line(settings: Settings, signer: Signer) -> bool:
    """Write the keyring's first line, for ``signer``'s key, when there is no keyring yet (before
    the first anchor is signed, :func:`credit.rosters.anchors.append_missing_anchors`); whether it
    wrote it (a publication then refused takes it back, :func:`take_back_first_line`)."""
    path = keyring_path(settings)
    if _started(path):
        return False
    with _locked(settings):
        if not _started(path):
            _append(path, _line(signer, clock.now(settings), None, Keyring(path)))
            return True
    return False


def _started(path: Path) -> bool:
    """Whether the keyring holds a line: a file cut short before its first (a crash between its
    creation and the line) does not; one that cannot be read is left to :func:`read_keyring`."""
    try:
        return path.exists() and (path.is_dir() or bool(path.read_bytes().strip()))
    except OSError:
        return True


def take_back_first_line(settings: Settings) -> None:
    """Remove a keyring :func:`ensure_first_line` has just started for a publication that was then
    refused (an anchor file signed by other keys: the bureau's keyring was lost, and is restored
    from its published copy, not replaced by one of the key in use alone)."""
    with _locked(settings):
        keyring_path(settings).unlink(missing_ok=True)


def current_signer(settings: Settings) -> Signer:
    """The key that signs now, checked against the keyring: refused (:class:`SigningKeyError`, in
    Chinese and English) when it was handed over to a successor, or when the keyring exists and
    does not hold it (a key changed without ``credit keys rotate``): what it signed would not verify
    with the bureau's published keys."""
    signer = signer_for(settings)
    path = keyring_path(settings)
    ring = read_keyring(path)
    if not ring.entries and not ring.problems:   # no keyring yet (or cut short before its first line)
        return signer
    if ring.problems:
        raise SigningKeyError(f"密钥清单 {path} 未通过校验，不予签名 (the keyring does not verify, nothing is "
                              f"signed): {ring.problems[0]}")
    nxt = ring.successor(signer.key_id)
    if nxt is not None and settings.signing_key is None and settings.signing_key_file is None:
        raise SigningKeyError(   # the generated key: a rotation died between its line and the swap
            f"签名密钥 {signer.key_id} 已移交给 {nxt.key_id}，但轮换未完成；请再次运行 credit keys rotate 完成它 "
            f"(the signing key {signer.key_id} was handed over to {nxt.key_id} but the rotation did not finish: "
            "run `credit keys rotate` again to finish it)")
    if nxt is not None:
        raise SigningKeyError(
            f"签名密钥 {signer.key_id} 已移交给 {nxt.key_id}，不再签名；请将 CREDIT_SIGNING_KEY / "
            f"CREDIT_SIGNING_KEY_FILE 改为新密钥 (the signing key {signer.key_id} was handed over to {nxt.key_id} "
            "and signs nothing more: set CREDIT_SIGNING_KEY or CREDIT_SIGNING_KEY_FILE to the new key)")
    if signer.key_id in ring.revocations:
        raise SigningKeyError(
            f"签名密钥 {signer.key_id} 已被吊销，不再签名 (the signing key {signer.key_id} is revoked and signs nothing)")
    if ring.position(signer.key_id) is None:
        raise SigningKeyError(
            f"签名密钥 {signer.key_id} 不在密钥清单 {path.name} 中：更换密钥须用 credit keys rotate 移交 "
            f"(the signing key {signer.key_id} is not in {path.name}: a key is changed with `credit keys rotate`, "
            "which has the old key hand over to the new one; restore the old key and rotate)")
    return signer


@dataclass(frozen=True)
class PublishedKey:
    """The key ``GET /v1/keys/signing`` names: the one that signs now, or, between ``credit keys
    rotate --new-key-file`` and the switch of ``CREDIT_SIGNING_KEY`` / ``CREDIT_SIGNING_KEY_FILE``
    (a key from the settings handed over, the settings still naming it), the key it was handed over
    to, which signs once the settings name it. ``signs_now``: whether the key named signs at this
    moment (False while such a hand-over waits for the settings, or when the key in use is refused
    by the keyring: :func:`current_signer`); ``handed_over_from``: the key in the settings, which
    signs nothing more, while a hand-over waits."""

    key_id: str
    public_pem: str
    signs_now: bool
    handed_over_from: str | None = None


def published_key(settings: Settings) -> PublishedKey:
    """The key to publish as the bureau's (:class:`PublishedKey`), read from the keyring held
    against the key in use (:func:`keyring_for`); :class:`SigningKeyError` when the keyring cannot
    be read."""
    signer = signer_for(settings)
    ring = keyring_for(settings)
    if ring.problems:
        return PublishedKey(signer.key_id, signer.public_pem, False)
    current = ring.current
    if current is not None and current.key_id != signer.key_id and ring.successor(signer.key_id) is not None:
        return PublishedKey(current.key_id, public_pem(current.public), False, signer.key_id)
    return PublishedKey(signer.key_id, signer.public_pem, True)


@dataclass(frozen=True)
class Rotation:
    """What ``credit keys rotate`` did."""

    old: str
    new: str
    valid_from: datetime
    generated: bool          # the installation's generated key was replaced (else: switch the settings)
    finished: bool = False   # an interrupted rotation was completed, nothing new handed over


def rotate(settings: Settings, new_key: bytes | None = None) -> Rotation:
    """Hand the signing key over to a new one: a keyring line for the new key, signed by it and by
    the key in use, appended under the keyring's lock (the first line, for the key in use, written
    before it when missing).

    ``new_key`` (PEM): the new private key, required when the key in use comes from
    ``CREDIT_SIGNING_KEY`` / ``CREDIT_SIGNING_KEY_FILE`` (the operator then points the setting at
    it). Without them the installation's generated key is replaced by a new generated one: written
    beside it first (``signing.pem.new``), then the line, then the files swapped (the old key kept
    under ``keys/retired/``); a rotation interrupted after its line is finished by running it again."""
    generated = settings.signing_key is None and settings.signing_key_file is None
    if not generated and new_key is None:
        raise SigningKeyError("签名密钥来自 CREDIT_SIGNING_KEY / CREDIT_SIGNING_KEY_FILE：请用 --new-key-file "
                              "给出新私钥 (the key in use comes from the settings: give the new private key "
                              "with --new-key-file)")
    if generated and new_key is not None:
        raise SigningKeyError("本机签名密钥由系统生成：轮换时不接受 --new-key-file (the installation's key is "
                              "generated: a rotation generates the next one; --new-key-file is for a key from "
                              "the settings)")
    key_file = generated_key_path(settings)
    pending = key_file.with_name(key_file.name + ".new")
    with _locked(settings):
        old = signer_for(settings)
        path = keyring_path(settings)
        ring = read_keyring(path)
        if ring.problems:
            raise SigningKeyError(f"密钥清单未通过校验，不予轮换 (the keyring does not verify; nothing rotated): "
                                  f"{ring.problems[0]}")
        if generated and pending.exists():
            try:
                waiting: Signer | None = Signer(private_key_from_pem(pending.read_bytes(), str(pending)))
            except SigningKeyError:   # cut short while written: no line can name it (it follows the fsync)
                waiting = None
            if waiting is not None and ring.successor(old.key_id) is not None and ring.current \
                    and ring.current.key_id == waiting.key_id:
                _swap(key_file, pending, old)
                return Rotation(old.key_id, waiting.key_id, ring.current.valid_from or clock.now(settings),
                                True, finished=True)
            if ring.successor(old.key_id) is None:
                pending.unlink()  # written by a rotation that died before its line: never handed over
        if ring.successor(old.key_id) is not None:
            raise SigningKeyError(f"签名密钥 {old.key_id} 已移交，请先改用新密钥 (the key in use, {old.key_id}, "
                                  "was handed over already: switch the settings to its successor first)")
        if not ring.entries:
            _append(path, _line(old, clock.now(settings), None, ring))
            ring = read_keyring(path)
        elif ring.position(old.key_id) is None:
            raise SigningKeyError(f"签名密钥 {old.key_id} 不在密钥清单中，不能由它移交 (the key in use is not in the "
                                  "keyring, so it cannot hand over)")
        if generated:
            key = Ed25519PrivateKey.generate()
            _write_private(pending, key)
        else:
            assert new_key is not None
            key = private_key_from_pem(new_key, "--new-key-file")
        new = Signer(key)
        if ring.position(new.key_id) is not None:
            raise SigningKeyError(f"新密钥 {new.key_id} 已在密钥清单中 (the new key {new.key_id} is in the keyring "
                                  "already: a key is never used twice)")
        since = clock.now(settings)
        if ring.current and ring.current.valid_from and since <= ring.current.valid_from:
            raise SigningKeyError("本机时钟早于上一密钥的启用时间，不予轮换 (the clock is before the previous key's "
                                  "valid_from: nothing rotated)")
        _append(path, _line(new, since, old, ring))
        if generated:
            _swap(key_file, pending, old)
        return Rotation(old.key_id, new.key_id, since, generated)


def revoke(settings: Settings, key_id: str, compromised_since: datetime, reason: str,
           vouched: list[str]) -> Revocation:
    """Revoke ``key_id`` as compromised since ``compromised_since``: a revocation line signed by the
    key in use, which must have come into use after it (rotate first when the key in use is the one
    stolen), appended under the keyring's lock. ``vouched``: the SHA-256 of the anchor lines the
    revoked key signed since then that the bureau vouches for (its nights recorded them,
    :func:`credit.rosters.anchors.vouchable_lines`). Refused (:class:`SigningKeyError`, Chinese
    first) when the keyring does not verify, the key is not in it or revoked already, the time is
    after now, or no reason is given."""
    reason = reason.strip()
    if not reason:
        raise SigningKeyError("请说明吊销原因 --reason (give the reason for the revocation: --reason)")
    if compromised_since.tzinfo is None:
        raise SigningKeyError("视为泄露的时间须带时区 (compromised_since needs a timezone)")
    with _locked(settings):
        signer = current_signer(settings)
        path = keyring_path(settings)
        ring = read_keyring(path, signer.public_key)
        if ring.problems:
            raise SigningKeyError(f"密钥清单未通过校验，不予吊销 (the keyring does not verify; nothing revoked): "
                                  f"{ring.problems[0]}")
        revoked, by = ring.position(key_id), ring.position(signer.key_id)
        if key_id == signer.key_id:
            raise SigningKeyError(f"密钥 {key_id} 正在使用：请先用 credit keys rotate 移交给新密钥，再吊销它 (the key "
                                  f"{key_id} is the one in use: rotate to a new key first, then revoke it)")
        if revoked is None or by is None:
            raise SigningKeyError(f"密钥 {key_id} 不在本局的密钥清单中 (key {key_id} is not in the bureau's keyring: "
                                  "credit keys list names them)")
        if by <= revoked:
            raise SigningKeyError(f"正在使用的密钥 {signer.key_id} 早于 {key_id} 启用，不能吊销它 (the key in use came "
                                  f"into use before {key_id} and cannot revoke it)")
        if key_id in ring.revocations:
            raise SigningKeyError(f"密钥 {key_id} 已被吊销 (key {key_id} is revoked already)")
        now = clock.now(settings)
        if compromised_since > now:
            raise SigningKeyError(f"视为泄露的时间 {compromised_since.isoformat()} 晚于现在 (compromised_since is in the "
                                  "future)")
        body = {"format": REVOCATION_FORMAT, "revoked": key_id, "compromised_since": compromised_since.isoformat(),
                "revoked_at": now.isoformat(), "reason": reason, "vouched_anchors": sorted(set(vouched)),
                "keyring_before": ring.cut()}
        _append(path, canonical(signer.sign_document(body)).decode("utf-8"))
        return Revocation(0, key_id, compromised_since, now, reason, signer.key_id, frozenset(vouched))


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())


def _swap(key_file: Path, pending: Path, old: Signer) -> None:
    """Keep the old generated key under ``retired/`` and put the pending one in its place."""
    retired = key_file.parent / "retired"
    retired.mkdir(mode=0o700, exist_ok=True)
    kept = retired / (old.key_id.replace(":", "-") + ".pem")
    if not kept.exists() and key_file.exists():
        os.link(key_file, kept)
    os.replace(pending, key_file)

