"""The departments' nightly drop (数据共享交换平台): what each source delivers and how to read it.

The column lists, keys and value sets below are the contract of ``../shared/contracts.md`` §1,
kept to the letter: a file is accepted only with exactly these columns (extra columns are
ignored and reported, missing ones stop the night).
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

Kind = Literal["uscc", "text", "code", "date", "timestamp", "int", "money", "bool", "enum", "list", "month"]

PENALTY_CATEGORIES = (
    "food_safety", "drugs_devices_cosmetics", "quality_special_equipment", "consumer_rights",
    "fair_competition", "registration_fraud", "unlicensed", "obstruction", "other",
)
PENALTY_MEASURES = (
    "warning", "criticism", "fine", "confiscation", "qualification_downgrade", "licence_revoked",
    "business_licence_revoked", "business_restricted", "suspension", "closure", "practice_ban",
)
FINDING_KINDS = (
    "unreachable_address", "false_disclosure", "ordered_disclosure_overdue",
    "contact_restored", "disclosure_corrected", "ordered_disclosure_done",
)
RESULT_CODES = (
    "normal", "not_disclosed", "false_disclosure", "unreachable", "ordered_to_correct",
    "not_cooperating", "not_operating", "pending",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()        # for enum / list of enum
    pattern: str | None = None          # for code: a regex the normalised text must match
    not_after_night: bool = False       # a date in the future of the night is an error (不得晚于批次日期)
    max_length: int | None = None


@dataclass(frozen=True)
class Source:
    name: str
    label: str                          # the Chinese name a clerk knows
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    history: bool = False               # keep every change with the night that brought it

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


REGION = r"^\d{6}$"
SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("registration", "登记", ("uscc",), (
        Column("uscc", "uscc", True),
        Column("name", "text", True, max_length=200),
        Column("entity_kind", "enum", True, ("enterprise", "individual", "farmer_coop")),
        Column("legal_form", "text"),
        Column("region_code", "code", True, pattern=REGION),
        Column("industry_code", "code", pattern=r"^[A-T](?:\d{2}(?:\d{1,2})?)?$"),
        Column("registered_capital", "money"),
        Column("established_on", "date", True, not_after_night=True),
        Column("status", "enum", True, ("operating", "revoked", "cancelled", "moved_out")),
        Column("status_on", "date", not_after_night=True),
        Column("address", "text"),
        Column("legal_rep_hash", "text"),
        Column("updated_at", "timestamp"),
    ), history=True),
    Source("annual_reports", "年报", ("uscc", "report_year"), (
        Column("uscc", "uscc", True),
        Column("report_year", "int", True),
        Column("filed_on", "date", True, not_after_night=True),
        Column("employees", "int"),
        Column("revenue", "money"),
        Column("total_tax", "money"),
    ), history=True),
    Source("tax", "纳税", ("uscc", "assessed_year"), (
        Column("uscc", "uscc", True),
        Column("assessed_year", "int", True),
        Column("tax_credit_grade", "enum", False, ("A", "B", "M", "C", "D")),
        Column("abnormal_taxpayer_since", "date", not_after_night=True),
        Column("arrears", "money"),
        Column("updated_on", "date", not_after_night=True),
    ), history=True),
    Source("social_security", "社保", ("uscc", "period"), (
        Column("uscc", "uscc", True),
        Column("period", "month", True),
        Column("insured_count", "int"),
        Column("arrears", "money"),
        Column("arrears_months", "int"),
    )),
    Source("penalties", "行政处罚", ("case_no",), (
        Column("case_no", "text", True),
        Column("uscc", "uscc", True),
        Column("decided_on", "date", True, not_after_night=True),
        Column("doc_no", "text"),
        Column("category", "enum", True, PENALTY_CATEGORIES),
        Column("measures", "list", True, PENALTY_MEASURES),
        Column("fine_amount", "money"),
        Column("heavier", "bool", True),
        Column("fulfilled_on", "date", not_after_night=True),
    ), history=True),
    Source("findings", "核查结果", ("finding_id",), (
        Column("finding_id", "text", True),
        Column("uscc", "uscc", True),
        Column("kind", "enum", True, FINDING_KINDS),
        Column("found_on", "date", True, not_after_night=True),
        Column("doc_no", "text"),
        Column("department", "text"),
    ), history=True),
    Source("inspection_results", "抽查检查结果", ("task_id", "uscc"), (
        Column("task_id", "text", True),
        Column("uscc", "uscc", True),
        Column("inspected_on", "date", True, not_after_night=True),
        Column("result_code", "enum", True, RESULT_CODES),
        Column("result", "text"),
        Column("inspector_ids", "list"),
        Column("doc_no", "text"),
    ), history=True),
    Source("inspectors", "执法检查人员", ("inspector_id",), (
        Column("inspector_id", "text", True),
        Column("name", "text", True),
        Column("department", "text"),
        Column("region_code", "code", True, pattern=REGION),
        Column("fields", "list"),
        Column("active", "bool", True),
        Column("conflicts", "list"),
    ), history=True),
)}


class DropError(Exception):
    """A file-level failure: the night stops before anything is published (exit 2)."""

    def __init__(self, file: str, rule: str, message: str):
        super().__init__(f"{file}: {message} [{rule}]")
        self.file, self.rule, self.message = file, rule, message


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


ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030"}


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
        raise DropError("manifest.json", "manifest_missing", f"没有找到批次清单 (no manifest at {path})")
    raw = path.read_bytes()
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DropError("manifest.json", "manifest_unreadable", f"批次清单不是合法的 JSON ({e})") from e
    if doc.get("night") != night.isoformat():
        raise DropError("manifest.json", "manifest_night",
                        f"清单日期 {doc.get('night')!r} 与批次 {night.isoformat()} 不符")
    files = doc.get("files")
    if not isinstance(files, dict):
        raise DropError("manifest.json", "manifest_files", "清单缺少 files 对象 (no 'files' object)")
    out: list[DropFile] = []
    seen_sources: set[str] = set()
    for name, entry in sorted(files.items()):
        if not isinstance(entry, dict):
            raise DropError(name, "manifest_entry", "清单条目格式错误 (entry is not an object)")
        src = entry.get("source")
        if src not in SOURCES:
            raise DropError(name, "unknown_source", f"未知的数据来源 {src!r} (unknown source)")
        if src in seen_sources:
            raise DropError(name, "duplicate_source", f"同一来源 {src} 在清单中出现两次")
        seen_sources.add(src)
        mode = entry.get("mode")
        if mode not in ("full", "delta"):
            raise DropError(name, "manifest_mode", f"模式 {mode!r} 无效，应为 full 或 delta")
        is_parquet = name.endswith(".parquet")
        if not is_parquet and not name.endswith(".csv"):
            raise DropError(name, "manifest_format", "文件须为 .csv 或 .parquet")
        enc = entry.get("encoding")
        if not is_parquet:
            enc = ENCODINGS.get(str(enc or "").lower())
            if enc is None:
                raise DropError(name, "manifest_encoding",
                                f"编码 {entry.get('encoding')!r} 不受支持 (utf-8 或 gb18030)")
        rows = entry.get("rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise DropError(name, "manifest_rows", f"行数 {rows!r} 无效")
        fpath = folder / name
        if not fpath.is_file():
            raise DropError(name, "file_missing", "清单列出的文件不存在 (listed but missing)")
        sha = str(entry.get("sha256", "")).lower()
        actual = file_sha256(fpath)
        if sha != actual:
            raise DropError(name, "sha256_mismatch",
                            f"校验和不符：清单 {sha or '(空)'}，文件 {actual} (checksum mismatch)")
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
            table = pa.table({n: table.column(n).cast(pa.string()) for n in table.column_names})
        else:
            data = df.path.read_bytes()
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]  # UTF-8 byte-order mark, allowed by the contract
            if df.encoding == "gb18030":
                try:
                    data = data.decode("gb18030").encode("utf-8")
                except UnicodeDecodeError as e:
                    raise DropError(df.file, "encoding_mismatch", _bad_bytes(data, e.start, "gb18030")) from e
            else:
                try:
                    data.decode("utf-8")  # strict: a wrongly encoded file is refused whole, never half-read
                except UnicodeDecodeError as e:
                    raise DropError(df.file, "encoding_mismatch", _bad_bytes(data, e.start, "utf-8")) from e
            header = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r").split(",")
            table = pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in header},
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                ),
            )
    except DropError:
        raise
    except (pa.ArrowInvalid, OSError, ValueError) as e:
        raise DropError(df.file, "unreadable", f"文件无法解析 (unreadable: {e})") from e
    table = table.rename_columns([c.strip().lstrip("\ufeff") for c in table.column_names])
    missing = [c for c in df.source.column_names if c not in table.column_names]
    if missing:
        raise DropError(df.file, "missing_columns", f"缺少合同规定的列 {', '.join(missing)} (missing columns)")
    if table.num_rows != df.rows:
        raise DropError(df.file, "row_count_mismatch",
                        f"行数不符：清单 {df.rows}，文件 {table.num_rows} (row count mismatch)")
    return table.select(df.source.column_names)


def _bad_bytes(data: bytes, offset: int, encoding: str) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"文件第 {line} 行不是清单声明的 {encoding} 编码 (not valid {encoding} at line {line})"
