"""The candidate duplicates of a file, from the hashes of its rows' keys (issue 11, credit.night.duplicates)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit.contract.sources import SOURCES
from credit.night.duplicates import ChunkLines, KeyHashes, key_hash, key_text

ARROW = pd.StringDtype("pyarrow")
REPORTS = SOURCES["annual_reports"]


def _frame(keys: list[tuple[str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([k[i] for k in keys], dtype=ARROW)
                         for i, c in enumerate(REPORTS.key)}).reindex(columns=REPORTS.column_names).astype(ARROW)


def test_the_key_text_is_the_columns_joined_and_equal_texts_hash_alike() -> None:
    frame = _frame([("A", "2025"), ("A", None), ("A\x1f2025", None), ("A", "2025")])
    assert key_text(frame, REPORTS).to_pylist() == ["A\x1f2025", "A\x1f\x1e", "A\x1f2025\x1f\x1e", "A\x1f2025"]
    hashes = key_hash(frame, REPORTS)
    assert hashes.dtype == np.uint64 and hashes[0] == hashes[3] and len(set(hashes[:3].tolist())) == 3


def test_candidates_are_the_lines_of_accepted_rows_whose_key_is_seen_twice_over_the_chunks() -> None:
    seen = KeyHashes(REPORTS)
    seen.add(_frame([("A", "2025"), ("B", "2025"), ("C", "2025")]), np.array([2, 4, 5]))   # line 3 held back
    seen.add(_frame([]), np.array([], dtype=np.int64))                                      # nothing accepted
    seen.add(_frame([("D", "2025"), ("A", "2025"), ("C", "2024")]), np.array([9, 10, 11]))
    assert seen.candidates().tolist() == [2, 10]


def test_no_candidate_without_a_key_seen_twice() -> None:
    seen = KeyHashes(REPORTS)
    assert seen.candidates().tolist() == []
    seen.add(_frame([("A", "2025")]), np.array([2]))
    seen.add(_frame([("A", "2024")]), np.array([3]))
    assert seen.candidates().tolist() == []


def test_past_its_limit_the_client_keeps_no_hash_and_names_no_candidate() -> None:
    seen = KeyHashes(REPORTS, limit=3)
    seen.add(_frame([("A", "2025"), ("A", "2025")]), np.array([2, 3]))
    assert not seen.overflowed and seen.candidates().tolist() == [2, 3]
    seen.add(_frame([("B", "2025"), ("C", "2025")]), np.array([4, 5]))
    assert seen.overflowed and seen.rows == 4
    with pytest.raises(ValueError, match="database counts"):
        seen.candidates()


def test_chunk_lines_tell_which_chunk_holds_a_line() -> None:
    chunks = ChunkLines()
    chunks.add(0, np.array([3, 4, 6]))
    chunks.add(1, np.array([], dtype=np.int64))       # a chunk of malformed records only
    chunks.add(2, np.array([7, 9, 12]))
    chunks.add(3, np.array([13]))
    got = chunks.split(np.array([4, 6, 12, 13]))
    assert {k: v.tolist() for k, v in got.items()} == {0: [4, 6], 2: [12], 3: [13]}
    assert chunks.split(np.array([], dtype=np.int64)) == {}
    with pytest.raises(ValueError, match="line 14"):
        chunks.split(np.array([14]))
