select min(f.found_on) from roster_decisions d join findings f on f.uscc = d.uscc
 where d.seq = :e and f.found_on >= coalesce(d.trigger_date, d.decision_date) and f.found_on <= :on
   and f.kind = (select k.cure_kind from cure_kinds as k where k.cause_code = d.cause_code)
