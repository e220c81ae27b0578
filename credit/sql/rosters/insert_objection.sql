-- An objection (statement, defence or hearing request) against a decision, as received.
insert into roster_requests (kind, uscc, roster, entry_id, target_seq, received_on, grounds, recorded_by,
                             rule_id, rule_version, due_date, due_provisional, due_note, in_time, config_version)
values ('objection', :u, :r, :e, :t, :d, :g, :by, 'objection', :rv, :due, :prov, :note, :it, :cv)
returning id
