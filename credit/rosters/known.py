"""Record time beside legal time: the decision log "as known after night K" (issue 13).

An as-of question has two dates. The legal date D asks what held on D; the record date K asks
what the bureau's record said at the end of night K. The log is append-only and each night
anchors the head it left behind (``roster_chain_anchors``, migration 0006), so the log as known
after night K is its prefix up to that head: decisions recorded by that night's publish,
including officers' decisions recorded before it. A listing revoked as wrong on a later night
still shows as listed for D when asked as known on K.

The rosters' fold ``roster_entry_detail_as_of(d)`` has a twin over a prefix,
``roster_entry_detail_known(d, k)`` (migration 0011), and so has its per-entity form
``roster_entry_detail_of(us, d)``: ``roster_entry_detail_known_of(us, d, k)`` (migration 0015); :func:`fold` gives the statement of a
roster SQL file folded over the prefix when a record date is asked, unchanged otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from credit import sqlfiles

_FOLD = "roster_entry_detail_as_of(:d)"
# The per-entity fold (migration 0015): roster_entry_detail_of(<usccs>, :d) and its prefix twin.
_FOLD_OF = re.compile(r"roster_entry_detail_of\((.+?), :d\)")


@dataclass(frozen=True)
class KnownAt:
    """Night K, the head of the log at its end (``seq`` 0: nothing was recorded yet) and the last
    application then on record (``request_id``; None: anchored before migration 0036, when an
    application's received date stands in for its record time)."""

    night: date
    seq: int
    request_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"night": self.night.isoformat(), "decision_seq": self.seq}
        if self.request_id is not None:
            out["request_id"] = self.request_id
        return out


class NoNightPublished(LookupError):
    """``known_at`` for a day before the first published night: there is no record after any night
    then, and an empty answer would read as "nothing was listed" (contracts.md §2)."""

    def __init__(self, night: date) -> None:
        self.night = night
        super().__init__(f"{night.isoformat()} 当日或之前没有已发布的批次 "
                         f"(no night published on or before {night.isoformat()})")


def first_night(conn: Connection) -> date | None:
    """Where the system's own history begins: the first published night, or the earliest legacy
    decision imported before it when that is earlier (None while no night is published).

    domain.md §10: a status "as of" a date is answered from our own history, and there is none
    before it — the rosters before it are unknown to the system, not empty. Legacy listings loaded
    before the first night (``credit.rosters.repair.import_decision``, domain.md §3.5) are history
    too: a day they cover is answered (sql/rosters/first_night.sql)."""
    first: date | None = conn.execute(sqlfiles.statement("rosters/first_night")).scalar()
    return first


def before_data_problem(day: date, first: date | None, field: str) -> str | None:
    """None when ``day`` lies within the system's history (on or after the first night ``first``),
    else why no answer for it can be given (Chinese, then English).

    Before the first night the record holds nothing, and nothing is not "not listed" (domain.md
    §10): an empty roster or a "listed: false" would read as a clean record. Every answer dated
    ``day`` — a certificate, an entity look-up, ``credit status``, a roster export — refuses such a
    day with this message, as ``known_at`` before the first night is refused (:class:`NoNightPublished`).
    ``first`` None (no night published yet): every day is before the data. ``field`` names the
    date asked (``as_of``, or 查询日期 on a page: the English aside then says "the date")."""
    en = field if field.isascii() else "the date"
    if first is None:
        return (f"{field} {day.isoformat()}：尚无已发布的批次，本系统还没有任何名录记录 "
                f"({en} {day.isoformat()}: no night is published yet, the system holds no roster history)")
    if day >= first:
        return None
    return (f"{field} {day.isoformat()} 早于本系统的第一个批次 {first.isoformat()}：此前的名录本系统没有记录"
            f"（未知，不等于未列入），无法据以作答 ({en} {day.isoformat()} is before the system's first "
            f"night, {first.isoformat()}: the rosters before it are unknown here, not empty)")


def after_latest_problem(night: date, latest: date | None, field: str) -> str | None:
    """None when the record after night ``night`` exists (on or before the latest published night
    ``latest``), else why not, in Chinese then English: the one wording of the API's ``known_at``
    (422) and of ``credit status`` / ``credit roster export --known-at`` (exit 2) — the command
    line speaks Chinese and English as the API does (contracts.md §2)."""
    if latest is not None and night <= latest:
        return None
    if latest is None:
        return (f"{field} {night.isoformat()}：尚无已发布的批次 "
                f"({field} {night.isoformat()}: no night is published yet)")
    return (f"{field} {night.isoformat()} 晚于最新已发布批次 {latest.isoformat()}，该批次后的记录尚不存在 "
            f"({field} {night.isoformat()} is after the latest published night {latest.isoformat()})")


def known_at(conn: Connection, night: date | None) -> KnownAt | None:
    """The log's head at the end of night ``night`` (None when no record date is asked).

    For a day that is no published night (a day skipped in a gap, a weekend) the record after it
    is the record after the latest published night on or before it — the record does not change
    between nights — and the answer names that night (``KnownAt.night``), so what is printed ("as
    recorded after night …") and ``data_through`` name the night the record is. Before the first
    published night: :class:`NoNightPublished`."""
    if night is None:
        return None
    last, head, request = conn.execute(sqlfiles.statement("rosters/known_head"), {"k": night}).one()
    if last is None:
        raise NoNightPublished(night)
    return KnownAt(last, int(head or 0), None if request is None else int(request))


def fold(name: str, known: KnownAt | None) -> sa.TextClause:
    """The statement of ``credit/sql/<name>.sql``; folded over the prefix known after K when asked.

    The prefix fold takes the bind parameter ``known_seq`` (:func:`params`)."""
    return _folded(name, known is not None)


@cache
def _folded(name: str, prefix: bool) -> sa.TextClause:
    """:func:`fold`'s statement, built once per file and kind (as :func:`credit.sqlfiles.statement`)."""
    text = sqlfiles.text_of(name)
    if not prefix:
        return sa.text(text)
    if _FOLD not in text and not _FOLD_OF.search(text):
        raise ValueError(f"{name}.sql does not fold the log with {_FOLD} or roster_entry_detail_of(…, :d)")
    text = _FOLD_OF.sub(r"roster_entry_detail_known_of(\1, :d, :known_seq)", text)
    return sa.text(text.replace(_FOLD, "roster_entry_detail_known(:d, :known_seq)"))


def params(known: KnownAt | None) -> dict[str, Any]:
    """The extra bind parameters of a statement from :func:`fold`."""
    return {} if known is None else {"known_seq": known.seq}


def seq_limit(known: KnownAt | None) -> int | None:
    """The highest seq of the log to read (None: all)."""
    return None if known is None else known.seq


def request_limit(known: KnownAt | None) -> int | None:
    """The highest application id on record after night K (None: all, or not recorded then)."""
    return None if known is None else known.request_id


def night_limit(known: KnownAt | None) -> date | None:
    """The last night whose stored state may be read (None: all)."""
    return None if known is None else known.night
