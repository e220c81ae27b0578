"""Build small nightly drops by hand for tests, exactly in the contract's format."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from credit.contract.sources import SOURCES
from credit.contract.uscc import calc_check_character


def code(region: str = "330106", body: str = "MA2B3C4D", kind: str = "91") -> str:
    """A valid USCC from its parts (pos. 17 left as '1': pos. 17 mismatches are only logged)."""
    first17 = f"{kind}{region}{body}1"
    return first17 + calc_check_character(first17)


def registration_row(uscc: str, **over: str) -> dict[str, str]:
    row = {"uscc": uscc, "name": "杭州示例贸易有限公司", "entity_kind": "enterprise", "legal_form": "有限责任公司",
           "region_code": uscc[2:8], "industry_code": "F51", "registered_capital": "1000000.00",
           "established_on": "2015-03-02", "status": "operating", "status_on": "", "address": "杭州市西湖区文三路1号",
           "legal_rep_hash": "ab" * 32, "updated_at": "2026-07-01T08:00:00"}
    row.update(over)
    return row


def csv_bytes(source: str, rows: list[dict[str, str]], encoding: str = "utf-8", bom: bool = False,
              columns: list[str] | None = None) -> bytes:
    cols = columns or SOURCES[source].column_names
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([r.get(c, "") for c in cols])
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def parquet_bytes(source: str, rows: list[dict[str, str]]) -> bytes:
    cols = SOURCES[source].column_names
    table = pa.table({c: pa.array([r.get(c) or None for r in rows], pa.string()) for c in cols})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def write_night(drop: Path, night: date, files: dict[str, tuple[str, str, bytes, str | None, int]]) -> Path:
    """files: name → (source, mode, content, encoding or None for parquet, data rows)."""
    folder = drop / night.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, object]] = {}
    for name, (source, mode, content, encoding, rows) in files.items():
        (folder / name).write_bytes(content)
        entry: dict[str, object] = {"source": source, "mode": mode, "rows": rows,
                                    "sha256": hashlib.sha256(content).hexdigest()}
        if encoding:
            entry["encoding"] = encoding
        entries[name] = entry
    manifest = {"night": night.isoformat(), "files": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


def csv_file(source: str, mode: str, rows: list[dict[str, str]], encoding: str = "utf-8",
             bom: bool = False) -> tuple[str, str, bytes, str | None, int]:
    return (source, mode, csv_bytes(source, rows, encoding, bom), encoding, len(rows))
