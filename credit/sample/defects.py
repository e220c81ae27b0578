"""Realistic defects injected on purpose, each recorded in the night's ledger, ``<drop>/_defects/<night>.json`` (contracts.md §1).

Real files carry them: with ``defect_rate`` r, about r of the rows of every file get one of
:data:`DEFECT_KINDS`. Normalisable kinds (:data:`NORMALISABLE_DEFECTS`) have a single reading;
the others must be quarantined. Which columns can carry a defect follows from the contract's
column kinds (USCC, dates, numbers outside the key) plus a few choices per source below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, NotRequired, TypedDict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.contract.sources import RESULT_CODES, SOURCES
from credit.sample.cells import Text, date_text, joined
from credit.sample.codes import TAX_GRADES
from credit.sample.usccs import ALPHABET_BYTES, ALPHABET_VALUE
from credit.sample.words import RESULT_TEXT

DEFECT_KINDS: Final = ("bad_check_digit", "lowercase_uscc", "fullwidth_digits", "stray_spaces",
                       "slash_date", "duplicate_key_conflict", "exact_duplicate", "future_date",
                       "unparsable_value", "unknown_enum")
NORMALISABLE_DEFECTS: Final = frozenset({"lowercase_uscc", "fullwidth_digits", "stray_spaces",
                                         "slash_date", "exact_duplicate"})
"""Defects with a single reading: contracts.md §1 says to normalise these, quarantine the rest."""


class Defect(TypedDict):
    """One entry of a night's defect ledger: where a defect is and whether it has a single reading."""

    line: int  # 1-based physical line: header = 1; Parquet rows are numbered the same way (row + 2)
    row: int  # 0-based data row
    kind: str
    column: str | None  # None for an exact duplicate
    normalisable: bool
    duplicate_of: NotRequired[int]  # the line of the row a duplicate copies


@dataclass(frozen=True)
class _DefectSpec:
    """Which columns of a source can carry which defect."""

    uscc: tuple[str, ...]
    dates: tuple[str, ...]
    numbers: tuple[str, ...]
    enums: tuple[tuple[str, str], ...]  # (column, a value outside the contract's set)
    text: tuple[str, ...]
    conflict: str

    def columns(self, kind: str) -> tuple[str, ...]:
        return {
            "bad_check_digit": self.uscc, "lowercase_uscc": self.uscc,
            "fullwidth_digits": self.numbers + self.dates + self.uscc,
            "stray_spaces": self.uscc + self.text + self.numbers,
            "slash_date": self.dates, "future_date": self.dates,
            "unparsable_value": self.numbers + self.dates,
            "unknown_enum": tuple(c for c, _ in self.enums),
            "duplicate_key_conflict": (self.conflict,) if self.conflict else (),
            "exact_duplicate": ("",),
        }[kind]

    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in DEFECT_KINDS if self.columns(k))


def _spec(source: str, *, conflict: str, enums: tuple[tuple[str, str], ...] = (),
          text: tuple[str, ...] = ()) -> _DefectSpec:
    """The contract gives the USCC, date and number columns; the rest is chosen per source."""
    src = SOURCES[source]
    for column, value in enums:
        if value in src.column(column).values:
            raise ValueError(f"{source}.{column}: {value!r} is in the contract's value set")
    return _DefectSpec(
        uscc=tuple(c.name for c in src.columns if c.kind == "uscc"),
        dates=tuple(c.name for c in src.columns if c.kind == "date"),
        numbers=tuple(c.name for c in src.columns if c.kind in ("int", "money") and c.name not in src.key),
        enums=enums, text=text, conflict=conflict)


# Per source: wrong values for enum columns, text columns that get stray spaces, and the column
# in which a duplicate of a key disagrees with its original.
_SPECS: Final[dict[str, _DefectSpec]] = {
    "registration": _spec("registration", enums=(("status", "suspended"), ("entity_kind", "company")),
                          text=("name", "address"), conflict="registered_capital"),
    "annual_reports": _spec("annual_reports", conflict="employees"),
    "tax": _spec("tax", enums=(("tax_credit_grade", "E"),), conflict="tax_credit_grade"),
    "social_security": _spec("social_security", conflict="insured_count"),
    "penalties": _spec("penalties", enums=(("category", "tax_evasion"), ("heavier", "待定")), text=("doc_no",),
                       conflict="fine_amount"),
    "findings": _spec("findings", enums=(("kind", "address_changed"),), text=("department", "doc_no"),
                      conflict="found_on"),
    "inspection_results": _spec("inspection_results", enums=(("result_code", "closed"),),
                                text=("result", "doc_no"), conflict="result_code"),
    "inspectors": _spec("inspectors", enums=(("active", "unknown"),), text=("name", "department"),
                        conflict="active"),
    "bank_credit": _spec("bank_credit", enums=(("in_default", "待定"),), conflict="loans_outstanding"),
}
_DATE_COLUMNS: Final = frozenset(c.name for s in SOURCES.values() for c in s.columns if c.kind == "date")
_FULLWIDTH: Final = str.maketrans("0123456789", "０１２３４５６７８９")
_GARBAGE_NUMBER: Final = ("abc", "十万", "#N/A")
_GARBAGE_DATE: Final = ("abc", "2026-02-30", "0000-00-00")


def _conflicting(column: str, values: list[str | None], rng: np.random.Generator) -> list[str]:
    """A different, well-formed value for the same key (the two rows cannot both be true)."""
    out = []
    for v in values:
        r = int(rng.integers(1, 30))
        if column in ("registered_capital", "fine_amount", "loans_outstanding"):
            out.append("100000.00" if not v else f"{float(v) * 2 + 100:.2f}")
        elif column in ("employees", "insured_count"):
            out.append(str(int(v or 0) + r))
        elif column == "tax_credit_grade":
            out.append(TAX_GRADES[(TAX_GRADES.index(v or "B") + 1) % len(TAX_GRADES)])
        elif column == "found_on":
            out.append((date.fromisoformat(v or "2026-01-01") - timedelta(days=r)).isoformat())
        elif column == "result_code":
            out.append(RESULT_CODES[(RESULT_CODES.index(v or "normal") + r % 7 + 1) % len(RESULT_CODES)])
        elif column == "active":
            out.append("false" if v == "true" else "true")
        else:  # pragma: no cover - every spec's conflict column is handled above
            raise ValueError(column)
    return out


def _transform(kind: str, column: str, vals: Text, rng: np.random.Generator, night: int) -> Text:
    """The defective version of `vals` (all non-null) for one defect kind."""
    k = len(vals)
    if kind == "bad_check_digit":
        m = np.array(vals.to_pylist(), dtype="S18").view(np.uint8).reshape(k, 18).copy()
        m[:, 17] = ALPHABET_BYTES[(ALPHABET_VALUE[m[:, 17]] + 1 + rng.integers(0, 30, k)) % 31]
        broken: Text = pa.array(m.view("S18").ravel()).cast(pa.string())
        return broken
    if kind == "lowercase_uscc":
        lowered: Text = pc.utf8_lower(vals)
        return lowered
    if kind == "fullwidth_digits":
        return pa.array([str(v).translate(_FULLWIDTH) for v in vals.to_pylist()], pa.string())
    if kind == "stray_spaces":
        lead = pa.array(np.where(rng.random(k) < 0.5, " ", ""))
        return joined(lead, vals, pa.array(np.where(rng.random(k) < 0.7, " ", "  ")))
    if kind == "slash_date":
        slashed: Text = pc.replace_substring(vals, "-", "/")
        return slashed
    if kind == "future_date":
        return date_text(night + 30 + rng.integers(0, 400, k))
    if kind == "unparsable_value":
        garbage = _GARBAGE_DATE if column in _DATE_COLUMNS else _GARBAGE_NUMBER
        return pa.array(garbage, pa.string()).take(rng.integers(0, len(garbage), k))
    raise ValueError(kind)


def inject_defects(tbl: pa.Table, source: str, rng: np.random.Generator, rate: float, night: int,
                    first_line: int) -> tuple[pa.Table, list[Defect]]:
    """Give about `rate` of the rows one defect each; duplicates are appended after the block.

    Returns the new table and ledger entries: ``line`` is the 1-based physical line of the row
    in the file (header = line 1; for Parquet the same numbering, i.e. ``row + 2``), ``row`` the
    0-based data row, ``kind``, ``column`` (None for an exact duplicate), ``normalisable`` and,
    for duplicates, ``duplicate_of`` (the line of the original row).
    """
    n = tbl.num_rows
    if rate <= 0 or n == 0:
        return tbl, []
    k = int(rng.binomial(n, min(rate, 1.0)))
    if k == 0:
        return tbl, []
    spec = _SPECS[source]
    kinds_avail = spec.kinds()
    rows = np.sort(rng.choice(n, size=k, replace=False))
    kinds = rng.integers(0, len(kinds_avail), size=k)
    col_u = rng.random(k)
    first_row = first_line - 2
    entries: list[Defect] = []
    dup_src: list[np.ndarray] = []
    dup_kind: list[str] = []
    edits: dict[str, list[tuple[np.ndarray, Text]]] = {}  # column -> (rows, new values)
    for ki, kind in enumerate(kinds_avail):
        sel, u = rows[kinds == ki], col_u[kinds == ki]
        if not sel.size:
            continue
        if kind in ("duplicate_key_conflict", "exact_duplicate"):
            dup_src.append(sel)
            dup_kind.extend([kind] * sel.size)
            continue
        candidates = spec.columns(kind)
        pick = np.minimum((u * len(candidates)).astype(np.int64), len(candidates) - 1)
        for ci, col in enumerate(candidates):
            r = sel[pick == ci]
            if not r.size:
                continue
            vals = tbl.column(col).take(r).combine_chunks()
            present = np.asarray(vals.is_valid())
            r, vals = r[present], vals.filter(pa.array(present))
            if not r.size:
                continue
            new: Text
            if kind == "unknown_enum":
                new = pa.array([dict(spec.enums)[col]] * r.size, pa.string())
            else:
                new = _transform(kind, col, vals, rng, night)
            changed = np.asarray(pc.not_equal(new, vals))  # e.g. lower case of an all-digit code
            r, new = r[changed], new.filter(pa.array(changed))
            if not r.size:
                continue
            edits.setdefault(col, []).append((r, new))
            entries.extend({"line": first_line + int(i), "row": first_row + int(i), "kind": kind, "column": col,
                            "normalisable": kind in NORMALISABLE_DEFECTS} for i in r.tolist())
    out = tbl
    for col, parts in edits.items():  # one pass over each touched column, whatever the kinds
        r = np.concatenate([x for x, _ in parts])
        order = np.argsort(r)
        values = pa.concat_arrays([v for _, v in parts]).take(order)
        mask = np.zeros(n, dtype=bool)
        mask[r] = True
        at = out.schema.get_field_index(col)
        out = out.set_column(at, col, pc.replace_with_mask(out.column(col).combine_chunks(), pa.array(mask), values))
    if dup_src:
        src = np.concatenate(dup_src)
        order = np.argsort(src, kind="stable")
        src, dkinds = src[order], [dup_kind[i] for i in order.tolist()]
        dups = {name: out.column(name).take(src).combine_chunks() for name in out.column_names}
        conflict = np.array([kd == "duplicate_key_conflict" for kd in dkinds])
        if conflict.any():
            col = spec.conflict
            other = _conflicting(col, dups[col].filter(pa.array(conflict)).to_pylist(), rng)
            dups[col] = pc.replace_with_mask(dups[col], pa.array(conflict), pa.array(other, pa.string()))
            if col == "result_code":  # keep the wording consistent with the new code
                text = pa.array([RESULT_TEXT[str(c)] for c in dups[col].to_pylist()], pa.string())
                dups["result"] = text
        out = pa.concat_tables([out, pa.table(dups)])
        for j, (s, kd) in enumerate(zip(src.tolist(), dkinds, strict=True)):
            entries.append({"line": first_line + n + j, "row": first_row + n + j, "kind": kd,
                            "column": spec.conflict if kd == "duplicate_key_conflict" else None,
                            "normalisable": kd in NORMALISABLE_DEFECTS, "duplicate_of": first_line + s})
    entries.sort(key=lambda x: x["line"])
    return out, entries

