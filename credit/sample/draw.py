"""Deterministic randomness: uniforms as a pure function of (seed, stream, row id), and PCG64 events.

Every attribute of entity ``i`` is drawn from a counter-based hash (SplitMix64 finaliser, salted
through ``numpy.random.SeedSequence``) of a row id derived from ``i``, so any subset of entities
can be rebuilt alike and vectorised. Events of one night and one source come from
``numpy.random.Generator(PCG64(SeedSequence([seed, night, source, ...])))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np


class Stream(IntEnum):
    """Independent random streams, one per attribute (the numbers salt the hash: never renumber)."""

    KIND = 1
    COUNTY = 2
    EST = 3
    FORM = 4
    INDUSTRY = 5
    CAPITAL = 6
    CAPITAL2 = 7
    CAPITAL3 = 8
    STATUS = 9
    STATUS_ON = 10
    UPDATED = 11
    AUTHORITY = 12
    REP_SHARED = 13
    REP_POOL = 14
    BRAND1 = 15
    BRAND2 = 16
    SURNAME = 17
    SURNAME_USE = 18
    SHOP = 19
    COOP = 20
    ADDR_ROAD = 21
    ADDR_NO = 22
    ADDR_ROOM = 23
    ADDR_BLD = 24
    ADDR_FLOOR = 25
    UPD_TIME = 26
    PEN_HAS = 30
    PEN_DAY = 31
    PEN_CAT = 32
    PEN_KIND = 33
    PEN_CRIT = 34
    PEN_CONF = 35
    PEN_HEAVY = 36
    PEN_HEAVY_KIND = 37
    PEN_AGGR = 38
    PEN_FINE1 = 39
    PEN_FINE2 = 40
    PEN_PAID = 41
    PEN_PAID_DAY = 42
    PEN_DOC = 43
    PEN_RESTRICT = 44
    PEN_RESTRICT_LEN = 45
    PEN_REVOKE = 46
    PEN_REVOKE_DAY = 47
    AR_FILE = 50
    AR_DAY = 51
    AR_Z1 = 52
    AR_Z2 = 53
    AR_Z3 = 54
    AR_Z4 = 55
    AR_ZERO = 56
    AR_TAX = 57
    AR_IND = 58
    TAX_HAS = 60
    TAX_GRADE = 61
    TAX_NEW = 62
    TAX_ABN = 63
    TAX_ABN_DAY = 64
    TAX_ARR = 65
    TAX_ARR1 = 66
    TAX_ARR2 = 67
    TAX_UPD = 68
    SOC_HAS = 70
    SOC_ZERO = 71
    SOC_Z1 = 72
    SOC_Z2 = 73
    SOC_ARR = 74
    SOC_ARR_M = 75
    SOC_JIT = 76
    SOC_RATE = 77
    FIND_HAS = 80
    FIND_DAY = 81
    FIND_CURE = 82
    FIND_CURE_DAY = 83
    FIND_DOC = 84
    INSP_HAS = 90
    INSP_DAY = 91
    INSP_CODE = 92
    INSP_PUB = 93
    INSP_A = 94
    INSP_B = 95
    BANK_HAS = 100
    BANK_LENDERS = 101
    BANK_Z1 = 102
    BANK_Z2 = 103
    BANK_OVERDUE = 104
    BANK_DAYS_BAND = 105
    BANK_DAYS = 106
    BANK_DEFAULT = 107
    BANK_SHARE = 108
    BANK_UPD = 109


class Slot(IntEnum):
    """Row families of one entity: row id = entity index * 32 + slot."""

    ENTITY = 0
    PEN0 = 1  # PEN0 + k for the entity's k-th penalty (2 at most)
    PEN1 = 2
    AR = 3  # AR + j for report year j (3 years: slots 3-5)
    TAX = 7
    SOC = 8
    SOC_P = 9  # SOC_P + j for social-security period j (slots 9-11)
    FIND = 13
    INSP = 14  # INSP + t for spot-check task t (slots 14-18)
    BANK = 20
    ADDR = 24


_GAMMA: Final = np.uint64(0x9E3779B97F4A7C15)
_M1: Final = np.uint64(0xBF58476D1CE4E5B9)
_M2: Final = np.uint64(0x94D049BB133111EB)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective, well-mixed hash of uint64 (wraps on purpose)."""
    z = x + _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


class Salts:
    """Per-stream salts derived from the seed through numpy's SeedSequence (never hash())."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._salts: dict[int, np.uint64] = {}

    def salt(self, stream: int) -> np.uint64:
        s = self._salts.get(stream)
        if s is None:
            s = np.random.SeedSequence([self.seed, 0x5A3B1E, stream]).generate_state(1, np.uint64)[0]
            self._salts[stream] = s
        return s

    def uniform(self, stream: int, ids: np.ndarray) -> np.ndarray:
        salt = self.salt(stream)
        h = _mix64(_mix64(ids ^ salt) + salt)
        return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


class Draw:
    """Uniforms for n rows, one independent stream per attribute."""

    n: int

    def u(self, stream: int) -> np.ndarray:
        raise NotImplementedError

    def normal(self, s1: int, s2: int) -> np.ndarray:
        """Standard normal by Box–Muller (1 - u keeps the logarithm finite)."""
        z: np.ndarray = np.sqrt(-2.0 * np.log1p(-self.u(s1))) * np.cos(2.0 * np.pi * self.u(s2))
        return z

    def below(self, stream: int, k: np.ndarray | int) -> np.ndarray:
        """Integers uniform in [0, k)."""
        return np.minimum((self.u(stream) * k).astype(np.int64), np.asarray(k, dtype=np.int64) - 1)


class HashDraw(Draw):
    """Draws that depend only on (seed, stream, row id): any subset can be rebuilt alike."""

    def __init__(self, salts: Salts, ids: np.ndarray) -> None:
        self.salts, self.ids, self.n = salts, ids.astype(np.uint64), ids.size

    def u(self, stream: int) -> np.ndarray:
        return self.salts.uniform(int(stream), self.ids)


class RngDraw(Draw):
    """Draws from a PCG64 generator: for events of one night and one source."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.n = rng, n

    def u(self, stream: int) -> np.ndarray:
        return self.rng.random(self.n)


def pick(u: np.ndarray, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Category index for each uniform, with the given relative weights."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w) / w.sum()
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(w) - 1)


def generator(seed: int, *parts: int) -> np.random.Generator:
    """The PCG64 generator of one (seed, parts) tuple, e.g. (seed, night, source number, ...)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *parts])))


@dataclass(frozen=True)
class Permutation:
    """x -> (a·x + b) mod m, a bijection on [0, m) because gcd(a, m) = 1: unique ids from serials."""

    a: int
    b: int
    m: int

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # a < 2^31 and x < 2^33 keep a·x inside uint64.
        return (x.astype(np.uint64) * np.uint64(self.a) + np.uint64(self.b)) % np.uint64(self.m)


def make_permutation(rng: np.random.Generator, m: int, coprime_to: tuple[int, ...]) -> Permutation:
    while True:
        a = int(rng.integers(10_000_000, 1 << 31))
        if all(a % p for p in coprime_to):
            return Permutation(a, int(rng.integers(0, m)), m)
