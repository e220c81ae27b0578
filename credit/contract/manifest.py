"""A night's drop as delivered: its manifest, its files, and reading them as text (contracts.md §1).

Any disagreement between the manifest and the files refuses the night before anything is
published; each refusal is an :class:`~credit.issues.Issue` naming the file and the rule.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Literal, TypedDict, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from credit.contract.records import (
    MAX_CHUNK_BYTES,
    MAX_RECORD_BYTES,
    MAX_RECORD_LINES,
    ROW_OFFSET,
    FileChanged,
    LineTooLong,
    LooksUtf8,
    Malformed,
    MixedUtf8,
    NoHeader,
    RecordTooLarge,
    Split,
    Utf8LookAlike,
    WrongEncoding,
    split_csv,
    split_csv_chunks,
    with_lf_line_ends,
)
from credit.contract.sources import SOURCES, Source
from credit.issues import Issue, Text, issue

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030"}

# The refusals of a drop, one sentence per rule.
REFUSALS: dict[str, Text] = {
    "manifest_missing": Text("没有找到批次清单", "no manifest at {path}"),
    "manifest_unreadable": Text("批次清单不是合法的 JSON（第 {row} 行第 {column} 列：{error}）",
                                "manifest is not valid JSON: {error} (line {row}, column {column})"),
    "manifest_empty": Text("批次清单是空文件{bom}", "the manifest is empty{bom_en}"),
    "manifest_not_utf8": Text("批次清单须为 UTF-8 编码（可带 BOM）：{detail}", "the manifest is not UTF-8: {detail_en}"),
    "manifest_duplicate_key": Text("批次清单中{where}的键 {key} 出现了 {count} 次，无法判断以哪一个为准",
                                   "the key {key} appears {count} times {where_en}; which one holds cannot be told"),
    "manifest_not_object": Text("批次清单须为 JSON 对象，而不是{found}", "the manifest is a JSON object, not {found_en}"),
    "manifest_path": Text("清单中的文件名{name}指向本批次文件夹之外或不是普通文件名",
                          "a listed file must be a plain file name inside the night's folder"),
    "manifest_night": Text("清单日期（night）{given}，而本次运行的批次是 {night}",
                           "the manifest's night {given_en}; this run is for {night}"),
    "manifest_files": Text("清单缺少 files 对象", "no 'files' object"),
    "manifest_entry": Text("清单条目格式错误", "entry is not an object"),
    "unknown_source": Text("未知的数据来源：source {given}，应为 {known} 之一",
                           "unknown source: 'source' {given_en}, not one of {known}"),
    "duplicate_source": Text("本文件声明的来源 {source} 已由清单中的 {other} 提供，同一来源只能有一个文件",
                             "source {source} is already listed for {other}"),
    "manifest_mode": Text("模式无效：mode {given}，应为 full 或 delta", "'mode' {given_en}, neither full nor delta"),
    "manifest_format": Text("文件须为 .csv 或 .parquet", "a file is .csv or .parquet"),
    "manifest_encoding": Text("编码不受支持：encoding {given}，应为 utf-8 或 gb18030",
                              "'encoding' {given_en}; the encoding is utf-8 or gb18030"),
    "manifest_rows": Text("行数无效：rows {given}，应为不小于 0 的整数",
                          "'rows' {given_en}; the row count is a whole number, 0 or more"),
    "file_missing": Text("清单列出的文件不存在", "listed but missing"),
    "sha256_mismatch": Text("校验和不符：清单 {listed}，文件 {actual}", "checksum mismatch"),
    "file_changed": Text("文件在读取过程中被改动，请待文件传送完毕后重新运行该批次",
                         "the file changed while it was read"),
    "encoding_mismatch": Text("文件不是清单声明的 {encoding} 编码", "not valid {encoding}"),
    "parquet_not_utf8": Text("列 {column} 的文本不是有效的 UTF-8（Parquet 的文本列须为 UTF-8 编码）",
                             "column {column}: text that is not valid UTF-8 (Parquet text is UTF-8)"),
    "encoding_looks_utf8": Text("清单声明为 gb18030 编码，但文件是 UTF-8 编码的中文（自本行起有多字节字符）；"
                                "按 gb18030 读取会把名称、地址等读成乱码，请平台以 encoding utf-8 重新交付",
                                "declared gb18030, but the bytes are UTF-8 Chinese text (multi-byte characters "
                                "from this line): read as gb18030 every name and address would be garbled; "
                                "deliver it again declared utf-8"),
    "encoding_mixed": Text("清单声明为 gb18030 编码，但本行是 UTF-8 编码的中文，文件其余部分不是（两种编码混在一个文件中）；"
                           "按 gb18030 读取会把本行的名称、地址等读成乱码，请平台统一为一种编码后重新交付",
                           "declared gb18030, but this line is UTF-8 Chinese text and the rest of the file is "
                           "not (two encodings in one file): read as gb18030 its names and addresses would be "
                           "garbled; deliver the file again in one encoding"),
    "unreadable": Text("文件无法解析", "unreadable: {error}"),
    "record_too_large": Text("本行超过 {limit} 字节（一条记录的上限，见 CREDIT_INGEST_MAX_RECORD_BYTES）：这不是可以隔离的一行，"
                             "而是损坏的导出（缺少换行符，或引号未闭合），整个文件不予读取，请平台重新交付",
                             "this line holds more than {limit} bytes, the bound of a record "
                             "(CREDIT_INGEST_MAX_RECORD_BYTES): a broken export (a missing line end, or an open quote), "
                             "not a row to quarantine; the file is not read, deliver it again"),
    "record_lines_too_large": Text("自本行起的一条记录跨多行，合计超过 {limit} 字节（一条记录的上限，见 "
                                   "CREDIT_INGEST_MAX_RECORD_BYTES）：每行都在上限内，但引号内的值延续到后面许多行，"
                                   "这不是可以隔离的一行，而是损坏的导出，整个文件不予读取，请平台重新交付",
                                   "the record from this line spans lines holding together more than {limit} bytes, "
                                   "the bound of a record (CREDIT_INGEST_MAX_RECORD_BYTES): each line is within it, "
                                   "a quoted value runs on over many of them; a broken export, not a row to "
                                   "quarantine; the file is not read, deliver it again"),
    "row_group_too_large": Text("自本行起的行组（第 {group} 个）未压缩 {size} 字节、{rows} 行，平均每行超过一条记录的上限 "
                                "{limit} 字节（CREDIT_INGEST_MAX_RECORD_BYTES）：至少有一行不是合理的记录，"
                                "整个文件不予读取，请平台重新交付",
                                "the row group from this line (number {group}) holds {size} bytes uncompressed for "
                                "{rows} rows, more than the bound of a record ({limit} bytes, "
                                "CREDIT_INGEST_MAX_RECORD_BYTES) a row: some row is no sound record; the file is "
                                "not read, deliver it again"),
    "value_too_large": Text("列 {column} 的值超过 {limit} 字节（一条记录的上限，见 CREDIT_INGEST_MAX_RECORD_BYTES）："
                            "这不是合理的取值，整个文件不予读取，请平台重新交付",
                            "column {column}: a value of more than {limit} bytes, the bound of a record "
                            "(CREDIT_INGEST_MAX_RECORD_BYTES); the file is not read, deliver it again"),
    "missing_columns": Text("缺少合同规定的列 {columns}{hint}", "missing columns {columns}{hint_en}"),
    "no_header": Text("文件没有表头行（空文件）", "no header line: the file is empty"),
    "duplicate_columns": Text("表头中列 {columns} 出现多次，无法判断以哪列为准", "a contract column appears twice"),
    "column_type": Text("列 {column} 的类型 {type} {why}", "column {column}: type {type} {why_en}"),
    "row_count_mismatch": Text("行数不符：清单 {listed}，文件 {actual}{where}", "row count mismatch{where_en}"),
}


class DropError(Exception):
    """A file-level failure: the night stops before anything is published (exit 2)."""

    def __init__(self, found: Issue):
        super().__init__(found.text())
        self.issue = found


def refusal(file: str, code: str, *, line: int | None = None, **params: object) -> DropError:
    return DropError(issue(REFUSALS, code, "refusal", file, line=line, **params))


@dataclass(frozen=True)
class DropFile:
    file: str
    source: Source
    mode: Literal["full", "delta"]
    rows: int
    sha256: str
    encoding: str | None
    path: Path

    @property
    def format(self) -> str:
        return "parquet" if self.file.endswith(".parquet") else "csv"


@dataclass(frozen=True)
class Manifest:
    night: date
    folder: Path
    files: tuple[DropFile, ...]
    digest: str                          # sha256 of manifest.json: the input snapshot's identity
    extra: dict[str, object] = field(default_factory=dict)
    unlisted: tuple[str, ...] = ()       # entries of the night's folder the manifest does not list: not read

    def file(self, name: str) -> DropFile:
        return next(f for f in self.files if f.file == name)

    @property
    def content_digest(self) -> str:
        """The drop's identity by what it delivers, not by how its manifest is written: a SHA-256
        over the night and, file by file, name, source, mode, rows, checksum and encoding (as
        normalised). A manifest delivered again with other white space, key order or letter case
        of a checksum, or other keys of its own, is the same drop (contracts.md §2: re-running a
        night changes nothing)."""
        doc = [self.night.isoformat(),
               sorted([f.file, f.source.name, f.mode, f.rows, f.sha256, f.encoding] for f in self.files)]
        return hashlib.sha256(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def night_folder(drop: Path, night: date) -> Path:
    return Path(drop) / night.isoformat()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(drop: Path, night: date) -> Manifest:
    """Read and check a night's manifest; any disagreement raises :class:`DropError` naming the file.

    Checks (contracts.md §1): the night matches, every listed file exists, its source is known,
    its mode and encoding are allowed, its SHA-256 matches. Row counts are checked when the file
    is parsed (:func:`read_table`), since counting needs the parse.
    """
    folder = night_folder(drop, night)
    path = folder / "manifest.json"
    if not path.is_file():
        raise refusal("manifest.json", "manifest_missing", path=path)
    raw = path.read_bytes()
    try:
        doc = json.loads(_manifest_text(raw), object_pairs_hook=_unique_keys)
    except _RepeatedKey as e:
        raise _repeated_key_refusal(e) from None
    except json.JSONDecodeError as e:
        raise refusal("manifest.json", "manifest_unreadable", line=e.lineno, error=e.msg,
                      row=e.lineno, column=e.colno) from e
    if not isinstance(doc, dict):
        kind = _JSON_KINDS.get(type(doc), ("值", "value"))
        raise refusal("manifest.json", "manifest_not_object", found=kind[0], found_en=kind[1])
    if doc.get("night") != night.isoformat():
        raise refusal("manifest.json", "manifest_night", night=night.isoformat(), **_given(doc, "night"))
    files = doc.get("files")
    if not isinstance(files, dict):
        raise refusal("manifest.json", "manifest_files")
    out: list[DropFile] = []
    repeats = _repeated_sources(files)
    for name, entry in sorted(files.items()):
        if not isinstance(entry, dict):
            raise refusal(name, "manifest_entry")
        src = entry.get("source")
        if not isinstance(src, str) or src not in SOURCES:
            raise refusal(name, "unknown_source", known=", ".join(SOURCES), **_given(entry, "source"))
        if name in repeats:
            raise refusal(name, "duplicate_source", source=src, other=repeats[name])
        mode = entry.get("mode")
        if mode not in ("full", "delta"):
            raise refusal(name, "manifest_mode", **_given(entry, "mode"))
        is_parquet = name.endswith(".parquet")
        if not is_parquet and not name.endswith(".csv"):
            raise refusal(name, "manifest_format")
        enc = entry.get("encoding")
        if not is_parquet:
            enc = ENCODINGS.get(enc.lower()) if isinstance(enc, str) else None
            if enc is None:
                raise refusal(name, "manifest_encoding", **_given(entry, "encoding"))
        rows = entry.get("rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise refusal(name, "manifest_rows", **_given(entry, "rows"))
        fpath = _inside(folder, name)
        if not fpath.is_file():
            raise refusal(name, "file_missing")
        given = entry.get("sha256", "")
        sha = given.lower() if isinstance(given, str) else _json_text(given)
        actual = file_sha256(fpath)
        if sha != actual:
            raise refusal(name, "sha256_mismatch", listed=sha or "(空)", actual=actual)
        out.append(DropFile(name, SOURCES[src], mode, rows, actual, None if is_parquet else enc, fpath))
    return Manifest(night, folder, tuple(out), hashlib.sha256(raw).hexdigest(),
                    unlisted=unlisted_entries(folder, set(files)))


def unlisted_entries(folder: Path, listed: Container[str]) -> tuple[str, ...]:
    """The names in the night's folder that the manifest does not list (a folder with a trailing
    ``/``), sorted; the manifest itself is not one.

    contracts.md §1 reads only what the manifest lists ("a source absent from a night's manifest
    simply did not change that night") and names no refusal for an extra file, so such a file is
    not read and does not refuse the night: it is named in the night's summary and log, so that
    an operator learns that a file meant to be sent was not read. A name that is not UTF-8 is
    written with its bytes escaped (``\\xff``), so that it can be stored and printed.
    """
    try:
        with os.scandir(folder) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
    except OSError:
        return ()
    names = []
    for name, is_dir in entries:
        if name == "manifest.json" or name in listed:
            continue
        text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        names.append(text + ("/" if is_dir else ""))
    return tuple(sorted(names))


_JSON_KINDS: dict[type, tuple[str, str]] = {
    list: ("数组（array）", "an array"), str: ("字符串（string）", "a string"), int: ("数字（number）", "a number"),
    float: ("数字（number）", "a number"), bool: ("true/false", "true/false"), type(None): ("null", "null"),
}


def _manifest_text(raw: bytes) -> str:
    """The manifest's text: UTF-8, with or without a byte-order mark (as the data files, contracts.md §1).

    An empty manifest (nothing, white space, or a BOM alone: a copy cut short), a UTF-16 one (a
    UTF-16 BOM, or NUL bytes) and other bytes that are not UTF-8 are refused naming that cause,
    not with the JSON parser's error on what decoding made of them (hostile review D6).
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refusal("manifest.json", "manifest_not_utf8", detail="文件是 UTF-16 编码（以 UTF-16 的 BOM 开头），请另存为 UTF-8",
                      detail_en="it is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8")
    if b"\x00" in raw:
        raise refusal("manifest.json", "manifest_not_utf8", detail="文件含有 NUL 字节，疑似 UTF-16 编码，请另存为 UTF-8",
                      detail_en="it holds NUL bytes, as UTF-16 does; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        byte = f"0x{raw[e.start]:02x}"
        raise refusal("manifest.json", "manifest_not_utf8", detail=f"第 {line} 行的字节 {byte} 不是 UTF-8（疑似 GB 18030 等编码）",
                      detail_en=f"byte {byte} on line {line} is not UTF-8") from e
    if not text.strip():
        bom = raw.startswith(codecs.BOM_UTF8)
        raise refusal("manifest.json", "manifest_empty", bom="（只有一个 UTF-8 字节顺序标记 BOM，没有内容）" if bom else "",
                      bom_en=" (nothing after its UTF-8 byte-order mark)" if bom else "")
    return text


class _RepeatedKey(Exception):
    def __init__(self, key: str, count: int, pairs: list[tuple[str, Any]]):
        super().__init__(key)
        self.key, self.count, self.pairs = key, count, pairs


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all distinct; a repeated key raises :class:`_RepeatedKey`.

    The JSON reader keeps the last of repeated keys without a word, so a manifest listing a file
    twice, or giving two nights, would be read as whichever came last (contracts.md §1: a
    disagreement stops the night).
    """
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise _RepeatedKey(k, keys.count(k), pairs)
    return dict(pairs)


def _repeated_key_refusal(e: _RepeatedKey) -> DropError:
    """The refusal of a repeated key: a file listed twice names that file, other keys the manifest."""
    key = _json_text(e.key)
    entries = all(isinstance(v, dict) and "source" in v for _, v in e.pairs)
    if entries:
        return refusal(e.key, "manifest_duplicate_key", key=key, count=e.count, where=" files ", where_en="in 'files'")
    return refusal("manifest.json", "manifest_duplicate_key", key=key, count=e.count, where="", where_en="in an object")


def shown(text: str, limit: int = 60) -> str:
    """``text`` as an officer reads it in a message: in 「」, cut at ``limit`` characters, a control
    character written as its code (``\\x00``) instead of being printed, never a Python repr."""
    cut = text if len(text) <= limit else text[:limit - 1] + "…"
    return "「" + "".join(ch if ch.isprintable() else (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
                         for ch in cut) + "」"


def _json_text(value: object) -> str:
    """A manifest's value as written in JSON (``true``, ``null``, ``"2"``), cut at 60 characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


class _Given(TypedDict):
    given: str
    given_en: str


def _given(doc: dict[str, Any], key: str) -> _Given:
    """``given`` and ``given_en`` of a refusal: the value of ``key`` as written, or that it is missing."""
    if key not in doc:
        return {"given": "缺失", "given_en": "is missing"}
    text = _json_text(doc[key])
    return {"given": f"为 {text}", "given_en": f"is {text}"}


def _repeated_sources(files: dict[str, Any]) -> dict[str, str]:
    """file → the file already listed for its source, for each file that repeats a source.

    Of the files declaring one source, the one named after it keeps it (``penalties.csv`` for
    ``penalties``), else the first in the manifest's order; the others repeat it. So a
    ``findings.csv`` declared as ``penalties`` beside ``penalties.csv`` is the file named.
    """
    holders: dict[str, list[str]] = {}
    for name, entry in files.items():
        if isinstance(entry, dict) and isinstance(entry.get("source"), str):
            holders.setdefault(entry["source"], []).append(name)
    out: dict[str, str] = {}
    for src, names in holders.items():
        if len(names) > 1:
            keeper = next((n for n in names if Path(n).stem == src), names[0])
            out |= {n: keeper for n in names if n != keeper}
    return out


def _inside(folder: Path, name: str) -> Path:
    """The listed file's path: a plain name in the night's folder, never reaching outside it.

    ``../x.csv``, ``/etc/x.csv``, ``sub/x.csv`` and a symbolic link that resolves outside the
    folder are refused (a drop is one flat folder, contracts.md §1).
    """
    plain = (name and name not in (".", "..") and "/" not in name and "\\" not in name and "\x00" not in name
             and not Path(name).is_absolute())
    if not plain:
        raise refusal(name, "manifest_path", name=shown(name))
    path = folder / name
    if path.exists() or path.is_symlink():
        try:
            path.resolve(strict=True).relative_to(folder.resolve(strict=True))
        except (ValueError, OSError) as e:
            raise refusal(name, "manifest_path", name=shown(name)) from e
    return path


@dataclass(frozen=True)
class Records:
    """A drop file read as text: the contract's columns of its readable records, with their lines.

    ``rows`` is what the manifest's ``rows`` counts: readable plus malformed records (see
    :mod:`credit.contract.records` for what a record and a line are).
    """

    table: pa.Table
    lines: np.ndarray                               # int64: the physical line of each row of ``table``
    malformed: tuple[Malformed, ...] = ()
    chunk: int = 0                                  # which chunk of the file (:func:`iter_records`), from 0
    absent: tuple[str, ...] = ()                    # optional contract columns the file does not carry

    @property
    def rows(self) -> int:
        return self.table.num_rows + len(self.malformed)


def read_table(df: DropFile) -> pa.Table:
    """The readable records of a drop file (see :func:`read_records`), contract columns only."""
    return read_records(df).table


@dataclass
class ReadDigest:
    """The SHA-256 of the bytes one read of a drop file took (:func:`iter_records`), once it is over."""

    sha256: str = ""


def _verified(df: DropFile, actual: str) -> str:
    """The hash of the bytes a read took; refuses the file when it is not the manifest's.

    The manifest's checksum is checked when the manifest is read (:func:`read_manifest`), but a
    file may change after that (a platform re-delivering it, a copy still being written; in the
    DAG the ingest tasks run long after the opening checks): what is ingested must be what the
    manifest lists, so every read hashes the bytes it takes and ends with this check (contracts.md
    §1: a checksum that disagrees stops the night; hostile review D1).
    """
    if actual != df.sha256:
        raise refusal(df.file, "sha256_mismatch", listed=df.sha256, actual=actual)
    return actual


def read_records(df: DropFile, max_record_lines: int = MAX_RECORD_LINES,
                 max_record_bytes: int = MAX_RECORD_BYTES) -> Records:
    """Read a drop file with every contract column as text, exactly as delivered (normalising comes later).

    Raises :class:`DropError` (naming the file, the line where known and the rule) for an
    unreadable file, a wrong encoding, no header, missing or duplicated contract columns, a
    Parquet column that is not text-like, or a record count that disagrees with the manifest.
    A record that cannot be split into the header's columns is not a refusal: it comes back in
    ``malformed``, to be quarantined with its line. The bytes read must hash to the manifest's
    SHA-256 (``sha256_mismatch`` otherwise: the file changed after the manifest was read).
    A CSV line, a Parquet row group's rows on average, or a Parquet value over ``max_record_bytes``
    bytes refuses the file (``record_too_large``, ``row_group_too_large``, ``value_too_large``).
    """
    lines: np.ndarray | None
    malformed: tuple[Malformed, ...]
    header_line: int | None
    if df.format == "parquet":
        table, lines, malformed, header_line = _read_parquet(df, max_record_bytes), None, (), None
    else:
        split = _read_csv(df, max_record_lines, max_record_bytes)
        table, lines, malformed, header_line = split.table, split.lines, tuple(split.malformed), split.header_line
    _check_columns(df, table.column_names, header_line)
    rows = table.num_rows + len(malformed)
    if rows != df.rows:
        raise _count_refusal(df, rows, [m.line for m in malformed])
    if lines is None:
        lines = np.arange(table.num_rows, dtype=np.int64) + ROW_OFFSET
    return Records(_picked(df, table), lines, malformed, 0, absent_columns(df, table.column_names))


def _check_columns(df: DropFile, header: list[str], header_line: int | None) -> None:
    """Refuse a header that lacks a contract column or has one twice."""
    names = [c.strip().lstrip("\ufeff").strip() for c in header]
    missing = [c for c in df.source.required_column_names if c not in names]
    if missing:
        hint = hint_en = ""
        lower = {n.lower(): n for n in names}
        if len(names) == 1 and any(d in names[0] for d in (";", "\t", "|", "，")):
            hint = f"（表头{shown(names[0])}疑似使用了错误的分隔符，应为逗号）"
            hint_en = " (the header seems split by another delimiter than the comma)"
        elif cased := [(lower[m], m) for m in missing if m in lower]:
            hint = "（表头中" + "、".join(f"{shown(n)}与 {m}" for n, m in cased) + " 仅大小写不同，列名须为小写）"
            hint_en = " (the header has them in other letter case; column names are lower case)"
        elif hidden := [(n, m) for m in missing for n in names if n != m and _visible_ascii(n) == m]:
            # A column name with a zero-width space, a control character or full-width letters in it
            # reads as the contract's name on screen: the refusal says what differs (drops4).
            hint = ("（表头中" + "、".join(f"{shown(n)}与 {m}" for n, m in hidden)
                    + " 只差不可见字符、控制字符或全角字母，列名须为 ASCII 字母、数字和下划线）")
            hint_en = (" (the header has " + ", ".join(f"{shown(n)} for {m}" for n, m in hidden)
                       + ": they differ by invisible or control characters or full-width letters; a column "
                       "name is ASCII letters, digits and underscores)")
        raise refusal(df.file, "missing_columns", line=header_line, columns=", ".join(missing), hint=hint,
                      hint_en=hint_en)
    twice = [c for c in df.source.column_names if names.count(c) > 1]
    if twice:
        raise refusal(df.file, "duplicate_columns", line=header_line, columns=", ".join(twice))


def _visible_ascii(name: str) -> str:
    """A header's column name as it looks: full-width letters as ASCII (NFKC), without the control
    and format characters that show as nothing (Unicode categories Cc and Cf), without white space
    around it."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cc", "Cf")).strip()


def absent_columns(df: DropFile, header: list[str]) -> tuple[str, ...]:
    """The optional contract columns a file's header does not carry (contracts.md §1: "optional
    (older drops lack them)"). A column absent from a file states nothing about its rows: the
    merge keeps what the store holds for them (:func:`credit.night.merge.merge_into`), unlike an
    empty cell of a column the file has, which states "unknown" (contracts.md §1: "empty means
    unknown"). Outsider's report M1: an older-format re-delivery erased a revoked_on."""
    names = {c.strip().lstrip("\ufeff").strip() for c in header}
    return tuple(c.name for c in df.source.columns if c.optional and c.name not in names)


def _picked(df: DropFile, table: pa.Table) -> pa.Table:
    """The contract's columns of ``table``, in the contract's order."""
    names = [c.strip().lstrip("\ufeff").strip() for c in table.column_names]
    # An optional column an older drop does not carry is read as empty here (not refused); the
    # merge keeps the stored value for it (:func:`absent_columns`).
    return pa.Table.from_arrays([table.column(names.index(c)) if c in names else pa.nulls(table.num_rows, pa.string())
                                 for c in df.source.column_names], names=df.source.column_names)


def iter_records(df: DropFile, chunk_rows: int, only: Container[int] | Mapping[int, np.ndarray] | None = None, *,
                 read: ReadDigest | None = None, max_record_lines: int = MAX_RECORD_LINES,
                 max_record_bytes: int = MAX_RECORD_BYTES, max_chunk_bytes: int = MAX_CHUNK_BYTES,
                 ) -> Iterator[Records]:
    """Read a drop file in chunks of about ``chunk_rows`` records, each as :func:`read_records`
    reads a whole file: the contract's columns as text, every row with its true physical line,
    the malformed records of the chunk apart (issue 11: memory follows the chunk, not the file).
    Each chunk says which it is (``Records.chunk``, from 0).

    The same refusals as :func:`read_records`, raised when the chunk that shows them is read:
    the header's at the first chunk, the row count after the last one, an encoding error at the
    chunk holding it (so a caller stages a file's chunks in one transaction and drops them on a
    refusal); and one a whole read does not make, since it holds the file anyway: a CSV record
    read over lines past ``max_record_bytes`` (``record_lines_too_large``, judged as the bytes are
    read, so that such a record is never held whole). Every chunk but the last is cut where a record ends (see
    :func:`credit.contract.records.split_csv_chunks`).

    With ``only``, the chunks of those numbers alone, the others skipped without being parsed: a
    second read of a file a whole read already judged (:mod:`credit.night.duplicates`), so neither
    the header nor the row count is checked again. With ``only`` a mapping (chunk → lines of rows
    that read accepted), each of those chunks gives the rows at those lines alone, the same as its
    whole read then filtered by line: a CSV chunk's other records are neither decoded nor parsed
    (:func:`credit.contract.records.split_csv_chunks`), a Parquet batch's other rows not made text.

    Every read, whole or partial, hashes the bytes it takes (the whole file: a partial read scans
    the chunks it skips) and, once the last chunk is returned, refuses the file with
    ``sha256_mismatch`` when they are not the bytes the manifest's SHA-256 lists: a file changed
    after the manifest was read, or between a whole read and a partial one, is never taken for the
    manifest's (hostile review D1). The check comes after the chunks, so a caller stages them in a
    transaction that such a refusal rolls back, and reads to the end; a Parquet file is read into
    memory and checked before any chunk. ``read`` receives the hash of what was read.
    ``max_record_lines`` bounds a CSV record's physical lines (``Settings.ingest_max_record_lines``;
    :mod:`credit.contract.records`): every read of one file must use the same bound.
    ``max_record_bytes`` (``Settings.ingest_max_record_bytes``) bounds a CSV physical line's bytes,
    checked as the bytes are read, never after a whole line is held (``record_too_large``), and a
    Parquet file's row groups (their rows' average, from the metadata, before a group is read:
    ``row_group_too_large``) and values (``value_too_large``): over it the file is refused.
    ``max_chunk_bytes`` bounds a chunk's bytes as well as its rows (a chunk ends at whichever comes
    first): a CSV chunk's bytes as read, a Parquet chunk's text as decoded (:func:`_parquet_chunks`).
    """
    rows = 0
    broken: list[int] = []        # the first lines of records that could not be split, for a refusal
    digest = hashlib.sha256()
    if df.format == "parquet":
        chunks = _parquet_chunks(df, chunk_rows, only, digest.update, (max_record_bytes, max_chunk_bytes))
    else:
        chunks = _csv_chunks(df, chunk_rows, only, digest.update, max_record_lines,
                             (max_record_bytes, max_chunk_bytes))
    first = only is None
    for table, lines, malformed, header_line, chunk in chunks:
        if first:
            _check_columns(df, table.column_names, header_line)
            first = False
        rows += table.num_rows + len(malformed)
        broken += [m.line for m in malformed[:_NAMED_LINES + 1 - len(broken)]]
        yield Records(_picked(df, table), lines, malformed, chunk, absent_columns(df, table.column_names))
    actual = _verified(df, digest.hexdigest())
    if read is not None:
        read.sha256 = actual
    if only is None and rows != df.rows:
        raise _count_refusal(df, rows, broken)


_NAMED_LINES = 5   # lines a row-count refusal names


def _count_refusal(df: DropFile, rows: int, broken: list[int]) -> DropError:
    """``row_count_mismatch``, naming the first lines of the records that could not be split into the
    header's columns: counted as records (a line of spaces too), they are where a producer's count
    most often parts from the file's, and a refusal names its lines (hostile pass, bbin)."""
    shown = "、".join(str(n) for n in broken[:_NAMED_LINES]) + ("…" if len(broken) > _NAMED_LINES else "")
    return refusal(df.file, "row_count_mismatch", listed=df.rows, actual=rows,
                   where=f"；其中无法按表头拆分的记录在第 {shown} 行" if broken else "",
                   where_en=(f": manifest {df.rows}, file {rows}; records that could not be split into the "
                             f"header's columns at line {shown.replace('、', ', ')}") if broken else "")


_Chunk = tuple[pa.Table, np.ndarray, tuple[Malformed, ...], int | None, int]


_COPY_BLOCK = 1 << 20


def _open_parquet(df: DropFile, limit: int, read: Callable[[bytes], None] | None = None,
                  ) -> tuple[pq.ParquetFile, pa.Schema, list[tuple[str, str]], IO[bytes]]:
    """The file, its Arrow schema, its contract columns and the private copy it is read from (the
    caller closes it, which deletes it); an unreadable file is refused.

    The file's bytes are copied once, block by block, into an anonymous temporary file, each block
    given to ``read`` and hashed; the copy is checked against the manifest's SHA-256 and parsed:
    Parquet is read by seeking, so hashing while parsing would miss the parts not read, and a file
    changed meanwhile would mix two files (hostile review D1). A copy on the task's own disk rather
    than the bytes in memory: a province's tax file (140 MB at 10 M entities) would otherwise sit in
    the client whole, against the memory bound (issue 11). Nothing passes to another task by it.

    A row group is read whole, whatever the batch size: one whose contract columns take more than
    ``limit`` bytes a row uncompressed (its metadata says, before it is read) is refused here
    (:func:`_row_groups_bounded`).
    """
    h = hashlib.sha256()
    copy = tempfile.TemporaryFile(prefix="credit-parquet-")
    try:
        with open(df.path, "rb") as f:
            for block in iter(lambda: f.read(_COPY_BLOCK), b""):
                if read is not None:
                    read(block)
                h.update(block)
                copy.write(block)
    except FileNotFoundError as e:
        copy.close()
        raise refusal(df.file, "file_missing") from e
    except OSError as e:
        copy.close()
        raise refusal(df.file, "unreadable", error=e) from e
    try:
        _verified(df, h.hexdigest())
        copy.seek(0)
        pf = pq.ParquetFile(pa.PythonFile(copy, mode="r"))
        schema = pf.schema_arrow
        picked = _parquet_columns(df, schema)
        _row_groups_bounded(df, pf, picked, limit)
        text = _dictionary_text(pf, schema, picked)
        if text:
            copy.seek(0)
            pf = pq.ParquetFile(pa.PythonFile(copy, mode="r"), read_dictionary=text)
    except DropError:
        copy.close()
        raise
    except (pa.ArrowException, OSError, ValueError) as e:
        copy.close()
        raise refusal(df.file, "unreadable", error=e) from e
    return pf, schema, picked, copy


def _dictionary_text(pf: pq.ParquetFile, schema: pa.Schema, picked: list[tuple[str, str]]) -> list[str]:
    """The text columns read as dictionaries (drops5): those the file stores with a dictionary in
    every row group, whose value is then not copied into every row that refers to it before the rows'
    widths are known (:func:`_text_widths`). A column without one is read decoded: read as a
    dictionary, the reader gathers every distinct value of a row group into one dictionary across
    its batches (700 distinct values of 1 MiB read 64 rows at a time: 3.1 GB, where decoded batches
    hold 64 MiB), and its decoded bytes are what the metadata says (:func:`_group_batches`)."""
    meta = pf.metadata
    text = {o for o, _ in picked if pa.types.is_string(t := schema.field(o).type)
            or pa.types.is_large_string(t) or pa.types.is_dictionary(t)}
    stored = {c for c in text if all(
        meta.row_group(g).column(i).has_dictionary_page for g in range(meta.num_row_groups)
        for i in range(meta.row_group(g).num_columns) if meta.row_group(g).column(i).path_in_schema == c)}
    return [o for o, _ in picked if o in stored]


def _row_groups_bounded(df: DropFile, pf: pq.ParquetFile, picked: list[tuple[str, str]], limit: int) -> None:
    """Refuse a row group whose contract columns hold, uncompressed, more than ``limit`` bytes a
    row (``row_group_too_large``): some row of it is over the bound of a record. From the file's
    metadata alone, before the group is read (pyarrow reads a row group's column chunks whole)."""
    meta = pf.metadata
    wanted = {original for original, _ in picked}
    start = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        size = sum(group.column(c).total_uncompressed_size for c in range(group.num_columns)
                   if group.column(c).path_in_schema in wanted)
        if size > limit * max(1, group.num_rows):
            raise refusal(df.file, "row_group_too_large", line=start + ROW_OFFSET, group=g + 1, size=size,
                          rows=group.num_rows, limit=limit)
        start += group.num_rows


def _group_batches(pf: pq.ParquetFile, picked: list[tuple[str, str]], chunk_rows: int,
                   budget: int) -> Iterator[pa.RecordBatch]:
    """A Parquet file's batches of at most ``chunk_rows`` rows, fewer in a row group whose contract
    columns hold, uncompressed, more than ``budget`` bytes for that many rows (its metadata says):
    there a batch takes about ``budget`` bytes of it (values spread evenly: many distinct values
    each just under the bound of a record). A file without such a group is read as before, its
    batches across its row groups."""
    columns = [original for original, _ in picked]
    meta = pf.metadata
    sizes = [(meta.row_group(g).num_rows,
              sum(meta.row_group(g).column(c).total_uncompressed_size for c in range(meta.row_group(g).num_columns)
                  if meta.row_group(g).column(c).path_in_schema in columns)) for g in range(meta.num_row_groups)]
    per_group = [max(1, min(chunk_rows, budget * rows // size)) if size else chunk_rows for rows, size in sizes]
    if all(b == chunk_rows for b in per_group):
        yield from pf.iter_batches(batch_size=chunk_rows, columns=columns)
        return
    for g, batch_rows in enumerate(per_group):
        yield from pf.iter_batches(batch_size=batch_rows, row_groups=[g], columns=columns)


def _text_widths(batch: pa.RecordBatch) -> list[np.ndarray]:
    """Each text column's bytes in each row of ``batch`` once decoded (a dictionary's value counted
    in every row that refers to it), from the lengths alone: nothing is decoded. Other columns: none
    (their text is a few bytes a row, bounded by the rows)."""
    def lengths(text: Any) -> np.ndarray:
        return np.asarray(pc.binary_length(text).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)

    widths: list[np.ndarray] = []
    for column in batch.columns:
        t = column.type
        if not _is_text(t):
            continue
        if pa.types.is_dictionary(t):
            values, indices = cast(Any, column).dictionary, cast(Any, column).indices
            of_value = lengths(values)
            at = np.asarray(indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
            w = of_value[at] if len(of_value) else np.zeros(len(at), dtype=np.int64)
            if column.null_count:
                w[np.asarray(column.is_null().to_numpy(zero_copy_only=False))] = 0
            widths.append(w)
        else:
            widths.append(lengths(column))
    return widths


def _chunks_of(batches: Iterator[pa.RecordBatch], chunk_rows: int, budget: int,
               check: Callable[[pa.RecordBatch, list[np.ndarray], int], None]) -> Iterator[pa.Table]:
    """The batches' rows regrouped into chunks of ``chunk_rows`` rows, or fewer when more would take
    over ``budget`` bytes of text decoded (a row over it alone): each batch's rows' widths are known
    from the lengths (:func:`_text_widths`), given to ``check`` with the batch and the rows before it, before
    any of its text is decoded. A chunk may span batches (row groups too), as the reader's batches
    did before text was read as dictionaries (those end at a row group's end)."""
    pending: list[pa.RecordBatch] = []
    rows = size = seen = 0
    for batch in batches:
        widths = _text_widths(batch)
        check(batch, widths, seen)
        seen += batch.num_rows
        total = np.cumsum(np.sum(widths, axis=0)) if widths else np.zeros(batch.num_rows, dtype=np.int64)
        at, n = 0, batch.num_rows
        while at < n:
            before = int(total[at - 1]) if at else 0
            fit = int(np.searchsorted(total, before + budget - size, side="right")) - at
            take = min(chunk_rows - rows, n - at, fit)
            if take <= 0:
                if rows:
                    yield pa.Table.from_batches(pending)
                    pending, rows, size = [], 0, 0
                    continue
                take = 1          # a row wider than the budget: a chunk alone
            pending.append(batch.slice(at, take))
            rows += take
            size += int(total[at + take - 1]) - before
            at += take
            if rows >= chunk_rows:
                yield pa.Table.from_batches(pending)
                pending, rows, size = [], 0, 0
    if pending:
        yield pa.Table.from_batches(pending)


def _parquet_chunks(df: DropFile, chunk_rows: int, only: Container[int] | Mapping[int, np.ndarray] | None,
                    read: Callable[[bytes], None], bounds: tuple[int, int]) -> Iterator[_Chunk]:
    """A Parquet file's chunks: at most ``chunk_rows`` rows and, decoded, ``bounds[1]`` bytes of text
    (a row alone may take more, up to its values' bound ``bounds[0]`` each). Text is read as the file
    stores it, a dictionary's rows as indices (:func:`_open_parquet`); each batch's rows' decoded widths
    are known from the lengths (:func:`_text_widths`) before anything is decoded: a value over the
    bound refuses the file there (``value_too_large``), and the rows are cut into chunks within the
    budget (:func:`_chunks_of`; a 1,455-byte file of 3,000 rows holding one 1 MiB dictionary value
    decoded 3 GB in one chunk, and 150 GB at 150,000 rows: drops5)."""
    limit, budget = bounds
    pf, schema, picked, copy = _open_parquet(df, limit, read)

    contract = dict(picked)

    def check(batch: pa.RecordBatch, widths: list[np.ndarray], start: int) -> None:
        names = [contract[f.name] for f in batch.schema if _is_text(f.type)]
        for w, name in zip(widths, names, strict=True):
            over = np.flatnonzero(w > limit)
            if len(over):
                raise refusal(df.file, "value_too_large", line=start + int(over[0]) + ROW_OFFSET, column=name,
                              limit=limit)

    start = chunk = 0
    try:
        for piece in _chunks_of(_group_batches(pf, picked, max(1, chunk_rows), budget), max(1, chunk_rows),
                                budget, check):
            if isinstance(only, Mapping) and chunk in only:   # the rows wanted, by position (row n: line n + 2)
                at = np.unique(np.asarray(only[chunk], dtype=np.int64)) - ROW_OFFSET - start
                at = at[(at >= 0) & (at < piece.num_rows)]
                table = _parquet_text(df, piece.take(at), schema, picked, at + start + ROW_OFFSET, limit)
                yield table, at + start + ROW_OFFSET, (), None, chunk
            elif only is None or chunk in only:
                lines = np.arange(start, start + piece.num_rows, dtype=np.int64) + ROW_OFFSET
                yield _parquet_text(df, piece, schema, picked, lines, limit), lines, (), None, chunk
            start += piece.num_rows
            chunk += 1
        if chunk == 0 and (only is None or 0 in only):   # a file without rows still has its columns (checked against the contract)
            table = _parquet_text(df, schema.empty_table().select([o for o, _ in picked]), schema, picked,
                                  np.zeros(0, dtype=np.int64), limit)
            yield table, np.zeros(0, dtype=np.int64), (), None, 0
    except (pa.ArrowException, OSError, ValueError) as e:
        raise refusal(df.file, "unreadable", error=e) from e
    finally:
        copy.close()


def _is_text(t: pa.DataType) -> bool:
    """Whether a column read from Parquet is text, or a dictionary of text (:func:`_text_widths`)."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


def _csv_chunks(df: DropFile, chunk_rows: int, only: Container[int] | Mapping[int, np.ndarray] | None,
                read: Callable[[bytes], None], max_record_lines: int, bounds: tuple[int, int]) -> Iterator[_Chunk]:
    encoding = "gb18030" if df.encoding == "gb18030" else "utf-8"
    max_record_bytes, max_chunk_bytes = bounds
    try:
        for split in split_csv_chunks(df.path, encoding, chunk_rows, only, read, max_record_lines,
                                      max_record_bytes, max_chunk_bytes):
            yield split.table, split.lines, tuple(split.malformed), split.header_line, split.chunk
    except FileChanged as e:
        raise refusal(df.file, "file_changed") from e
    except FileNotFoundError as e:     # deleted since the manifest was read
        raise refusal(df.file, "file_missing") from e
    except OSError as e:
        raise refusal(df.file, "unreadable", error=e) from e
    except WrongEncoding as e:
        raise refusal(df.file, "encoding_mismatch", line=e.line, encoding=encoding) from e
    except LooksUtf8 as e:
        raise refusal(df.file, "encoding_looks_utf8", line=e.line) from e
    except MixedUtf8 as e:
        raise refusal(df.file, "encoding_mixed", line=e.line) from e
    except NoHeader as e:
        raise refusal(df.file, "no_header", line=1) from e
    except RecordTooLarge as e:
        raise refusal(df.file, "record_lines_too_large", line=e.line, limit=e.limit) from e
    except LineTooLong as e:
        raise refusal(df.file, "record_too_large", line=e.line, limit=e.limit) from e


def _read_parquet(df: DropFile, limit: int) -> pa.Table:
    """A Parquet file's contract columns as text (extra columns are not read, whatever their type).

    A contract column listed twice, or of a nested (list, struct, map) or binary type, refuses the file.
    """
    pf, schema, picked, copy = _open_parquet(df, limit)
    try:
        table = pf.read(columns=[original for original, _ in picked])
    except (pa.ArrowException, OSError, ValueError) as e:
        raise refusal(df.file, "unreadable", error=e) from e
    finally:
        copy.close()
    return _parquet_text(df, table, schema, picked, np.arange(table.num_rows, dtype=np.int64) + ROW_OFFSET, limit)


# Why a Parquet column's type refuses its file (``column_type``).
_NOT_TEXT = Text("无法作为文本读取", "cannot be read as text")
_SPAN_OF_TIME = Text("是一段时长，而合同中没有任何列是时长（金额以元计，日期以日计，天数、人数为整数）；"
                     "按数值读取，时长的单位丢失，会被当作金额或计数",
                     "is a span of time, and no contract column is one (amounts are yuan, dates days, counts "
                     "whole numbers); read as a number it loses its unit and is taken for an amount or a count")


def _parquet_columns(df: DropFile, schema: pa.Schema) -> list[tuple[str, str]]:
    """The contract's columns of a Parquet file: (name in the file, contract name)."""
    wanted = set(df.source.column_names)
    names = [c.strip().lstrip("\ufeff").strip() for c in schema.names]
    twice = sorted({n for n in names if n in wanted and names.count(n) > 1})
    if twice:
        raise refusal(df.file, "duplicate_columns", columns=", ".join(twice))
    picked = [(original, name) for original, name in zip(schema.names, names, strict=True) if name in wanted]
    for original, name in picked:
        t = schema.field(original).type
        if pa.types.is_nested(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t) \
                or pa.types.is_fixed_size_binary(t):
            raise refusal(df.file, "column_type", column=name, type=str(t), why=_NOT_TEXT.zh, why_en=_NOT_TEXT.en)
        # A duration casts to its bare count of units (duration[s] 1000 → "1000"), which an amount or
        # a count column then took for yuan or days (drops4): the unit is lost, and no contract
        # column is a span of time. An interval does not cast at all (refused above by the cast).
        if pa.types.is_duration(t) or pa.types.is_interval(t):
            raise refusal(df.file, "column_type", column=name, type=str(t), why=_SPAN_OF_TIME.zh, why_en=_SPAN_OF_TIME.en)
    return picked


def _parquet_text(df: DropFile, table: pa.Table, schema: pa.Schema, picked: list[tuple[str, str]],
                  lines: np.ndarray, limit: int) -> pa.Table:
    """The contract columns of ``table`` as text; ``lines``: each row's line (row *n*: line *n + 2*).

    A text column's bytes are checked as UTF-8: Parquet's writers do not all check them, Arrow
    reads them as they are, and the first text kernel over them raised (``Invalid UTF8 sequence``,
    a traceback out of the night: drops3). Refused like a CSV file not in its encoding, naming the
    column and the first row's line. A value of more than ``limit`` bytes refuses the file too
    (``value_too_large``): a row group's average (:func:`_row_groups_bounded`) does not show one
    huge value among many small ones."""
    out: list[pa.ChunkedArray[Any]] = []
    for original, name in picked:
        try:
            text = table.column(original).cast(pa.string())
        except (pa.ArrowException, ValueError) as e:
            raise refusal(df.file, "column_type", column=name, type=str(schema.field(original).type),
                          why=_NOT_TEXT.zh, why_en=_NOT_TEXT.en) from e
        try:
            text.validate(full=True)
        except pa.ArrowInvalid as e:
            row = _first_not_utf8(text)
            raise refusal(df.file, "parquet_not_utf8", line=int(lines[row]) if row is not None else None,
                          column=name) from e
        over = np.flatnonzero(np.asarray(pc.binary_length(cast(Any, text)).to_numpy(zero_copy_only=False)) > limit)
        if len(over):   # a null's length reads as NaN here: never over
            row = int(over[0])
            raise refusal(df.file, "value_too_large", line=int(lines[row]), column=name, limit=limit)
        out.append(text)
    return pa.Table.from_arrays(out, names=[name for _, name in picked])


def _first_not_utf8(text: pa.ChunkedArray[Any]) -> int | None:
    """The first row of a text column whose bytes are not UTF-8 (read only when some are not)."""
    for row, raw in enumerate(text.cast(pa.binary()).to_pylist()):
        try:
            if raw is not None:
                raw.decode("utf-8")
        except UnicodeDecodeError:
            return row
    return None


def _bytes_of(df: DropFile) -> bytes:
    """A whole drop file's bytes; a file gone since the manifest was read is refused, not a traceback."""
    try:
        return df.path.read_bytes()
    except FileNotFoundError as e:
        raise refusal(df.file, "file_missing") from e
    except OSError as e:
        raise refusal(df.file, "unreadable", error=e) from e


def _read_csv(df: DropFile, max_record_lines: int, max_record_bytes: int) -> Split:
    data = _bytes_of(df)
    _verified(df, hashlib.sha256(data).hexdigest())   # what is split is what the manifest lists (D1)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # UTF-8 byte-order mark, allowed by the contract
    data = with_lf_line_ends(data)   # CR-only line ends (old Mac files): lines numbered by their CRs
    encoding = "gb18030" if df.encoding == "gb18030" else "utf-8"
    try:
        # Strict: a wrongly encoded file is refused whole, never half-read, naming the first bad line.
        if encoding == "utf-8":
            data.decode("utf-8")
        else:
            look = Utf8LookAlike()
            look.see(data, 0)
            data = data.decode(encoding).encode("utf-8")
            look.verdict()
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise refusal(df.file, "encoding_mismatch", line=line, encoding=encoding) from e
    except LooksUtf8 as e:
        raise refusal(df.file, "encoding_looks_utf8", line=e.line) from e
    except MixedUtf8 as e:
        raise refusal(df.file, "encoding_mixed", line=e.line) from e
    try:
        return split_csv(data, max_record_lines, max_record_bytes)
    except NoHeader as e:
        raise refusal(df.file, "no_header", line=1) from e
    except LineTooLong as e:
        raise refusal(df.file, "record_too_large", line=e.line, limit=e.limit) from e
