"""The contract's value sets as the integer codes the generator computes with (contracts.md §1).

A code is the position of a value in the contract's tuple (``credit.contract.sources``), so the
text written is always the contract's; the generator names the values its rules depend on, and
weights are given per value, so a reordered contract still yields a drop that follows the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np

from credit.contract.sources import FINDING_KINDS, PENALTY_MEASURES, SOURCES

ENTITY_KINDS: Final = SOURCES["registration"].column("entity_kind").values
STATUSES: Final = SOURCES["registration"].column("status").values
TAX_GRADES: Final = SOURCES["tax"].column("tax_credit_grade").values

ENTERPRISE: Final = ENTITY_KINDS.index("enterprise")
INDIVIDUAL: Final = ENTITY_KINDS.index("individual")  # 个体工商户
FARMER_COOP: Final = ENTITY_KINDS.index("farmer_coop")  # 农民专业合作社
OPERATING: Final = STATUSES.index("operating")
REVOKED: Final = STATUSES.index("revoked")
GRADE_M: Final = TAX_GRADES.index("M")  # a newly established taxpayer
GRADE_C: Final = TAX_GRADES.index("C")
GRADE_D: Final = TAX_GRADES.index("D")

MEASURE_BIT: Final = {m: 1 << i for i, m in enumerate(PENALTY_MEASURES)}
"""A penalty's measures travel as a bit set, bit i for the contract's i-th measure."""

# The findings generated (domain.md §3.1 causes 2-4), each with the finding that cures it (§3.3).
_FINDING_CURES: Final = (("unreachable_address", "contact_restored"),
                         ("false_disclosure", "disclosure_corrected"),
                         ("ordered_disclosure_overdue", "ordered_disclosure_done"))
FINDING_CODES: Final = np.array([FINDING_KINDS.index(f) for f, _ in _FINDING_CURES], dtype=np.int64)
CURE_CODES: Final = np.array([FINDING_KINDS.index(c) for _, c in _FINDING_CURES], dtype=np.int64)


def weights(values: Sequence[str], by_value: Mapping[str, float]) -> list[float]:
    """Relative weights in the order of the contract's `values` (a value not named weighs 0)."""
    unknown = set(by_value) - set(values)
    if unknown:
        raise ValueError(f"not in the contract's value set: {sorted(unknown)}")
    return [by_value.get(v, 0.0) for v in values]


def per_code(values: Sequence[str], by_value: Mapping[str, float]) -> np.ndarray:
    """Per-code numbers (e.g. a probability per entity kind), indexable by code."""
    return np.array(weights(values, by_value), dtype=np.float64)
