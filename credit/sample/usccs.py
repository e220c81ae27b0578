"""Issuing unified social credit codes (统一社会信用代码, GB 32100-2015), vectorised — domain.md §1.

The alphabet and the check weights are the contract's (``credit.contract.uscc``); python-stdnum
checks a few codes of every batch.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from stdnum.cn import uscc as stdnum_uscc

from credit.contract.uscc import ALPHABET, ORG_WEIGHTS, WEIGHTS
from credit.sample.codes import ENTERPRISE, FARMER_COOP, INDIVIDUAL
from credit.sample.context import Context, day

ALPHABET_BYTES: Final = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
"""The 31 code symbols as bytes; ``ALPHABET_VALUE[byte]`` is a symbol's value (-1 if none)."""
ALPHABET_VALUE: Final = np.full(256, -1, dtype=np.int64)
ALPHABET_VALUE[ALPHABET_BYTES] = np.arange(len(ALPHABET))
_ORG_VALUE: Final = np.full(256, -1, dtype=np.int64)  # GB 11714: 0-9, then A=10 ... Z=35, no gaps
_ORG_VALUE[np.arange(48, 58)] = np.arange(10)
_ORG_VALUE[np.arange(65, 91)] = np.arange(10, 36)
_NEW_STYLE_FROM: Final = day(2015, 10, 1)  # GB 32100 in force: new bodies are assigned "MA…"

# Position 2 (登记管理部门类别下的机构类别) by entity kind: 1 enterprise, 2 个体工商户, 3 co-op.
_KIND_DIGIT: Final = np.zeros(3, dtype=np.uint8)
_KIND_DIGIT[[ENTERPRISE, INDIVIDUAL, FARMER_COOP]] = [ord("1"), ord("2"), ord("3")]


def _gb11714_check(body: np.ndarray) -> np.ndarray:
    """Pos. 17: GB 11714 check over the 8-character body, C = 11 - (Σ v·w mod 11); 10→X, 11→0."""
    c = 11 - (_ORG_VALUE[body] * ORG_WEIGHTS).sum(axis=1) % 11
    return np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), ord("0") + c)).astype(np.uint8)


def _gb32100_check(first17: np.ndarray) -> np.ndarray:
    """Pos. 18: (31 - Σ value·3^(i-1) mod 31) mod 31 over the 31-symbol alphabet."""
    s = (ALPHABET_VALUE[first17] * WEIGHTS).sum(axis=1)
    check: np.ndarray = ALPHABET_BYTES[(31 - s % 31) % 31]
    return check


def _base_digits(v: np.ndarray, base: int, width: int) -> np.ndarray:
    """(n, width) little array of base-`base` digits of v, most significant first."""
    out = np.empty((v.size, width), dtype=np.int64)
    for j in range(width - 1, -1, -1):
        out[:, j] = v % base
        v = v // base
    return out


def make_usccs(ctx: Context, idx: np.ndarray, kind: np.ndarray, authority: np.ndarray,
               est: np.ndarray) -> np.ndarray:
    """Valid USCCs (GB 32100) for entities, as an 'S18' array, unique per entity index.

    pos. 1 '9' (market regulation), pos. 2 '1' enterprise / '2' 个体工商户 / '3' 农民专业合作社,
    pos. 3-8 the registering authority's GB/T 2260 code, pos. 9-16 the body: 'MA' + 6 symbols
    for entities registered since the standard (2015-10), the old 8-digit organisation code
    (组织机构代码) before, and 'L' + 7 symbols for older 个体工商户; pos. 17 GB 11714, pos. 18 GB 32100.
    Each body is a bijection of the entity index, so codes never collide.
    """
    n = idx.size
    m = np.empty((n, 18), dtype=np.uint8)
    m[:, 0] = ord("9")
    m[:, 1] = _KIND_DIGIT[kind]
    m[:, 2:8] = (48 + _base_digits(authority, 10, 6)).astype(np.uint8)
    new_body = np.empty((n, 8), dtype=np.uint8)
    new_body[:, 0], new_body[:, 1] = ord("M"), ord("A")
    new_body[:, 2:] = ALPHABET_BYTES[_base_digits(ctx.perm_new(idx).astype(np.int64), 31, 6)]
    old_body = (48 + _base_digits(ctx.perm_old(idx).astype(np.int64), 10, 8)).astype(np.uint8)
    ind_body = np.empty((n, 8), dtype=np.uint8)
    ind_body[:, 0] = ord("L")
    ind_body[:, 1:] = ALPHABET_BYTES[_base_digits(ctx.perm_ind(idx).astype(np.int64), 31, 7)]
    new = (est >= _NEW_STYLE_FROM)[:, None]
    m[:, 8:16] = np.where(new, new_body, np.where((kind == INDIVIDUAL)[:, None], ind_body, old_body))
    m[:, 16] = _gb11714_check(m[:, 8:16])
    m[:, 17] = _gb32100_check(m[:, :17])
    codes = m.view("S18").ravel()
    # Belt and braces: a few codes per batch must satisfy the reference implementation.
    for c in codes[:: max(1, n // 4)][:4].tolist():
        if stdnum_uscc.calc_check_digit(c[:17].decode()) != chr(c[17]):
            raise RuntimeError(f"USCC generator disagrees with python-stdnum on {c!r}")
    return codes
