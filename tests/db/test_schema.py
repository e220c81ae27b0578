from sqlalchemy.engine import Engine

from credit import schema


def test_template_database_is_at_head(engine: Engine) -> None:
    assert schema.current_revision(engine) == schema.head_revision()


def test_file_loads_refuse_rows_that_do_not_add_up(engine: Engine) -> None:
    import pytest
    import sqlalchemy as sa

    with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:
        c.exec_driver_sql(
            "insert into file_loads values ('2026-07-13','a.csv','tax','full','x',10,7,2)"
        )


def test_databases_made_here_compare_text_by_code_point(engine: Engine) -> None:
    """The template every test database is cloned from was made by ``create_database_if_missing``:
    builtin provider, C.UTF-8 (credit.db.CODE_POINT_LOCALE). Text orders by code point, as Python
    orders strings, and character classes stay Unicode (upper-casing é, Chinese as word characters)."""
    with engine.connect() as c:
        provider, locale = c.exec_driver_sql(
            "select datlocprovider, datlocale from pg_database where datname = current_database()").one()
        assert (provider, locale) == ("b", "C.UTF-8")
        words = ["甲", "Z", "a", "é", "1", "Ab", "b"]
        ordered = [r[0] for r in c.exec_driver_sql(
            "select w from unnest(%(w)s::text[]) as w order by w", {"w": words})]
        assert ordered == sorted(words)
        assert c.exec_driver_sql("select upper('é'), '甲' ~ '^\\w$'").one() == ("É", True)
