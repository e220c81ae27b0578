-- The issuing authority of a draft.
select authority from roster_decisions where seq = :s and action = 'propose'
