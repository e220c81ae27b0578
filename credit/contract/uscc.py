"""The unified social credit code (统一社会信用代码, USCC) — GB 32100-2015, domain.md §1.

python-stdnum (``stdnum.cn.uscc``) is the reference for the check character (pos. 18). It
requires positions 1–8 to be digits and so rejects genuine letter-initial codes (Y…, N…, A…,
domain.md §1 trap 4); here positions 1–2 may be any code-alphabet character and positions 3–8
must be digits. The vectorised check below is proved equal to stdnum by a property test.
Position 17 is the embedded GB 11714 organisation-code check: mismatches are logged, not
rejected, because it is unverified that every real code carries it (domain.md §1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.cn import uscc as stdnum_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"          # 31 symbols, no I O Z S V
SHAPE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)   # 1 3 9 27 19 26 16 …
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)

_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _ch in enumerate(ALPHABET):
    _VALUE[ord(_ch)] = _i
_ORG_VALUE = np.full(256, -1, dtype=np.int64)   # GB 11714: digits, then A=10 … Z=35, no exclusions
for _i in range(10):
    _ORG_VALUE[ord(str(_i))] = _i
for _i in range(26):
    _ORG_VALUE[ord("A") + _i] = 10 + _i


def canonical_array(arr: pa.ChunkedArray[Any]) -> pa.ChunkedArray[Any]:
    """The one USCC normaliser (issue 15), used by the drop, the API, the pages and the command line.

    Full-width digits and letters (a Chinese input method types ``９１３４…``) become ASCII (NFKC,
    which also turns the ideographic space U+3000 and the full-width hyphen into ASCII ones), then
    white space and hyphens go and letters are upper-cased: the only edits that cannot change which
    code is meant (contracts.md §1 "normalise what is unambiguous"). Anything else is left for the
    check (:func:`is_valid`) to refuse. Arrow kernels only: a night's million codes take no
    per-row Python step.
    """
    if not pc.all(pc.string_is_ascii(arr), skip_nulls=True).as_py():
        # By name: the pyarrow stubs do not declare utf8_normalize.
        arr = pc.call_function("utf8_normalize", [arr], pc.Utf8NormalizeOptions("NFKC"))
    return pc.utf8_upper(pc.replace_substring_regex(arr, r"[\s\-]+", ""))


# What canonical_array removes from ASCII text: RE2's \s there is [\t\n\f\r ] (no \v), and hyphens.
_ASCII_GAPS = re.compile(r"[\t\n\f\r \-]+")


def canonical(raw: str) -> str:
    r"""One code through :func:`canonical_array` (a CLI argument, a path or query parameter, a form field).

    ASCII text (every code a look-up receives but a full-width one) takes the same edits without
    building Arrow arrays, a tenth of the cost on the API's every request (issue 11): NFKC leaves
    ASCII as it is, the kernel's ``\s`` is ``[\t\n\f\r ]``, ``utf8_upper`` is ``str.upper``
    there. A property test keeps the two paths equal (tests/unit/contract/test_uscc.py)."""
    if raw.isascii():
        return _ASCII_GAPS.sub("", raw).upper()
    out = canonical_array(pa.chunked_array([pa.array([raw], type=pa.string())]))[0].as_py()
    return str(out)


def compact(s: pd.Series) -> pd.Series:
    """A column of codes through :func:`canonical_array` (missing values stay missing)."""
    arr = pa.chunked_array([pa.array(pd.Series(s, dtype="object"), type=pa.string(), from_pandas=True)])
    return pd.Series(canonical_array(arr).to_pandas(), index=s.index, dtype="object")


def _matrix(codes: pd.Series | np.ndarray | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Codes as an (n, 18) byte matrix without a per-row Python step; rows not 18 ASCII chars are zeros."""
    if isinstance(codes, pd.Series) and hasattr(codes.array, "__arrow_array__"):
        raw = pa.array(codes.array).cast(pa.string())  # Arrow-backed strings: no copy to Python objects
    else:
        raw = pa.array(pd.Series(codes, dtype="object"), type=pa.string(), from_pandas=True)
    # Both branches hold strings (cast or built as pa.string()), whatever the stubs infer.
    arr = cast(pa.StringArray, raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw)
    present = pc.and_(pc.equal(pc.utf8_length(arr), pa.scalar(18, pa.int32())), pc.string_is_ascii(arr)).fill_null(False)
    filled = pc.if_else(present, arr, "0" * 18)
    # Every value is now exactly 18 bytes, so Arrow's data buffer is the matrix itself.
    offsets = np.frombuffer(filled.buffers()[1], dtype=np.int32, count=len(filled) + 1, offset=filled.offset * 4)
    data = np.frombuffer(filled.buffers()[2], dtype=np.uint8, count=18 * len(filled), offset=int(offsets[0]))
    return data.reshape(-1, 18), present.to_numpy(zero_copy_only=False)


def check_digit_ok(codes: pd.Series | np.ndarray | Sequence[str | None]) -> np.ndarray:
    """Vectorised GB 32100 check of position 18 (False for missing or malformed codes)."""
    m, present = _matrix(codes)
    values = _VALUE[m]
    valid_chars = (values >= 0).all(axis=1)
    total = (values[:, :17] * WEIGHTS).sum(axis=1)
    expected = (31 - total % 31) % 31
    return np.asarray(present & valid_chars & (values[:, 17] == expected), dtype=bool)


def organisation_check_ok(codes: pd.Series | np.ndarray | Sequence[str | None]) -> np.ndarray:
    """Vectorised GB 11714 check of position 17 over the body at positions 9–16."""
    m, present = _matrix(codes)
    body = _ORG_VALUE[m[:, 8:16]]
    c = 11 - (body * ORG_WEIGHTS).sum(axis=1) % 11
    expected = np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), ord("0") + c))
    return np.asarray(present & (body >= 0).all(axis=1) & (m[:, 16] == expected), dtype=bool)


def calc_check_character(first17: str) -> str:
    """Position 18 for a 17-character prefix (GB/T 17710 style, modulus 31)."""
    total = sum(ALPHABET.index(ch) * int(w) for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """One code, after :func:`canonical`: stdnum for digit-initial codes, the same rule for the rest."""
    code = canonical(code)
    if len(code) == 18 and code[:2].isdigit():
        return bool(stdnum_uscc.is_valid(code))
    return bool(check_digit_ok([code])[0]) and code[2:8].isdigit()
