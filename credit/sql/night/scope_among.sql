-- Which of the given USCCs (:u) are in the night's scope (credit.night.scope.keep).
select uscc from night_scope where uscc = any(:u)
