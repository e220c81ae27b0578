-- The last night published before :n (night_runs); NULL before the first.
select max(night) from night_runs where night < :n
