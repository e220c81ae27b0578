"""Storage partitioned by night month and retention (issue 11, migration 0026, docs/storage.md).

- The migration turns a quarantine with rows into month partitions, row for row, the view over it
  included, and the downgrade gives the plain table back.
- A night's month gets its partition by itself (a trigger on ``night_runs``); a row of a month
  without one waits in the default partition and moves into its month when it is made.
- A night still runs, with its quarantine in its month, and running it again changes nothing.
- Retention drops only months of operational tables past their period, never a quarantine month
  that still holds back a decision, and never a legal record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from sqlalchemy.engine import Connection, Engine
from typer.testing import CliRunner

from credit import db, retention, schema
from credit.night import steps
from credit.settings import Settings, get_settings
from tests.db.migrations import downgrade
from tests.dropkit import code, csv_file, registration_row, write_night

REVISION = "0026_partitioned_storage"
BEFORE = "0017_partition_results"
X, Y, Z = code(body="MA2B3C11"), code(body="MA2B3C22"), code(body="MA2B3C33")


def _night_run(c: Connection, night: date) -> None:
    c.execute(sa.text("insert into night_runs values (:n, 'digest', 'v', now(), now(), '{}')"), {"n": night})


def _held(c: Connection, night: date, line: int, source: str = "registration", raw: dict[str, str] | None = None) -> None:
    c.execute(sa.text("insert into quarantine values (:n, :f, :l, :s, 'rule', '理由', cast(:r as jsonb))"),
              {"n": night, "f": f"{source}.csv", "l": line, "s": source, "r": json.dumps(raw or {"uscc": X})})


def _rows(c: Connection) -> set[tuple[object, ...]]:
    return {tuple(r) for r in c.execute(sa.text("select night, file, line, source, rule, reason, raw::text "
                                                "from quarantine"))}


def _where(c: Connection) -> dict[date, str]:
    return {n: str(t) for n, t in c.execute(sa.text("select night, tableoid::regclass::text from quarantine"))}


def _partitions(c: Connection) -> list[str]:
    return [str(p) for p in c.execute(sa.text(
        "select inhrelid::regclass::text from pg_inherits where inhparent = 'quarantine'::regclass order by 1"))
        .scalars()]


def test_the_migration_partitions_a_quarantine_with_rows_and_the_downgrade_gives_it_back(pg_dir: Path) -> None:
    url = db.embedded_url(pg_dir, "storage_migration")
    db.create_database_if_missing(url)
    engine = sa.create_engine(url)
    try:
        schema.upgrade(engine, BEFORE)
        with engine.begin() as c:
            for n in (date(2026, 6, 30), date(2026, 7, 13)):
                _night_run(c, n)
            _held(c, date(2026, 5, 20), 2)
            _held(c, date(2026, 6, 30), 7, "annual_reports", {"uscc": Y, "report_year": "2025"})
            _held(c, date(2026, 7, 13), 3)
            _held(c, date(2026, 7, 13), 4, "annual_reports", {"uscc": Z, "report_year": "2025"})
            c.exec_driver_sql("create index ix_quarantine_test_source on quarantine (source, night)")  # as a later revision might
            rows = _rows(c)
            view = set(c.execute(sa.text("select * from quarantined_annual_reports")).all())
        assert len(view) == 2
        index = "select indexdef from pg_indexes where indexname = 'ix_quarantine_test_source'"
        schema.upgrade(engine, REVISION)
        with engine.connect() as c:
            assert c.execute(sa.text("select relkind from pg_class where relname = 'quarantine'")).scalar() == "p"
            assert _partitions(c) == ["quarantine_2026_05", "quarantine_2026_06", "quarantine_2026_07",
                                      "quarantine_2026_08", "quarantine_2026_09", "quarantine_default"]
            assert _rows(c) == rows
            assert set(c.execute(sa.text("select * from quarantined_annual_reports")).all()) == view
            assert _where(c) == {date(2026, 5, 20): "quarantine_2026_05", date(2026, 6, 30): "quarantine_2026_06",
                                 date(2026, 7, 13): "quarantine_2026_07"}
            key = c.execute(sa.text("select pg_get_constraintdef(oid) from pg_constraint "
                                    "where conrelid = 'quarantine'::regclass and contype = 'p'")).scalar()
            assert key == "PRIMARY KEY (night, file, line)"
            assert "Rejected rows" in str(c.execute(sa.text("select obj_description('quarantine'::regclass)")).scalar())
            grants = c.execute(sa.text("select has_table_privilege('credit_writer', 'quarantine', 'insert'), "
                                       "has_table_privilege('credit_api', 'quarantine', 'select'), "
                                       "has_table_privilege('credit_api', 'quarantine', 'insert')")).one()
            assert tuple(grants) == (True, True, False)
            assert "ON ONLY public.quarantine USING btree (source, night)" in str(c.execute(sa.text(index)).scalar())
        with pytest.raises(sa.exc.IntegrityError):          # the key holds across the partitions
            with engine.begin() as c:
                _held(c, date(2026, 7, 13), 3)
        downgrade(engine, BEFORE)
        with engine.connect() as c:
            assert c.execute(sa.text("select relkind from pg_class where relname = 'quarantine'")).scalar() == "r"
            assert _rows(c) == rows
            assert set(c.execute(sa.text("select * from quarantined_annual_reports")).all()) == view
            assert c.execute(sa.text("select count(*) from pg_class where relname like 'quarantine\\_%'")).scalar() == 1
            assert c.execute(sa.text("select to_regproc('credit_night_partition')")).scalar() is None
            assert "ON public.quarantine USING btree (source, night)" in str(c.execute(sa.text(index)).scalar())
        schema.upgrade(engine, REVISION)                    # and up again
        with engine.connect() as c:
            assert _rows(c) == rows
    finally:
        engine.dispose()


def test_a_nights_month_gets_its_partition_by_itself(engine: Engine) -> None:
    with engine.begin() as c:
        _held(c, date(2031, 3, 4), 1)                       # no partition yet: the default one takes it
        assert _where(c) == {date(2031, 3, 4): "quarantine_default"}
        _night_run(c, date(2031, 3, 4))                      # published: its month and two ahead
        assert _where(c) == {date(2031, 3, 4): "quarantine_2031_03"}
        made = _partitions(c)
        assert made == ["quarantine_2031_03", "quarantine_2031_04", "quarantine_2031_05", "quarantine_default"]
        _night_run(c, date(2031, 3, 5))
        assert _partitions(c) == made                        # nothing made twice
        _night_run(c, date(2031, 12, 31))                    # over the year end
        assert {"quarantine_2032_01", "quarantine_2032_02"} <= set(_partitions(c))
        assert retention.ensure_ahead(c, date(2031, 12, 31)) == 0


def test_the_night_role_gets_its_months_made_though_it_owns_no_table(engine: Engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql("set local role credit_writer")    # as a deployment's night runs (migration 0013)
        _held(c, date(2030, 1, 2), 1)
        _night_run(c, date(2030, 1, 2))
        assert _where(c) == {date(2030, 1, 2): "quarantine_2030_01"}
        assert {"quarantine_2030_02", "quarantine_2030_03"} <= set(_partitions(c))


def test_a_night_runs_with_its_quarantine_in_its_month_and_again_changes_nothing(settings: Settings,
                                                                                  engine: Engine,
                                                                                  tmp_path: Path) -> None:
    night = date(2026, 7, 13)
    rows = [registration_row(code(body=f"MA2B3C{i:02d}")) for i in range(5)]
    bad = [dict(registration_row(code(body="MA2B3C99")), established_on="2026-02-30")]
    drop = tmp_path / "drop"
    write_night(drop, night, {"registration.csv": csv_file("registration", "full", rows + bad)})
    steps.run_night(drop, night, settings)
    with engine.connect() as c:
        first = _rows(c)
        assert _where(c) == {night: "quarantine_2026_07"}
        assert {"quarantine_2026_07", "quarantine_2026_08", "quarantine_2026_09"} <= set(_partitions(c))
    again = steps.run_night(drop, night, settings)
    assert again.get("already_published")
    with engine.connect() as c:
        assert _rows(c) == first


def _counts(c: Connection) -> dict[str, int]:
    """Rows of every table but the quarantine's partitions (all of them legal or other records)."""
    names = c.execute(sa.text("""select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                  where n.nspname = current_schema() and c.relkind in ('r', 'p')
                                    and c.relname not like 'quarantine%' and c.relname <> 'alembic_version'""")
                      ).scalars()
    return {str(t): int(c.execute(sa.text(f'select count(*) from "{t}"')).scalar_one()) for t in names}


@pytest.fixture()
def aged_store(engine: Engine) -> Iterator[Engine]:
    """Nights from March 2024 to July 2026, quarantine rows in 2024: one plain, one annual-report row
    still holding back its decision (April), one whose report was accepted since (May)."""
    with engine.begin() as c:
        for n in (date(2024, 3, 10), date(2024, 4, 2), date(2024, 5, 6), date(2026, 7, 13)):
            _night_run(c, n)
        _held(c, date(2024, 3, 10), 1)
        _held(c, date(2024, 4, 2), 1, "annual_reports", {"uscc": Y, "report_year": "2023"})
        _held(c, date(2024, 5, 6), 1, "annual_reports", {"uscc": Z, "report_year": "2023"})
        c.execute(sa.text("insert into annual_reports (uscc, report_year, filed_on, first_night, last_night) "
                          "values (:u, 2023, '2024-05-07', '2024-05-07', '2024-05-07')"), {"u": Z})
        c.execute(sa.text("insert into registration_history (night, change, uscc, name) "
                          "values ('2024-03-10', 'new', :u, '测试')"), {"u": X})
        _held(c, date(2026, 7, 13), 1)
        c.exec_driver_sql("analyze")
    yield engine


def test_retention_drops_old_operational_months_only(aged_store: Engine, settings: Settings) -> None:
    with aged_store.begin() as c:
        before = _counts(c)
        actions = {a["partition"]: a for a in retention.plan(c, settings)}
        # made ahead by the 2024 nights: March to July; July ends after the cutoff (13 July 2024)
        assert {p for p, a in actions.items() if a["action"] == "drop"} == {
            "quarantine_2024_03", "quarantine_2024_05", "quarantine_2024_06"}
        assert actions["quarantine_2024_07"]["action"] == "keep"
        assert "hold back a decision" in actions["quarantine_2024_04"]["reason"]
        assert actions["quarantine_default"]["action"] == "keep"
        assert actions["quarantine_2026_07"]["action"] == "keep"
        assert retention.apply(c, list(actions.values())) == ["quarantine 2024-03-01..2024-04-01",
                                                              "quarantine 2024-05-01..2024-06-01",
                                                              "quarantine 2024-06-01..2024-07-01"]
        assert _counts(c) == before                          # no legal (or any other) record touched
        assert sorted(_where(c).values()) == ["quarantine_2024_04", "quarantine_2026_07"]
        assert "quarantine_2024_03" not in _partitions(c)


@pytest.mark.parametrize("target", ["roster_decisions", "registration_history", "grade_ranges", "quality_results",
                                    "quarantine", "quarantine_default", "quarantine_2024_04", "quarantine_2026_07"])
def test_the_database_refuses_to_drop_anything_but_an_old_settled_month(aged_store: Engine, target: str) -> None:
    with pytest.raises(sa.exc.DBAPIError):
        with aged_store.begin() as c:
            c.execute(sa.text("select credit_drop_night_partition(to_regclass(:p))"), {"p": target})
    with aged_store.connect() as c:
        assert c.execute(sa.text("select to_regclass(:p)"), {"p": target}).scalar() is not None


def test_the_night_role_cannot_drop_a_month(aged_store: Engine) -> None:
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        with aged_store.begin() as c:
            c.exec_driver_sql("set local role credit_writer")
            c.execute(sa.text("select credit_drop_night_partition('quarantine_2024_03')"))


def test_credit_retention_is_a_dry_run_unless_applied(aged_store: Engine, cli_env: Settings) -> None:
    from credit.cli.commands.storage import retention_command

    app = _app(retention_command)
    r = CliRunner().invoke(app, ["--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["applied"] is False and out["dropped"] == []
    assert [m["partition"] for m in out["months"] if m["action"] == "drop"] == [
        "quarantine_2024_03", "quarantine_2024_05", "quarantine_2024_06"]
    with aged_store.connect() as c:
        assert "quarantine_2024_03" in _partitions(c)
    r = CliRunner().invoke(app, [])
    assert r.exit_code == 0 and "dry run" in r.output
    r = CliRunner().invoke(app, ["--apply", "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.output)["dropped"]) == 3
    with aged_store.connect() as c:
        assert "quarantine_2024_03" not in _partitions(c)


def test_a_wrong_period_is_refused_without_a_traceback(aged_store: Engine, cli_env: Settings,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from credit.cli.commands.storage import retention_command

    config = tmp_path / "config"
    config.mkdir()
    for p in Path(cli_env.config_dir).glob("*.yaml"):
        (config / p.name).write_bytes(p.read_bytes())
    (config / "retention.yaml").write_text('version: "t"\npartitioned:\n  quarantine: {keep_months: 0}\n'
                                           '  roster_decisions: {keep_months: 1}\n')
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    r = CliRunner().invoke(_app(retention_command), [])
    assert r.exit_code == 2 and "keep_months" in r.output and "Traceback" not in r.output
    # refused as every command refuses (contracts.md §2): 拒绝 refused:, Chinese first, then English
    assert r.output.startswith("拒绝 refused: retention.yaml: partitioned.quarantine.keep_months 须为"), r.output
    (config / "retention.yaml").write_text('version: "t"\npartitioned:\n  roster_decisions: {keep_months: 1}\n')
    r = CliRunner().invoke(_app(retention_command), [])
    assert r.exit_code == 2 and "not partitioned by night" in r.output
    assert r.output.startswith("拒绝 refused: retention.yaml 列出的 roster_decisions 不是按批次分区的表"), r.output
    with aged_store.connect() as c:
        assert "quarantine_2024_03" in _partitions(c)


def test_dropping_as_a_role_that_may_not_is_refused_before_anything_is_planned(aged_store: Engine,
                                                                                 settings: Settings) -> None:
    """The scheduled retention runs on a worker, as credit_writer in docker compose: it may list the
    months due, but asked to drop it must say at once that it cannot — not succeed silently until
    the first month falls due, 24 months later, and fail then."""
    with aged_store.begin() as c:
        c.exec_driver_sql("set local role credit_writer")
        listed = retention.run(c, settings, False)
        assert not listed.applied and listed.dropped == []
        assert [m["partition"] for m in listed.months if m["action"] == "drop"] == [
            "quarantine_2024_03", "quarantine_2024_05", "quarantine_2024_06"]
        with pytest.raises(retention.RetentionError, match="needs the tables' owner"):
            retention.run(c, settings, True)
    with aged_store.begin() as c:       # the owner drops them, through the same step
        done = retention.run(c, settings, True)
        assert done.applied and len(done.dropped) == 3 and "quarantine_2024_03" not in _partitions(c)


def test_the_scheduled_run_is_a_dry_run_unless_retention_yaml_says_apply(settings: Settings, tmp_path: Path) -> None:
    assert retention.scheduled_apply(settings) is False          # the bundled file: scheduled: dry_run
    config = tmp_path / "config"
    config.mkdir()
    ours = settings.model_copy(update={"config_dir": config})
    assert retention.scheduled_apply(ours) is False              # no retention.yaml: nothing to drop
    for text, expected in (('version: "t"\npartitioned: {}\n', False),          # a bureau's older file
                           ('version: "t"\nscheduled: dry_run\npartitioned: {}\n', False),
                           ('version: "t"\nscheduled: apply\npartitioned: {}\n', True)):
        (config / "retention.yaml").write_text(text)
        assert retention.scheduled_apply(ours) is expected, text
    (config / "retention.yaml").write_text('version: "t"\nscheduled: yes\npartitioned: {}\n')
    with pytest.raises(retention.RetentionError, match="dry_run or apply"):
        retention.scheduled_apply(ours)


def test_months_before_counts_calendar_months() -> None:
    assert retention.months_before(date(2026, 7, 13), 24) == date(2024, 7, 13)
    assert retention.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert retention.months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def _app(fn: Callable[..., None]) -> typer.Typer:
    app = typer.Typer()
    app.command()(fn)          # one command: typer runs it with the options at the top level
    return app


def _config_with(settings: Settings, tmp_path: Path, extra: str) -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    for p in Path(settings.config_dir).glob("*.yaml"):
        (config / p.name).write_bytes(p.read_bytes())
    text = (config / "retention.yaml").read_text(encoding="utf-8")
    (config / "retention.yaml").write_text(text.replace("lock_timeout_seconds: 30\n", extra), encoding="utf-8")
    return settings.model_copy(update={"config_dir": config})


def test_a_drop_behind_a_publishing_transaction_gives_up_after_its_lock_timeout(
        aged_store: Engine, settings: Settings, tmp_path: Path) -> None:
    """A night being published holds the quarantine (it writes its held-back rows): a drop waits at
    most retention.yaml's lock_timeout_seconds, then gives up, Chinese first, nothing dropped."""
    ours = _config_with(settings, tmp_path, "lock_timeout_seconds: 0.5\n")
    with aged_store.connect() as publishing:
        publishing.exec_driver_sql("begin")
        publishing.exec_driver_sql("lock table quarantine in row exclusive mode")   # as a night's inserts do
        try:
            with pytest.raises(retention.RetentionBusy, match="^过期月份的数据表被另一事务.*gave up, nothing dropped"):
                with aged_store.begin() as c:
                    c.exec_driver_sql("set local statement_timeout = '20s'")   # without a lock timeout: waits
                    retention.run(c, settings=ours, apply_=True)
        finally:
            publishing.exec_driver_sql("rollback")
    with aged_store.begin() as c:
        assert "quarantine_2024_03" in _partitions(c)                  # nothing dropped
        assert len(retention.run(c, ours, True).dropped) == 3          # the next run, the table free, drops them


def test_a_wrong_lock_timeout_is_refused(settings: Settings, tmp_path: Path) -> None:
    assert retention.lock_timeout(settings) == 30
    for bad in ("lock_timeout_seconds: 0\n", "lock_timeout_seconds: soon\n", "lock_timeout_seconds: true\n"):
        with pytest.raises(retention.RetentionError, match="lock_timeout_seconds"):
            retention.lock_timeout(_config_with(settings, tmp_path, bad))
