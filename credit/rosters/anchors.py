"""The decision log's chain heads published outside the database: ``<publication>/anchors.jsonl``.

Inside the database each night anchors the head it leaves behind (``roster_chain_anchors``), but
whoever can rewrite the log as superuser can rewrite that table too. So after each night's commit
(:func:`publish_anchors`, called by ``credit.night.steps.publish_night``) the head is also
appended to a file in the publication folder, one line per night::

    {"format": "credit-chain-anchor/1", "night": "2026-07-13", "seq": 812, "row_hash": "…",
     "prev": "<SHA-256 of the previous line>", "published_at": "…", "signature": {…Ed25519…}}

Lines are chained (``prev``: the SHA-256 of the previous line's bytes, 64 zeros for the first)
and signed by the bureau's key (:mod:`credit.signing`): a line cannot be altered, inserted or
reordered without the key. The file is only ever appended to; keep copies of it where the
database's administrators cannot write (another host, WORM storage, the bureau's website): a
rewrite of the log then shows in ``credit audit verify`` against the published heads.

A night whose anchor did not reach the file (a crash right after the commit) is appended by the
next night's publication, or by ``credit audit publish``.

Nothing is signed that does not verify (:func:`append_missing_anchors`): the file's lines must
carry our signatures and links, and the decision log must verify up to the head about to be signed
against every record of the nights' heads (:func:`credit.rosters.audit.verify_chain`) — else a
forged head, once signed, would pass every later check. After appending, each night's summary
records its line's number and SHA-256 (``night_runs.summary.anchor_published``), so that a deleted,
emptied or shortened file fails ``credit audit verify`` instead of looking like a file never
written (README "Tamper evidence" says what this does and does not catch).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import Connection, Engine

from credit import clock, sqlfiles
from credit.keyring import (
    KEYRING_FILE,
    Keyring,
    ensure_first_line,
    held_signer,
    keyring_for,
    signed_time,
    take_back_first_line,
)
from credit.settings import Settings
from credit.signing import RepeatedKey, SigningKeyError, canonical, parse_document, signer_for

FORMAT = "credit-chain-anchor/1"
ANCHOR_FILE = "anchors.jsonl"
PUBLIC_KEY_FILE = "signing-key.pem"
GENESIS = "0" * 64
log = logging.getLogger(__name__)


def anchor_path(settings: Settings) -> Path:
    return settings.publication_folder / ANCHOR_FILE


def line_digest(text: str) -> str:
    """SHA-256 of one line as written (without its newline): the next line's ``prev``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FileAnchor:
    """One line of the anchor file: the head night ``night`` left behind."""

    line: int
    night: date
    seq: int
    row_hash: str
    digest: str = ""           # SHA-256 of the line as written (what the summary records, the next line's prev)
    signed: bool = True        # False when the signature was checked and does not verify: not a head to trust


@dataclass
class AnchorFile:
    """The anchor file as read and checked: its anchors and what is wrong with it (by line)."""

    path: Path
    exists: bool
    anchors: list[FileAnchor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    last: dict[str, Any] | None = None     # the last line, as published (signed)
    lines: list[dict[str, Any]] = field(default_factory=list)   # every readable line, as published, in order


def read_anchors(path: Path, public: Ed25519PublicKey | Keyring | None) -> AnchorFile:
    """Read the anchor file; with ``public`` (a key, or the bureau's keyring, :mod:`credit.keyring`),
    check each line's signature, and with a keyring that no line is signed by a key after a line of
    its successor (a key handed over signs nothing more). Links (``prev``) and the order of nights
    are always checked. A missing file is an empty one (``exists`` False)."""
    out = AnchorFile(path, path.exists())
    if not out.exists:
        return out
    keys = Keyring.single(public) if isinstance(public, Ed25519PublicKey) else public
    prev = GENESIS
    last_night: date | None = None
    last_key = -1
    for no, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
            doc = parse_document(raw)      # a key repeated in the line: refused (RepeatedKey)
            night = date.fromisoformat(str(doc["night"]))
            anchor = FileAnchor(no, night, int(doc["seq"]), str(doc["row_hash"]))
            link = str(doc["prev"])
        except RepeatedKey as e:
            out.problems.append(e.reason(f"{path.name} line {no}"))
            break
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            out.problems.append(f"{path.name} line {no}: 无法读取的锚点行 (unreadable anchor: {e})")
            break
        if link != prev:
            out.problems.append(f"{path.name} line {no} (night {night}): link broken — prev is not the digest of "
                                "the line before (a line was altered, removed or inserted)")
        signed = True
        if keys is not None and (problem := keys.document_problem(doc)):
            out.problems.append(f"{path.name} line {no} (night {night}): {problem}")
            signed = False
        elif keys is not None:
            kid = str(doc["signature"]["key_id"])
            at = keys.position(kid) or 0
            if at < last_key:
                out.problems.append(
                    f"{path.name} line {no} (night {night}): 由已移交的密钥 {kid} 签署，晚于其继任密钥签署的行 "
                    f"(signed by {kid}, which had been handed over, after a line signed by its successor)")
                signed = False
            last_key = max(last_key, at)
            if signed and (late := keys.late_signature(kid, doc.get("published_at"), line_digest(text))):
                out.problems.append(f"{path.name} line {no} (night {night}): {late}")
                signed = False
            if signed and (cut := _keyring_cut(keys, doc.get("keyring"))):
                out.problems.append(f"{path.name} line {no} (night {night}): {cut}")
        if last_night is not None and night <= last_night:
            out.problems.append(f"{path.name} line {no}: night {night} does not come after {last_night}")
        out.anchors.append(FileAnchor(anchor.line, anchor.night, anchor.seq, anchor.row_hash, line_digest(text),
                                      signed))
        out.last = doc
        out.lines.append(doc)
        last_night, prev = night, line_digest(text)
    return out


def _keyring_cut(keys: Keyring, recorded: Any) -> str | None:
    """Why the keyring read is not an extension of the one an anchor line recorded (its first
    ``lines`` lines' SHA-256); None when it is, or when there is nothing to compare (no record, a
    reader given one key and no keyring)."""
    if not isinstance(recorded, dict) or keys.path is None:
        return None
    n, digest = recorded.get("lines"), recorded.get("sha256")
    if not isinstance(n, int) or keys.prefix_digest(n) == digest:
        return None
    held = len(keys.lines)
    now = f"现在只有 {held} 行" if held < n else f"现在的前 {n} 行与之不符"
    return (f"密钥清单已被删改：该行发布时清单有 {n} 行，{now}（可能删除或改动了吊销行、密钥行） (the keyring was "
            f"cut or altered since this line was published: it then held {n} lines, which the keyring read does "
            "not begin with — a revocation or key line removed or changed)")


def keyring_cut_since(found: AnchorFile, keys: Keyring) -> str | None:
    """The last anchor line, signed by one of the keyring's keys, whose ``keyring`` record the
    keyring read does not begin with (a line taken out or changed since that anchor was published),
    named as :func:`read_anchors` names it; None when there is none. For a reader of ``found``
    without keys (``credit keys list``): :func:`anchored_lines` passes over such a line to the last
    one that matches, which says nothing of the cut. A keyring file that is missing (``keys`` the
    key in use alone) while such a line records one: that line, named the same way."""
    for doc, a in zip(reversed(found.lines), reversed(found.anchors), strict=True):
        if keys.document_problem(doc) is not None:
            continue
        recorded = doc.get("keyring")
        if keys.path is None and isinstance(recorded, dict) and isinstance(recorded.get("lines"), int):
            return (f"{found.path.name} line {a.line} (night {a.night}): 密钥清单 {KEYRING_FILE} 不存在，而该行发布时它有 "
                    f"{recorded['lines']} 行（可能被删除） (the keyring file is missing, and it held {recorded['lines']} "
                    "lines when this line was published: deleted, with its revocations)")
        if keys.path is not None and (cut := _keyring_cut(keys, recorded)):
            return f"{found.path.name} line {a.line} (night {a.night}): {cut}"
    return None


def anchored_lines(found: AnchorFile, keys: Keyring) -> int:
    """How many of the keyring's first lines an anchor line records (its ``keyring``, written by
    :func:`append_missing_anchors` as the keyring stood): the record of the last anchor line that is
    signed by one of the keyring's keys, trusted at its date and matches the keyring read. The lines
    after them are not yet anchored: nothing published outside would show them removed or changed
    (:meth:`credit.keyring.Keyring.unanchored` names them); the next night's anchor records them.
    ``found`` may be read without keys (its signatures are checked here, from the last line back)."""
    if keys.path is None:
        return 0
    for doc, a in zip(reversed(found.lines), reversed(found.anchors), strict=True):
        recorded = doc.get("keyring")
        if not a.signed or not isinstance(recorded, dict) or not isinstance(recorded.get("lines"), int):
            continue
        if keys.document_problem(doc) is not None:
            continue
        if keys.late_signature(str(doc["signature"]["key_id"]), doc.get("published_at"), a.digest):
            continue
        if keys.prefix_digest(recorded["lines"]) == recorded.get("sha256"):
            return int(recorded["lines"])
    return 0


def read_in_snapshot(path: Path, public: Ed25519PublicKey | Keyring | None, conn: Connection) -> AnchorFile:
    """Read the anchor file and take ``conn``'s snapshot (a REPEATABLE READ connection, not yet in a
    transaction) while no publication can append to it: under a shared hold of the lock each
    publication (:func:`append_missing_anchors`) takes exclusively while it appends its lines and
    records them in the nights' summaries. Read one after the other without it, a publication in
    between made the file look shortened (a line recorded, not in the file read) or the log look
    cut (a line whose decisions the snapshot lacks). A missing file is read as missing; a file that
    cannot be opened raises OSError."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        conn.execute(sa.select(sa.literal(1)))
        return read_anchors(path, public)
    with f:
        fcntl.flock(f.fileno(), fcntl.LOCK_SH)
        conn.execute(sa.select(sa.literal(1)))    # the snapshot every record of the heads is read from
        return read_anchors(path, public)


@dataclass(frozen=True)
class Vouching:
    """The anchor lines a key signed since a time: those the bureau's nights recorded publishing
    (their SHA-256, to vouch for) and those they did not (named by line and night)."""

    vouched: list[str]
    unknown: list[str]


def vouchable_lines(conn: Connection, settings: Settings, key_id: str, since: datetime) -> Vouching:
    """The lines of this installation's anchor file signed by ``key_id`` dated at or after ``since``
    (or not dated), split by whether a published night recorded the line's SHA-256 when it wrote it
    (``night_runs.summary.anchor_published``): those are the bureau's own, which a revocation of
    the key vouches for (:func:`credit.keyring.revoke`); any other was not written by a night."""
    found = read_anchors(anchor_path(settings), None)
    recorded = {str(r.digest) for r in conn.execute(sqlfiles.statement("rosters/audit_published_lines"))}
    out = Vouching([], [])
    for doc, a in zip(found.lines, found.anchors, strict=True):
        sig = doc.get("signature")
        if not isinstance(sig, dict) or sig.get("key_id") != key_id:
            continue
        dated = signed_time(doc.get("published_at"))
        if dated is not None and dated < since:
            continue
        if a.digest in recorded:
            out.vouched.append(a.digest)
        else:
            out.unknown.append(f"anchors.jsonl line {a.line} (night {a.night.isoformat()})")
    return out


def published_head(settings: Settings, through: date | None = None) -> dict[str, Any] | None:
    """The anchor line (signed on its own) an export's sidecar names: the file's last line, or with
    ``through`` the line of the latest night up to it — an export "as recorded after night K"
    reflects the log as night K left it, not the decisions of the nights after K. None before the
    first published night (or before ``through``)."""
    found = read_anchors(anchor_path(settings), None)
    if through is None:
        return found.last
    return next((doc for doc, a in zip(reversed(found.lines), reversed(found.anchors), strict=True)
                 if a.night <= through), None)


class AnchorsRefused(ValueError):
    """Nothing was signed: the anchor file or the decision log does not verify (the message says
    what, Chinese and English)."""


def publish_anchors(engine: Engine, settings: Settings, own_rows_after: int | None = None) -> int:
    """Append to the anchor file every night anchored in the database and not yet in the file
    (after a night's commit). Returns the lines appended. Never raises for the file, the key or a
    log that does not verify: the night is committed already; the failure is logged and the next
    publication (or ``credit audit publish``, which says why it refuses) catches up.

    The log is verified from the last published head on (``full=False``): what that head covers
    was verified when it was signed, and a walk of the whole log each night would cost seconds at a
    province's scale; ``credit audit publish`` walks all of it. ``own_rows_after``: the log's last
    decision before the night this process has just committed appended its own, as that night's
    transaction read it under the log's lock (``chain_start`` of its roster summary, held in this
    process, never read back from the database a forger could edit); the rows after it are not
    walked again, only the night's head compared (a 1 M first night's 181,065 decisions cost 25 s
    of CPU to walk). A night committed by an earlier process that died before its publication is
    walked like any other. A database fault is logged as well: the night is committed already."""
    try:
        return append_missing_anchors(engine, settings, full=False, own_rows_after=own_rows_after)
    except (OSError, SigningKeyError, AnchorsRefused, sa.exc.SQLAlchemyError) as e:
        log.error("chain anchors not published outside the database (%s); run `credit audit publish`", e)
        return 0


def _verified_file(engine: Engine, path: Path, public: Keyring, full: bool, created: bool,
                   own_rows_after: int | None = None) -> AnchorFile:
    """The anchor file at ``path``, read and checked, with the decision log verified against it and
    every record of the heads (:func:`credit.rosters.audit.verify_chain`); raises
    :class:`AnchorsRefused` when either fails. ``created``: the file did not exist before the
    lock's open made it (so a deleted file reads as missing, not as emptied)."""
    from credit.rosters.audit import verify_chain  # audit reads this module's AnchorFile

    current = read_anchors(path, public)
    current.exists = current.exists and not created
    if current.problems:
        more = f" (and {len(current.problems) - 1} more)" if len(current.problems) > 1 else ""
        raise AnchorsRefused(f"锚点文件未通过校验，未签署新的锚点 (the anchor file does not verify; nothing was "
                             f"signed): {current.problems[0]}{more}")
    with engine.connect() as conn:
        upto = own_rows_after if not full else None
        report = verify_chain(conn, current, from_last_published=not full, walk_upto=upto)
    if not report.ok:
        raise AnchorsRefused(f"校验未通过，未签署新的锚点；请先运行 credit audit verify 并按其说明处理 "
                             f"(verification failed, nothing was signed; see `credit audit verify`): {report.message()}")
    return current


def append_missing_anchors(engine: Engine, settings: Settings, *, full: bool = True,
                           own_rows_after: int | None = None) -> int:
    """:func:`publish_anchors` that raises (``credit audit publish``): :class:`AnchorsRefused` when
    the file's lines or the decision log do not verify, and nothing is appended then.

    ``full``: walk the whole log (else only the decisions after the file's last head, which a
    previous publication verified; every record of every night's head is compared either way)."""

    path = anchor_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The keyring's first line before the first anchor (credit.keyring); the key that signs must be
    # the keyring's current one: a key handed over, or changed without a hand-over, signs nothing.
    # The key is held (held_signer) until the lines are written: no rotation hands it over meanwhile.
    started = ensure_first_line(settings, signer_for(settings))
    created = not path.exists()
    try:
        with held_signer(settings) as signer, open(path, "a+b") as f:
            keys = keyring_for(settings)
            key_file = path.parent / PUBLIC_KEY_FILE
            if not key_file.exists() or key_file.read_text(encoding="ascii", errors="replace") != signer.public_pem:
                key_file.write_text(signer.public_pem, encoding="ascii")
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)   # one writer at a time (two nights' publications)
            try:
                current = _verified_file(engine, path, keys, full, created, own_rows_after)
            except AnchorsRefused:
                if created and path.stat().st_size == 0:
                    path.unlink()      # a refused publication leaves a missing file missing
                raise
            last_night = current.anchors[-1].night if current.anchors else None
            prev = GENESIS
            if current.last is not None:
                f.seek(0)
                lines = [x for x in f.read().split(b"\n") if x.strip()]
                prev = line_digest(lines[-1].decode("utf-8"))
            with engine.connect() as conn:
                # The head each night left behind: its last anchor (rosters/night_heads.sql).
                heads = conn.execute(sqlfiles.statement("rosters/night_heads"), {"after": last_night}).all()
            added = 0
            written: list[tuple[date, int, str]] = []
            # The keyring as it stands, in every line: a keyring line removed later (a revocation taken
            # back, a key hidden) no longer matches what the anchors published outside recorded.
            ring_state = ({"lines": len(keys.lines), "sha256": keys.prefix_digest(len(keys.lines))}
                          if keys.path is not None and keys.lines else None)
            for night, seq, row_hash in heads:
                body: dict[str, Any] = {"format": FORMAT, "night": night.isoformat(), "seq": int(seq),
                                        "row_hash": str(row_hash), "prev": prev,
                                        "published_at": clock.now(settings).isoformat(timespec="seconds")}
                if ring_state is not None:
                    body["keyring"] = ring_state
                doc = signer.sign_document(body)
                text = canonical(doc).decode("utf-8")
                f.seek(0, 2)
                f.write(text.encode("utf-8") + b"\n")
                prev = line_digest(text)
                added += 1
                written.append((night, len(current.anchors) + added, prev))
            f.flush()
            os.fsync(f.fileno())
            if written:
                # Recorded after the file is on disk: the summary never claims a line the file lacks.
                with engine.begin() as conn:
                    for night, line, digest in written:
                        conn.execute(sqlfiles.statement("rosters/record_anchor_line"),
                                     {"night": night, "line": line, "digest": digest})
    except BaseException:
        if started:   # a publication that failed leaves a missing keyring missing, as its anchor file
            take_back_first_line(settings)
        raise
    return added
