"""A timestamp written with its offset from UTC has one reading on the bureau's clock, which the
store keeps (contracts.md §1: "normalise what is unambiguous"). It was held as "timestamp is not
ISO", which it is (bbdrop's pass)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from credit.contract.sources import SOURCES
from credit.night.normalise import normalise

UPDATED_AT = next(c for c in SOURCES["registration"].columns if c.name == "updated_at")


@pytest.mark.parametrize(("written", "local"), [
    ("2026-07-01T02:00:00Z", "2026-07-01 10:00:00"),              # UTC
    ("2026-07-01T10:00:00+08:00", "2026-07-01 10:00:00"),         # the bureau's own offset
    ("2026-07-01 10:00+0800", "2026-07-01 10:00:00"),             # basic offset, no seconds
    ("2026-06-30T20:30:00.250-05:00", "2026-07-01 09:30:00.250000"),   # across midnight, fractions
    ("2026/7/1 02:00:00Z", "2026-07-01 10:00:00"),                 # a /-date as well
    ("2026-07-01T10:00:00", "2026-07-01T10:00:00"),               # no offset: as it was
    ("2026-07-01T25:00:00+08:00", "2026-07-01T25:00:00+08:00"),   # no such time: left for the check
])
def test_a_timestamp_with_an_offset_is_read_on_the_bureaus_clock(written: str, local: str) -> None:
    source = SOURCES["registration"]
    table = pa.table({c: pa.array([written if c == UPDATED_AT.name else None], pa.string())
                      for c in source.column_names})
    assert normalise(table, source)[UPDATED_AT.name].iloc[0] == local


@pytest.mark.parametrize("written", [
    "9999-12-31T23:59:59Z",          # a 'never' sentinel: on the bureau's clock it would be year 10000
    "0001-01-01T00:00:00+14:00",     # before year 1 in UTC
])
def test_a_timestamp_whose_reading_leaves_the_calendar_stays_for_the_checks(written: str) -> None:
    """Such a value raised OverflowError out of normalise (a traceback at ingest, not a held row);
    left as written, the date checks hold it (after the night, or too early)."""
    source = SOURCES["registration"]
    table = pa.table({c: pa.array([written if c == UPDATED_AT.name else None], pa.string())
                      for c in source.column_names})
    assert normalise(table, source)[UPDATED_AT.name].iloc[0] == written


def test_a_year_before_1000_keeps_its_four_digits() -> None:
    """strftime's %Y wrote year 999 as '999' on Linux: the row was then held as a timestamp that is
    not ISO, though it was written as one; with four digits the date checks name it too early."""
    source = SOURCES["registration"]
    table = pa.table({c: pa.array(["0999-06-01T12:00:00+08:00" if c == UPDATED_AT.name else None], pa.string())
                      for c in source.column_names})
    assert normalise(table, source)[UPDATED_AT.name].iloc[0].startswith("0999-06-01 ")
