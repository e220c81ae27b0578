"""Incremental nights give exactly what recomputing every entity gives (issue 11).

One generated province (``credit sample``), its nights run on two databases: incrementally
(``credit nightly``: the night's scope, :mod:`credit.night.scope`) and fully (``--full``). After
every night both stores must hold the same decision log (rows, document numbers, hashes), grade
ranges (tier as of every night), transitions, distributions, penalty windows and roster exports.
The nights cross the National Day holiday of 2026 (1–7 October, make-up working days 10 October
and 20 September: the serious-list statement window and application limits count working days)
and the year end; officers act between nights (applications for removal and for penalty repair,
whose limits run in working days). Some nights are skipped (``--allow-gap``), which stretches the
time window an incremental night must cover.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit import clock, sqlfiles
from credit.grading import night as grading_night
from credit.night import scope as night_scope
from credit.night.steps import run_night
from credit.penalties.repair import apply_for_penalty_repair
from credit.rosters.export import export_frame
from credit.rosters.repair import Refused, apply_for_removal
from credit.sample import write_sample
from credit.settings import Settings, bundled
from tests.db.night.nightproc import fresh_database, state

START = date(2026, 9, 24)
LAST = date(2027, 1, 2)

#: The nights run (the others are skipped with --allow-gap): across National Day and the year end.
NIGHTS = [START + timedelta(days=k) for k in range(0, 12)] + \
    [date(2026, 10, 13), date(2026, 10, 20), date(2026, 11, 2), date(2026, 12, 30), date(2026, 12, 31),
     date(2027, 1, 1), date(2027, 1, 2)]


#: Cells left empty in every third row of these sources' files (contracts.md §1: empty means
#: unknown): the grading then reads each fact from the latest period that carries it, an older
#: month or year than the latest row (sql/grading/bank_credit.sql, social.sql, tax.sql), which the
#: bank window's moving month and the sources' input events must still bring into the scope.
BLANKED = {"bank_credit": ("in_default", "max_overdue_days"), "social_security": ("insured_count", "arrears_months"),
           "tax": ("tax_credit_grade", "arrears")}


def _blank_cells(folder: Path) -> None:
    """Empty the :data:`BLANKED` cells of every third data row of the night's files, in place (same
    format, encoding, BOM and line ends; a row with a quote or the wrong number of fields is left as
    it is), and write the manifest's checksums and row counts anew."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        columns = BLANKED.get(entry["source"])
        path = folder / name
        if columns is None or not path.is_file():
            continue
        if name.endswith(".parquet"):
            table = pq.read_table(path)
            every_third = pa.array([i % 3 == 2 for i in range(table.num_rows)])
            for col in columns:
                i = table.schema.get_field_index(col)
                blank = pc.if_else(every_third, pa.scalar(None, table.schema.field(i).type), table.column(i))
                table = table.set_column(i, col, blank)
            pq.write_table(table, path)
        else:
            raw = path.read_bytes()
            bom = raw[:3] if raw.startswith(codecs.BOM_UTF8) else b""
            text = raw[len(bom):].decode(entry.get("encoding", "utf-8").replace("-sig", ""))
            end = "\r\n" if "\r\n" in text else "\n"
            lines = text.split(end)
            header = lines[0].split(",")
            at = [header.index(col) for col in columns]
            for k in range(1, len(lines)):
                cells = lines[k].split(",")
                if k % 3 == 0 and '"' not in lines[k] and len(cells) == len(header):
                    for i in at:
                        cells[i] = ""
                    lines[k] = ",".join(cells)
            path.write_bytes(bom + end.join(lines).encode(entry.get("encoding", "utf-8").replace("-sig", "")))
        entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def drop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drop")
    write_sample(out, 1500, (LAST - START).days + 1, seed=11, start=START, defect_rate=0.005)
    # The skipped nights were not delivered: --allow-gap refuses to skip a night the folder holds.
    run = {n.isoformat() for n in NIGHTS}
    for folder in out.iterdir():
        if folder.is_dir() and folder.name not in run and (folder / "manifest.json").is_file():
            shutil.rmtree(folder)
        elif folder.is_dir() and (folder / "manifest.json").is_file():
            _blank_cells(folder)
    return out


#: The social-security window of the nights (grading.yaml social_security_months, domain.md §11): the
#: drop's periods are 2026-06 to 2026-08, which the bundled 6 months keep through every night run
#: here. With 2, periods leave the window on the incremental nights that start a month: 2026-07 on
#: 1 October (every entity whose August cells were emptied then has no current headcount or arrears
#: months), the rest on 2 November — the time reason `time:social_security_month` must bring them in.
SOCIAL_MONTHS = 2


def _short_social_window(tmp_path: Path) -> Path:
    """A copy of the bundled configuration whose social-security window is :data:`SOCIAL_MONTHS`."""
    conf = tmp_path / "config"
    shutil.copytree(bundled("config"), conf)
    path = conf / "grading.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  social_security_months: 6\n" in text
    path.write_text(text.replace("  social_security_months: 6\n", f"  social_security_months: {SOCIAL_MONTHS}\n"),
                    encoding="utf-8")
    return conf


def _future_periods(engine: Engine) -> list[str]:
    """Social-security periods after the first night's month, put straight into the store (the night's
    ingest holds such a period; a store loaded before that rule has them): 6 months' arrears from
    2026-10 for two entities without arrears, from 2026-11 for two more. Grading reads a period from
    its month on: the incremental nights of 1 October and 2 November must bring them in."""
    with engine.begin() as c:
        usccs: list[str] = list(c.execute(sa.text(
            "select r.uscc from registration as r where r.status = 'operating' and not exists "
            "(select 1 from social_security as s where s.uscc = r.uscc and s.arrears_months > 0) "
            "order by r.uscc limit 4")).scalars())
        for k, u in enumerate(usccs):
            c.execute(sa.text(
                "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, "
                "last_night) values (:u, :p, null, 50000, 6, '2026-09-24', '2026-09-24')"),
                {"u": u, "p": "2026-10" if k < 2 else "2026-11"})
    return usccs


def _officers(engine: Engine, settings: Settings, night: date) -> None:
    """Between nights: the counter receives applications for the entries and penalties on file."""
    with engine.begin() as c:
        listed = c.execute(sa.text(
            "select uscc, roster from roster_entry_detail_as_of(:n) where state = 'listed' "
            "order by uscc, roster limit 3"), {"n": night}).all()
        for uscc, roster in listed:
            try:
                apply_for_removal(c, uscc, roster, night, "已补报", settings=settings)
            except Refused:
                pass
        cases = c.execute(sa.text(
            "select p.uscc, p.case_no from penalties as p where p.fulfilled_on is not null "
            "order by p.case_no limit 2")).all()
        for uscc, case_no in cases:
            try:
                apply_for_penalty_repair(c, uscc, case_no, night, "已履行", settings=settings)
            except Refused:
                pass


def _compare(a: Engine, b: Engine, night: date) -> None:
    sa_, sb = state(a), state(b)
    sa_.pop("night_runs.summary"), sb.pop("night_runs.summary")
    differ = sorted(t for t in set(sa_) | set(sb) if sa_.get(t) != sb.get(t))
    assert not differ, f"night {night}: incremental and full differ in {differ}"
    # The night's record differs only in its scope and timings.
    assert _decided(a) == _decided(b), f"night {night}: the nights' summaries differ"
    with a.connect() as ca, b.connect() as cb:
        for roster in ("abnormal", "abnormal_status", "serious"):
            ea, eb = export_frame(ca, roster, night), export_frame(cb, roster, night)
            assert ea.equals(eb), f"night {night}: export of {roster} differs"


def _decided(engine: Engine) -> list[object]:
    with engine.connect() as c:
        docs = c.execute(sa.text("select summary from night_runs order by night")).scalars().all()
    return [{k: v for k, v in d.items() if k in ("rosters", "grading", "merges", "notices")} |
            {"grading": {k: v for k, v in d["grading"].items() if k != "report"}} for d in docs]


def _scopes(engine: Engine) -> list[tuple[date, dict[str, object]]]:
    with engine.connect() as c:
        return [(n, s) for n, s in c.execute(sa.text(
            "select night, summary -> 'scope' from night_runs order by night")).all()]


def test_incremental_nights_equal_full_nights(drop: Path, pg_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Also: the incremental store grades by chunks of 400 entities, the full one in one piece; both
    with a social-security window short enough to move on the nights (:data:`SOCIAL_MONTHS`)."""
    conf = _short_social_window(tmp_path)
    inc = Settings(database_url=fresh_database(pg_dir, "incremental_a"), home=tmp_path / "a", config_dir=conf)
    full = Settings(database_url=fresh_database(pg_dir, "incremental_b"), home=tmp_path / "b", config_dir=conf)
    ea, eb = sa.create_engine(inc.database_url), sa.create_engine(full.database_url)
    # Run after the last night (a night after the bureau's today is refused): 3 January 2027, 10:00 in Shanghai.
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2027, 1, 3, 2, 0, tzinfo=UTC))
    try:
        for i, night in enumerate(NIGHTS):
            monkeypatch.setattr(grading_night, "CHUNK_ENTITIES", 400)
            run_night(drop, night, inc, allow_gap=True)
            monkeypatch.setattr(grading_night, "CHUNK_ENTITIES", 10**9)
            run_night(drop, night, full, allow_gap=True, full=True)
            _compare(ea, eb, night)
            if i == 0:
                future = _future_periods(ea)
                assert _future_periods(eb) == future and len(future) == 4
            if i % 3 == 1:
                _officers(ea, inc, night)
                _officers(eb, full, night)
        scopes = _scopes(ea)
        with ea.connect() as c:
            decided = dict(c.execute(sa.text(
                "select n.night, count(d.seq) from night_runs as n left join roster_decisions as d "
                "on d.night = n.night group by n.night")).all())
            regraded = dict(c.execute(sa.text(
                "select n.night, count(g.uscc) from night_runs as n left join grade_ranges as g "
                "on g.valid_from = n.night group by n.night")).all())
        for n, s in scopes:
            print(n, s["mode"], s["entities"], decided[n], regraded[n], s["reasons"])
        # Not a trivial province: incremental nights decide and re-grade.
        assert sum(decided[n] for n, s in scopes if s["mode"] == "incremental") > 0
        assert sum(regraded[n] for n, s in scopes if s["mode"] == "incremental") > 0
        modes = [s["mode"] for _, s in scopes]
        assert modes[0] == "full" and "incremental" in modes
        # The year end is a global event: that night is full.
        assert dict(scopes)[date(2027, 1, 1)]["mode"] == "full"
        # The social-security window moved on incremental nights and brought entities in.
        moved = [n for n, s in scopes if s["mode"] == "incremental" and s["reasons"].get("time:social_security_month")]
        assert date(2026, 10, 1) in moved and date(2026, 11, 2) in moved, moved
        # The periods after the night were graded from their month on, not before (not vacuous).
        with eb.connect() as c:
            owed = c.execute(sa.text(
                "select night, count(*) filter (where reasons::text like '%SOCIAL_ARREARS%') from grades "
                "where uscc = any(:u) and night in ('2026-09-30', '2026-10-01', '2026-11-02') group by night "
                "order by night"), {"u": future}).all()
        assert [n for _, n in owed] == [0, 2, 4], owed
        # An incremental night works on a small part of the province.
        small = [s["entities"] for _, s in scopes if s["mode"] == "incremental"]
        assert max(small) < 1500
    finally:
        ea.dispose()
        eb.dispose()


def test_a_scope_of_a_region_keeps_its_entities(engine: Engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql("insert into roster_requests (kind, uscc, roster, received_on, recorded_by, rule_id, rule_version, config_version) "
                          "values ('repair', '91330106MA2B3C4D1X', 'abnormal', '2026-07-01', 'clerk', 'abn.remove.x', 'v', 'v')")
        sc = night_scope.restrict_to_region(c, night_scope.everything(c), "3301")
        assert (sc.everything, sc.entities, sc.mode) == (False, 1, "region")
        assert c.exec_driver_sql("select uscc from night_scope").scalars().all() == ["91330106MA2B3C4D1X"]
        sc = night_scope.of_entities(c, ["91330106MA2B3C4D1X", "91440300MA5DC0AB16"])
        assert night_scope.restrict_to_region(c, sc, "44").entities == 1
        with pytest.raises(ValueError):
            night_scope.restrict_to_region(c, sc, "x1")


def test_the_comparison_sees_a_missing_time_event(drop: Path, pg_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: without the entities whose first year ends tonight (成立不满一年,
    a time event), the incremental store differs from the full one within a few nights."""
    real = sqlfiles.text_of

    def without_first_year(name: str) -> str:
        text = real(name)
        if name == "night/scope_incremental":
            text = text.replace("where established_on between (cast(:prev as date) - interval '1 year')",
                                "where false and established_on between (cast(:prev as date) - interval '1 year')")
            assert "where false" in text
        return text

    monkeypatch.setattr(sqlfiles, "text_of", without_first_year)
    inc = Settings(database_url=fresh_database(pg_dir, "mutant_a"), home=tmp_path / "a")
    full = Settings(database_url=fresh_database(pg_dir, "mutant_b"), home=tmp_path / "b")
    ea, eb = sa.create_engine(inc.database_url), sa.create_engine(full.database_url)
    try:
        with pytest.raises(AssertionError, match="grade_ranges"):
            for night in NIGHTS[:4]:
                run_night(drop, night, inc, allow_gap=True)
                run_night(drop, night, full, allow_gap=True, full=True)
                _compare(ea, eb, night)
    finally:
        ea.dispose()
        eb.dispose()


def test_credit_nightly_full_records_a_full_scope(drop: Path, settings: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`credit nightly --full` (contracts.md: an added option) forces a full night; without it the
    next night is incremental; the printed summary names the scope."""
    from typer.testing import CliRunner

    from credit.cli.main import app
    from credit.settings import get_settings

    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        for night, extra in ((NIGHTS[0], []), (NIGHTS[1], ["--full"]), (NIGHTS[2], [])):
            r = runner.invoke(app, ["nightly", "--date", night.isoformat(), "--drop", str(drop), *extra])
            assert r.exit_code == 0, r.output
        assert "处理范围 scope：增量 incremental，" in r.output
    finally:
        get_settings.cache_clear()
    engine = sa.create_engine(str(settings.database_url))
    with engine.connect() as c:
        scopes = c.execute(sa.text("select summary -> 'scope' from night_runs order by night")).scalars().all()
    engine.dispose()
    assert [s["mode"] for s in scopes] == ["full", "full", "incremental"]
    assert list(scopes[1]["reasons"]) == ["forced"]


def _stale_signals(c: sa.Connection, on: date) -> dict[str, tuple[object, ...]]:
    """Per operating entity, its tax and social-security indicators graded on ``on`` with the bundled
    windows (tax_years 2, social_security_months 6)."""
    from credit.grading.indicators import create_population, population, social_security, tax

    n = create_population(c)
    usccs = population(c, on, created=True)["uscc"].tolist()
    frame = pd.concat([tax(c, on, n, 2), social_security(c, on, n, 12, 6)], axis=1)
    return {u: tuple(None if pd.isna(v) else v for v in row)
            for u, row in zip(usccs, frame.itertuples(index=False), strict=True)}


def test_an_entity_whose_tax_or_social_signal_ages_out_is_in_the_scope(engine: Engine, settings: Settings) -> None:
    """A property of the scope, without a night: for pairs of nights (previous, tonight) with no input
    changed in between, every entity whose tax or social-security indicators differ between the two is
    in tonight's incremental scope (a missing time reason fails here; domain.md §11, grading.yaml
    tax_years, social_security_months). The pairs cross a month, several months (skipped nights) and
    a year; periods and years sit at the windows' edges. Periods after a night's month (2026-09 on 20
    August, 2026-11 on 31 October, 2027-01 on 31 December) are not graded until their month comes:
    that month's move brings them in."""
    periods = ["2025-12", "2026-01", "2026-03", "2026-04", "2026-05", "2026-06", "2026-09", "2026-11", "2027-01"]
    with engine.begin() as c:
        for i, period in enumerate(periods):
            u = f"9111010{i}MA00000{i:02d}X"
            c.execute(sa.text(
                "insert into registration (uscc, name, entity_kind, region_code, industry_code, registered_capital, "
                "established_on, status, first_night, last_night) values (:u, :u, 'enterprise', '110105', 'C13', "
                "100000, '2020-03-01', 'operating', '2026-07-01', '2026-07-01')"), {"u": u})
            c.execute(sa.text(
                "insert into social_security (uscc, period, insured_count, arrears, arrears_months, first_night, "
                "last_night) values (:u, :p, 10, 0, 3, '2026-07-01', '2026-07-01')"), {"u": u, "p": period})
            c.execute(sa.text(
                "insert into tax (uscc, assessed_year, tax_credit_grade, abnormal_taxpayer_since, arrears, first_night, "
                "last_night) values (:u, :y, 'D', null, 100, '2026-07-01', '2026-07-01')"), {"u": u, "y": 2023 + i % 3})
    pairs = [(date(2026, 9, 30), date(2026, 10, 1)), (date(2026, 10, 1), date(2026, 10, 2)),
             (date(2026, 8, 20), date(2026, 10, 3)), (date(2026, 10, 31), date(2026, 11, 1)),
             (date(2026, 12, 31), date(2027, 1, 1))]
    changed_somewhere = 0
    for prev, night in pairs:
        with engine.begin() as c:
            before, after = _stale_signals(c, prev), _stale_signals(c, night)
            changed = {u for u in after if before[u] != after[u]}
            scope = night_scope.incremental(c, night, prev, settings)
            inside = set(c.exec_driver_sql("select uscc from night_scope").scalars())
            c.rollback()
        assert changed <= inside, f"{prev} → {night}: {sorted(changed - inside)} left out ({scope.reasons})"
        changed_somewhere += len(changed)
        if night == date(2026, 10, 2):   # nothing moved: nobody brought in by time
            assert not changed and not inside, scope.reasons
        if night == date(2026, 11, 1):   # November's period counts from November: its entity changes
            assert "91110107MA0000007X" in changed, changed
    assert changed_somewhere >= 4   # not vacuous: the windows moved for several entities
