"""Writing a night's files: each source's format, streamed bytes, SHA-256 and rows for the manifest.

Columns, their order and the header are the contract's (contracts.md §1). CSV text comes from
``pyarrow.csv.write_csv`` per block (re-encoded for GB18030); defects are injected per block.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from credit.contract.manifest import file_sha256
from credit.contract.sources import SOURCES
from credit.sample.context import CHUNK, SOURCE_NUMBER, Context
from credit.sample.defects import Defect, inject_defects
from credit.sample.draw import generator


class ManifestEntry(TypedDict):
    """One file of ``manifest.json`` (contracts.md §1)."""

    source: str
    mode: Literal["full", "delta"]
    rows: int
    sha256: str
    encoding: NotRequired[str]  # absent for Parquet


@dataclass(frozen=True)
class Format:
    kind: Literal["csv", "parquet"]
    encoding: Literal["utf-8", "gb18030"] | None = "utf-8"
    bom: bool = False
    eol: str = "\n"

    @property
    def suffix(self) -> str:
        return ".csv" if self.kind == "csv" else ".parquet"


_UTF8 = Format("csv")
_UTF8_BOM = Format("csv", bom=True)
_GB18030 = Format("csv", "gb18030", eol="\r\n")  # exported from Windows desktops: CRLF
_PARQUET = Format("parquet", None)


def format_for(source: str, night_no: int, fmt_mix: bool) -> Format:
    """The format each department uses; registration switches from a GB18030 export to UTF-8."""
    if not fmt_mix:
        return _UTF8
    table = {
        "registration": _GB18030 if night_no == 1 else _UTF8,
        "annual_reports": _UTF8_BOM,
        "tax": _PARQUET,
        "social_security": _UTF8,
        "penalties": _GB18030,
        "findings": _UTF8_BOM,
        "inspection_results": _UTF8,
        "inspectors": _GB18030 if night_no == 1 else _UTF8_BOM,
        "bank_credit": _UTF8_BOM,
    }
    return table[source]


class FileWriter:
    """One source file: buffers blocks, injects defects, streams bytes, SHA-256 and row count."""

    def __init__(self, ctx: Context, folder: Path, source: str, fmt: Format, night_no: int,
                 night_day: int) -> None:
        self.ctx, self.source, self.fmt = ctx, source, fmt
        self.night_no, self.night_day = night_no, night_day
        self.name = source + fmt.suffix
        self.path = folder / self.name
        self.columns = SOURCES[source].column_names
        self.rows = 0
        self.ledger: list[Defect] = []
        self._buf: list[pa.Table] = []
        self._buffered = 0
        self._block = 0
        self._sha = hashlib.sha256()
        self._schema = pa.schema([(c, pa.string()) for c in self.columns])
        if fmt.kind == "csv":
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            self._emit((("\ufeff" if fmt.bom else "") + ",".join(self.columns) + fmt.eol).encode(fmt.encoding or ""))
        else:
            self._pq = pq.ParquetWriter(self.path, self._schema, compression="snappy")

    def _emit(self, data: bytes) -> None:
        self._sha.update(data)
        self._fh.write(data)

    def add(self, tbl: pa.Table) -> None:
        if tbl.num_rows == 0:
            return
        self._buf.append(tbl.select(self.columns))
        self._buffered += tbl.num_rows
        if self._buffered >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        tbl = pa.concat_tables(self._buf).cast(self._schema)
        self._buf, self._buffered = [], 0
        rng = generator(self.ctx.seed, self.night_no, SOURCE_NUMBER[self.source], self._block, 0xDEF)
        tbl, entries = inject_defects(tbl, self.source, rng, self.ctx.defect_rate, self.night_day,
                                       first_line=self.rows + 2)
        self.ledger.extend(entries)
        self._block += 1
        self.rows += tbl.num_rows
        if self.fmt.kind == "parquet":
            self._pq.write_table(tbl, row_group_size=CHUNK)
            return
        sink = pa.BufferOutputStream()
        options = pacsv.WriteOptions(  # type: ignore[call-arg]  # pyarrow-stubs 20 lack eol (pyarrow >= 16 has it)
            include_header=False, quoting_style="none", eol=self.fmt.eol)
        pacsv.write_csv(tbl, sink, options)
        data = sink.getvalue().to_pybytes()
        if self.fmt.encoding == "gb18030":
            data = data.decode("utf-8").encode("gb18030")
        self._emit(data)

    def close(self, mode: Literal["full", "delta"]) -> ManifestEntry:
        """Finish the file; the manifest entry (contracts.md §1)."""
        self._flush()
        if self.fmt.kind == "csv":
            self._fh.close()
            digest = self._sha.hexdigest()
        else:
            self._pq.close()
            digest = file_sha256(self.path)
        entry: ManifestEntry = {"source": self.source, "mode": mode, "rows": self.rows, "sha256": digest}
        if self.fmt.encoding:
            entry["encoding"] = self.fmt.encoding
        return entry


def write_json(path: Path, obj: object, indent: int | None = 1) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8")


def defects_path(night_dir: Path) -> Path:
    """The ledger of the defects injected into one night, ``<drop>/_defects/<YYYY-MM-DD>.json``:
    beside the night's folder, not in it, so that the night holds only what the platform would
    deliver (a file in it that the manifest does not list is named in the night's log, contracts.md §1)."""
    night_dir = Path(night_dir)
    return night_dir.parent / "_defects" / f"{night_dir.name}.json"


def prepare_folder(folder: Path) -> None:
    """Create the night folder and remove files an earlier run may have left there."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        for suffix in (".csv", ".parquet"):
            (folder / (source + suffix)).unlink(missing_ok=True)
    for old in (folder / "manifest.json", folder / "_defects.json", defects_path(folder)):
        old.unlink(missing_ok=True)   # _defects.json in the night: where earlier versions wrote the ledger
    defects_path(folder).parent.mkdir(exist_ok=True)



def drop_column(night_dir: Path, file: str, column: str) -> None:
    """Rewrite one file of a night without `column`, keeping encoding, BOM and line endings,
    and update the manifest's rows and sha256 (a file-level failure for tests).

    Ledger entries that pointed at the dropped column are removed; line numbers do not move.
    """
    night_dir = Path(night_dir)
    path = night_dir / file
    manifest = json.loads((night_dir / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["files"][file]
    if file.endswith(".parquet"):
        tbl = pq.read_table(path)
        pq.write_table(tbl.drop_columns([column]), path, compression="snappy")
        rows = tbl.num_rows
    else:
        encoding = entry.get("encoding", "utf-8")
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw[3:].decode(encoding) if bom else raw.decode(encoding)
        eol = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(eol)
        trailing = lines[-1] == ""
        if trailing:
            lines.pop()
        header = lines[0].split(",")
        at = header.index(column)
        kept = [",".join(f for i, f in enumerate(line.split(",")) if i != at) for line in lines]
        body = eol.join(kept) + (eol if trailing else "")
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode(encoding))
        rows = len(lines) - 1
    entry["rows"] = rows
    entry["sha256"] = file_sha256(path)
    write_json(night_dir / "manifest.json", manifest)
    ledger_path = defects_path(night_dir)
    if ledger_path.exists():
        ledger = json.loads(ledger_path.read_text(encoding="utf-8"))
        if file in ledger:
            ledger[file] = [x for x in ledger[file] if x.get("column") != column]
            write_json(ledger_path, ledger)

