"""Shared set-up of the draw tests: a store of entities, tiers and inspectors, and a plan run on it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import clock
from credit.contract.uscc import calc_check_character
from credit.draws import core, store
from credit.settings import Settings

AS_OF = date(2026, 9, 1)
SEED = "2026-09-01 provincial lottery 03 17 22 41"
REGIONS = ("341000", "341100", "411402")   # 411402 lies in 商丘 (4114): quiet days 1–20


def on_bureau_day(monkeypatch: pytest.MonkeyPatch, day: date = AS_OF) -> None:
    """The bureau's clock on ``day`` (10:00 in Shanghai): a plan of AS_OF schedules from its 5th
    working day after, and on a later clock from the 5th working day after that clock's day (store.plan_draw)."""
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(day.year, day.month, day.day, 2, tzinfo=UTC))


def uscc(i: int) -> str:
    """A valid code (GB 32100: the command line refuses any other, domain.md §1), in the order of ``i``
    within a region."""
    first17 = f"91{REGIONS[i % 3]}MA{i:07d}"
    return first17 + calc_check_character(first17)


# Inspector j belongs to DIVISIONS[j % len(DIVISIONS)] unless a test gives its own divisions.
DIVISIONS = ("信用监督管理科", "食品生产安全监督管理科")


def load_store(engine: Engine, n: int = 240, inspectors: int = 12, divisions: tuple[str, ...] = DIVISIONS,
               bureau: str = "") -> None:
    """``n`` entities and ``inspectors`` inspectors, of ``bureau + division`` departments."""
    with engine.begin() as c:
        c.execute(sa.text("""
            insert into registration (uscc, name, entity_kind, region_code, industry_code, established_on,
                                      status, first_night, last_night)
            values (:u, :n, 'enterprise', :r, :ind, '2020-01-01', :st, '2026-08-01', '2026-08-01')"""),
            [{"u": uscc(i), "n": f"企业{i}", "r": REGIONS[i % 3], "ind": "C13" if i % 2 else "F51",
              "st": "operating" if i % 40 else "cancelled"} for i in range(n)])
        if not inspectors:
            return
        c.execute(sa.text("""
            insert into inspectors (inspector_id, name, department, region_code, fields, active, conflicts,
                                    first_night, last_night)
            values (:i, :n, :d, :r, :f, :a, :c, '2026-08-01', '2026-08-01')"""),
            [{"i": f"INS{j:03d}", "n": f"检查员{j}", "d": bureau + divisions[j % len(divisions)],
              "r": ("340000", "411400", "341000")[j % 3] if j < inspectors - 2 else "000000",
              "f": ["C", "F"], "a": j != 5, "c": [uscc(1), uscc(3)] if j == 0 else []} for j in range(inspectors)])


def plan_and_run(engine: Engine, settings: Settings, matters: list[str] | str = "annual_report") -> str:
    """A plan as of AS_OF on that day (the bureau's clock of a test may be later: its window would
    have begun), drawn with SEED."""
    with engine.begin() as c:
        draw_id = store.plan_draw(c, matters, AS_OF, settings, seed_commitment=core.seed_commitment(SEED),
                                  today=AS_OF)
    with engine.begin() as c:
        store.run_draw(c, draw_id, SEED, settings, today=AS_OF)
    return draw_id


def close_entity(engine: Engine, code: str, status: str = "cancelled") -> None:
    """The store learns that an entity closed (a redraw for a closed entity needs it)."""
    with engine.begin() as c:
        c.execute(sa.text("update registration set status = :s where uscc = :u"), {"s": status, "u": code})


def graded(engine: Engine, grades: dict[str, str], reason: str = "test") -> None:
    """A graded night 2026-08-31 as the grading writes it: its run and a range per grade (migration
    0015), each with ``reason`` as its one reason."""
    with engine.begin() as c:
        c.execute(sa.text("insert into grading_runs (night, config_version, graded, distribution, warnings) "
                          "values ('2026-08-31', 'test', :g, '{}', '[]') on conflict (night) do nothing"),
                  {"g": len(grades)})
        c.execute(sa.text("insert into grade_ranges (uscc, valid_from, grade, score, config_version, reasons) "
                          "values (:u, '2026-08-31', :g, 0, 'test', cast(:r as jsonb))"),
                  [{"u": u, "g": g, "r": f'["{reason}"]'} for u, g in grades.items()])
