-- An application for repair of penalty information (信用修复) as received; a night decides it.
insert into roster_requests (kind, uscc, roster, entry_id, target_seq, received_on, grounds, recorded_by,
                             rule_id, rule_version, due_date, due_provisional, due_note, config_version, case_no)
values ('repair', :u, 'penalty', null, null, :d, :g, :by, :rid, :rv, :due, :prov, :note, :cv, :case_no)
returning id
