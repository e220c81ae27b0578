insert into penalty_publicity (case_no, night, uscc, decided_on, regime, class, published, publicity_from,
                               publicity_until, repair_from, repair_note, revoked_on, withdrawn_on,
                               withdraw_due, basis, config_version)
values (:case_no, :night, :uscc, :decided_on, :regime, :class, :published, :publicity_from, :publicity_until,
        :repair_from, :repair_note, :revoked_on, :withdrawn_on, :withdraw_due, :basis, :config_version)
on conflict (case_no, night) do nothing
