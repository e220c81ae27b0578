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
