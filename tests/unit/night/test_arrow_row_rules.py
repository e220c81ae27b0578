"""The row rules' Arrow readings (issue 11, ingest's CPU per row) read what pandas read before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit.contract.sources import Column
from credit.night.normalise import ARROW_STRING, canonical_column
from credit.night.quality import holding_nul, year_numbers

YEARS = [
    ["2025", "2026", None, "0123", "2027"],                       # plain digits: Arrow's cast
    ["2025", "+2026", "1e3", "x", None, "2026.5", "-1", "٢٠٢٦"],   # any other text: pandas' reading
    [None, None],
    [],
]


@pytest.mark.parametrize("values", YEARS)
@pytest.mark.parametrize("dtype", [ARROW_STRING, object])
def test_year_numbers_are_pandas_numbers(values: list[str | None], dtype: object) -> None:
    s = pd.Series(values, dtype=dtype)
    expected = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    got = year_numbers(s)
    assert got.dtype == np.float64
    assert np.array_equal(got, expected, equal_nan=True)


@pytest.mark.parametrize("dtype", [ARROW_STRING, object])
def test_holding_nul_is_the_rows_with_a_nul(dtype: object) -> None:
    s = pd.Series(["a\x00b", None, "ab", "", "\x00"], dtype=dtype)
    assert holding_nul(s).tolist() == [True, False, False, False, True]


# Canonical values (left as they are) mixed with values a rewrite changes, nulls and blanks, over
# two chunks: the rows rewritten alone must land back at their own places.
MESSY = {
    "date": ["2026-07-03", "2026/7/3", None, "2026.7.13", "2025-12-01", "", "2026-7-3", "x/y", "2026-07-3"],
    "month": ["2026-07", "2026/7", None, "202607", "2025-12", "", "2026.7", "2026-7", "13/13"],
    "money": ["12.50", "¥12.50", None, "¥ 3", "0", "", "¥\t7.1", "1¥", "¥"],
}


#: Every replacement of a kind over the whole column, as normalise did it before rewriting only
#: the values off their shape (the reference; the values here are ASCII without spaces).
WHOLE = {
    "date": [(r"[/.]", "-"), (r"^(\d{4})-(\d)-", r"\1-0\2-"), (r"^(\d{4}-\d{2})-(\d)(\D|$)", r"\1-0\2\3")],
    "month": [(r"[/.]", "-"), (r"^(\d{4})-(\d)$", r"\1-0\2"), (r"^(\d{4})(\d{2})$", r"\1-\2")],
    "money": [(r"^¥[ \t]*", "")],
}


@pytest.mark.parametrize("kind", sorted(MESSY))
def test_only_the_rows_off_their_shape_are_rewritten(kind: str) -> None:
    values = MESSY[kind]
    arr = pa.chunked_array([pa.array(values[:4], pa.string()), pa.array(values[4:], pa.string())])
    got = canonical_column(arr, Column("c", kind)).to_pylist()   # type: ignore[arg-type]
    whole = pa.chunked_array([pa.array(values, pa.string())])
    for pattern, replacement in WHOLE[kind]:
        whole = pc.replace_substring_regex(whole, pattern, replacement)
    expected = [None if v in (None, "") else v for v in whole.to_pylist()]
    assert got == expected
    assert got != [None if v in (None, "") else v for v in values]   # something was rewritten


@pytest.mark.parametrize("dtype", [ARROW_STRING, object])
def test_holding_control_is_the_rows_with_a_control_character_or_noncharacter(dtype: object) -> None:
    from credit.night.quality import holding_control

    held = ["甲\x07", "\x0b甲", "\x85x", "\x9f", "\x7f", "\x1f", "\ufffe", "\U0010ffff", "\ufdd5", "\ufeff甲"]
    kept = ["a\tb", "a\nb", "a\r\nb", "正常 名称", "\u3000甲", "", "\x00"]   # NUL: its own rule (nul_byte)
    s = pd.Series([*held, *kept, None], dtype=dtype)
    assert holding_control(s).tolist() == [True] * len(held) + [False] * (len(kept) + 1)
    assert holding_control(pa.chunked_array([pa.array([*held, *kept, None])])).tolist() == holding_control(s).tolist()


# The bytes' pre-check (issue 11 stop 41): the rows found are the kernel's over every value.
_EDGES = ["\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x0e", "\x1f", " ", "~", "\x7f", "\x80",
          "\x9f", "\xa0", "·", "é", "\ufdcf", "\ufdd0", "\ufdef", "\ufdf0", "\ufefe", "\ufeff", "\uff08",
          "\ufffd", "\ufffe", "\uffff", "\U0001fffd", "\U0001fffe", "\U0010ffff", "😀", "甲", "a"]


def _reference(arr: pa.ChunkedArray, pattern: str, regex: bool) -> list[bool]:
    found = pc.match_substring_regex(arr, pattern) if regex else pc.match_substring(arr, pattern)
    return [bool(v) for v in pc.fill_null(found, False).to_pylist()]


@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(_EDGES), max_size=4).map("".join),
                          st.text(max_size=6)), max_size=12),
       st.integers(0, 3), st.booleans())
def test_the_bytes_precheck_finds_what_the_kernel_finds(values: list[str | None], cut: int, large: bool) -> None:
    from credit.night.quality import CONTROL_CLASS, holding_control

    kind = pa.large_string() if large else pa.string()
    whole = pa.array(["甲\x07", *values, "\ufeff"], kind)   # sliced: bytes outside the slice stay in its buffer
    arr = pa.chunked_array([whole.slice(1, len(values) // 2 + cut), whole.slice(1 + len(values) // 2 + cut)], kind)
    assert holding_control(arr).tolist() == _reference(arr, CONTROL_CLASS, True)
    s = pd.Series(arr.to_pylist(), dtype=ARROW_STRING)
    assert holding_control(s).tolist() == _reference(arr, CONTROL_CLASS, True)
    assert holding_nul(s).tolist() == _reference(arr, "\x00", False)


def test_text_without_any_control_byte_is_not_read_by_the_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    from credit.night import quality

    def unused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kernel read a column whose bytes hold no control character")

    monkeypatch.setattr(quality.pc, "match_substring_regex", unused)
    monkeypatch.setattr(quality.pc, "match_substring", unused)
    plain = pd.Series(["福州市鼓楼区（东街）", "é·", "\ufb01", None, "a\tb\r\n", "\uff08"], dtype=ARROW_STRING)
    assert quality.holding_control(plain).tolist() == [False] * 6
    assert quality.holding_nul(plain).tolist() == [False] * 6
    assert quality.holding_control(pa.chunked_array([pa.array([None, None], pa.string())])).tolist() == [False] * 2
