-- The entity kind (enterprise / individual / farmer_coop) of each USCC: which rules' text applies
-- (farmer co-ops: their own rules, domain.md §2). Parameters: :u (USCCs).
select uscc, entity_kind from registration where uscc = any(cast(:u as text[]))
