"""The bytes ingested are the bytes the manifest's SHA-256 lists (contracts.md §1; hostile review D1).

The checksum is checked when the manifest is read, and again over the bytes each read of a file
actually takes: a file changed after the opening checks (a re-delivery, a race with the platform)
is refused ``sha256_mismatch`` by the read that sees it, a whole read or a partial re-read, never
ingested under the manifest's checksum.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from credit.contract.manifest import (
    DropError,
    DropFile,
    ReadDigest,
    iter_records,
    read_manifest,
    read_records,
)
from tests.dropkit import code, csv_bytes, parquet_bytes, write_night

NIGHT = date(2026, 7, 13)


def _report(i: int, employees: str = "12") -> dict[str, str]:
    return {"uscc": code(body=f"MA2B3C{i:02d}"), "report_year": "2024", "filed_on": "2025-05-20",
            "employees": employees, "revenue": "1200000.50", "total_tax": "35000"}


ROWS = [_report(i) for i in range(40)]
OTHER = [_report(i, employees="999") for i in range(40)]     # as many records, other content


def _file(tmp_path: Path, name: str = "annual_reports.csv") -> DropFile:
    content = csv_bytes("annual_reports", ROWS) if name.endswith(".csv") else parquet_bytes("annual_reports", ROWS)
    write_night(tmp_path, NIGHT, {name: ("annual_reports", "full", content, "utf-8" if name.endswith(".csv") else None,
                                         len(ROWS))})
    return read_manifest(tmp_path, NIGHT).file(name)


def _swap(df: DropFile) -> None:
    """Replace the file by another one with as many records, as a platform re-delivering it would."""
    data = csv_bytes("annual_reports", OTHER) if df.format == "csv" else parquet_bytes("annual_reports", OTHER)
    tmp = df.path.with_suffix(".new")
    tmp.write_bytes(data)
    tmp.replace(df.path)


def _refused(e: pytest.ExceptionInfo[DropError], df: DropFile) -> None:
    found = e.value.issue
    assert (found.file, found.code) == (df.file, "sha256_mismatch")
    assert df.sha256 in found.text()
    assert hashlib.sha256(df.path.read_bytes()).hexdigest() in found.text()


def test_an_unchanged_file_is_read_and_its_hash_is_the_hash_of_what_was_read(tmp_path: Path) -> None:
    df = _file(tmp_path)
    read = ReadDigest()
    rows = sum(r.rows for r in iter_records(df, 7, read=read))
    assert rows == len(ROWS) and read.sha256 == df.sha256
    again = ReadDigest()
    assert [r.chunk for r in iter_records(df, 7, only={1, 3}, read=again)] == [1, 3]
    assert again.sha256 == df.sha256


@pytest.mark.parametrize("name", ["annual_reports.csv", "annual_reports.parquet"])
def test_a_file_replaced_after_the_manifest_was_read_is_refused_by_the_chunked_read(tmp_path: Path, name: str) -> None:
    df = _file(tmp_path, name)
    _swap(df)
    with pytest.raises(DropError) as e:
        list(iter_records(df, 7))
    _refused(e, df)


@pytest.mark.parametrize("name", ["annual_reports.csv", "annual_reports.parquet"])
def test_a_file_replaced_after_the_manifest_was_read_is_refused_by_the_whole_read(tmp_path: Path, name: str) -> None:
    df = _file(tmp_path, name)
    _swap(df)
    with pytest.raises(DropError) as e:
        read_records(df)
    _refused(e, df)


@pytest.mark.parametrize("name", ["annual_reports.csv", "annual_reports.parquet"])
def test_a_file_replaced_between_the_whole_read_and_the_partial_reread_is_refused_by_the_reread(
        tmp_path: Path, name: str) -> None:
    """The duplicates' second read (``only``) reads a few chunks: it must not take another file's
    rows for the chunks the first read judged."""
    df = _file(tmp_path, name)
    assert sum(r.rows for r in iter_records(df, 7)) == len(ROWS)
    _swap(df)
    with pytest.raises(DropError) as e:
        list(iter_records(df, 7, only={1}))
    _refused(e, df)
    with pytest.raises(DropError) as e:    # the rows at some lines alone (the candidates' second read)
        list(iter_records(df, 7, only={1: np.array([10, 12])}))
    _refused(e, df)


@pytest.mark.parametrize("name", ["annual_reports.csv", "annual_reports.parquet"])
def test_a_reread_of_some_lines_gives_the_rows_of_the_whole_read_at_those_lines(tmp_path: Path, name: str) -> None:
    df = _file(tmp_path, name)
    whole = {r.chunk: r for r in iter_records(df, 7)}
    wanted = {1: whole[1].lines[[4, 0]], 3: whole[3].lines[[-1]], 5: whole[5].lines}
    again = ReadDigest()
    got = list(iter_records(df, 7, only=wanted, read=again))
    assert [r.chunk for r in got] == [1, 3, 5] and again.sha256 == df.sha256
    for r in got:
        keep = np.isin(whole[r.chunk].lines, wanted[r.chunk])
        assert r.table.to_pylist() == whole[r.chunk].table.filter(pa.array(keep)).to_pylist()
        assert r.lines.tolist() == whole[r.chunk].lines[keep].tolist() and r.malformed == ()


def test_a_file_overwritten_in_place_while_its_chunks_are_read_is_refused(tmp_path: Path) -> None:
    """Changed under the open file (same inode), after its first chunks were read and staged."""
    rows = [_report(i % 90, employees=str(i)) for i in range(6000)]    # more than one block of the reader
    content = csv_bytes("annual_reports", rows)
    assert len(content) > 1 << 18
    write_night(tmp_path, NIGHT, {"annual_reports.csv": ("annual_reports", "full", content, "utf-8", len(rows))})
    df = read_manifest(tmp_path, NIGHT).file("annual_reports.csv")
    chunks: Iterator[object] = iter(iter_records(df, 100))
    next(chunks)
    with open(df.path, "r+b") as f:          # the last line's employees 5999 → 5990: same size, same rows
        f.seek(len(content) - len(b"5999,1200000.50,35000\n"))
        f.write(b"5990")
    with pytest.raises(DropError) as e:
        list(chunks)
    _refused(e, df)


def test_a_cr_only_file_whose_line_ends_change_during_the_read_is_refused(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a file's lines end at CRs is decided by a scan before its chunks are read; a file
    that changes between the scan and the read must not be split by another file's line ends."""
    content = csv_bytes("annual_reports", ROWS).replace(b"\n", b"\r")
    write_night(tmp_path, NIGHT, {"annual_reports.csv": ("annual_reports", "full", content, "utf-8", len(ROWS))})
    df = read_manifest(tmp_path, NIGHT).file("annual_reports.csv")
    assert sum(r.rows for r in iter_records(df, 7)) == len(ROWS)
    monkeypatch.setattr("credit.contract.records._cr_only", lambda path, limit: False)   # the scan saw an LF
    with pytest.raises(DropError) as e:
        list(iter_records(df, 7))
    assert (e.value.issue.file, e.value.issue.code) == (df.file, "file_changed")
