-- The change feed (domain.md §10): roster decisions after a cursor, in log order, and every other
-- numbered document of the log. Drafts, their rejection and the serious-list procedure's unnumbered
-- steps (proposal, assessment, consent) and its publication record are internal working papers or
-- change no roster state, and are not in the feed.
--
-- Numbered procedure documents (kind 'procedure'): the serious list's prior notice (告知, domain.md
-- §4: "prior notice of the listing and its grounds"), its refusal to list (不予列入) and the
-- revocation of a notice take their 文号 from the same series per authority and year as the roster
-- decisions (issue 4: "a gap-free sequence per authority and year"). Left out, they made the feed's
-- series read 1…7, 9…: a consumer checking the series for completeness could not tell a withheld
-- decision from a notice. They are carried as what they are — the number, date, authority and kind
-- (label) — and no more: the party and the grounds of a notice are served on the party, not
-- published, and no roster state follows from one (joint punishment follows a listing, §10), so
-- uscc, cause, basis, reason, entry and case stay null. They come only to a consumer that asks
-- (:procedures, `?procedures=true`): before them every entry of the feed named an entity and
-- changed a roster state, and a consumer keeping its copy keyed by uscc must not be handed entries
-- without one (an API is extended compatibly, contracts.md).
select
    seq, kind, roster, action, decision_date, decision_no, authority as authority_code,
    authority_name as authority, row_hash, rule_id,
    case when kind = 'decision' then uscc end as uscc,
    case when kind = 'decision' then entry_id end as entry_id,
    case when kind = 'decision' then refers_to end as refers_to,
    case when kind = 'decision' then cause_code end as cause_code,
    case when kind = 'decision' then cause end as cause,
    case when kind = 'decision' then basis end as basis,
    case when kind = 'decision' then effective_until end as effective_until,
    case when kind = 'decision' then reason end as reason,
    -- an upheld objection's revocation recorded with the officer's note as its reason (before
    -- 133e4b8): the rule version whose wording it shows instead (credit.rosters.env.shown_reasons)
    case when kind = 'decision' and rule_id = 'any.revoke.objection_upheld' and reason = facts ->> 'note'
         then rule_version end as note_version,
    -- the penalty case the decision rests on: roster 'penalty' (repair of penalty information), the
    -- case whose publicity stops or not; roster 'serious' (domain.md §4: a listing follows a heavier
    -- penalty, 44号令 art. 2, or a penalty under 企业信息公示暂行条例 art. 18 para. 2), the listing's
    -- case, which a removal or revocation takes from the listing it closes (entry_id). A listing
    -- with no penalty behind it (the historical 3-year escalation, §3.5) has none.
    case when kind <> 'decision' then null
         when roster = 'penalty' then facts ->> 'case_no'
         when roster = 'serious' then coalesce(facts ->> 'case_no',
              (select i.facts ->> 'case_no' from roster_decisions as i where i.seq = f.entry_id))
    end as case_no
from (select d.*,
             case when d.action in ('notice', 'decline') or (d.action = 'revoke' and d.entry_id is null)
                  then 'procedure' else 'decision' end as kind
        from roster_decisions as d
       where d.seq > :a
         and d.action not in ('propose', 'reject', 'proposal', 'assess', 'consent', 'publish')
         and (not (d.action in ('notice', 'decline') or (d.action = 'revoke' and d.entry_id is null))
              or (cast(:procedures as boolean) and d.decision_no is not null))
       order by d.seq
       limit :n) as f
order by seq
