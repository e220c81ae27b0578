-- Tonight's changed publicity windows, one statement for a chunk of cases (issue 11): one array per
-- column, unnest()ed in step (row i of every array is case i, in the frame's order). A missing date
-- or text is a NULL element. The night and the rules' version are the same for every row.
insert into penalty_publicity (case_no, night, uscc, decided_on, regime, class, published, publicity_from,
                               publicity_until, repair_from, repair_note, revoked_on, withdrawn_on,
                               withdraw_due, basis, config_version)
select w.case_no, :night, w.uscc, w.decided_on, w.regime, w.class, w.published, w.publicity_from,
       w.publicity_until, w.repair_from, w.repair_note, w.revoked_on, w.withdrawn_on, w.withdraw_due, w.basis,
       :config_version
  from unnest(cast(:case_no as text[]), cast(:uscc as text[]), cast(:decided_on as date[]),
              cast(:regime as text[]), cast(:class as text[]), cast(:published as boolean[]),
              cast(:publicity_from as date[]), cast(:publicity_until as date[]), cast(:repair_from as date[]),
              cast(:repair_note as text[]), cast(:revoked_on as date[]), cast(:withdrawn_on as date[]),
              cast(:withdraw_due as date[]), cast(:basis as text[]))
       as w(case_no, uscc, decided_on, regime, class, published, publicity_from, publicity_until, repair_from,
            repair_note, revoked_on, withdrawn_on, withdraw_due, basis)
on conflict (case_no, night) do nothing
