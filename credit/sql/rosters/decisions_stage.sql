-- The stage of credit.rosters.log.DecisionStage: new decisions arrive here by COPY, in chunks, in order
-- (`ord`), and reach the log in one INSERT … SELECT … ORDER BY ord (a night's: by `rank` first,
-- credit.rosters.log.NIGHT_ORDER); dropped once they are in.
create temp table _roster_new (
    ord bigint, uscc text, roster text, action text, proposed_action text,
    entry_id bigint, refers_to bigint, request_id bigint, cause_code text, cause text, basis text,
    rule_id text, rule_version text, facts jsonb, fact_key text, trigger_date date, decision_date date,
    due_date date, due_provisional date, due_note text, effective_until date, reason text, authority text,
    authority_name text, doc_prefix text, decision_no text, config_version text, night date, actor text,
    rank smallint
)
