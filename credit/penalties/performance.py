"""What a penalty decision leaves to perform (履行): one rule for grading, penalty repair and the
serious list's early removal.

Three readers ask whether the party has performed a penalty decision: the grading's
PENALTIES_UNFULFILLED (处罚决定尚未履行完毕), the repair of penalty information (45号令 art. 14
para. 1 item (1), "performed the decision"; 2021 repair rules art. 6: "obligations performed";
domain.md §5.2, §6) and the early removal from the serious list ("performed the penalty
obligations", domain.md §4). The drop's ``fulfilled_on`` is the day the party performed it; empty
means not performed, or unknown.

A warning (警告) and a notice of criticism (通报批评) leave the party nothing to do: the bureau
gives the one and publishes the other, and the decision is complete when it is made. Nothing of
them can be "performed" later, so ``fulfilled_on`` stays empty for ever: read as "not performed",
a criticism counted 处罚决定尚未履行完毕 for its whole window and barred repair and early removal
for good (outsider's pass bb5). domain.md §5.1 and §5.2 treat them apart for the same reason — a
warning is never published, a criticism is published for 3 months and stops by itself, neither is
"repaired" by performing it. A fine (paid) and a confiscation (given up) are obligations the party
performs, and so are the other measures (a downgrading, a revocation, a restriction, a suspension,
a closure or a practice ban is complied with; those are never stopped early either, domain.md §6
art. 14 para. 3): a decision with any of them is performed on ``fulfilled_on`` only. A decision
whose measures are unknown (none delivered) is not taken as complete.

The SQL of the three readers takes :data:`COMPLETE_WHEN_DECIDED` as ``:complete`` and reads a
decision as performed on ``coalesce(fulfilled_on, case when cardinality(measures) > 0 and measures
<@ :complete then decided_on end)``: ``sql/grading/penalties.sql``, ``sql/penalties/pending_repairs.sql``,
``sql/rosters/removal_candidates.sql``.
"""

from __future__ import annotations

#: The measures (contracts.md §1 ``penalties.measures``) that leave nothing to perform: a decision
#: whose every measure is one of these is performed on the day it is decided.
COMPLETE_WHEN_DECIDED: tuple[str, ...] = ("warning", "criticism")
