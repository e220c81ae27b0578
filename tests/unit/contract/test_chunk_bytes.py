"""A chunk is bounded by its decoded bytes as well as its rows (drops5, issue 11: memory follows the
chunk, not the file): wide values make smaller chunks, never a chunk of rows × the bound of a record."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credit.contract.manifest import DropError, DropFile, iter_records
from credit.contract.records import RecordTooLarge, split_csv, split_csv_chunks
from credit.contract.sources import SOURCES
from tests.dropkit import code, registration_row

COLS = SOURCES["registration"].column_names


def _drop_file(path: Path, rows: int) -> DropFile:
    return DropFile(path.name, SOURCES["registration"], "full", rows, hashlib.sha256(path.read_bytes()).hexdigest(),
                    "utf-8" if path.suffix == ".csv" else None, path)


def _parquet(path: Path, names: pa.Array, **write: object) -> None:
    rows = len(names)
    base = registration_row(code(body="MA2B3C4D"))
    table = pa.table({c: names if c == "name" else pa.array([base[c]] * rows, pa.string()) for c in COLS})
    pq.write_table(table, path, store_schema=False, **write)  # type: ignore[arg-type]


def _text_bytes(table: pa.Table) -> int:
    return sum(len(v.encode()) for c in table.columns for v in c.to_pylist() if v is not None)


def test_one_wide_dictionary_value_in_every_row_is_read_in_chunks_of_the_byte_budget(tmp_path: Path) -> None:
    """A dictionary-encoded column whose one value is 4,000 bytes, in 300 rows: a few KB on disk,
    1.2 MB decoded. Chunks of 1,000 rows were one chunk of it all; now each chunk is the budget's."""
    path = tmp_path / "registration.parquet"
    _parquet(path, pa.DictionaryArray.from_arrays(pa.array(np.zeros(300, dtype=np.int32)), pa.array(["名" * 1333])))
    assert path.stat().st_size < 20_000
    chunks = list(iter_records(_drop_file(path, 300), 1000, max_record_bytes=10_000, max_chunk_bytes=50_000))
    assert sum(c.rows for c in chunks) == 300
    assert np.array_equal(np.concatenate([c.lines for c in chunks]), np.arange(300) + 2)
    assert [c.chunk for c in chunks] == list(range(len(chunks)))
    row = _text_bytes(chunks[0].table.slice(0, 1))
    assert all(_text_bytes(c.table) <= 50_000 for c in chunks), [_text_bytes(c.table) for c in chunks]
    assert len(chunks) >= 300 * row // 50_000
    assert chunks[0].table.column("name")[0].as_py() == "名" * 1333


def test_a_dictionary_value_over_the_bound_is_refused_before_its_rows_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "registration.parquet"
    _parquet(path, pa.DictionaryArray.from_arrays(pa.array([0, 0, 1, 0], pa.int32()), pa.array(["甲公司", "乙" * 2000])))
    with pytest.raises(DropError) as e:
        list(iter_records(_drop_file(path, 4), 1000, max_record_bytes=4000))
    assert (e.value.issue.code, e.value.issue.line) == ("value_too_large", 4)


def test_many_distinct_wide_values_in_one_row_group_are_read_in_smaller_batches(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct 4,000-byte values in one row group of 300 rows, each within the bound: the group's
    metadata tells its bytes, and it is read in batches of about the budget, not of 1,000 rows."""
    path = tmp_path / "registration.parquet"
    _parquet(path, pa.array([f"{i:04d}" + "x" * 3996 for i in range(300)]), compression="zstd", use_dictionary=False)
    sizes: list[object] = []
    real = pq.ParquetFile.iter_batches

    def spied(self: pq.ParquetFile, *args: object, **kwargs: object) -> object:
        sizes.append(kwargs.get("batch_size"))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spied)
    chunks = list(iter_records(_drop_file(path, 300), 1000, max_record_bytes=10_000, max_chunk_bytes=50_000))
    assert sum(c.rows for c in chunks) == 300
    assert all(isinstance(s, int) and s < 20 for s in sizes), sizes
    assert all(_text_bytes(c.table) <= 50_000 for c in chunks)
    assert np.array_equal(np.concatenate([c.lines for c in chunks]), np.arange(300) + 2)


def test_a_normal_parquet_file_is_chunked_by_rows_as_before(tmp_path: Path) -> None:
    path = tmp_path / "registration.parquet"
    _parquet(path, pa.array([f"公司{i}" for i in range(2500)]), row_group_size=700)
    chunks = list(iter_records(_drop_file(path, 2500), 1000))
    assert [c.rows for c in chunks] == [1000, 1000, 500]


@pytest.mark.parametrize("quoted", [False, True])
def test_csv_chunks_end_past_the_byte_budget_between_records(tmp_path: Path, quoted: bool) -> None:
    """300 lines of about 1,000 bytes in chunks of 10,000 lines were one chunk of 300 KB; with a
    budget of 50,000 bytes each chunk ends at the first record start past it (quoted values over
    two lines too: a cut never falls inside a record), and the records are the whole file's."""
    value = '"' + "y" * 500 + "\n" + "z" * 480 + '"' if quoted else "y" * 990
    data = ("a,b,c\n" + "".join(f"{i},{value},{i}\n" for i in range(300))).encode()
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    splits = list(split_csv_chunks(path, "utf-8", 10_000, max_chunk_bytes=50_000))
    assert len(splits) > 5
    assert all(_text_bytes(s.table) <= 50_000 + 1000 for s in splits)
    whole = split_csv(data)
    assert sum(s.records for s in splits) == whole.records == 300
    assert np.array_equal(np.concatenate([s.lines for s in splits]), whole.lines)
    assert not any(s.malformed for s in splits)


def test_one_mebibyte_dictionary_value_in_1500_rows_stays_within_bounded_memory(tmp_path: Path) -> None:
    """The hostile file at the default bounds, read as the night reads it, in a child process capped
    at 3 GB of address space: 1,500 rows of one value just under 1 MiB, a few KB on disk, decoded
    1.5 GB in one chunk (its peak resident memory over 1.5 GB). Now: chunks of 64 MiB."""
    path = tmp_path / "registration.parquet"
    _parquet(path, pa.DictionaryArray.from_arrays(pa.array(np.zeros(1500, dtype=np.int32)),
                                                  pa.array(["名" * ((1 << 20) // 3 - 20)])), compression="zstd")
    assert path.stat().st_size < 100_000
    found = _read_in_a_capped_child(path, 1500, cap_gb=3)
    assert found["rows"] == 1500 and found["chunks"] >= 20, found
    assert found["peak_mb"] < 700, found


@pytest.mark.parametrize("chunk_rows", [1, 2, 1000])
@pytest.mark.parametrize(("data", "line"), [
    (b"a,b,c\n1,2,3\n4,\"" + b"y" * 20 + b"\n" + b"z" * 25 + b"\n" + b"w" * 25 + b"\",6\n7,8,9\n", 3),   # a record
    (b"a,b,c\n1,2,3\n4,5,6\n7,\"" + b"q\n" * 20 + b"\n" * 40 + b"8,9\n", 4),         # a quote left open: a long read
    (b"a,b,c\n1,2,3\n4,\"" + b"v" * 30 + b"\n" + b"u" * 30 + b"\"x,6\n1,2,3\n", 3),   # a broken one, over lines
])
def test_a_read_over_lines_holding_more_than_the_byte_bound_is_refused_at_its_first_line(
        tmp_path: Path, data: bytes, line: int, chunk_rows: int) -> None:
    """Each line within the bound, the record spanning them not: a record took up to
    CREDIT_INGEST_MAX_RECORD_LINES × the bound (1 GB by default), held several times over."""
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(RecordTooLarge) as e:
        list(split_csv_chunks(path, "utf-8", chunk_rows, max_record_lines=30, max_record_bytes=40))
    assert (e.value.line, e.value.limit) == (line, 40)
    whole = split_csv(data, 30)
    assert sum(s.records for s in split_csv_chunks(path, "utf-8", chunk_rows, max_record_lines=30,
                                                   max_record_bytes=len(data))) == whole.records


def test_a_record_over_lines_is_refused_naming_file_line_and_rule(tmp_path: Path) -> None:
    cols = SOURCES["registration"].column_names
    row = registration_row(code(body="MA2B3C4D"))
    name = '"' + "\n".join(["甲" * 100] * 20) + '"'
    lines = [",".join(cols), ",".join(name if c == "name" else row[c] for c in cols)]
    path = tmp_path / "registration.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = _drop_file(path, 1)
    assert sum(r.rows for r in iter_records(df, 10, max_record_bytes=10_000)) == 1
    with pytest.raises(DropError) as e:
        list(iter_records(df, 10, max_record_bytes=4000))
    found = e.value.issue
    assert (found.file, found.line, found.code, found.level) == ("registration.csv", 2, "record_lines_too_large",
                                                                 "refusal")
    text = found.text()
    assert text.index("4000 字节") < text.index("4000 bytes") and "CREDIT_INGEST_MAX_RECORD_BYTES" in text


def test_reading_a_record_over_many_wide_lines_holds_a_few_reads_of_the_bound_not_the_record(tmp_path: Path) -> None:
    """Memory: a quoted value over 200 lines of 64 KB (12.8 MB) under a 64 KB bound was read whole,
    the reader holding it several times over (traced peak about nine times the record; 1,000 lines of
    1 MiB: GBs). Now the read is refused once the bytes read show it over the bound."""
    limit = 64 * 1024
    path = tmp_path / "f.csv"
    with open(path, "wb") as f:
        f.write(b"a,b,c\n1,2,3\n4,\"")
        for _ in range(200):
            f.write(b"x" * (limit - 10) + b"\n")
        f.write(b"\",6\n7,8,9\n")
    tracemalloc.start()
    try:
        with pytest.raises(RecordTooLarge) as e:
            list(split_csv_chunks(path, "utf-8", 150_000, max_record_bytes=limit))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert e.value.line == 3
    assert peak < 30 * (1 << 20), peak


def test_700_distinct_mebibyte_values_in_one_row_group_stay_within_bounded_memory(tmp_path: Path) -> None:
    """700 distinct names of just under 1 MiB in one row group, a page each (54 KB on disk): read as
    one chunk of 150,000 rows they were decoded whole (peak 1.3 GB at 700 rows, 150 GB at 150,000);
    read as a dictionary, the reader gathered them all into one (3.4 GB). Now: decoded batches of
    about 64 MiB, from the row group's metadata. Written and read in children capped at 6 GB."""
    path = tmp_path / "registration.parquet"
    writer = f"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
import pyarrow as pa, pyarrow.parquet as pq
from credit.contract.sources import SOURCES
from tests.dropkit import code, registration_row
cols = SOURCES["registration"].column_names
base = registration_row(code(body="MA2B3C4D"))
w = pq.ParquetWriter({str(path)!r}, pa.schema([(c, pa.string()) for c in cols]), compression="zstd",
                     use_dictionary=False, store_schema=False, write_batch_size=1, data_page_size=1 << 20)
w.write_table(pa.table({{c: pa.array([f"{{i:08d}}" + "x" * ((1 << 20) - 2100) for i in range(700)])
                         if c == "name" else pa.array([base[c]] * 700) for c in cols}}), row_group_size=700)
w.close()
"""
    made = subprocess.run([sys.executable, "-c", writer], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr[-2000:]
    assert path.stat().st_size < 200_000
    found = _read_in_a_capped_child(path, 700)
    assert found["rows"] == 700 and found["chunks"] >= 10, found
    assert found["peak_mb"] < 900, found


def _read_in_a_capped_child(path: Path, rows: int, cap_gb: int = 6) -> dict[str, float]:
    """Read a registration drop file as the night does, in a child capped at ``cap_gb`` GB of address
    space: its rows, its chunks and its peak resident memory."""
    child = f"""
import resource, json, hashlib
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({cap_gb} << 30, {cap_gb} << 30))
from credit.contract.manifest import DropFile, iter_records
from credit.contract.sources import SOURCES
path = Path({str(path)!r})
df = DropFile(path.name, SOURCES["registration"], "full", {rows}, hashlib.sha256(path.read_bytes()).hexdigest(), None, path)
rows = chunks = 0
for r in iter_records(df, 150_000):
    rows += r.rows
    chunks += 1
peak = [int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM")][0]
print(json.dumps({{"rows": rows, "chunks": chunks, "peak_mb": peak / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
    assert out.returncode == 0, out.stderr[-2000:]
    found: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return found
