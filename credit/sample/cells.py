"""Arrow string columns from integer columns: ISO dates, yuan amounts, joined and padded text.

Every drop column is text (contracts.md §1); these helpers build it without a per-row Python step.
"""

from __future__ import annotations

from typing import Any, Final, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.sample.context import day

Text: TypeAlias = "pa.Array[Any]"
"""A column of text; pyarrow-stubs type most compute results loosely, so the element type is open."""

_DATE_LO, _DATE_HI = day(1900), day(2100)
_DATE_TEXT: Final = pa.array(np.arange(_DATE_LO, _DATE_HI).astype("datetime64[D]").astype(str), pa.string())


def date_text(days: np.ndarray) -> Text:
    """ISO dates; negative means empty (unknown). A lookup is ~10x faster than casting dates."""
    a = np.asarray(days, dtype=np.int64)
    empty = a < 0
    if ((a < _DATE_LO) & ~empty).any() or (a >= _DATE_HI).any():  # pragma: no cover - far dates
        return pa.array(a.astype(np.int32), pa.int32(), mask=empty).cast(pa.date32()).cast(pa.string())
    return _DATE_TEXT.take(pa.array(a - _DATE_LO, pa.int64(), mask=empty if empty.any() else None))


def as_text(values: np.ndarray) -> Text:
    """Numbers as their decimal text."""
    out: Text = pa.array(np.asarray(values)).cast(pa.string())
    return out


def joined(*parts: Text | str, separator: str = "", skip_nulls: bool = False) -> Text:
    """Row-wise concatenation of columns and constants; a null part makes the row null unless skipped."""
    # pyarrow-stubs want one type for every part and the separator; Arrow takes columns and strings.
    out: Text = pc.binary_join_element_wise(  # type: ignore[call-overload]  # see the line above
        *parts, separator, null_handling="skip" if skip_nulls else "emit_null")
    return out


def money(cents: np.ndarray, empty: np.ndarray | None = None) -> Text:
    """Yuan with exactly two decimals, from integer cents (no float formatting surprises)."""
    c = np.asarray(cents, dtype=np.int64)
    out = joined(as_text(c // 100), padded(c % 100, 2), separator=".")
    if empty is not None and empty.any():
        blank: Text = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), out)
        return blank
    return out


def padded(values: np.ndarray, width: int) -> Text:
    """Numbers as text, left-padded with zeros to `width`."""
    return pc.utf8_lpad(as_text(values), width, "0")
