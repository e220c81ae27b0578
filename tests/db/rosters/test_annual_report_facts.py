"""Cause 1's candidates as ``sql/rosters/annual_reports.sql`` writes them (issue 11, stop 32).

The facts are written out as text instead of built as jsonb and printed; the held rows' keys
skip ``translate`` when they are all ASCII (migration 0043). Both must give what they gave before:
the facts, character for character, what ``jsonb_build_object(...)::text`` prints (its key order,
escaping and dates), for the addresses that stress it; the held keys, the same whatever mix of
full-width, lower-case, spaced and hyphenated characters the row came with."""

from __future__ import annotations

import json

import sqlalchemy as sa

from credit import sqlfiles
from tests.db.rosters.helpers import D, reg, report

# Addresses whose JSON text needs escaping, none, or is null.
ADDRESSES = ['武汉市"武昌"区\\测试路1号', "line\nbreak\ttab\r\x01\x1f end", "é ü 😀 \u2028", "", "plain 1号", None]
REFERENCE = """select jsonb_build_object(
                   'source', 'annual_reports', 'uscc', r.uscc, 'report_year', cast(:y as bigint),
                   'period_end', make_date(cast(:y as int) + 1, 6, 30), 'filed_on', a.filed_on,
                   'registration', jsonb_build_object('entity_kind', r.entity_kind,
                                                      'established_on', r.established_on,
                                                      'address', r.address))::text
                 from registration as r
                 left join annual_reports as a on a.uscc = r.uscc and a.report_year = cast(:y as bigint)
                where r.uscc = :u"""


def test_facts_are_the_text_jsonb_prints(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        usccs = []
        for i, address in enumerate(ADDRESSES):
            u = f"9142010{i}MA000000{i:02d}"[:18].ljust(18, "0")
            reg(c, u, address=address, kind="farmer_coop" if i % 2 else "enterprise")  # type: ignore[arg-type]
            if i % 3 == 0:
                report(c, u, 2025, "2026-08-01")   # late: the candidate names its filing day
            usccs.append(u)
        got = sqlfiles.frame(c, "rosters/annual_reports", {"years": [2024, 2025],
                                                           "period_ends": [D("2025-06-30"), D("2026-06-30")],
                                                           "statuses": ["operating"], "night": D("2026-07-13")})
        assert len(got) == 2 * len(ADDRESSES)
        for row in got.itertuples():
            want = c.execute(sa.text(REFERENCE), {"u": row.uscc, "y": int(row.fact_key.rsplit(":", 1)[1])}).scalar_one()
            assert row.facts == want
            assert json.loads(row.facts)["registration"]["address"] in ADDRESSES
        c.rollback()


def _held(c, uscc: str, year: str, line: int) -> None:  # type: ignore[no-untyped-def]
    c.execute(sa.text("""insert into quarantine (night, file, line, source, rule, reason, raw)
                         values ('2026-07-13', 'annual_reports.csv', :l, 'annual_reports', 'date', 'bad date',
                                 cast(:raw as jsonb))"""),
              {"l": line, "raw": json.dumps({"uscc": uscc, "report_year": year}, ensure_ascii=False)})


def _half(s: str) -> str:
    return "".join(chr(ord(ch) - 0xFEE0) if "０" <= ch <= "ｚ" and ch.isalnum() else ch for ch in s)


def test_held_keys_normalise_with_and_without_full_width(engine) -> None:  # type: ignore[no-untyped-def]
    u = "91420106MA00000011"
    full = "".join(chr(ord(ch) + 0xFEE0) for ch in u)
    rows = [(u, "2025"), (u.lower(), " 2025 "), (full, "２０２５"), ("9142-0106 ma０００００011", "2０25"),
            (full.lower(), "2025"), ("914201", "2025"), (u, "２０２"), (u, None)]
    with engine.begin() as c:
        for i, (uscc, year) in enumerate(rows):
            _held(c, uscc, year, i + 1)   # type: ignore[arg-type]
        got = c.execute(sa.text("select line, uscc, report_year from quarantined_annual_reports order by line")).all()
        want = [(i + 1, _half(x).replace(" ", "").replace("-", "").upper(), int(_half(y).strip()))
                for i, (x, y) in enumerate(rows[:5])]
        assert [tuple(r) for r in got] == want
        c.rollback()
