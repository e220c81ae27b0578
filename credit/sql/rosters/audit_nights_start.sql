-- The first decision after :after_seq (the anchor file's last head; 0: none) that night :night
-- appended in its own publishing transaction (actor 'night'): the publication of the anchors that
-- follows that night's commit in the same process walks the log up to the decision before it and
-- compares only the heads beyond (credit.rosters.audit.verify_chain ``walk_upto``). A range of the
-- primary key: only the decisions after the last published head are read. Null when the night
-- appended nothing.
select min(seq) from roster_decisions where seq > :after_seq and actor = 'night' and night = :night
