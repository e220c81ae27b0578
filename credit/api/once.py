"""A form or an API call sent twice records once (single-use submission ids, ``Idempotency-Key``).

A double click, a reload that re-posts a form or a client retrying after a lost answer sends the
same request again. Every page form that creates a record carries a **submission id** (hidden
field ``once``, 256 random bits, rendered next to the form token); a creating JSON call may carry
an ``Idempotency-Key`` header. The server claims the id in ``submissions_once`` at the start of
the transaction that creates the record and writes the answer into the same row before that
transaction commits, so the record and its claim exist together or not at all:

- a second post with the same id and the same content creates nothing and gets the first post's
  answer (the applicant: the same receipt page, token included; an API client: the same status
  and JSON body);
- while the first post still runs, the second one's insert waits on the primary key for it
  (at most :data:`WAIT`), then answers as above; past that it is told "已提交，请勿重复提交"
  (:class:`StillRunning`) and nothing is recorded;
- the same id with other content is refused (:class:`OtherRequest`, HTTP 422): an id names one
  request, never "whatever comes next";
- a first post that is refused (409, 422…) rolls its claim back with everything else: sent again,
  it is checked again and gets the same refusal while nothing has changed.

**Who.** An id counts per caller: the browser (the SHA-256 of its form cookie, credit.api.sessions)
for page forms; the API key or the officer's account for the API; ``public`` for an anonymous API
call, whose key is then the only secret (hence at least :data:`MIN_KEY` characters). The same id
from another browser or key is another submission and never sees the first's answer.

**What is stored.** The SHA-256 of the id, of what was sent, and the answer encrypted (AES-GCM) under a
key derived from the id and the caller: the answer of an applicant's post holds the receipt token,
which elsewhere exists only as its SHA-256, and the table alone must not give it away.

Without an id (an old form, a client that sends no key) nothing changes: each post is recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from credit.api.sessions import digest
from credit.sqlfiles import statement

FIELD = "once"
"""The hidden field of a page form carrying its submission id."""
HEADER = "Idempotency-Key"
MIN_KEY, MAX_KEY = 16, 200
"""An ``Idempotency-Key`` is 16–200 printable ASCII characters (a UUID is 36)."""
WAIT = "15s"
"""How long a second post waits for the first one's transaction (PostgreSQL ``lock_timeout``).
An application's whole call took 28–39 ms over HTTP on the shared 2-core machine (2026-12-01,
200 calls per run); a draw plan's transaction, which reads the roster it draws from, was not
measured at scale, so the wait is generous: a double click is then answered with the first
answer, not with "已提交，请勿重复提交"."""
_KEY = re.compile(r"[\x21-\x7e]+")
STILL_RUNNING = "已提交，请勿重复提交"


class StillRunning(Exception):
    """The first post with this id has not finished within :data:`WAIT`."""


class OtherRequest(Exception):
    """This id was used for a request with other content."""


def new_id() -> str:
    """A submission id for one rendering of a form (256 random bits)."""
    return os.urandom(32).hex()


def valid_key(key: str) -> bool:
    """Whether a form's submission id or an ``Idempotency-Key`` is one we accept."""
    return MIN_KEY <= len(key) <= MAX_KEY and _KEY.fullmatch(key) is not None


def fingerprint(route: str, sent: Any) -> str:
    """The SHA-256 of what a post sent (its route and content, keys sorted)."""
    return digest(route + "\x00" + json.dumps(sent, ensure_ascii=False, sort_keys=True, default=str,
                                               separators=(",", ":")))


@dataclass(frozen=True)
class Once:
    """One post's submission id as its caller sent it, and what it sent."""

    caller: str
    key: str
    request: str

    @property
    def id_hash(self) -> str:
        return digest("credit-once\x00" + self.key)

    def _aead(self) -> AESGCM:
        return AESGCM(hashlib.sha256(b"credit-once-answer\x00" + self.key.encode("utf-8") + b"\x00"
                                     + self.caller.encode("utf-8")).digest())

    def _ad(self) -> bytes:
        return (self.caller + "\x00" + self.id_hash).encode("utf-8")

    def seal(self, answer: dict[str, Any]) -> bytes:
        nonce = os.urandom(12)
        plain = json.dumps(answer, ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8")
        return nonce + self._aead().encrypt(nonce, plain, self._ad())

    def open(self, sealed: bytes) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self._aead().decrypt(sealed[:12], sealed[12:], self._ad()))
        return out


def of(caller: str, key: str | None, route: str, sent: Any) -> Once | None:
    """The post's submission id, None without one (then nothing changes). ``key`` must be valid
    (:func:`valid_key`): the caller checks it and answers 422 otherwise."""
    if not key:
        return None
    return Once(caller, key, fingerprint(route, sent))


def claim(conn: Connection, once: Once | None) -> dict[str, Any] | None:
    """Claim the id in ``conn``'s transaction: None for the first post (go on and record, then
    :func:`answer`), else the first post's answer (record nothing). Raises :class:`StillRunning`
    (the transaction is then aborted: let it roll back) and :class:`OtherRequest`."""
    if once is None:
        return None
    before = conn.execute(text("select current_setting('lock_timeout')")).scalar_one()
    conn.execute(text("select set_config('lock_timeout', :t, true)"), {"t": WAIT})
    try:
        first = conn.execute(statement("api/claim_once"),
                             {"c": once.caller, "h": once.id_hash, "r": once.request}).first() is not None
    except OperationalError as e:
        if getattr(e.orig, "sqlstate", None) == "55P03":     # lock_not_available
            raise StillRunning(STILL_RUNNING) from None
        raise
    conn.execute(text("select set_config('lock_timeout', :t, true)"), {"t": before})
    if first:
        return None
    row = conn.execute(statement("api/first_once"), {"c": once.caller, "h": once.id_hash}).one()
    if row.request_hash != once.request:
        raise OtherRequest()
    if row.answer is None:      # not reachable: the row is claimed and answered in one transaction
        raise StillRunning(STILL_RUNNING)
    return once.open(bytes(row.answer))


def answer(conn: Connection, once: Once | None, doc: dict[str, Any]) -> None:
    """Keep the first post's answer with its claim, in the transaction that recorded it."""
    if once is not None:
        conn.execute(statement("api/answer_once"), {"a": once.seal(doc), "c": once.caller, "h": once.id_hash})
