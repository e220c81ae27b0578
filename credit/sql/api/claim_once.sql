-- Claim a submission id for this post (credit.api.once): a row back means this is the first post;
-- none means another post claimed it (if that one is still running, this waits for its commit).
insert into submissions_once (caller, id_hash, request_hash) values (:c, :h, :r)
on conflict do nothing
returning 1
