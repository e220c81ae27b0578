-- After appending night :night's head to the anchor file as line :line (credit.rosters.anchors):
-- the night's summary records the line and its SHA-256, so that credit audit verify knows the file
-- had at least that many lines (a missing, emptied or shortened file then fails, README "Tamper
-- evidence"). A night without a night_runs row (none in production) records nothing.
update night_runs
   set summary = summary || jsonb_build_object('anchor_published',
                                               jsonb_build_object('line', cast(:line as bigint), 'digest', cast(:digest as text)))
 where night = :night
