"""Name search through the index of each name's characters (migration 0052, issue 11: a look-up
follows one entity, not the province, on every server, the embedded one too, which has no pg_trgm).

The index may only narrow the names ``ilike`` then checks: a name ilike '%q%' must hold every
character of q as ilike compares them. If PostgreSQL's ilike folded case otherwise than lower()
(ß, İ, final sigma, full-width letters), the narrowing would lose names: the property below
compares the search with the bare ilike over the same rows."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from credit import sqlfiles
from credit.rosters.read import search_registration
from tests.db.rosters.helpers import reg

#: Letters whose case rules differ between lower(), upper() and Unicode folding, ilike's pattern
#: characters, and the characters of Chinese names.
ALPHABET = "aAbBzZßẞİıiIΣσςÅåＡａ%_\\ 　（）()食品科技有限公司杭州腾鼎·-"


def _plan(c: sa.Connection, q: str) -> str:
    stmt = sqlfiles.statement("rosters/search_registration")
    return "\n".join(r[0] for r in c.execute(sa.text("explain " + stmt.text),
                                              {"q": q, "p": f"%{q}%", "l": 50}))


def test_a_search_reads_the_names_holding_its_characters_through_the_index(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(sa.text(
            "insert into registration (uscc, name, entity_kind, region_code, established_on, status, "
            "first_night, last_night) "
            "select 'U' || lpad(i::text, 7, '0'), '杭州' || chr(19968 + i % 5000) || chr(19968 + (i * 7) % 5000) "
            "|| '科技有限公司', 'enterprise', '330106', date '2020-03-01', 'operating', "
            "date '2020-03-01', date '2020-03-01' from generate_series(1, 100000) as i"))
        c.exec_driver_sql("analyze registration")
    with engine.connect() as c:
        plan = _plan(c, chr(19968 + 4321) + chr(19968 + 4322))
        assert "ix_registration_name_chars" in plan and "Seq Scan on registration" not in plan, plan
        found = search_registration(c, chr(19968 + 12) + chr(19968 + 84), 50)
        # The name of every 5,000th entity from the 12th: 20 of them.
        assert [r["uscc"] for r in found] == [f"U{i:07d}" for i in range(12, 100000, 5000)]


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(ALPHABET, min_size=1, max_size=8), min_size=1, max_size=12),
       pick=st.integers(0, 11), start=st.integers(0, 7), size=st.integers(2, 4),
       case=st.sampled_from(["same", "upper", "lower", "swap"]), other=st.text(ALPHABET, min_size=2, max_size=4))
def test_the_index_never_loses_a_name_ilike_finds(engine: Engine, names: list[str], pick: int, start: int,
                                                  size: int, case: str, other: str) -> None:
    name = names[pick % len(names)]
    q = name[start:start + size] if len(name[start:start + size]) >= 2 else other
    q = {"same": q, "upper": q.upper(), "lower": q.lower(), "swap": q.swapcase()}[case]
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with engine.connect() as c, c.begin() as tx:
        for i, n in enumerate(names):
            reg(c, f"U{i:07d}", name=n)
        bare = [r[0] for r in c.execute(sa.text(
            "select uscc from registration where name ilike :p escape '\\' order by name, uscc"), {"p": pattern})]
        assert [r["uscc"] for r in search_registration(c, q, 50)] == bare, (names, q)
        tx.rollback()
