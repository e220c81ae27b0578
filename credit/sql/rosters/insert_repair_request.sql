-- An application for removal (credit repair) as received; the decision comes from a night.
insert into roster_requests (kind, uscc, roster, entry_id, target_seq, received_on, grounds, recorded_by,
                             rule_id, rule_version, due_date, due_provisional, due_note, config_version)
values ('repair', :u, :r, null, null, :d, :g, :by, :rid, :rv, :due, :prov, :note, :cv)
returning id
