-- One setting of the embedded server written by ALTER SYSTEM (credit.db.tune_embedded; formatted
-- by Python: the name and the value of credit.db.EMBEDDED_TUNING, constants of the code).
alter system set {name} = '{value}'
