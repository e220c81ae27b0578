"""Duplicated keys of one file across its chunks, at what its duplicates cost (issue 11; contracts.md §1).

A file is ingested chunk by chunk (:mod:`credit.night.ingest`), so two copies of a key may fall
into two chunks. Exact copies keep their first line; conflicting copies are all held back
(quarantine what is ambiguous, :func:`credit.night.quality.check`'s duplicate rules).

1. The **candidates** are the accepted rows whose key is staged more than once over the file, by
   their lines. While the chunks are staged, :class:`KeyHashes` keeps a 64-bit hash of each
   accepted row's key (:func:`key_hash`) and its line, for the first :data:`CLIENT_KEY_ROWS`
   accepted rows of the file; at the end the hashes seen more than once name the candidates.
   Equal keys have equal hashes, so no duplicate is missed; a collision only adds a candidate
   that is not a duplicate. A file with more accepted rows than that (a province's annual
   reports) drops its hashes and PostgreSQL counts its staged keys instead
   (:meth:`credit.night.staging.FileStager.candidate_lines`): the client's memory stays bounded
   at any N, and a file of up to 3 M rows keeps the cheaper count in the client.
   :class:`ChunkLines` tells which chunk holds each candidate's line (the last line of every
   chunk: a few numbers a chunk). A file without candidates (most of them) costs nothing more.
2. Only the candidates' records are read again (:func:`credit.contract.manifest.iter_records`
   with ``only``, chunk → lines: the chunks without one are cut, not parsed; in the others only
   the candidates' lines are decoded and parsed), and only the candidate rows are normalised, to
   stage their key as text and a hash of the whole canonical row (:func:`key_text`,
   :func:`row_hash`); PostgreSQL decides over them alone, exactly as over every staged row
   (``credit/sql/night/staging_duplicates.sql``), and the rows held back leave the accepted rows.
3. They are quarantined as delivered with their true physical line: from the candidates' raw rows
   kept in step 2 when they are no more than a chunk's rows, else by reading again the records
   held back (a file full of duplicates does not grow the night's memory).

Measured (issue 11): the hashes cost 16 bytes a row held and 32 while they are sorted, and at
10 M entities a whole file's (20 M annual reports beside 10 M registrations) took a first night's
peak memory over 1.5 GB; PostgreSQL's count costs about 2.5 s of the server per 2 M rows against
well under a second in the client, hence the two. Before (profile of a 1 M-entity first night):
every staged row carried its key as text and a
hash of the whole row (about 7 s of hashing), the key found duplicates in a window sorting every
row of the file (about 12.5 s), and a file with one duplicate was read and parsed whole again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.contract.sources import Source

KEY_SEPARATOR = "\x1f"   # between a key's columns in its text
KEY_UNKNOWN = "\x1e"     # a key column without a value


def key_text(frame: pd.DataFrame, source: Source) -> pa.Array[Any]:
    """Each row's key as canonical text, the key's columns joined by U+001F (U+001E: unknown)."""
    # By name: the stubs take the fill value and the separator below for arrays (they are scalars).
    unknown = pa.scalar(KEY_UNKNOWN, pa.large_string())
    parts: list[pa.Array[Any]] = [pc.call_function("coalesce", [pa.array(frame[k]).cast(pa.large_string()), unknown])
                                  for k in source.key]
    if len(parts) == 1:
        return parts[0]
    joined: pa.Array[Any] = pc.call_function("binary_join_element_wise",
                                             [*parts, pa.scalar(KEY_SEPARATOR, pa.large_string())])
    return joined


def key_hash(frame: pd.DataFrame, source: Source) -> np.ndarray:
    """A 64-bit hash (uint64) of each row's :func:`key_text`: equal keys, equal hashes."""
    text = pd.Series(key_text(frame, source), dtype=pd.StringDtype("pyarrow"))
    return np.asarray(pd.util.hash_pandas_object(text, index=False, categorize=False).to_numpy(dtype=np.uint64))


def row_hash(frame: pd.DataFrame, source: Source) -> np.ndarray:
    """A 64-bit hash (int64) of each whole canonical row (pandas' hash of the source's columns):
    two copies of a key with one hash are exact copies."""
    hashed = pd.util.hash_pandas_object(frame[source.column_names], index=False)
    return np.asarray(hashed.to_numpy(dtype=np.uint64)).view(np.int64)


@dataclass(frozen=True)
class Duplicate:
    """A row held back as a duplicate: its rule and reason, the chunk it is in, and whether its
    USCC fails the organisation-code check (it was counted among the accepted rows' until then)."""

    rule: str
    reason: str
    chunk: int
    organisation_mismatch: bool


# The accepted rows of a file whose key hashes the client keeps (16 bytes a row, 32 while sorted:
# at most 96 MB a file); past it, PostgreSQL counts the file's keys (step 1 above).
CLIENT_KEY_ROWS = 3_000_000


class KeyHashes:
    """The hash and line of every accepted row's key of one file, chunk by chunk, up to ``limit``
    rows (:data:`CLIENT_KEY_ROWS`; step 1 above)."""

    def __init__(self, source: Source, limit: int | None = None) -> None:
        self.source = source
        self.limit = CLIENT_KEY_ROWS if limit is None else limit
        self.rows = 0
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []   # hashes, lines

    @property
    def overflowed(self) -> bool:
        """More accepted rows than the limit: the hashes are dropped, the database counts the keys."""
        return self.rows > self.limit

    def add(self, accepted_rows: pd.DataFrame, lines: np.ndarray) -> None:
        """One chunk's accepted rows (canonical text) and their lines."""
        self.rows += len(accepted_rows)
        if self.overflowed:
            self._chunks.clear()
        elif len(accepted_rows):
            self._chunks.append((key_hash(accepted_rows, self.source), np.asarray(lines, dtype=np.int64)))

    def candidates(self) -> np.ndarray:
        """The lines of the accepted rows whose key's hash was seen more than once over the file,
        ascending (empty when no key can be duplicated)."""
        if self.overflowed:
            raise ValueError("more accepted rows than the client counts: the database counts the keys")
        if self.rows < 2:
            return np.empty(0, dtype=np.int64)
        every = np.concatenate([h for h, _ in self._chunks])
        every.sort()
        twice = np.unique(every[1:][every[1:] == every[:-1]])
        del every
        if not len(twice):
            return np.empty(0, dtype=np.int64)
        return np.sort(np.concatenate([lines[np.isin(hashes, twice)] for hashes, lines in self._chunks]))


class ChunkLines:
    """Which chunk of a file holds a line: the last line of every chunk read, in file order."""

    def __init__(self) -> None:
        self._chunks: list[int] = []
        self._last: list[int] = []

    def add(self, chunk: int, lines: np.ndarray) -> None:
        """One chunk's rows, by their physical lines (a chunk without rows holds no candidate)."""
        if len(lines):
            self._chunks.append(chunk)
            self._last.append(int(lines.max()))

    def split(self, lines: np.ndarray) -> dict[int, np.ndarray]:
        """Lines of the file's rows, ascending, by the chunk holding them."""
        if not len(lines):
            return {}
        at = np.searchsorted(np.asarray(self._last, dtype=np.int64), lines, side="left")
        if at[-1] >= len(self._chunks):
            raise ValueError(f"line {int(lines[-1])} is in no chunk read")
        return {self._chunks[i]: lines[at == i] for i in np.unique(at).tolist()}
