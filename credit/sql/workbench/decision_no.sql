-- The 文号 of a decision (for the workbench's confirmation line).
select decision_no from roster_decisions where seq = :s
