-- The case numbers of entity :u's heavier penalties (较重行政处罚, domain.md §4), as the grading's
-- heavier_penalties indicator counts them (grading/penalties.sql: the `heavier` flag, or a measure
-- of :hm, rosters.yaml heavier_measures); their publicity windows and states are read by
-- credit.penalties.read.penalties_of (credit.grading.read: what would move HEAVIER_PENALTY up, per penalty).
select case_no from penalties where uscc = :u and (heavier or measures && cast(:hm as text[]))
