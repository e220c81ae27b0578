"""Duplicated keys of one file across its chunks, at what its duplicates cost (issue 11; contracts.md §1).

A file is ingested chunk by chunk (:mod:`credit.night.ingest`), so two copies of a key may fall
into two chunks. Exact copies keep their first line; conflicting copies are all held back
(quarantine what is ambiguous, :func:`credit.night.quality.check`'s duplicate rules).

1. While the chunks are staged, :class:`KeyHashes` keeps a 64-bit hash of each accepted row's key
   (:func:`key_hash`: 8 bytes a row, and a bit for which of a chunk's rows were accepted). At the
   end, the hashes seen more than once name the **candidates**: equal keys have equal hashes, so
   no duplicate is missed; a collision only adds a candidate that is not a duplicate. A file
   without candidates (most of them) costs nothing more.
2. Only the chunks holding candidates are read again (:func:`credit.contract.manifest.iter_records`
   with ``only``: the others are cut, not parsed), and only the candidate rows are normalised, to
   stage their key as text and a hash of the whole canonical row (:func:`key_text`,
   :func:`row_hash`); PostgreSQL decides over them alone, exactly as over every staged row
   (``credit/sql/night/staging_duplicates.sql``), and the rows held back leave the accepted rows.
3. They are quarantined as delivered with their true physical line: from the candidates' raw rows
   kept in step 2 when they are no more than a chunk's rows, else by reading again the chunks
   holding them (a file full of duplicates does not grow the night's memory).

Until this (profile of a 1 M-entity first night): every staged row carried its key as text and a
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


class KeyHashes:
    """The hash of every accepted row's key of one file, chunk by chunk (step 1 above)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._chunks: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}   # hashes, accepted bits, rows

    def add(self, chunk: int, accepted_rows: pd.DataFrame, accepted: np.ndarray) -> None:
        """One chunk's accepted rows (canonical text), and which of the chunk's rows they are."""
        if len(accepted_rows):
            self._chunks[chunk] = (key_hash(accepted_rows, self.source), np.packbits(accepted), len(accepted))

    def candidates(self) -> dict[int, np.ndarray]:
        """By chunk, the positions among its rows of the accepted rows whose key's hash was seen
        more than once over the file; empty when no key can be duplicated."""
        if sum(len(h) for h, _, _ in self._chunks.values()) < 2:
            return {}
        every = np.sort(np.concatenate([h for h, _, _ in self._chunks.values()]))
        twice = np.unique(every[1:][every[1:] == every[:-1]])
        del every
        out: dict[int, np.ndarray] = {}
        if not len(twice):
            return out
        for chunk, (hashes, bits, rows) in self._chunks.items():
            hit = np.isin(hashes, twice)
            if hit.any():
                out[chunk] = np.flatnonzero(np.unpackbits(bits, count=rows))[hit]
        return out
