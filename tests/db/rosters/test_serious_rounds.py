"""The night's serious-list rounds read the procedures once, then only the entities a round
appended steps for (credit.rosters.serious.refreshed_cases): the same cases, rows and order as a full
read each round."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night import scope as night_scope
from credit.rosters import serious
from credit.rosters.env import RosterEnv
from tests.db.rosters.helpers import serious_cases

NIGHT = date(2026, 12, 31)


def _log(engine: Engine, n: int = 1000) -> None:
    """Serious-list procedures, a proposal and its notice, of every tenth entity (case C<i> of U<i>)."""
    with engine.begin() as c:
        serious_cases(c, n)


def _rows(cases: list[serious.Case]) -> list[tuple[str, dict[str, object]]]:
    return [(c.case_no, c.row) for c in cases]


def test_a_round_s_re_read_is_the_full_read(engine: Engine, settings: object) -> None:
    _log(engine)
    env = RosterEnv.load()
    with engine.begin() as c:
        before = serious.read_cases(c, env, NIGHT)
        assert len(before) == 100
        # A round appends: a listing for case C20, a revocation of C40's notice, a proposal for a
        # new case C5 of an entity without one, and a new case C15 of an entity (U000030) that has one.
        c.execute(sa.text(
            "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, "
            "facts, fact_key, decision_date, authority, authority_name, config_version, actor, refers_to) "
            "select u, 'serious', a, 'heavier_penalty', '步骤', 'art. 5', 'r', 't1', jsonb_build_object('case_no', k), "
            "f, date '2026-12-30', '110105', '测试局', 't1', 'night', "
            "(select seq from roster_decisions where fact_key = 'notice:penalties:' || k) from (values "
            "('U000020', 'include', 'C20', 'include:serious:penalties:C20'), "
            "('U000040', 'revoke', 'C40', 'revoke:penalties:C40'), "
            "('U000005', 'proposal', 'C5', 'proposal:penalties:C5'), "
            "('U000030', 'proposal', 'C15', 'proposal:penalties:C15')) as v(u, a, k, f)"))
        full = serious.read_cases(c, env, NIGHT)
        got = serious.refreshed_cases(c, env, NIGHT, before, ["U000020", "U000040", "U000005", "U000030"])
        assert _rows(got) == _rows(full)
        assert [k for k, _ in _rows(full)][-2:] == ["C5", "C15"]
        assert _rows(full) != _rows(before)   # the round changed C20 and C40
        # Scoped, as an incremental night reads them (the scope's USCCs bound as a ScopeArray).
        scope = night_scope.of_entities(c, ["U000005", "U000020", "U000030", "U000040", "U000050"])
        mine = serious.read_cases(c, env, NIGHT, scope=scope)
        assert _rows(mine) == [r for r in _rows(full) if r[1]["uscc"] in {"U000005", "U000020", "U000030",
                                                                           "U000040", "U000050"}]
        c.rollback()
