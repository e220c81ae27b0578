"""The candidate duplicates of a file, from the hashes of its rows' keys (issue 11, credit.night.duplicates)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.contract.sources import SOURCES
from credit.night.duplicates import KeyHashes, key_hash, key_text

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


def test_candidates_are_the_accepted_rows_whose_key_is_seen_twice_over_the_chunks() -> None:
    seen = KeyHashes(REPORTS)
    chunk0 = _frame([("A", "2025"), ("B", "2025"), ("C", "2025")])
    accepted0 = np.array([True, False, True, True])            # the chunk's row 1 was held back
    seen.add(0, chunk0, accepted0)
    seen.add(1, _frame([]), np.zeros(2, dtype=bool))           # nothing accepted
    seen.add(2, _frame([("D", "2025"), ("A", "2025"), ("C", "2024")]), np.ones(3, dtype=bool))
    got = seen.candidates()
    assert {k: v.tolist() for k, v in got.items()} == {0: [0], 2: [1]}


def test_no_candidate_without_a_key_seen_twice() -> None:
    seen = KeyHashes(REPORTS)
    assert seen.candidates() == {}
    seen.add(0, _frame([("A", "2025")]), np.ones(1, dtype=bool))
    seen.add(1, _frame([("A", "2024")]), np.ones(1, dtype=bool))
    assert seen.candidates() == {}
