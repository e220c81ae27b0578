"""What every export to a spreadsheet shares: formula injection neutralised, files signed.

**Formula injection** (CSV/formula injection, OWASP): a cell a person typed (a registered name, a
reason, a document number…) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by spreadsheet programs (``=cmd|' /C calc'!A0``, ``@SUM(1)``). Such a
cell is written with a leading ``'`` (the OWASP recommendation), which makes it text. A leading
tab or line break is kept, never stripped (stripping ``\\t=1+1`` would hand over a live formula),
and a cell whose first non-blank character is a trigger is prefixed too. Only text columns are
touched; genuinely numeric columns (ints, floats, dates) are left as they are. JSON and Parquet
are typed formats and are not changed.

**Signatures**: an export written to a file gets a signed sidecar ``<file>.sig.json`` carrying the
decision log's head as last published outside the database (:mod:`credit.signing`,
:mod:`credit.rosters.anchors`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from credit.settings import Settings

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_BLANKS = " \t\r\n\u3000"


def neutralise(value: Any) -> Any:
    """A cell as it may safely reach a spreadsheet: text that would start a formula gets a ``'``."""
    if isinstance(value, str) and value and (
            value.startswith(FORMULA_TRIGGERS) or value.lstrip(_BLANKS).startswith(FORMULA_TRIGGERS[:4])):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell neutralised (numeric, boolean and date columns untouched)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype):
            out[c] = col.map(neutralise, na_action="ignore")
    return out


def neutralise_row(cells: list[Any]) -> list[Any]:
    return [neutralise(v) for v in cells]


def write_export(out: Path, data: bytes, settings: Settings) -> Path:
    """Write an export to ``out`` with its signed sidecar; returns the sidecar's path."""
    from credit.rosters.anchors import latest_published_head
    from credit.signing import signer_for, write_signed

    return write_signed(out, data, signer_for(settings), latest_published_head(settings))
