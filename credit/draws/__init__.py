"""Double random, one public (双随机、一公开) inspection draws that anyone can verify — domain.md §7–§9.

One list (抽查事项清单, config/draws.yaml ``matters``), two pools (检查对象名录库 from the entity
store and the tiers; 执法检查人员名录库 from the ``inspectors`` source), one set of rules
(config/draws.yaml). The pure part: :mod:`~credit.draws.core` (keys, strata, pool digests),
:mod:`~credit.draws.inspectors` (competence, workloads), :mod:`~credit.draws.dates` (quiet days),
:mod:`~credit.draws.derive` (the draw and its redraws), :mod:`~credit.draws.records` (the
published record's shape) and :mod:`~credit.draws.verify`. In the database:
:mod:`~credit.draws.pools` (what a plan freezes), :mod:`~credit.draws.store` (plans, runs and
redraws in append-only tables), :mod:`~credit.draws.read` and :mod:`~credit.draws.published`
(the record files against the database). The byte encoding of every key is in ``docs/draws.md``.
"""

from credit.draws.core import (
    KEY_ENCODING,
    DrawError,
    DrawRefused,
    StratumSelection,
    allocate,
    inspector_key,
    rank_key,
    rank_keys,
    seed_commitment,
    select_stratum,
)
from credit.draws.inspectors import COMPETENCE_LEVELS
from credit.draws.published import verify_published
from credit.draws.read import current_inspections, full_record, public_results
from credit.draws.records import RecordMalformed, check_record_shape
from credit.draws.store import plan_draw, redraw, run_draw
from credit.draws.verify import VerifyResult, verify_record, verify_records

__all__ = [
    "COMPETENCE_LEVELS", "KEY_ENCODING", "DrawError", "DrawRefused", "RecordMalformed", "StratumSelection",
    "VerifyResult", "allocate", "check_record_shape", "current_inspections", "full_record", "inspector_key",
    "plan_draw", "public_results", "rank_key", "rank_keys", "redraw", "run_draw", "seed_commitment",
    "select_stratum", "verify_published", "verify_record", "verify_records",
]
