"""The row rules' Arrow readings (issue 11, ingest's CPU per row) read what pandas read before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

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
def test_holding_unseen_is_the_rows_with_a_control_or_an_invisible_character(dtype: object) -> None:
    from credit.night.quality import holding_unseen

    control = ["甲\x07", "\x0b甲", "\x85x", "\x9f", "\x7f", "\x1f", "\ufffe", "\U0010ffff", "\ufdd5", "\ufeff甲"]
    # zero-width space, non-joiner, joiner, word joiner, a direction override, a soft hyphen, a tag (drops4)
    invisible = ["杭州\u200b甲", "\u200c1号", "甲\u200d", "\u2060", "\u202e甲", "a\u00adb", "甲\U000e0041"]
    kept = ["a\tb", "a\nb", "a\r\nb", "正常 名称", "\u3000甲", "", "\x00", "甲\u2028乙"]   # NUL: its own rule (nul_byte)
    s = pd.Series([*control, *invisible, "\x07\u200b", *kept, None], dtype=dtype)
    got_control, got_invisible = holding_unseen(s)
    assert got_control.tolist() == [True] * len(control) + [False] * len(invisible) + [True] + [False] * (len(kept) + 1)
    assert got_invisible.tolist() == [False] * len(control) + [True] * len(invisible) + [True] + [False] * (len(kept) + 1)
    arrow = holding_unseen(pa.chunked_array([pa.array([*control, *invisible, "\x07\u200b", *kept, None])]))
    assert [m.tolist() for m in arrow] == [got_control.tolist(), got_invisible.tolist()]


@pytest.mark.parametrize("dtype", [ARROW_STRING, object])
def test_holding_line_break_is_the_rows_with_a_line_break_inside(dtype: object) -> None:
    from credit.night.quality import holding_line_break

    s = pd.Series(["a\nb", "a\r\nb", "a\rb", "甲\u2028乙", "甲\u2029乙", "a\tb", "正常 名称", "", None], dtype=dtype)
    assert holding_line_break(s).tolist() == [True] * 5 + [False] * 4
