"""Double random, one public (双随机、一公开) inspection draws that anyone can verify — domain.md §7–§9.

One list (抽查事项清单, config/draws.yaml ``matters``), two pools (检查对象名录库 from the entity
store and the tiers; 执法检查人员名录库 from the ``inspectors`` source), one set of rules
(config/draws.yaml). :mod:`credit.draws.core` is pure (keys, strata, inspectors, dates, checks);
:mod:`credit.draws.store` keeps plans, runs and redraws in append-only tables. The byte encoding
of every key is in ``docs/draws.md``.
"""

from credit.draws.core import (
    COMPETENCE_LEVELS,
    KEY_ENCODING,
    DrawError,
    RecordMalformed,
    StratumSelection,
    VerifyResult,
    allocate,
    check_record_shape,
    inspector_key,
    rank_key,
    rank_keys,
    seed_commitment,
    select_stratum,
    verify_record,
)
from credit.draws.store import (
    DrawRefused,
    current_inspections,
    full_record,
    plan_draw,
    public_results,
    redraw,
    run_draw,
    verify_published,
)

__all__ = [
    "COMPETENCE_LEVELS", "KEY_ENCODING", "DrawError", "DrawRefused", "RecordMalformed", "StratumSelection",
    "VerifyResult", "allocate", "check_record_shape", "current_inspections", "full_record", "inspector_key",
    "plan_draw", "public_results", "rank_key", "rank_keys", "redraw", "run_draw", "seed_commitment",
    "select_stratum", "verify_published", "verify_record",
]
