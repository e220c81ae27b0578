"""Splitting a CSV drop file into records, each with its true physical line (contracts.md §1).

What ``rows`` counts: the manifest's ``rows`` of a CSV file is the number of **data records** in
the sense of RFC 4180 — the header is not a record, a blank line is not a record, and a quoted
value may span several physical lines (one record, counted once). A record that cannot be read
(too many or too few fields, an unbalanced quote, a stray carriage return) is still a record: it
is counted, and it is quarantined with its text, never dropped and never a reason to refuse the
whole file by itself (the quarantine ceiling judges the share).

How many bytes a line may hold: a physical line of more than ``max_record_bytes`` bytes
(``CREDIT_INGEST_MAX_RECORD_BYTES``, :data:`MAX_RECORD_BYTES` by default) is no record but a broken
export (a line end missing, a quote left open inside a huge line): it refuses the file
(:class:`LineTooLong`), found as the bytes are read, never after the line is held (:class:`LineBound`).

How long a record may be: a record still open after ``max_record_lines`` physical lines (a
quoted value whose closing quote is that far away, or nowhere: a stray ``"`` early in a large
file) is malformed (``malformed_too_long``), quarantined at its first line with that line as its
text, and reading resumes at the line after its first, as after any broken record. The bound is a
setting (``CREDIT_INGEST_MAX_RECORD_LINES``, :data:`MAX_RECORD_LINES` by default): without it a
quote open to the end of a file made the rest of the file one record, held whole by the chunked
reader, whose memory is otherwise bounded by its chunk (issue 11).

What ``line`` means: the physical line where a record starts, counting every line of the file
from 1 — the header, blank lines and the continuation lines of quoted values included. Lines end
at LF (``\\n``); CRLF is one line end. A file with no LF at all whose lines end at a bare CR
(classic Mac OS, still written by old exporters) has its CRs read as line ends: nothing else could
end its lines, so this is the unambiguous normalising of contracts.md §1, and its lines are
numbered by those CRs. A bare CR in a file that has LF line ends stays what it is there, a stray
character (the record holding it is malformed and quarantined). A Parquet file has no lines: its
row *n* (from 0) is reported as line *n + 2*, as if it had a header line.

The common file (no quote character at all, no bare CR) is split with vectorised byte scans and
parsed by Arrow; any other file is split record by record with Python's ``csv`` module in strict
mode, which recovers after a broken record at the next physical line.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
import sys
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROW_OFFSET = 2  # Parquet's row 0 is reported as line 2, as if line 1 were a header
_MIN_BLOCK = 1 << 20  # Arrow's default: small blocks parse in parallel
_READ = 1 << 16       # the bytes of a CSV file's first read, and the fewest of a later one
# The physical lines a record may take (``Settings.ingest_max_record_lines``): no contract column is
# free text longer than an address, so a value over a thousand lines is a quote left open.
MAX_RECORD_LINES = 1000
# The bytes a physical line may hold (``Settings.ingest_max_record_bytes``): the widest contract
# column is a name or an address of a few hundred characters (a key at most 200: KEY_LENGTH), so a
# line of a mebibyte is a broken export (a missing line end, a quote left open inside a huge line).
MAX_RECORD_BYTES = 1 << 20
# The decoded bytes a chunk may hold (its text, as read, before it is normalised): a chunk is
# ``Settings.ingest_chunk_rows`` rows or this many bytes, whichever comes first. A normal chunk is
# far under it (150,000 registration lines: about 35 MB); 150,000 values each just under
# MAX_RECORD_BYTES, or one such value repeated by a Parquet dictionary, were 150 GB in one chunk.
MAX_CHUNK_BYTES = 64 << 20

csv.field_size_limit(sys.maxsize)  # a value's size is judged by the byte bound (LineBound), not the parser


@dataclass(frozen=True)
class Malformed:
    """A record that could not be read into the file's columns (quarantined with its text)."""

    line: int
    rule: str                  # malformed_field_count | malformed_quote | malformed_record | malformed_too_long
    text: str
    expected: int = 0          # the header's fields (malformed_too_long: the bound, in lines)
    found: int = 0
    error: str = ""


@dataclass
class Split:
    """A CSV file split into its header, its readable records (as text) and the malformed ones."""

    header: list[str]
    header_line: int
    table: pa.Table                      # every header column as text, readable records only
    lines: np.ndarray                    # int64: the physical line of each row of ``table``
    malformed: list[Malformed] = field(default_factory=list)
    chunk: int = 0                       # which chunk of its file (:func:`split_csv_chunks`), from 0

    @property
    def records(self) -> int:
        return self.table.num_rows + len(self.malformed)


class NoHeader(ValueError):
    """The file has no header line (empty, or blank lines only)."""


def header_names(fields: list[str]) -> list[str]:
    return [f.strip().lstrip("\ufeff").strip() for f in fields]


def cr_line_ends(data: bytes) -> bool:
    """Whether a whole file's lines end at bare CRs: it has CRs and no LF at all (see the module)."""
    return b"\r" in data and b"\n" not in data


def with_lf_line_ends(data: bytes) -> bytes:
    """A whole file with its line ends as LF: a CR-only file's CRs become LFs (one for one, so its
    lines keep their numbers); any other file is returned as it is. Safe before decoding: a CR byte
    is never part of a multi-byte UTF-8 or GB 18030 character."""
    return data.replace(b"\r", b"\n") if cr_line_ends(data) else data


def split_csv(data: bytes, max_record_lines: int = MAX_RECORD_LINES,
              max_record_bytes: int = MAX_RECORD_BYTES) -> Split:
    """Split a whole file's UTF-8 ``data`` (no BOM) into records; see the module's definition of
    rows and lines (CR-only line ends included) and of a record too long. Raises
    :class:`LineTooLong` for a physical line of more than ``max_record_bytes`` bytes."""
    data = with_lf_line_ends(data)
    LineBound(max_record_bytes).see(data)
    return _split(data, max_record_lines)


def _split(data: bytes, limit: int, tail: bytes = b"") -> Split:
    """Split UTF-8 ``data`` whose lines end at LF (a chunk of a file, or a whole file after
    :func:`with_lf_line_ends`) into records of at most ``limit`` physical lines. ``tail``: the
    lines after a chunk (up to ``limit`` - 1 of them, UTF-8), which a record starting in the chunk
    may read into (a broken record or one too long: see :class:`_ChunkEnd`); no record starts there."""
    if b'"' not in data and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n")):
        fast = _split_plain(data)     # no quote: every record is one line, the tail is not read
        if fast is not None:
            return fast
    return _split_general(data, limit, tail)


# --------------------------------------------------------------------------------------------
def _split_plain(data: bytes) -> Split | None:
    """No quotes: a record is one non-blank line, its fields are its commas plus one."""
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [len(data)])).astype(np.int64)
    if len(data) and data.endswith(b"\n"):
        starts, ends = starts[:-1], ends[:-1]       # nothing after the last line end
    cr = np.zeros(len(ends), dtype=bool)
    has = ends > starts
    cr[has] = arr[ends[has] - 1] == 13
    content_end = ends - cr
    blank = content_end <= starts
    nonblank = np.flatnonzero(~blank)
    if len(nonblank) == 0:
        raise NoHeader
    h = int(nonblank[0])
    header = header_names(data[starts[h]:content_end[h]].decode("utf-8").split(","))
    commas = np.flatnonzero(arr == 44)
    fields = np.searchsorted(commas, content_end) - np.searchsorted(commas, starts) + 1
    rec = nonblank[1:]
    good = rec[fields[rec] == len(header)]
    bad = rec[fields[rec] != len(header)]
    malformed = [Malformed(int(i) + 1, "malformed_field_count", _text(data[starts[i]:content_end[i]]),
                           len(header), int(fields[i])) for i in bad]
    longest = int((content_end - starts).max()) if len(starts) else 0
    if len(bad):
        body = b"\n".join([data[starts[h]:content_end[h]]] + [data[starts[i]:content_end[i]] for i in good])
    else:
        body = data[starts[h]:]
    table = _arrow(body, header, longest)
    if table is None or table.num_rows != len(good):
        return None  # Arrow read it otherwise than the scan: let the general path decide
    return Split(header, h + 1, table, (good + 1).astype(np.int64), malformed)


def _arrow(body: bytes, header: list[str], longest: int) -> pa.Table | None:
    try:
        return pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=max(_MIN_BLOCK, 2 * longest + 1024),
                                           column_names=[f"c{i}" for i in range(len(header))], skip_rows=1),
            parse_options=pacsv.ParseOptions(quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        ).rename_columns(header)
    except (pa.ArrowInvalid, ValueError):
        return None


# --------------------------------------------------------------------------------------------
def _split_general(data: bytes, limit: int, tail: bytes = b"") -> Split:
    """Record by record with ``csv`` (strict): quoted values may span up to ``limit`` lines; broken
    records recover. Records start in ``data`` alone; they may read on into ``tail`` (see :func:`_split`)."""
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    row_lines: list[int] = []
    malformed: list[Malformed] = []
    lines = _physical_lines(data.decode("utf-8"))
    end = len(lines)
    if tail:
        lines += _physical_lines(tail.decode("utf-8"))
    for read in _reads(lines, None, limit, end=end):
        opening = lines[read.start].rstrip("\r\n") if read.kind not in ("header", "row", "blank") else ""
        if read.kind == "header":
            header, header_line = header_names(read.record), read.start + 1
        elif read.kind == "row":
            rows.append(read.record)
            row_lines.append(read.start + 1)
        elif read.kind == "broken":
            rule = "malformed_quote" if "unexpected end of data" in read.error or read.used > 1 else "malformed_record"
            malformed.append(Malformed(read.start + 1, rule, opening, error=read.error))
        elif read.kind == "long":
            malformed.append(Malformed(read.start + 1, "malformed_too_long", opening, limit, read.used, read.error))
        elif read.kind in ("swallowed", "fields"):
            # swallowed: a quote opened on this line swallowed the next ones: the opening line alone is broken
            malformed.append(Malformed(read.start + 1, "malformed_quote" if read.kind == "swallowed"
                                       else "malformed_field_count", opening, read.width, len(read.record)))
    if header is None:
        raise NoHeader
    table = pa.Table.from_arrays([pa.array([r[j] for r in rows], pa.string()) for j in range(len(header))],
                                 names=header)
    malformed.sort(key=lambda m: m.line)
    return Split(header, header_line, table, np.asarray(row_lines, dtype=np.int64), malformed)


def _physical_lines(text: str) -> list[str]:
    """A text's physical lines, each ending at its LF (the last one given one when it has none)."""
    physical = text.split("\n")
    if physical and physical[-1] == "":
        physical.pop()
    return [p + "\n" for p in physical]


@dataclass(frozen=True)
class _Read:
    """One read of the general path's reader: what it took, from which line, and what became of it."""

    kind: str            # blank | header | row | broken (a csv error) | swallowed | fields (too few or many)
    #                      | long (still open after the bound's lines)
    start: int           # the index of its first physical line
    used: int            # the physical lines the reader took
    record: list[str] = field(default_factory=list)
    error: str = ""
    width: int = 0       # the header's fields

    @property
    def next(self) -> int:
        """The index of the line the reader reads next: a broken record, a swallowing quote and a
        record too long are read again from the line after their first one (only that line is broken)."""
        return self.start + 1 if self.kind in ("broken", "swallowed", "long") else self.start + self.used


class _Feed:
    """``lines`` from ``start`` on for a ``csv`` reader, none at or after ``stop`` (moved on before
    each record: the reader never takes more of a record than the bound allows)."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines, self.at, self.stop = lines, start, len(lines)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.at >= self.stop:
            raise StopIteration
        self.at += 1
        return self.lines[self.at - 1]


def _reads(lines: list[str], width: int | None, limit: int, start: int = 0,
           end: int | None = None) -> Iterator[_Read]:
    """The reads of ``lines`` from the record starting at line ``start`` by ``csv`` (strict),
    recovering after a broken record at the next physical line; the first record is the header
    unless its ``width`` is given (a later chunk). A record still open after ``limit`` lines is
    ``long``, whether more lines follow or not (the reader is given no more of it: the verdict
    needs those lines alone, see the module). No read starts at or after ``end`` (default: all)."""
    i = start                               # index of the next physical line to read
    feed = _Feed(lines, start)
    reader = csv.reader(feed, strict=True)
    while i < (len(lines) if end is None else end):
        before = reader.line_num
        feed.stop = min(len(lines), i + limit)
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            used = reader.line_num - before
            long = used >= limit and "unexpected end of data" in str(e)
            read = _Read("long" if long else "broken", i, used, error=str(e))
        else:
            used = reader.line_num - before
            if not record:                   # a blank line: not a record
                read = _Read("blank", i, used)
            elif width is None:
                read = _Read("header", i, used, record)
                width = len(record)
            elif len(record) == width:
                read = _Read("row", i, used, record, width=width)
            else:
                read = _Read("swallowed" if used > 1 else "fields", i, used, record, width=width)
        yield read
        if read.next != i + read.used:
            feed = _Feed(lines, read.next)
            reader = csv.reader(feed, strict=True)
        i = read.next


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


# --------------------------------------------------------------------------------------------
class FileChanged(ValueError):
    """The file changed while it was read: the scan that decided its line ends saw other bytes
    than the read that split it (see :func:`split_csv_chunks`)."""


class LineTooLong(ValueError):
    """A physical line of more than ``limit`` bytes (as delivered, its line end not counted) starts
    at ``line``: the file is refused, not the record quarantined (see :class:`LineBound`)."""

    def __init__(self, line: int, limit: int):
        super().__init__(f"line {line}: more than {limit} bytes")
        self.line, self.limit = line, limit


class RecordTooLarge(LineTooLong):
    """A record (or a broken one, as the reader takes it) spanning physical lines whose bytes, from its
    first byte to its last line's end, are more than ``limit``: each line within the bound, the record
    not (a quoted value over many wide lines). Refuses the file as a line over the bound does."""


class LineBound:
    """Refuses a physical line longer than ``limit`` bytes as a file's bytes pass, piece by piece,
    before they are held (:class:`LineTooLong`, naming the line where it starts).

    The chunked reader holds a chunk's lines and, of a line not yet ended, every byte read so far:
    a file of one 2 GB line (no line end, or a quote left open inside it) was read whole into the
    client before anything was judged, against the memory bound of issue 11. Fed each piece as it
    is read (line ends as LF), it remembers only the bytes of the line not yet ended and the line
    ends counted; the reader reads pieces of at most a few times ``limit`` (:func:`piece_size`), so
    a file is refused with at most that much of the line read.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0        # the bytes of the line not yet ended
        self.lines = 0       # the line ends seen

    def see(self, piece: bytes | bytearray) -> None:
        if b"\n" not in piece:     # no scan array: a piece of one huge line costs no more than itself
            self.open += len(piece)
            if self.open > self.limit:
                raise LineTooLong(self.lines + 1, self.limit)
            return
        ends = np.flatnonzero(np.frombuffer(piece, dtype=np.uint8) == 10)
        if self.open + int(ends[0]) > self.limit:
            raise LineTooLong(self.lines + 1, self.limit)
        if len(ends) > 1:
            gaps = np.diff(ends) - 1
            over = np.flatnonzero(gaps > self.limit)
            if len(over):
                raise LineTooLong(self.lines + int(over[0]) + 2, self.limit)
        self.lines += len(ends)
        self.open = len(piece) - int(ends[-1]) - 1
        if self.open > self.limit:
            raise LineTooLong(self.lines + 1, self.limit)


def piece_size(limit: int) -> int:
    """The most bytes a chunked read takes at once under a line bound of ``limit`` bytes: a line
    longer than the bound is seen within two such reads (the reads of a normal chunk are cut in
    pieces of this size, and a chunk of 50,000 registration lines is about 13 MB)."""
    return max(_READ, 16 * limit)


class WrongEncoding(ValueError):
    """The file is not valid in its declared encoding; ``line`` is the first line that is not."""

    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


class LooksUtf8(ValueError):
    """A file declared gb18030 whose bytes read as UTF-8 Chinese text: ``line`` is the first line
    holding a multi-byte UTF-8 character (see :class:`Utf8LookAlike`)."""

    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


class MixedUtf8(ValueError):
    """A file declared gb18030 some of whose lines are UTF-8 Chinese text and others not: ``line`` is
    the first such line (see :class:`Utf8LookAlike`)."""

    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


#: What the non-ASCII text of a Chinese drop is made of: CJK ideographs (the extensions too), CJK
#: symbols and punctuation, full-width forms, general punctuation, the yen sign, the middle dot of
#: transliterated names, the multiplication sign and a byte-order mark. GB 18030 Chinese text read as
#: UTF-8, in the rare case it reads at all, reads mostly as Latin, Greek, Cyrillic or Arabic letters.
#: ``_WIDE``: those of them that take three or four bytes in UTF-8 (all but ¥, · and ×).
_WIDE = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2000-\u206f\ufeff\U00020000-\U0003134f"
_CHINESE_TEXT = _WIDE + "\u00a5\u00b7\u00d7"
_NOT_CHINESE_TEXT = re.compile(f"[^\\x00-\\x7f{_CHINESE_TEXT}]")
_NOT_ASCII = re.compile(b"[\\x80-\\xff]")
_WIDE_CHINESE_TEXT = re.compile(f"[{_WIDE}]")
#: How many of them a line read as UTF-8 Chinese text holds, at least, to be taken for UTF-8 in a file
#: whose other lines are GB 18030 (:class:`Utf8LookAlike`): a lone one may be GB 18030 bytes that
#: happen to read so (a two-character run can make one CJK extension-B character), two in one line
#: were never seen (docs/night-safety.md).
_WIDE_IN_A_LINE = 2


class Utf8LookAlike:
    """Whether a file declared gb18030 is UTF-8 in fact (drops3), wholly or in part (drops4).

    Wholly: every byte valid UTF-8, some of them multi-byte, and every character that UTF-8 reading
    gives Chinese text (:data:`_CHINESE_TEXT`). Such bytes are often valid GB 18030 as well (GB 18030
    maps nearly every byte pair), so the declared reading does not fail: it yields garbled names
    (``涓浗`` for 中国) that would be stored as the legal names. Real GB 18030 text is almost never
    valid UTF-8 beyond a character or two, and then not as Chinese: over the sample drops' GB 18030
    files no file, line or field is (docs/night-safety.md, tests/db/night/test_drop_text.py).

    In part: files put together from two exports, one GB 18030 and one UTF-8. The GB 18030 lines are
    not UTF-8, so the file as a whole is not, and the UTF-8 lines were read as GB 18030 without an
    error, garbled. A line that is valid UTF-8 and reads as Chinese text with at least
    :data:`_WIDE_IN_A_LINE` characters of three or four bytes is such a line, wherever it is.

    Fed the file's chunks in order, each cut at a line end (a UTF-8 sequence holds no LF), with the
    physical lines before it; :meth:`verdict` after the last.
    """

    def __init__(self) -> None:
        self.possible = True
        self.line: int | None = None    # the first line holding a multi-byte character
        self.mixed: int | None = None   # the first line that reads as UTF-8 Chinese text

    def see(self, data: bytes, before: int) -> None:
        if data.isascii():
            return
        if self.possible:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                self.possible = False
            else:
                if _NOT_CHINESE_TEXT.search(text):
                    self.possible = False
                elif self.line is None and (first := _NOT_ASCII.search(data)) is not None:
                    self.line = before + data.count(b"\n", 0, first.start()) + 1
        if self.mixed is None:
            starts, ends = line_bounds(data)
            for i in maybe_utf8_lines(data, starts).tolist():
                if _reads_as_utf8_chinese(data[starts[i]:ends[i]]):
                    self.mixed = before + i + 1
                    break

    def verdict(self) -> None:
        """Raises :class:`LooksUtf8` when the whole file was such UTF-8, else :class:`MixedUtf8`
        when a line of it was."""
        if self.possible and self.line is not None:
            raise LooksUtf8(self.line)
        if self.mixed is not None:
            raise MixedUtf8(self.mixed)


def line_bounds(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Where each line of ``data`` starts and ends (its LF not included; the last one without one too)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(arr == 10)
    starts = np.concatenate(([0], breaks + 1)).astype(np.int64)
    ends = np.concatenate((breaks, [len(data)])).astype(np.int64)
    keep = starts < len(data)
    return starts[keep], ends[keep]


def maybe_utf8_lines(data: bytes, starts: np.ndarray) -> np.ndarray:
    """The lines of ``data`` (by their ``starts``, :func:`line_bounds`) that hold a byte past ASCII
    and may be valid UTF-8: every lead byte (``11xxxxxx``) followed by a continuation byte
    (``10xxxxxx``), every continuation byte after a byte past ASCII. A necessary condition only
    (the strict decoder judges the lines that pass), vectorised: GB 18030 Chinese text fails it at
    once (a lead byte followed by another lead or by ASCII, a trail byte after ASCII: none of the
    sample's registration lines passes), and a line cut short after a lead byte fails it itself,
    never the line after it. The whole per-line check costs a third of decoding a GB 18030 file as
    UTF-8 with replacements and splitting it into lines (45 MB of the sample's registration rows,
    CPU: 0.41 → 0.15 s; drops4)."""
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    b = np.frombuffer(data, dtype=np.uint8)
    top = b & 0xC0
    cont, high = top == 0x80, b >= 0x80
    bad = np.zeros(len(b), dtype=bool)
    bad[:-1] = (top[:-1] == 0xC0) & ~cont[1:]     # a lead byte not followed by a continuation
    bad[-1] = top[-1] == 0xC0
    bad[1:] |= cont[1:] & ~high[:-1]              # a continuation after ASCII (a line end too)
    bad[0] |= cont[0]
    return np.flatnonzero(np.logical_or.reduceat(high, starts) & ~np.logical_or.reduceat(bad, starts))


def _reads_as_utf8_chinese(line: bytes) -> bool:
    """Whether a line's bytes are valid UTF-8 that reads as Chinese text with enough three- or
    four-byte characters (:data:`_WIDE_IN_A_LINE`)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if _NOT_CHINESE_TEXT.search(text):
        return False
    wide = 0
    for _ in _WIDE_CHINESE_TEXT.finditer(text):
        wide += 1
        if wide >= _WIDE_IN_A_LINE:
            return True
    return False


def split_csv_chunks(path: Path, encoding: str, chunk_rows: int,
                     only: Container[int] | Mapping[int, np.ndarray] | None = None,
                     read: Callable[[bytes], None] | None = None,
                     max_record_lines: int = MAX_RECORD_LINES,
                     max_record_bytes: int = MAX_RECORD_BYTES,
                     max_chunk_bytes: int = MAX_CHUNK_BYTES) -> Iterator[Split]:
    """Split a CSV file into records chunk by chunk (issue 11): ``chunk_rows`` physical lines each
    (the last chunk fewer), every record with its true physical line, as :func:`split_csv` splits
    a whole file. Each split says which chunk it is (``Split.chunk``, from 0).

    With ``only``, the chunks of those numbers alone: the others are cut at the same places (a
    scan of their bytes) but neither decoded nor parsed, what a second read of a file for a few
    of its rows costs (:mod:`credit.night.duplicates`). Such a read assumes a first, whole read
    of the same file passed: an encoding error in a skipped chunk is not seen (the caller checks
    that the bytes are the same, by their hash: see ``read`` below).

    With ``only`` a mapping (chunk → physical lines where accepted records of a first read start),
    each of those chunks gives its records at those lines alone, the same (text, lines) as its
    whole split then filtered by line, but the rest of the chunk is neither decoded nor parsed
    (:func:`_wanted_records`; the chunk is split whole and filtered when it cannot tell). Measured
    on the 1 M-entity drop (first night, 500 random rows, 50,000-line chunks, the bytes hashed as
    ingest hashes them; CPU of steady repeated runs): ``registration.csv`` (228 MB, GB 18030, all 21
    chunks wanted) 4.7-6.1 s whole-chunk → 1.4-1.6 s; ``annual_reports.csv`` (113 MB, all 41)
    2.0 → 0.6 s; what is left is reading, hashing and cutting the whole file.

    A chunk ends at a line end where the whole file's reader is between records (:class:`_ChunkEnd`:
    any line end in a stretch without quotes, else where the reader's own reads end), so a quoted
    value spanning lines stays in one chunk and the chunks' records are the whole file's (with the
    same ``max_record_lines``). A read crossing the cut (a broken record read again from its second
    line, a record too long) is given the lines after the cut it took, fewer than
    ``max_record_lines``: a chunk holds at most ``chunk_rows`` records and that many lines more,
    even when a quote is left open to the end of the file, or every line opens one. Each chunk after the one
    holding the header is split with the header's lines in front of it, and its lines are shifted
    back to the file's. ``encoding`` is ``utf-8`` or ``gb18030``; a byte-order mark is skipped; a
    file with CR-only line ends is read with its CRs as line ends (see the module).
    Raises :class:`NoHeader` and :class:`WrongEncoding` (strict: a wrongly encoded file is refused
    whole, naming its first bad line, even after earlier chunks were returned).

    A physical line of more than ``max_record_bytes`` bytes raises :class:`LineTooLong` as soon as
    the bytes read show it (:class:`LineBound`): no read takes more than :func:`piece_size` bytes,
    so the memory of a read stays its chunk's even when a file is one huge line.

    A chunk ends after ``chunk_rows`` lines or at the first place between records past
    ``max_chunk_bytes`` bytes, whichever comes first (:class:`_ChunkEnd`): 150,000 lines each just
    under the byte bound of a line were 150 GB in one chunk (drops5).

    ``read`` is given every block of the file's bytes as it is read, once each, in order and before
    anything is done to them (a skipped chunk's too, and the bytes after the last chunk wanted: the
    whole file is always read): the caller hashes what was split (hostile review D1, see
    :func:`credit.contract.manifest.iter_records`). Raises :class:`FileChanged` when the scan that
    decided CR-only line ends (made before the chunks, over another read of the file) disagrees
    with the bytes read.
    """
    chunk_rows, limit = max(1, chunk_rows), max(1, max_record_lines)
    wanted = only if isinstance(only, Mapping) else None
    bound = LineBound(max(1, max_record_bytes))
    most = piece_size(bound.limit)
    with open(path, "rb") as f:
        pending = f.read(_READ)
        if read is not None:
            read(pending)
        if pending.startswith(b"\xef\xbb\xbf"):
            pending = pending[3:]   # UTF-8 byte-order mark, allowed by the contract
        # CR-only line ends are a property of the whole file (a CR and no LF anywhere): looked for
        # past the first block only when that block has no LF.
        scanned = b"\n" not in pending
        cr_only = scanned and _cr_only(path, bound.limit)
        lf_seen, cr_seen = not scanned, b"\r" in pending
        if cr_only:
            pending = pending.replace(b"\r", b"\n")
        bound.see(pending)
        per_line = len(pending) / max(1, pending.count(b"\n"))
        # at most ``most`` bytes a read: a line over the byte bound is refused before much of it is held
        block = min(most, max(_READ, int(per_line * chunk_rows * 1.1)))
        eof = False
        buffer = bytearray(pending)   # read and not yet cut: added to in place (a bytes' += copies it all)
        ends: _ChunkEnd | None = None  # where the chunk from the buffer's start ends, as read so far
        before = 0                # physical lines before ``buffer``
        header: bytes | None = None
        header_lines = 0          # physical lines of ``header``: the file's lines up to the header's end
        look = Utf8LookAlike()    # a whole read of a file declared gb18030: is it UTF-8 in fact?
        chunk = 0                 # the number of the next chunk returned (a chunk before the header is none)
        while buffer or not eof:
            if ends is None:
                ends = _ChunkEnd(chunk_rows, header, limit, max(1, max_chunk_bytes), bound.limit)
            try:
                cut = len(buffer) if eof else ends(buffer)
            except RecordTooLarge as e:
                raise RecordTooLarge(before + e.line, e.limit) from None
            if cut == 0:          # fewer than chunk_rows records end in what was read: read on
                more = f.read(block)
                eof = not more
                if read is not None:
                    read(more)
                if scanned:
                    lf_seen, cr_seen = lf_seen or b"\n" in more, cr_seen or b"\r" in more
                    if eof and cr_only != (cr_seen and not lf_seen):
                        raise FileChanged(str(path))
                if cr_only:
                    more = more.replace(b"\r", b"\n")
                bound.see(more)
                buffer += more
                continue
            after = 0 if eof else ends.tail - cut   # the lines after the cut its records may read into
            data = bytes(buffer[:cut])
            del buffer[:cut]
            tail = bytes(buffer[:after])
            ends = None
            if only is not None and (chunk not in only or wanted is not None):
                body, body_before, known = data, before, header is not None
                if header is None and (head_end := _plain_header_end(data)) is not None:
                    head = data[:head_end]
                    header = head if encoding == "utf-8" else _decoded(head, encoding, before).encode("utf-8")
                    header_lines = head.count(b"\n")
                    body, body_before = data[head_end:], before + header_lines
                if header is not None:
                    taken = None if chunk not in only or wanted is None else _wanted_records(
                        header, header_lines, body, body_before, np.unique(np.asarray(wanted[chunk])), encoding,
                        limit)
                    if chunk not in only or taken is not None:   # skipped (only its lines are counted), or its records taken
                        before = body_before + (body.count(b"\n") if taken is None else taken[1])
                        if taken is not None:
                            taken[0].chunk = chunk
                            yield taken[0]
                        chunk += 1
                        continue
                    if not known:
                        header = None    # the chunk holding the header is split whole, header and all
                # a header this scan cannot tell apart, or records it cannot take alone: the chunk is
                # split whole (and returned only when wanted, its records at the lines wanted)
            # the chunk's line ends, counted once (a scan of its bytes each time was a fifth of
            # reading the 1 M drop's registration.csv); decoding keeps them (no LF in a character)
            newlines = data.count(b"\n")
            if encoding == "utf-8":
                _decoded(data, "utf-8", before)
                _decoded(tail, "utf-8", before + newlines)
            else:
                if only is None:
                    look.see(data, before)
                tail = _decoded(tail, encoding, before + newlines).encode("utf-8")
                data = _decoded(data, encoding, before).encode("utf-8")
            if header is None:
                try:
                    split = _split(data, limit, tail)
                except NoHeader:
                    if eof and not buffer:
                        raise
                    before += newlines
                    continue
                header_lines = split.header_line
                end = -1
                for _ in range(header_lines):
                    end = data.find(b"\n", end + 1)
                header = data[:end + 1] if end >= 0 else data + b"\n"
                split.header_line += before
                shift = before
            else:
                split = _split(header + data, limit, tail)
                shift = before - header_lines
            if shift:
                split.lines = split.lines + shift
                split.malformed = [replace(m, line=m.line + shift) for m in split.malformed]
            before += newlines
            split.chunk = chunk
            chunk += 1
            if wanted is not None and split.chunk in wanted:
                keep = np.isin(split.lines, np.asarray(wanted[split.chunk]))
                at = set(np.asarray(wanted[split.chunk]).tolist())
                split.table, split.lines = split.table.filter(pa.array(keep)), split.lines[keep]
                split.malformed = [m for m in split.malformed if m.line in at]
            if only is None or split.chunk in only:
                yield split
        if header is None:
            raise NoHeader
        if encoding != "utf-8" and only is None:
            look.verdict()


# Up to this many records of a chunk, or a quarter of its lines, are read alone (_wanted_records).
# Measured on a quoted 200,000-line copy of the 1 M drop's annual reports in 50,000-line chunks
# (CPU of the second read, whole chunks → records alone): a twentieth of the lines wanted 1.1 → 0.5 s,
# a quarter 1.0 → 0.7 s, every line 1.0 → 2.6 s.
_FEW_RECORDS = 1000


def _wanted_records(header: bytes, header_lines: int, body: bytes, before: int, wanted: np.ndarray,
                    encoding: str, limit: int) -> tuple[Split, int] | None:
    """The records of a chunk's ``body`` (raw bytes in ``encoding``, ``before`` physical lines of
    the file before it) that start at the physical lines ``wanted`` (ascending), as the chunk's
    whole split (``header`` + ``body`` decoded: ``header``, UTF-8, ends at a line end and spans
    ``header_lines`` lines) gives them, and the line ends of ``body`` (they are counted here); None
    when this cannot tell, and the chunk is split whole.

    A second read of a file wants a few hundred of its accepted rows, scattered over every chunk
    (:mod:`credit.night.duplicates`): only the lines of those records are decoded and parsed, the
    header in front of them, by the very path the whole chunk takes. A chunk the fast path reads
    (no quote, no stray CR: :func:`_split`) has one line a record. Any other is read by ``csv``,
    record by record from where each started; a record read from its own first line is read as the
    whole chunk's reader read it (the reader is back at a record's start after each record, and a
    record wanted was accepted there: not a broken one the general path recovers from), so the
    lines a reader takes for it from there are its lines: those lines alone are parsed, with the
    header, by :func:`_split_general`. A ``"`` is no sure sign of where a record ends (``a"b`` is
    a whole unquoted value), hence the reader rather than the quotes' parity. ``\\n``, ``\\r``
    and ``"`` are never part of a multi-byte UTF-8 or GB 18030 character, so lines are found in
    the raw bytes and decoded one by one (an encoding error names its line, as a whole decode).

    What it gives is checked: the wanted lines exactly, each a readable record, or None. Many
    records of a chunk (a file full of duplicates) are read with the whole chunk: one by one they
    cost more (:data:`_FEW_RECORDS`).
    """
    arr = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10) + 1                 # just after each line end
    line_ends = len(ends)
    if len(body) and not body.endswith(b"\n"):
        ends = np.append(ends, len(body))                # the last line, without a line end
    starts = np.concatenate(([0], ends[:-1])).astype(np.int64)
    at = wanted - before - 1                             # the body's lines, from 0
    if not len(at) or at[0] < 0 or at[-1] >= len(ends) or len(at) > max(_FEW_RECORDS, line_ends // 4):
        return None

    def line(i: int) -> str:
        raw = body[starts[i]:ends[i]]
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as e:
            raise WrongEncoding(before + i + 1) from e
        return text if text.endswith("\n") else text + "\n"

    # _split's choice for the whole chunk (``header`` ends at a line end: no CRLF straddles the two)
    plain = b'"' not in header and b'"' not in body and all(
        b"\r" not in part or part.count(b"\r") == part.count(b"\r\n") for part in (header, body))
    texts: list[str] = []
    origin: list[int] = []                               # the file's line of each line of ``texts``
    end = 0
    for i in at.tolist():
        if i < end:
            return None                                  # inside the record before: no record starts there
        used = 1
        if not plain:
            reader = csv.reader((line(j) for j in range(i, len(ends))), strict=True)
            try:
                next(reader)
            except (csv.Error, StopIteration):
                return None
            used = reader.line_num
        texts += [line(j) for j in range(i, i + used)]
        origin += range(before + i + 1, before + i + 1 + used)
        end = i + used
    data = header + "".join(texts).encode("utf-8")
    split = _split_plain(data) if plain else _split_general(data, limit)
    if split is None or split.malformed:
        return None
    lines = np.asarray(origin, dtype=np.int64)[split.lines - header_lines - 1]
    if not np.array_equal(lines, wanted):
        return None
    split.lines = lines
    split.header_line += before - header_lines
    return split, line_ends


def _cr_only(path: Path, limit: int) -> bool:
    """:func:`cr_line_ends` of a whole file, read block by block. A file whose first ``limit`` + 1
    bytes hold neither LF nor CR has a first line over the byte bound whatever ends its lines:
    :class:`LineTooLong` at once, rather than a scan of a file that may be one huge line."""
    cr = False
    seen = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            if b"\n" in block:
                return False
            cr = cr or b"\r" in block
            seen += len(block)
            if not cr and seen > limit + 3:     # a byte-order mark does not count
                raise LineTooLong(1, limit)
    return cr


def _plain_header_end(data: bytes) -> int | None:
    """Where the header's line of a file's first chunk ends (just after it), when a byte scan can
    tell: blank lines, then a line without quote, carriage return or NUL, which both splitting
    paths read as the header (:func:`split_csv`); None otherwise (and for a chunk of blank lines)."""
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        line = data[start:end].removesuffix(b"\r")
        if line:
            return None if b'"' in line or b"\r" in line or b"\x00" in line else end + 1
        start = end + 1
    return None


class _ChunkEnd:
    """Where a chunk ends in a file's bytes read so far (from a record's start; ``header``, UTF-8,
    the file's header lines when they are not in them): just after a line end where the whole
    file's reader is between records, after about ``records`` lines; 0: not there yet. Called
    again as more bytes are read (the same bytes, more of them), it reads only what was added.

    Without a quote, every line end is one. With quotes, their parity alone does not tell (hostile
    pass, bbin): a quote inside an unquoted value (``5"号``) is a character to the reader, and a
    broken record is read again from its second line, so parity may put a quoted value's line
    break outside it and cut the value in two — a valid record read as two broken ones, and the
    file's record count changed by its chunk size. There the reader itself decides
    (:func:`_reads`, as :func:`_split_general` reads), over the bytes read as Latin-1: ``,``,
    ``"``, ``\\r`` and ``\\n`` are never part of a multi-byte UTF-8 or GB 18030 character, so
    the reads and their lines are the same as over the decoded text. Between records, up to the
    next line holding a quote, each line is one record: the reader need not read them.

    A quoted value still open at the end of what was read (a stray ``"`` early in a large file,
    closed nowhere) is read on from where it was, not from its record's start: the reader is given
    a stand-in line (the record's fields so far, then an open quote: :func:`_open_fields`), then
    the lines added. What the reader does from there depends on its state alone, so the record's
    fields, its end and its error are those of a read from its start. Reading it again from its
    start each time more was read made the cut cost the square of the file (hostile input).

    A read that starts before the cut may take lines after it (a broken record, read again from
    its second line; a record too long): the chunk is split with the lines after the cut that its
    reads took (:attr:`tail`, fewer than ``limit``: its records read into them as the whole file's
    reader does, and none starts there). Cutting only where no read crossed (as before) never cut a
    file whose every line opens a quote that stays open for ``limit`` lines (each line ``x",`` then
    three quotes): the whole file was one chunk.
    """

    def __init__(self, records: int, header: bytes | None, limit: int, most: int = MAX_CHUNK_BYTES,
                 record_bytes: int = MAX_RECORD_BYTES) -> None:
        self.records = records
        self.record_bytes = record_bytes     # the bytes a read over lines may take (:class:`RecordTooLarge`)
        self.most = most                     # the bytes after which the chunk ends at the next record's start
        self.limit = limit                   # the lines a record may take (a longer read is ``long``)
        self.width = None if header is None else len(_split(header, limit).header)
        self.seen = 0                        # the bytes of whole lines taken so far
        self.lines: list[str] = []           # their physical lines (Latin-1), made when a read needs them
        self.offsets = [0]                   # where each line starts (and where the last one ends)
        self.quoted: list[int] = []          # the lines holding a quote, ascending
        self.at = 0                          # the line the reader reads next: a record's start
        self.reach = 0                       # the furthest line a read took (the tail ends there)
        self.cut = 0                         # the line the chunk ends before, once found
        self.open: int | None = None         # the read from ``at`` is open at ``taken``: its fields so far
        self.taken = 0                       # the lines that open read took

    def __call__(self, data: bytes | bytearray) -> int:
        stop = data.rfind(b"\n", self.seen) + 1
        if stop > self.seen:
            self._take(data[self.seen:stop])
        return self._cut(data)

    def _take(self, whole: bytes | bytearray) -> None:
        arr = np.frombuffer(whole, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10) + 1                 # just after each line end
        first = len(self.offsets) - 1
        self.quoted += (np.unique(np.searchsorted(ends, np.flatnonzero(arr == 34), side="right")) + first).tolist()
        self.offsets += (ends + self.seen).tolist()
        self.seen += len(whole)

    def _made(self, data: bytes | bytearray) -> list[str]:
        """The physical lines taken (made as reads need them: a file without quotes has only its
        header read)."""
        made = len(self.lines)
        if made < len(self.offsets) - 1:
            self.lines += _physical_lines(data[self.offsets[made]:self.seen].decode("latin-1"))
        return self.lines

    @property
    def tail(self) -> int:
        """Where the lines after the cut that reads of its chunk took end (their bytes: from the cut
        to there)."""
        return self.offsets[max(self.reach, self.cut)]

    def _cut(self, data: bytes | bytearray) -> int:
        n = len(self.offsets) - 1
        if self.open is not None:
            if self.taken == n:
                return 0
            read = self._reopened(data, n)
            if read is None:
                self._within(self.at, n)
                return 0          # still open at the end of what was read: read on
            cut = self._after(read)
            if cut is not None:
                return cut
        while self.at < n:
            if self.width is not None and not self._holds(self.at):
                # between records, up to the next line holding a quote, each line is one record
                following = bisect.bisect_left(self.quoted, self.at)
                ahead = self.quoted[following] if following < len(self.quoted) else n
                end = min(self.records, self._full(self.at))
                if end <= ahead:
                    self.cut = end
                    return self.offsets[self.cut]
                self.at = ahead
                continue
            for read in _reads(self._made(data), self.width, self.limit, self.at):
                if read.kind == "broken" and "unexpected end of data" in read.error:
                    self.at, self.taken = read.start, n
                    self._within(self.at, n)
                    self.open = _open_fields(self.lines, read.start)
                    return 0      # a quoted value open at the end of what was read: read on
                cut = self._after(read)
                if cut is not None:
                    return cut
                if self.width is not None and not self._holds(self.at):
                    break         # lines without a quote ahead: no need to read them
            else:
                return 0          # the reads took every line
        return 0

    def _full(self, at: int) -> int:
        """The first line after ``at`` that starts at or past the chunk's bytes (:attr:`most`); past
        the lines taken when none does yet."""
        return max(at + 1, bisect.bisect_left(self.offsets, self.most))

    def _within(self, start: int, end: int) -> None:
        """Refuse a read over the lines from ``start`` up to ``end`` (not included) holding more than
        :attr:`record_bytes` bytes, its last line end not counted (:class:`RecordTooLarge`, at its first
        line of the chunk, from 1). A read open at the end of what was read is judged so too: it can
        only grow, so the bytes read so far are its least, and the file is refused with the bound and
        one read of the file held (:func:`piece_size`), where up to ``limit`` lines of the bound each
        were held, several times over."""
        if self.offsets[end] - self.offsets[start] - 1 > self.record_bytes:
            raise RecordTooLarge(start + 1, self.record_bytes)

    def _after(self, read: _Read) -> int | None:
        """Take a read: the cut when the reader is between records there, after enough lines."""
        if read.used > 1:
            self._within(read.start, read.start + read.used)
        if read.kind == "header":
            self.width = len(read.record)
        self.reach = max(self.reach, read.start + read.used)
        self.at = read.next
        if read.next >= self.records or self.offsets[read.next] >= self.most:
            self.cut = read.next
            return self.offsets[self.cut]
        return None

    def _reopened(self, data: bytes | bytearray, n: int) -> _Read | None:
        """The open read, read on over the lines added since (None: open still), as read whole."""
        assert self.open is not None
        lines = ["," * self.open + '"\n'] + self._made(data)[self.taken:]
        # the stand-in line is the lines taken: the bound counts them
        read = next(_reads(lines, self.width, self.limit - (self.taken - self.at) + 1))
        if read.kind == "broken" and "unexpected end of data" in read.error:
            self.open, self.taken = _open_fields(lines, 0), n
            return None
        self.open = None
        return replace(read, start=self.at, used=self.taken - self.at + read.used - 1)

    def _holds(self, line: int) -> bool:
        """Whether ``line`` holds a quote."""
        i = bisect.bisect_left(self.quoted, line)
        return i < len(self.quoted) and self.quoted[i] == line


def _open_fields(lines: list[str], start: int) -> int:
    """The fields before the quoted value open at the end of ``lines`` in the record from ``start``
    (a strict read of it found no error before that end: a lenient one reads it the same way and
    returns what it read, the open value last)."""
    return len(next(csv.reader(_from(lines, start), strict=False))) - 1


def _from(lines: list[str], start: int) -> Iterator[str]:
    """``lines`` from ``start`` on, without stepping over the lines before it (``islice`` does)."""
    return map(lines.__getitem__, range(start, len(lines)))


def _decoded(data: bytes, encoding: str, before: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise WrongEncoding(before + data.count(b"\n", 0, e.start) + 1) from e
