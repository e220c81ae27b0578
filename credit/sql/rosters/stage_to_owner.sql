-- roster_decisions_append (migration 0028) runs as the log's owner and reads the caller's stage
-- (credit.rosters.log.DecisionStage): a night run as another role (credit_writer) lets it read it.
do $$
declare
    owner text := (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = 'roster_decisions'::regclass);
begin
    if owner <> current_user then
        execute format('grant select on pg_temp._roster_new to %I', owner);
    end if;
end $$
