"""The byte bound of a record (``Settings.ingest_max_record_bytes``): a physical line over it refuses
the file, found as the bytes are read, before the line is held (docs/night-safety.md)."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credit.contract import records
from credit.contract.manifest import DropError, DropFile, iter_records, read_records
from credit.contract.records import (
    MAX_RECORD_BYTES,
    MAX_RECORD_LINES,
    LineTooLong,
    split_csv,
    split_csv_chunks,
)
from credit.contract.sources import KEY_LENGTH, SOURCES
from tests.dropkit import code, registration_row

HEAD = b"a,b,c\n"


def _chunks(path: Path, chunk_rows: int, limit: int, encoding: str = "utf-8") -> int:
    """The records a chunked read of ``path`` gives (raises as the read does)."""
    return sum(s.records for s in split_csv_chunks(path, encoding, chunk_rows, max_record_bytes=limit))


@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
@pytest.mark.parametrize(("data", "line"), [
    (HEAD + b"1,2,3\n" + b"4,5," + b"x" * 30 + b"\n7,8,9\n", 3),        # a long line amid short ones
    (HEAD + b"1,2,3\n4,5,6\n" + b"x" * 40, 4),                          # the last line, no line end
    (b"x" * 40, 1),                                                     # a file of one line, no line end
    (b"\xef\xbb\xbf" + b"a,b," + b"c" * 40 + b"\n1,2,3\n", 1),          # the header, after a BOM
    (HEAD + b'1,"' + b"y" * 10 + b"\n" + b"z" * 40 + b'",3\n', 3),      # inside a quoted value over lines
    (HEAD + b'1,"' + b"y" * 40 + b"\n4,5,6\n", 2),                      # a quote left open in a long line
    (b"a,b,c\r1,2,3\r" + b"q" * 40 + b"\r", 3),                         # CR-only line ends
    (b"a,b,c\r\n1,2,3\r\n" + b"w" * 30 + b"\r\n", 3),                   # CRLF: the CR is a byte of the line
])
def test_a_line_over_the_byte_bound_is_refused_at_its_line(tmp_path: Path, data: bytes, line: int,
                                                            chunk_rows: int) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(LineTooLong) as chunked:
        _chunks(path, chunk_rows, 29)
    assert (chunked.value.line, chunked.value.limit) == (line, 29)
    with pytest.raises(LineTooLong) as whole:
        split_csv(data.removeprefix(b"\xef\xbb\xbf"), MAX_RECORD_LINES, 29)
    assert whole.value.line == line


@pytest.mark.parametrize("chunk_rows", [1, 3, 1000])
def test_lines_up_to_the_bound_are_read_as_before(tmp_path: Path, chunk_rows: int) -> None:
    """A line of exactly the bound (its LF not counted, the CR of a CRLF counted) is a line like any
    other; a record over two lines within it too (its bytes together: 4 + 1 + 23)."""
    data = HEAD + b"1,2," + b"x" * 24 + b"\r\n" + b'4,"\n' + b"y" * 20 + b'",6\n' + b"7,8,9"
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert _chunks(path, chunk_rows, 29) == split_csv(data).records == 3
    with pytest.raises(LineTooLong):
        _chunks(path, chunk_rows, 28)


def test_the_bound_is_seen_across_the_reads_of_a_large_file(tmp_path: Path) -> None:
    """The line over the bound starts in one read and ends in another; the lines before it are
    counted over every read (no line is named wrongly after a chunk was cut)."""
    rows = 30_000
    data = HEAD + b"".join(b"%d,x,y\n" % i for i in range(rows)) + b"1,2," + b"z" * 5000 + b"\n1,2,3\n"
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(LineTooLong) as e:
        _chunks(path, 1000, 4096)
    assert e.value.line == rows + 2
    assert _chunks(path, 1000, 5004) == rows + 2


def test_reading_a_huge_line_holds_a_few_reads_of_the_bound_not_the_line(tmp_path: Path) -> None:
    """Memory: a file whose third line is 24 MB (no line end: an export cut short, or a quote left
    open in it) was read whole into the client, and a 2 GB one took GBs. Now the read stops at
    the first piece that shows the line over the bound: the reader's peak (traced allocations) is a
    few pieces of :func:`records.piece_size`, whatever the line's size."""
    limit = 256 * 1024
    path = tmp_path / "f.csv"
    with open(path, "wb") as f:
        f.write(HEAD + b"1,2,3\n" + b'4,"')
        for _ in range(24):
            f.write(b"x" * (1 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(LineTooLong) as e:
            _chunks(path, 150_000, limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert e.value.line == 3
    assert peak < 2 * records.piece_size(limit) + (1 << 20), peak
    assert peak < 12 * (1 << 20), peak


def test_the_default_bound_is_far_above_any_contract_line() -> None:
    """The widest registration line the contract allows (a 200-character name, an address of
    hundreds of characters, keys of 200) is a few KB in GB 18030 or UTF-8: 1 MiB leaves room for any
    real row and none for a broken export."""
    from credit.settings import Settings

    assert Settings.model_fields["ingest_max_record_bytes"].default == MAX_RECORD_BYTES == 1 << 20
    row = registration_row(code(body="MA2B3C4D"), name="甲" * 200, address="乙" * 2000,
                           legal_rep_hash="h" * KEY_LENGTH)
    line = ",".join(row[c] for c in SOURCES["registration"].column_names).encode()
    assert len(line) * 100 < MAX_RECORD_BYTES


def _drop_file(path: Path, rows: int, source: str = "registration") -> DropFile:
    data = path.read_bytes()
    return DropFile(path.name, SOURCES[source], "full", rows, hashlib.sha256(data).hexdigest(),
                    "utf-8" if path.suffix == ".csv" else None, path)


def _reg_csv(tmp_path: Path, name: str) -> Path:
    cols = SOURCES["registration"].column_names
    lines = [",".join(cols)] + [",".join(registration_row(u, name=n)[c] for c in cols)
                                for u, n in ((code(body="MA2B3C4D"), "甲公司"), (code(body="MA2B3C4E"), name))]
    path = tmp_path / "registration.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_csv_over_the_bound_is_refused_naming_file_line_and_rule(tmp_path: Path) -> None:
    path = _reg_csv(tmp_path, "乙" * 400)           # 1,200 bytes of name
    df = _drop_file(path, 2)
    assert sum(r.rows for r in iter_records(df, 10, max_record_bytes=2000)) == 2
    for read in (lambda: list(iter_records(df, 10, max_record_bytes=1000)),
                 lambda: read_records(df, max_record_bytes=1000)):
        with pytest.raises(DropError) as e:
            read()
        found = e.value.issue
        assert (found.file, found.line, found.code, found.level) == ("registration.csv", 3, "record_too_large",
                                                                     "refusal")
        text = found.text()
        assert text.index("1000 字节") < text.index("1000 bytes") and "CREDIT_INGEST_MAX_RECORD_BYTES" in text


def _reg_parquet(tmp_path: Path, names: list[str], row_group_size: int) -> Path:
    cols = SOURCES["registration"].column_names
    rows = [registration_row(code(body=f"MA2B3C{i:02d}"[:8]), name=n) for i, n in enumerate(names)]
    table = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in cols})
    path = tmp_path / "registration.parquet"
    pq.write_table(table, path, row_group_size=row_group_size, use_dictionary=False)
    return path


def test_a_parquet_row_group_over_the_bound_a_row_is_refused_before_it_is_read(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Its metadata tells a row group's uncompressed bytes: over the bound times its rows, some row
    is over the bound, and the group (read whole by pyarrow, whatever the batch) is never read."""
    path = _reg_parquet(tmp_path, ["甲公司", "乙公司", "丙" * 3000, "丁公司"], row_group_size=2)
    df = _drop_file(path, 4)
    read_groups: list[object] = []
    real = pq.ParquetFile.iter_batches

    def spied(self: pq.ParquetFile, *args: object, **kwargs: object) -> object:
        read_groups.append(args)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spied)
    with pytest.raises(DropError) as e:
        list(iter_records(df, 10, max_record_bytes=4000))
    assert (e.value.issue.code, e.value.issue.line) == ("row_group_too_large", 4)
    assert read_groups == []
    assert "第 2 个" in e.value.issue.zh
    assert sum(r.rows for r in iter_records(df, 10, max_record_bytes=10_000)) == 4


def test_a_parquet_value_over_the_bound_is_refused_at_its_line(tmp_path: Path) -> None:
    """One huge value among many small rows: the group's average is within the bound, the value is not."""
    path = _reg_parquet(tmp_path, ["丙" * 3000] + [f"公司{i}" for i in range(40)], row_group_size=1000)
    df = _drop_file(path, 41)
    for read in (lambda: list(iter_records(df, 10, max_record_bytes=4000)),
                 lambda: read_records(df, max_record_bytes=4000)):
        with pytest.raises(DropError) as e:
            read()
        assert (e.value.issue.code, e.value.issue.line) == ("value_too_large", 2)
        assert "name" in e.value.issue.text()
    assert sum(r.rows for r in iter_records(df, 10, max_record_bytes=10_000)) == 41
