"""A night's drop as delivered: its manifest, its files, and reading them as text (contracts.md §1).

Any disagreement between the manifest and the files refuses the night before anything is
published; each refusal is an :class:`~credit.issues.Issue` naming the file and the rule.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from credit.contract.sources import SOURCES, Source
from credit.issues import Issue, Text, issue

ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030"}

# The refusals of a drop, one sentence per rule.
REFUSALS: dict[str, Text] = {
    "manifest_missing": Text("没有找到批次清单", "no manifest at {path}"),
    "manifest_unreadable": Text("批次清单不是合法的 JSON", "manifest is not valid JSON: {error}"),
    "manifest_night": Text("清单日期 {found!r} 与批次 {night} 不符", "the manifest is for {found!r}, not {night}"),
    "manifest_files": Text("清单缺少 files 对象", "no 'files' object"),
    "manifest_entry": Text("清单条目格式错误", "entry is not an object"),
    "unknown_source": Text("未知的数据来源 {source!r}", "unknown source"),
    "duplicate_source": Text("同一来源 {source} 在清单中出现两次", "source {source} listed twice"),
    "manifest_mode": Text("模式 {mode!r} 无效，应为 full 或 delta", "mode is neither full nor delta"),
    "manifest_format": Text("文件须为 .csv 或 .parquet", "a file is .csv or .parquet"),
    "manifest_encoding": Text("编码 {encoding!r} 不受支持", "the encoding is utf-8 or gb18030"),
    "manifest_rows": Text("行数 {rows!r} 无效", "the row count is a whole number"),
    "file_missing": Text("清单列出的文件不存在", "listed but missing"),
    "sha256_mismatch": Text("校验和不符：清单 {listed}，文件 {actual}", "checksum mismatch"),
    "encoding_mismatch": Text("文件不是清单声明的 {encoding} 编码", "not valid {encoding}"),
    "unreadable": Text("文件无法解析", "unreadable: {error}"),
    "missing_columns": Text("缺少合同规定的列 {columns}", "missing columns"),
    "row_count_mismatch": Text("行数不符：清单 {listed}，文件 {actual}", "row count mismatch"),
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

    def file(self, name: str) -> DropFile:
        return next(f for f in self.files if f.file == name)


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
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise refusal("manifest.json", "manifest_unreadable", error=e) from e
    if not isinstance(doc, dict) or doc.get("night") != night.isoformat():
        found = doc.get("night") if isinstance(doc, dict) else None
        raise refusal("manifest.json", "manifest_night", found=found, night=night.isoformat())
    files = doc.get("files")
    if not isinstance(files, dict):
        raise refusal("manifest.json", "manifest_files")
    out: list[DropFile] = []
    seen_sources: set[str] = set()
    for name, entry in sorted(files.items()):
        if not isinstance(entry, dict):
            raise refusal(name, "manifest_entry")
        src = entry.get("source")
        if src not in SOURCES:
            raise refusal(name, "unknown_source", source=src)
        if src in seen_sources:
            raise refusal(name, "duplicate_source", source=src)
        seen_sources.add(src)
        mode = entry.get("mode")
        if mode not in ("full", "delta"):
            raise refusal(name, "manifest_mode", mode=mode)
        is_parquet = name.endswith(".parquet")
        if not is_parquet and not name.endswith(".csv"):
            raise refusal(name, "manifest_format")
        enc = entry.get("encoding")
        if not is_parquet:
            enc = ENCODINGS.get(str(enc or "").lower())
            if enc is None:
                raise refusal(name, "manifest_encoding", encoding=entry.get("encoding"))
        rows = entry.get("rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise refusal(name, "manifest_rows", rows=rows)
        fpath = folder / name
        if not fpath.is_file():
            raise refusal(name, "file_missing")
        sha = str(entry.get("sha256", "")).lower()
        actual = file_sha256(fpath)
        if sha != actual:
            raise refusal(name, "sha256_mismatch", listed=sha or "(空)", actual=actual)
        out.append(DropFile(name, SOURCES[src], mode, rows, actual, None if is_parquet else enc, fpath))
    return Manifest(night, folder, tuple(out), hashlib.sha256(raw).hexdigest())


def read_table(df: DropFile) -> pa.Table:
    """Read a drop file with every column as text, exactly as delivered (normalising comes later).

    Raises :class:`DropError` for an unreadable file, a wrong encoding, missing contract
    columns or a row count that disagrees with the manifest.
    """
    try:
        if df.format == "parquet":
            table = pq.read_table(df.path)
            table = pa.Table.from_arrays([c.cast(pa.string()) for c in table.columns], names=table.column_names)
        else:
            table = _read_csv(df)
    except DropError:
        raise
    except (pa.ArrowInvalid, OSError, ValueError) as e:
        raise refusal(df.file, "unreadable", error=e) from e
    table = table.rename_columns([c.strip().lstrip("\ufeff") for c in table.column_names])
    missing = [c for c in df.source.required_column_names if c not in table.column_names]
    if missing:
        raise refusal(df.file, "missing_columns", columns=", ".join(missing))
    if table.num_rows != df.rows:
        raise refusal(df.file, "row_count_mismatch", listed=df.rows, actual=table.num_rows)
    # An optional column an older drop does not carry is read as empty: unknown, not refused.
    for name in df.source.column_names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table.select(df.source.column_names)


def _read_csv(df: DropFile) -> pa.Table:
    data = df.path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # UTF-8 byte-order mark, allowed by the contract
    encoding = "gb18030" if df.encoding == "gb18030" else "utf-8"
    try:
        # Strict: a wrongly encoded file is refused whole, never half-read. The decoded text is
        # not kept, so a large file stays in memory once, as bytes.
        if encoding == "utf-8":
            data.decode("utf-8")
        else:
            data = data.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise refusal(df.file, "encoding_mismatch", line=line, encoding=encoding) from e
    header = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r").split(",")
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )
