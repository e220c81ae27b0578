"""Splitting CSV into records with their true physical lines (credit.contract.records, issue 14)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.contract.records import MAX_RECORD_LINES, NoHeader, WrongEncoding, split_csv, split_csv_chunks

HEADER = "a,b,c"


def test_lines_count_the_header_blank_lines_and_continuation_lines() -> None:
    data = b'\na,b,c\r\n\r\n1,2,3\r\n"x\ny",2,3\n\n4,5,6\n'
    s = split_csv(data)
    assert s.header_line == 2
    assert s.table.to_pylist() == [{"a": "1", "b": "2", "c": "3"}, {"a": "x\ny", "b": "2", "c": "3"},
                                   {"a": "4", "b": "5", "c": "6"}]
    assert s.lines.tolist() == [4, 5, 8] and s.malformed == [] and s.records == 3


def test_a_broken_record_is_kept_with_its_line_and_the_next_line_is_read() -> None:
    s = split_csv(b'a,b,c\n1,"open,3\n4,5,6\n7,8\n9,9,9,9\n"q"x,1,2\n')
    assert s.lines.tolist() == [3]
    assert [(m.line, m.rule) for m in s.malformed] == [
        (2, "malformed_quote"), (4, "malformed_field_count"), (5, "malformed_field_count"), (6, "malformed_record")]
    assert s.records == 5


@pytest.mark.parametrize("chunk_rows", [1, 2, 100])
@pytest.mark.parametrize("quoted", [False, True])
def test_a_line_of_only_spaces_or_tabs_is_a_record_an_empty_line_is_not(quoted: bool, chunk_rows: int) -> None:
    """contracts.md §1 does not define a blank line (its only word on spaces: "Real files also carry
    ... stray spaces ...: normalise what is unambiguous, quarantine what is not"); docs/night-safety.md
    makes it precise: "a blank line is not a record" and "a line of spaces is one: it is not blank".
    That reading is kept, so that the ``rows`` a producer counts do not change silently: an empty
    line (nothing, or a bare line end) is not a record; a line of spaces or tabs is one, counted and
    quarantined (too few fields) at its line, by the fast and the general path alike, whole or in
    chunks, and a row of a one-column file."""
    data = b"a,b,c\n1,2,3\n\n   \n\r\n\t \t\r\n4,5,6\n" + (b'"7",8,9\n' if quoted else b"7,8,9\n")
    s = split_csv(data)
    assert s.lines.tolist() == [2, 7, 8]
    assert [(m.line, m.rule, m.text, m.found) for m in s.malformed] == [
        (4, "malformed_field_count", "   ", 1), (6, "malformed_field_count", "\t \t", 1)]
    assert s.records == 5
    assert _chunked(data, chunk_rows) == _whole(s)
    one = split_csv(b"a\n1\n  \n\n2\n")    # a one-column file: a line of spaces is a row, its value spaces
    assert one.table.column("a").to_pylist() == ["1", "  ", "2"] and one.lines.tolist() == [2, 3, 5]


def test_the_fast_and_the_general_path_agree() -> None:
    plain = b"a,b,c\n\n1,2,3\n4,5\n\n6,7,8\n"
    quoted = plain.replace(b"6,", b'"6",')
    fast, general = split_csv(plain), split_csv(quoted)
    assert fast.table.to_pylist() == general.table.to_pylist()
    assert fast.lines.tolist() == general.lines.tolist() == [3, 6]
    assert [(m.line, m.rule) for m in fast.malformed] == [(m.line, m.rule) for m in general.malformed]


values = st.text(alphabet=st.sampled_from(list('ab,"\n 甲\r')), max_size=6)


@given(st.lists(st.tuples(st.tuples(values, values, values), st.integers(0, 2)), max_size=8))
def test_any_well_formed_file_comes_back_row_for_row_at_its_lines(rows: list[tuple[tuple[str, str, str], int]]) -> None:
    buf = io.StringIO()
    buf.write(HEADER + "\n")
    line = 2
    expected_lines = []
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for fields, blanks in rows:
        buf.write("\n" * blanks)
        line += blanks
        expected_lines.append(line)
        before = buf.tell()
        w.writerow(fields)
        line += buf.getvalue()[before:].count("\n")
    s = split_csv(buf.getvalue().encode())
    assert s.malformed == []
    assert [tuple(r.values()) for r in s.table.to_pylist()] == [f for f, _ in rows]
    assert s.lines.tolist() == expected_lines
    for chunk_rows in (1, 2, 5):   # in chunks (issue 11): the same records at the same lines
        assert _chunked(buf.getvalue().encode(), chunk_rows) == _whole(s)


# -- in chunks (issue 11) ----------------------------------------------------------------------
def _whole(s: object) -> tuple[list[tuple[object, ...]], list[int], list[tuple[int, str, str]]]:
    from credit.contract.records import Split

    assert isinstance(s, Split)
    return ([tuple(r.values()) for r in s.table.to_pylist()], s.lines.tolist(),
            [(m.line, m.rule, m.text) for m in s.malformed])


def _chunked(data: bytes, chunk_rows: int, encoding: str = "utf-8", max_record_lines: int = MAX_RECORD_LINES,
             max_record_bytes: int = 1 << 20) -> tuple[
        list[tuple[object, ...]], list[int], list[tuple[int, str, str]]]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(data)
        rows: list[tuple[object, ...]] = []
        lines: list[int] = []
        malformed: list[tuple[int, str, str]] = []
        for s in split_csv_chunks(path, encoding, chunk_rows, max_record_lines=max_record_lines,
                                  max_record_bytes=max_record_bytes):
            part = _whole(s)
            rows += part[0]
            lines += part[1]
            malformed += part[2]
        return rows, lines, malformed


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 100])
@pytest.mark.parametrize("data", [
    b'\na,b,c\r\n\r\n1,2,3\r\n"x\ny",2,3\n\n4,5,6\n',
    b"\xef\xbb\xbfa,b,c\n\n1,2,3\n4,5\n\n6,7,8\n9,9,9",
    b'a,b,c\n1,2,3\n4,5\n7,8\n9,9,9,9\n"q"x,1,2\n',
    b"\n\n\n\na,b,c\n1,2,3\n",
])
def test_a_file_in_chunks_gives_the_records_lines_and_malformed_records_of_the_whole(data: bytes,
                                                                                      chunk_rows: int) -> None:
    assert _chunked(data, chunk_rows) == _whole(split_csv(data.removeprefix(b"\xef\xbb\xbf")))


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 4])
@pytest.mark.parametrize("data", [
    # a lone quote inside an unquoted value (the reader keeps it as a character), then a quoted line break
    b'a,b,c\n1,x"y,3\n4,5,6\n7,8,9\n2,"p\nq",4\n5,6,7\n8,9,10\n',
    # an unbalanced quote at a value's start (a broken record, the next line read on), then a quoted line break
    b'a,b,c\n1,"x,3\n4,5,6\n7,8,9\n2,"p\nq",4\n5,6,7\n8,9,10\n',
    # a quoted line break in a record of too few fields: read again from its second line, whose quote opens a value
    b'a,b,c\n1,"x\n",y\nz,2\n3,4,5\n"m\nn",6,7\n8,9,10\n',
])
def test_in_chunks_a_stray_quote_does_not_cut_a_quoted_line_break(data: bytes, chunk_rows: int) -> None:
    """Chunks are cut where the whole file's reader is between records (hostile pass, bbin): a quote
    counted by parity alone cut a quoted value in two, and a valid record became two broken ones
    (the night refused with ``row_count_mismatch``, or the record quarantined, by chunk size)."""
    assert _chunked(data, chunk_rows) == _whole(split_csv(data))
    every = [c for c, _ in _chunks(data, chunk_rows)]
    for c in every:   # a second read of one chunk cuts the file at the same places
        assert _chunks(data, chunk_rows, only={c}) == [(c, part) for k, part in _chunks(data, chunk_rows) if k == c]


# Parts of a text, and a bound on a record's lines (CREDIT_INGEST_MAX_RECORD_LINES): the small
# bounds make quoted values over many lines, and quotes open to the end of the file, records too long.
PARTS = ["a", "1", ",", '"', "\n", "\n", '"\n', "\r\n", ',"', '",']
BOUNDS = st.sampled_from([1, 2, 3, 4, 7, MAX_RECORD_LINES])
# a quoted value over many lines, closed or not (a quote open to the end of the file when it comes last)
LONG = st.integers(2, 12).map(lambda n: '"' + "x\n" * n + '"') | st.integers(2, 12).map(lambda n: ',"' + "y\n" * n)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PARTS) | LONG, min_size=5, max_size=60), st.sampled_from([1, 2, 3, 5]), BOUNDS)
def test_in_chunks_any_text_of_quotes_and_line_breaks_reads_as_the_whole(parts: list[str], chunk_rows: int,
                                                                         bound: int) -> None:
    data = ("h1,h2,h3\n" + "".join(parts)).encode()
    try:
        whole = _whole(split_csv(data, bound))
    except NoHeader:
        return
    assert _chunked(data, chunk_rows, max_record_lines=bound) == whole


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*PARTS, '""']) | LONG, min_size=5, max_size=80),
       st.sampled_from([1, 2, 3, 5]), st.integers(1, 12), BOUNDS)
def test_in_chunks_read_a_few_bytes_at_a_time_any_text_reads_as_the_whole(parts: list[str], chunk_rows: int,
                                                                         read: int, bound: int) -> None:
    """As above, the file read ``read`` bytes at a time: where a chunk ends is found again as more of
    the file is read (a quoted value still open is read on from where it was, not from its start,
    and is a record too long once it has taken ``bound`` lines)."""
    from credit.contract import records

    data = ("h1,h2,h3\n" + "".join(parts)).encode()
    try:
        whole = _whole(split_csv(data, bound))
    except NoHeader:
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(records, "_READ", read)
        assert _chunked(data, chunk_rows, max_record_lines=bound) == whole


@pytest.mark.parametrize("bound", [1, 2, 3, 6, 7])
@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 100])
def test_a_record_longer_than_the_bound_is_quarantined_at_its_line_and_the_next_line_is_read(
        bound: int, chunk_rows: int) -> None:
    """A record still open after ``bound`` lines is malformed (``malformed_too_long``) at its first
    line, whose text it keeps; reading resumes at its second line, as after a broken record. A
    record of ``bound`` lines or fewer is read as before."""
    data = 'a,b,c\n1,"甲\n乙\nz",3\n4,"open,6\n7,8,9\n10,11,12\n13,14,15\n16,17,18\n19,20,21\n'.encode()
    whole = split_csv(data, bound)
    assert _chunked(data, chunk_rows, max_record_lines=bound) == _whole(whole)
    gb = data.decode().encode("gb18030")   # a chunk's records read on into lines after it, decoded as it is
    assert _chunked(gb, chunk_rows, "gb18030", max_record_lines=bound) == _whole(whole)
    with pytest.raises(WrongEncoding) as e:   # a bad line among those is named, as a whole read names it
        _chunked(data.replace(b"7,8,9", b"\xff,8,9"), chunk_rows, max_record_lines=bound)
    assert e.value.line == 6
    too_long = [(m.line, m.text, m.expected) for m in whole.malformed if m.rule == "malformed_too_long"]
    if bound == 7:      # the open quote reaches the end of the file first: an unbalanced quote, as before
        assert [(m.line, m.rule) for m in whole.malformed] == [(5, "malformed_quote")] and too_long == []
        assert whole.lines.tolist() == [2, 6, 7, 8, 9, 10]
    elif bound >= 3:    # the three-line record is whole; the open quote is not (six lines to the end: too long too)
        assert whole.lines.tolist() == [2, 6, 7, 8, 9, 10] and too_long == [(5, '4,"open,6', bound)]
    else:
        assert too_long == [(2, '1,"甲', bound), (5, '4,"open,6', bound)]


@pytest.mark.parametrize("every", [False, True])
def test_a_quote_open_to_the_end_of_a_file_holds_no_more_than_a_chunk_and_the_bound(every: bool) -> None:
    """Memory bound (issue 11: memory follows the chunk): a ``"`` opened on line 3 and closed nowhere
    made the rest of the file one chunk, held whole (the reader read on to the end of the file for
    the record's end). Now that record is too long after ``bound`` lines, and no chunk spans more
    than ``chunk_rows`` + ``bound`` lines; the bytes read and not yet returned when a chunk is
    returned are that chunk's and a read block or two, not the file. ``every``: each line opens a
    quote that the next lines keep open (``x",`` then three quotes: the reader is in a quoted value
    at each line end, whether it started there or before), so every record is too long and reads
    past the line a cut would be at; a chunk was cut only where no read crossed: never."""
    import tempfile

    from credit.contract import records

    rows, chunk_rows, bound = 20_000, 100, 50
    if every:
        lines = ["a,b,c", "1,2,3"] + ['x",' + '"' * 3 + "x" * 92] * (rows - 2)
    else:
        lines = ["a,b,c", "1,2,3", '2,"open,3'] + [f"{i},{'x' * 90},{i % 7}" for i in range(3, rows)]
    data = ("\n".join(lines) + "\n").encode()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    read = 0

    def counted(block: bytes) -> None:
        nonlocal read
        read += len(block)

    spans, held, splits = [], [], []
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(data)
        for s in split_csv_chunks(path, "utf-8", chunk_rows, read=counted, max_record_lines=bound):
            at = s.lines.tolist() + [m.line for m in s.malformed]
            first, last = min(at), max(at)
            spans.append(last - first + 1)
            held.append(read - starts[first - 1])     # read and not returned before this chunk
            splits.append(s)
    block = max(records._READ, 100 * chunk_rows * 2)
    assert max(spans) <= chunk_rows + bound, max(spans)
    assert max(held) <= (chunk_rows + bound) * 100 + 2 * block, max(held)
    malformed = [(m.line, m.rule) for s in splits for m in s.malformed]
    if every:   # the last reads meet the end of the file before the bound: unbalanced quotes
        assert malformed == [(n, "malformed_too_long" if n + bound - 1 <= rows else "malformed_quote")
                             for n in range(3, rows + 1)]
    else:
        assert malformed == [(3, "malformed_too_long")]
    assert sum(s.records for s in splits) == rows - 1 == split_csv(data, bound).records


class _Work:
    """Counts the lines handed to every ``csv`` reader (``handed``) and the steps of iterations over
    a text's physical lines (``stepped``: ``islice`` steps over the lines before where it starts)."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        from credit.contract import records

        self.handed = self.stepped = 0
        reader, physical = csv.reader, records._physical_lines   # wrapped, not called
        work = self

        def counted(lines: Iterable[str], **kwargs: Any) -> Any:
            def each() -> Iterator[str]:
                for line in lines:
                    work.handed += 1
                    yield line
            return reader(each(), **kwargs)

        class Stepped(list[str]):
            def __iter__(self) -> Iterator[str]:
                for line in super().__iter__():
                    work.stepped += 1
                    yield line

        mp.setattr(records.csv, "reader", counted)
        mp.setattr(records, "_physical_lines", lambda text: Stepped(physical(text)))


@pytest.mark.parametrize(("bound", "rule"), [(30_000, "malformed_quote"), (MAX_RECORD_LINES, "malformed_too_long")])
def test_in_chunks_a_quote_open_to_the_end_of_a_large_file_is_read_in_linear_work(bound: int, rule: str) -> None:
    """A ``"`` opening a value on line 10 of a large file and closed nowhere (hostile input): the
    chunk's end was looked for again from that record's start each time more of the file was read,
    the reader given the square of the file's lines (a night stalled for hours on one character).
    The work is now a few times the file's lines, and the file reads as a whole read reads it:
    one malformed record at line 10 (the night quarantines it, or refuses the count naming it) —
    an unbalanced quote when the record line bound is past the file's end, else a record too long.
    The record's byte bound is past the file's size too (the quote open over 30,000 lines is 2.9 MB:
    over the default 1 MiB the file is refused, ``record_lines_too_large``, test_chunk_bytes.py)."""
    rows = 30_000
    body = "".join(f"{i},{'x' * 90},{i % 7}\n" if i != 9 else f'{i},"{"x" * 89},{i % 7}\n' for i in range(1, rows))
    data = ("a,b,c\n" + body).encode()
    with pytest.MonkeyPatch.context() as mp:
        work = _Work(mp)
        chunked = _chunked(data, 1000, max_record_lines=bound, max_record_bytes=len(data))
    assert work.handed <= 5 * rows, work.handed
    whole = _whole(split_csv(data, bound))
    assert chunked == whole
    assert [(m[0], m[1]) for m in whole[2]] == [(10, rule)] and len(whole[0]) == rows - 2


def test_a_record_broken_over_two_lines_does_not_make_the_reader_step_over_the_lines_before_it() -> None:
    """After a record broken over two lines the reader starts again at its second line: ``islice``
    stepped over every line before it to get there, the square of the file's lines for a file of
    such records (hostile input)."""
    rows = 20_000
    data = ("a,b,c\n" + '1,"x\ny"z,3\n' * rows).encode()
    with pytest.MonkeyPatch.context() as mp:
        work = _Work(mp)
        split = split_csv(data)
    assert len(split.malformed) == 2 * rows and work.stepped <= 4 * rows, work.stepped


def test_in_chunks_an_encoding_error_names_its_line_and_an_empty_file_has_no_header() -> None:
    data = "a,b,c\n1,2,3\n甲,乙,丙\n".encode("gb18030")
    assert _chunked(data, 1, "gb18030") == ([("1", "2", "3"), ("甲", "乙", "丙")], [2, 3], [])
    with pytest.raises(WrongEncoding) as e:
        _chunked(b"a,b,c\n1,2,3\n4,5,6\n\xff,1,2\n", 1)
    assert e.value.line == 4
    with pytest.raises(NoHeader):
        _chunked(b"\n\n", 1)


# -- CR-only line ends (old Mac files): read as line ends, lines numbered by the CRs -------------
CR_ONLY = b"a,b,c\r1,2,3\r\r4,5\r6,7,8\r"


def test_a_file_whose_lines_end_at_bare_crs_is_read_line_by_line() -> None:
    s = split_csv(CR_ONLY)
    assert s.header == ["a", "b", "c"] and s.header_line == 1
    assert s.table.to_pylist() == [{"a": "1", "b": "2", "c": "3"}, {"a": "6", "b": "7", "c": "8"}]
    assert s.lines.tolist() == [2, 5]
    assert [(m.line, m.rule, m.text) for m in s.malformed] == [(4, "malformed_field_count", "4,5")]
    quoted = split_csv(b'a,b,c\r"x",2,3\r"y\rz",5,6\r7,8,9')   # a quoted CR spans two lines, as a quoted LF does
    assert quoted.table.to_pylist()[1] == {"a": "y\nz", "b": "5", "c": "6"} and quoted.lines.tolist() == [2, 3, 5]


@pytest.mark.parametrize("chunk_rows", [1, 2, 100])
def test_in_chunks_a_cr_only_file_gives_the_same_records_at_the_same_lines(chunk_rows: int) -> None:
    assert _chunked(b"\xef\xbb\xbf" + CR_ONLY, chunk_rows) == _whole(split_csv(CR_ONLY)) == (
        [("1", "2", "3"), ("6", "7", "8")], [2, 5], [(4, "malformed_field_count", "4,5")])
    gb = "a,b,c\r甲,乙,丙\r\r丁,戊,己".encode("gb18030")
    assert _chunked(gb, chunk_rows, "gb18030") == ([("甲", "乙", "丙"), ("丁", "戊", "己")], [2, 4], [])
    with pytest.raises(WrongEncoding) as e:
        _chunked(b"a,b,c\r1,2,3\r\xff,1,2\r", chunk_rows)
    assert e.value.line == 3


@pytest.mark.parametrize("chunk_rows", [1, 2, 100])
def test_a_bare_cr_in_a_file_with_lf_line_ends_stays_a_stray_character(chunk_rows: int) -> None:
    data = b"a,b,c\n1,2,3\n4,\r5,6"          # the last line has no LF after it: its chunk holds no LF either
    whole = split_csv(data)
    assert whole.lines.tolist() == [2] and [(m.line, m.rule) for m in whole.malformed] == [(3, "malformed_record")]
    assert _chunked(data, chunk_rows) == _whole(whole)


# -- a second read of a few chunks (issue 11, credit.night.duplicates) -----------------------------
def _chunks(data: bytes, chunk_rows: int, encoding: str = "utf-8",
            only: set[int] | None = None) -> list[tuple[int, tuple[object, ...]]]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(data)
        return [(s.chunk, _whole(s)) for s in split_csv_chunks(path, encoding, chunk_rows, only)]


@settings(deadline=None)
@given(st.lists(st.tuples(st.tuples(values, values, values), st.integers(0, 2)), max_size=8),
       st.sampled_from([b"", b"\n", b"\r\n\n"]), st.sampled_from(["a,b,c", '"a",b,c', "a,b\r,c"]),
       st.integers(1, 4), st.sets(st.integers(0, 8)), st.sampled_from(["utf-8", "gb18030"]))
def test_reading_only_some_chunks_gives_those_chunks_of_a_whole_read(
        rows: list[tuple[tuple[str, str, str], int]], blank: bytes, header: str, chunk_rows: int, only: set[int],
        encoding: str) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for fields, blanks in rows:
        buf.write("\n" * blanks)
        w.writerow(fields)
    data = blank + (header + "\n" + buf.getvalue()).encode(encoding)
    try:
        whole = _chunks(data, chunk_rows, encoding)
    except NoHeader:   # no header a whole read accepts: there is no second read of such a file
        return
    assert [c for c, _ in whole] == list(range(len(whole)))
    assert _chunks(data, chunk_rows, encoding, only) == [(c, part) for c, part in whole if c in only]


def test_a_skipped_chunk_is_not_decoded() -> None:
    data = "a,b,c\n1,2,3\n甲,乙,丙\n4,5,6\n".encode("gb18030") + b"\xff\xff,1,2\n7,8,9\n"
    assert _chunks(data, 2, "gb18030", {1}) == [(1, ([("甲", "乙", "丙"), ("4", "5", "6")], [3, 4], []))]
    with pytest.raises(WrongEncoding):
        _chunks(data, 2, "gb18030", {2})


# -- a second read of a few records (credit.night.duplicates: only the candidates are parsed) -----
def _wanted(data: bytes, chunk_rows: int, encoding: str,
            only: dict[int, list[int]]) -> list[tuple[int, tuple[object, ...]]]:
    import tempfile

    import numpy as np

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(data)
        return [(s.chunk, _whole(s)) for s in split_csv_chunks(
            path, encoding, chunk_rows, {c: np.asarray(lines, dtype=np.int64) for c, lines in only.items()})]


# Values that make every kind of record: quoted line ends, a bare CR, embedded and stray quotes
# (``a"b`` unquoted), a field too many, GB 18030 characters, NUL.
raw_values = st.text(alphabet=st.sampled_from(list('ab,"\n 甲\r\x00')), max_size=5)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(st.tuples(raw_values, raw_values, raw_values), st.integers(0, 3)), max_size=10),
       st.sampled_from([b"", b"\n", b"\r\n\n", b"\xef\xbb\xbf"]), st.sampled_from(["a,b,c", '"a",b,c', 'a,"b\nx",c']),
       st.integers(1, 4), st.sampled_from(["utf-8", "gb18030"]), st.sampled_from(["\n", "\r\n", "\r"]),
       st.booleans(), st.booleans(), st.randoms(use_true_random=False))
def test_reading_only_some_records_gives_those_records_of_a_whole_read(
        rows: list[tuple[tuple[str, str, str], int]], lead: bytes, header: str, chunk_rows: int, encoding: str,
        end: str, quote_all: bool, raw: bool, rnd: object) -> None:
    import random

    assert isinstance(rnd, random.Random)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=end, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    for fields, blanks in rows:
        buf.write(end * blanks)
        if raw:      # written as they are, unquoted: malformed records and stray quotes as well
            buf.write(",".join(fields) + end)
        else:
            w.writerow(fields)
    text = header.replace("\n", end) + end + buf.getvalue()
    if rnd.random() < 0.3:
        text = text.removesuffix(end)                     # the last record without a line end
    data = (lead if encoding == "utf-8" or lead != b"\xef\xbb\xbf" else b"") + text.encode(encoding)
    try:
        whole = _chunks(data, chunk_rows, encoding)
    except (NoHeader, WrongEncoding):   # a file a whole read refuses has no second read
        return
    wanted = {c: sorted(rnd.sample(lines, rnd.randint(1, len(lines)))) for c, (_, lines, _) in whole
              if lines and rnd.random() < 0.7}
    expected = []
    for c, (records, lines, _) in whole:
        if c in wanted:
            kept = [(r, n) for r, n in zip(records, lines, strict=True) if n in wanted[c]]
            expected.append((c, ([r for r, _ in kept], [n for _, n in kept], [])))
    assert _wanted(data, chunk_rows, encoding, wanted) == expected


def test_the_records_wanted_are_parsed_alone() -> None:
    # Chunk 1's other line is not valid UTF-8: a whole split of the chunk would refuse it.
    data = b'a,b,c\n1,2,3\n"x\ny",5,6\n\xff,8,9\n7,"q""r",9'
    assert _wanted(data, 2, "utf-8", {1: [3]}) == [(1, ([("x\ny", "5", "6")], [3], []))]
    assert _wanted(data, 2, "utf-8", {2: [6]}) == [(2, ([("7", 'q"r', "9")], [6], []))]
    assert _wanted(data, 2, "utf-8", {0: [2]}) == [(0, ([("1", "2", "3")], [2], []))]
    with pytest.raises(WrongEncoding) as e:   # a line wanted is decoded, strictly
        _wanted(b"a,b,c\n1,2,3\n\xff,8,9\n", 5, "utf-8", {0: [3]})
    assert e.value.line == 3


def test_the_record_line_bound_is_a_setting_and_its_reason_names_it() -> None:
    from credit.night.quarantine import malformed_rows
    from credit.settings import Settings

    assert Settings.model_fields["ingest_max_record_lines"].default == MAX_RECORD_LINES
    s = split_csv(b'a,b,c\n1,"x\n\n\n4,5,6\n', 2)
    assert [(m.line, m.rule) for m in s.malformed] == [(2, "malformed_too_long")] and s.lines.tolist() == [5]
    reason = malformed_rows(s.malformed).loc[0, "reason"]
    assert "2 行" in reason and "CREDIT_INGEST_MAX_RECORD_LINES" in reason, reason


@pytest.mark.parametrize("chunk_rows", [1, 2, 50])
def test_a_file_declared_gb18030_that_is_utf8_chinese_is_told_at_its_first_such_line(
        tmp_path: Path, chunk_rows: int) -> None:
    from credit.contract.records import LooksUtf8

    rows = ["uscc,name", "A1,plain", "A2,ascii", "A3,中国", "A4,中国·有限公司"]   # UTF-8 that GB 18030 decodes
    path = tmp_path / "r.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8"))
    with pytest.raises(LooksUtf8) as found:
        list(split_csv_chunks(path, "gb18030", chunk_rows))
    assert found.value.line == 4
    # The same rows in GB 18030, and UTF-8 that is not Chinese text (é): read as declared.
    path.write_bytes(("\n".join(rows) + "\n").encode("gb18030"))
    assert sum(s.records for s in split_csv_chunks(path, "gb18030", chunk_rows)) == 4
    path.write_bytes("uscc,name\nA1,Café\n".encode())
    assert sum(s.records for s in split_csv_chunks(path, "gb18030", chunk_rows)) == 1


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 50])
def test_a_file_declared_gb18030_half_utf8_is_told_at_its_first_utf8_line(tmp_path: Path, chunk_rows: int) -> None:
    # Two exports put together, one GB 18030 and one UTF-8: the file as a whole is not UTF-8, and the
    # UTF-8 lines read as GB 18030 without an error, garbled (中国有限公司 → 涓浗鏈夐檺鍏徃; drops4).
    from credit.contract.records import MixedUtf8

    gb = ["A1,杭州乙公司", "A2,杭州市西湖区文三路"]
    utf8 = ["A3,中国有限公司", "A4,杭州"]
    path = tmp_path / "r.csv"
    for parts, line in (([gb, utf8], 4), ([utf8, gb], 2)):
        first, second = parts
        data = b"uscc,name\n" + "\n".join(first).encode("gb18030" if first is gb else "utf-8") + b"\n" \
            + "\n".join(second).encode("gb18030" if second is gb else "utf-8") + b"\n"
        data.decode("gb18030")   # the declared reading does not fail
        path.write_bytes(data)
        with pytest.raises(MixedUtf8) as found:
            list(split_csv_chunks(path, "gb18030", chunk_rows))
        assert found.value.line == line
    # One UTF-8 character of three bytes in a GB 18030 line is not enough to tell; GB 18030 alone reads.
    path.write_bytes("uscc,name\nA1,杭州乙公司\n".encode("gb18030") + "A2,中x\n".encode())
    assert sum(s.records for s in split_csv_chunks(path, "gb18030", chunk_rows)) == 2


@given(st.lists(st.tuples(st.sampled_from(["ascii", "utf8", "gb18030", "bytes"]),
                          st.text(alphabet="A1,中国杭州有限公司西湖区·¥（）é〔〕号", max_size=12),
                          st.binary(max_size=6)), max_size=12))
def test_the_lines_that_may_be_utf8_are_every_valid_utf8_line(lines: list[tuple[str, str, bytes]]) -> None:
    # The vectorised pre-filter of the mixed-encoding check (drops4) must never pass over a line
    # that is valid UTF-8 beyond ASCII, whatever the lines before and after it end with.
    from credit.contract.records import line_bounds, maybe_utf8_lines

    raw = [b.replace(b"\n", b"") if kind == "bytes" else
           text.encode("gb18030" if kind == "gb18030" else "utf-8") if kind != "ascii" else text.encode("ascii", "ignore")
           for kind, text, b in lines]
    data = b"\n".join(raw)
    starts, _ = line_bounds(data)
    maybe = set(maybe_utf8_lines(data, starts).tolist())
    for i, line in enumerate(data.split(b"\n")[:len(starts)]):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not line.isascii():
            assert i in maybe, (i, line)
