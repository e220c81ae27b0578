"""Store rows for roster tests: plain inserts into the store tables (contracts.md §1 columns)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
import typer
from sqlalchemy.engine import Connection

from credit.context import NightContext
from credit.rosters.decide import decide_night
from credit.settings import Settings

D = date.fromisoformat


def reg(c: Connection, uscc: str, *, kind: str = "enterprise", established: str = "2020-03-01",
        status: str = "operating", region: str = "110105", name: str = "北京测试科技有限公司",
        address: str = "北京市朝阳区测试路1号") -> None:
    c.execute(sa.text("""insert into registration (uscc, name, entity_kind, region_code, established_on, status,
                         address, first_night, last_night)
                         values (:u, :n, :k, :r, :e, :s, :a, :e, :e)"""),
              {"u": uscc, "n": name, "k": kind, "r": region, "e": D(established), "s": status, "a": address})


def report(c: Connection, uscc: str, year: int, filed_on: str, first_night: str | None = None) -> None:
    c.execute(sa.text("""insert into annual_reports (uscc, report_year, filed_on, first_night, last_night)
                         values (:u, :y, :f, :n, :n)"""),
              {"u": uscc, "y": year, "f": D(filed_on), "n": D(first_night or filed_on)})


def finding(c: Connection, fid: str, uscc: str, kind: str, found_on: str) -> None:
    c.execute(sa.text("""insert into findings (finding_id, uscc, kind, found_on, doc_no, department, first_night, last_night)
                         values (:i, :u, :k, :f, :d, '信用监管科', :f, :f)"""),
              {"i": fid, "u": uscc, "k": kind, "f": D(found_on), "d": f"核字〔{found_on[:4]}〕{fid}号"})


def inspection(c: Connection, task: str, uscc: str, inspected_on: str, result_code: str) -> None:
    c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, first_night, last_night)
                         values (:t, :u, :d, :r, :d, :d)"""),
              {"t": task, "u": uscc, "d": D(inspected_on), "r": result_code})


def penalty(c: Connection, case_no: str, uscc: str, decided_on: str, *, category: str = "food_safety",
            heavier: bool = True, measures: tuple[str, ...] = ("fine",), fulfilled_on: str | None = None,
            restricted_until: str | None = None, revoked_on: str | None = None) -> None:
    c.execute(sa.text("""insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount,
                         heavier, fulfilled_on, restricted_until, revoked_on, first_night, last_night)
                         values (:c, :u, :d, :doc, :cat, :m, 50000, :h, :f, :r, :v, :d, :d)"""),
              {"c": case_no, "u": uscc, "d": D(decided_on), "doc": f"罚字〔{decided_on[:4]}〕{case_no}号",
               "cat": category, "m": list(measures), "h": heavier, "f": D(fulfilled_on) if fulfilled_on else None,
               "r": D(restricted_until) if restricted_until else None, "v": D(revoked_on) if revoked_on else None})


def revoke_penalty(c: Connection, case_no: str, revoked_on: str) -> None:
    """The drop brings the revocation of a penalty decision (contracts.md §1 revoked_on)."""
    c.execute(sa.text("update penalties set revoked_on = :v where case_no = :c"), {"c": case_no, "v": D(revoked_on)})


def night(c: Connection, settings: Settings, day: str | date) -> dict[str, Any]:
    d = D(day) if isinstance(day, str) else day
    return decide_night(c, NightContext(d, "test", settings))


def decisions(c: Connection, **where: Any) -> list[dict[str, Any]]:
    cond = " and ".join(f"{k} = :{k}" for k in where) or "true"
    return [dict(r) for r in c.execute(sa.text(f"select * from roster_decisions where {cond} order by seq"),
                                       where).mappings()]


def published(c: Connection, day: str) -> None:
    """Record a published night (``night_runs``), as ``credit nightly`` does at the end of a night."""
    c.execute(sa.text("""insert into night_runs (night, manifest_digest, config_version, started_at, finished_at, summary)
                         values (:n, 'test', 'test', now(), now(), '{}'::jsonb)"""), {"n": D(day)})


def unreachable_story(c: Connection, settings: Settings, uscc: str) -> None:
    """The known-at stories' start: ``uscc`` registered, its 2025 report filed, found unreachable on
    2026-03-02 and listed that night; the nights of 2026-03-02 and 03-26 published."""
    reg(c, uscc)
    report(c, uscc, 2025, "2026-03-01")
    finding(c, "F1", uscc, "unreachable_address", "2026-03-02")
    for d in ("2026-03-02", "2026-03-26"):
        night(c, settings, d)
        published(c, d)


def rehash_chain(c: sa.Connection) -> None:
    """What a superuser forging the log does after changing a row: recompute every link of the
    hash chain so that each one holds again (the append-only trigger must be disabled first)."""
    c.exec_driver_sql("""
        do $$ declare r roster_decisions; prev text := repeat('0', 64); ch text; begin
          for r in select * from roster_decisions order by seq loop
            ch := encode(sha256(convert_to(roster_decision_canonical(r), 'UTF8')), 'hex');
            update roster_decisions set prev_hash = prev, content_hash = ch,
                   row_hash = encode(sha256(convert_to(prev || ch, 'UTF8')), 'hex') where seq = r.seq;
            prev := encode(sha256(convert_to(prev || ch, 'UTF8')), 'hex');
          end loop; end $$""")


def three_nights(c: Connection, settings: Settings, a: str, b: str) -> None:
    """Three nights of decisions: ``a`` and ``b`` listed for a missing 2025 report on 07-01 (seq 1,
    2), ``a`` listed again for an unreachable address on 07-02 (seq 3: ``b`` filed its report),
    ``a`` removed on application on 07-03 (seq 4, the cause-1 entry)."""
    from credit.rosters.repair import apply_for_removal

    reg(c, a)
    reg(c, b)
    night(c, settings, "2026-07-01")
    finding(c, "F1", a, "unreachable_address", "2026-07-02")
    report(c, b, 2025, "2026-07-02")
    night(c, settings, "2026-07-02")
    report(c, a, 2025, "2026-07-03")
    apply_for_removal(c, a, "abnormal", date(2026, 7, 3), settings=settings)
    night(c, settings, "2026-07-03")


def serious_cases(c: Connection, last: int) -> None:
    """A serious-list proposal and its notice for every tenth entity up to ``last``: case C<i> of
    U<i> (six digits), both on 2026-03-01, straight into the log (plan and scope tests)."""
    for action in ("proposal", "notice"):
        c.execute(sa.text(
            "insert into roster_decisions (uscc, roster, action, cause_code, cause, basis, rule_id, rule_version, "
            "facts, fact_key, decision_date, authority, authority_name, config_version, actor) "
            "select 'U' || lpad(i::text, 6, '0'), 'serious', :a, 'heavier_penalty', '拟列入', 'art. 5', 'r', "
            "'t1', jsonb_build_object('case_no', 'C' || i), :a || ':penalties:C' || i, date '2026-03-01', "
            "'110105', '测试局', 't1', 'night' from generate_series(10, :n, 10) as i"), {"n": last, "a": action})


def rosters_cli() -> typer.Typer:
    """The rosters' commands (status, repair, roster) as the command line mounts them, for a test's
    CliRunner."""
    from credit.cli.commands import rosters as cmd

    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.add_typer(cmd.repair_app, name="repair")
    app.add_typer(cmd.roster_app, name="roster")
    return app
