-- The configuration version a published night (:p) ran with (credit.night.scope.global_events).
select config_version from night_runs where night = :p
