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

# The bytes' pre-checks (issue 11 stop 41): the rows found are the kernels' over every value.
_EDGES = ["\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x0e", "\x1f", " ", "~", "\x7f", "\x80",
          "\x9f", "\xa0", "\xac", "\xad", "\xae", "·", "é", "\u0600", "\u0605", "\u0606", "\u061c", "\u06dd",
          "\u070f", "\u0890", "\u08e2", "\u180e", "\u200a", "\u200b", "\u200f", "\u2010", "“", "—", "…",
          "\u2028", "\u2029", "\u202a", "\u202e", "\u202f", "\u205f", "\u2060", "\u2064", "\u2065", "\u2066",
          "\u206f", "\u2070", "\ufdcf", "\ufdd0", "\ufdef", "\ufdf0", "\ufefe", "\ufeff", "\uff08", "\ufff9",
          "\ufffb", "\ufffd", "\ufffe", "\uffff", "\U0001fffd", "\U0001fffe", "\U000e0001", "\U000e0020",
          "\U0010ffff", "😀", "甲", "a"]


def _reference(arr: pa.ChunkedArray, pattern: str, regex: bool) -> list[bool]:
    found = pc.match_substring_regex(arr, pattern) if regex else pc.match_substring(arr, pattern)
    return [bool(v) for v in pc.fill_null(found, False).to_pylist()]


@given(st.lists(st.one_of(st.none(), st.lists(st.sampled_from(_EDGES), max_size=4).map("".join),
                          st.text(max_size=6)), max_size=4),
       st.integers(0, 3), st.booleans())
def test_the_bytes_precheck_finds_what_the_kernel_finds(values: list[str | None], cut: int, large: bool) -> None:
    from credit.night.quality import LINE_BREAK_CLASS, UNSEEN_CLASS, holding_line_break, holding_unseen

    kind = pa.large_string() if large else pa.string()
    # sliced: the bytes outside a slice stay in its buffer (a held character there may make the
    # pre-check True, never False: plain text around, else no example would test the pre-check)
    whole = pa.array(["甲", *values, "乙"], kind)
    arr = pa.chunked_array([whole.slice(1, len(values) // 2 + cut), whole.slice(1 + len(values) // 2 + cut)], kind)
    control, invisible = holding_unseen(arr)
    assert (control | invisible).tolist() == _reference(arr, UNSEEN_CLASS, True)
    s = pd.Series(arr.to_pylist(), dtype=ARROW_STRING)
    control, invisible = holding_unseen(s)
    assert (control | invisible).tolist() == _reference(arr, UNSEEN_CLASS, True)
    assert holding_nul(s).tolist() == _reference(arr, "\x00", False)
    assert holding_line_break(s).tolist() == _reference(arr, LINE_BREAK_CLASS, True)


@pytest.mark.parametrize("edge", _EDGES, ids=[f"U+{ord(e[0]):04X}" for e in _EDGES])
def test_each_edge_character_alone_is_found_as_the_kernel_finds_it(edge: str) -> None:
    """One value, alone in its buffer, around plain text: the pre-check is all that decides (the
    property test above mixes values, and one held value anywhere in a buffer sends it to the kernel)."""
    from credit.night.quality import LINE_BREAK_CLASS, UNSEEN_CLASS, holding_line_break, holding_unseen

    for text in (edge, f"甲{edge}", f"{edge}乙", f"a{edge}b"):
        arr = pa.chunked_array([pa.array([text])])
        control, invisible = holding_unseen(arr)
        assert (control | invisible).tolist() == _reference(arr, UNSEEN_CLASS, True), text
        s = pd.Series([text], dtype=ARROW_STRING)
        assert holding_line_break(s).tolist() == _reference(arr, LINE_BREAK_CLASS, True), text
        assert holding_nul(s).tolist() == _reference(arr, "\x00", False), text


def test_text_without_any_such_byte_is_not_read_by_the_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    from credit.night import quality

    def unused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kernel read a column whose bytes hold none of what it looks for")

    monkeypatch.setattr(quality.pc, "match_substring_regex", unused)
    monkeypatch.setattr(quality.pc, "match_substring", unused)
    plain = pd.Series(["福州市鼓楼区（东街）", "é·", "\ufb01", None, "a\tb", "\uff08", "“引号”—…"], dtype=ARROW_STRING)
    assert [m.tolist() for m in quality.holding_unseen(plain)] == [[False] * 7] * 2
    assert quality.holding_nul(plain).tolist() == [False] * 7
    assert quality.holding_line_break(plain).tolist() == [False] * 7
    empty = pa.chunked_array([pa.array([None, None], pa.string())])
    assert [m.tolist() for m in quality.holding_unseen(empty)] == [[False] * 2] * 2


def test_a_columns_chunks_are_prechecked_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSV reader gives a column a chunk per mebibyte it parsed: the pre-check reads their
    buffers together, one call for the column, not one per chunk (issue 11: the calls' own cost was
    a third of registration's row rules)."""
    from credit.night import quality

    calls: list[int] = []
    unseen = quality._unseen_bytes

    def counted(data: np.ndarray) -> bool:
        calls.append(len(data))
        return unseen(data)

    monkeypatch.setattr(quality, "_unseen_bytes", counted)
    parts = [pa.array([f"杭州{i}甲公司", "（东街）", None]) for i in range(5)]
    control, invisible = quality.holding_unseen(pa.chunked_array(parts))
    assert calls == [sum(p.buffers()[2].size for p in parts)]
    assert not control.any() and not invisible.any()
    held = pa.chunked_array([*parts, pa.array(["杭州\u200b甲公司"])])
    control, invisible = quality.holding_unseen(held)
    assert invisible.tolist() == [False] * 15 + [True] and not control.any()


@pytest.mark.parametrize("end", [b"\xe2", b"\xe2\x80", b"\xc2", b"\xef\xbb", b"\xf3\xa0\x80"])
def test_a_buffer_ending_inside_a_character_is_not_read_with_the_next_one(end: bytes) -> None:
    """Never valid UTF-8, but the pre-check does not lean on it: a buffer ending with a lead byte
    short of its followers is not joined to the next (whose first bytes would be read as them),
    and the column is left to the kernel, as when each buffer was checked alone."""
    from credit.night import quality

    data = "甲".encode() + end
    broken = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, len(data)], np.int32).tobytes()),
                                                    pa.py_buffer(data)])
    assert quality._may_hold(pa.chunked_array([broken, pa.array(["乙"])]), quality._unseen_bytes)
