"""The scope's USCCs written out once per scope (credit.night.scope.ScopeArray) bind the same
``text[]`` value as the list psycopg writes element by element, whatever the texts hold."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.night import scope as night_scope

_TRICKY = ["U000001", 'a"b', "c\\d", "e,f", "{g}", "NULL", " h ", "", "名称"]


def test_the_scope_array_is_the_list_s_text_array(engine: Engine) -> None:
    with engine.begin() as c:
        assert night_scope.register_scope_array(c)
        for values in (_TRICKY, [], ["U000001"]):
            got = c.execute(sa.text("select cast(:a as text[]) = cast(:b as text[]), cast(:a as text[])"),
                            {"a": night_scope.ScopeArray(values), "b": list(values)}).one()
            assert got[0] is True and list(got[1]) == values


