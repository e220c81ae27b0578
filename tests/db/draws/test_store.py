"""Draws on real PostgreSQL: plan → run → verify, append-only tables, redraws, results."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.calendar import working_calendar
from credit.draws import core, derive, published, read, store, verify
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, SEED, close_entity, graded, load_store, plan_and_run, uscc


def test_plan_run_verify_round_trip(engine: Engine, settings: Settings) -> None:
    load_store(engine)
    draw_id = plan_and_run(engine, settings)
    assert draw_id == "DRAW-20260901-001"
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
        plan = c.execute(sa.text("select public_plan, config_version from draw_plans")).one()
    assert verify.verify_record(rec) == verify.VerifyResult(True, None)
    # Cancelled entities are not in the pool; all ungraded entities are drawn as tier B.
    assert [s["stratum"] for s in rec["strata"]] == ["B"]
    assert rec["strata"][0]["size"] == 234
    # ceil(3 % × 234): the annual-report check's floor (企业公示信息抽查办法 art. 4); 2 % of tier B gives 5
    assert rec["strata"][0]["sample_size"] == 8
    assert plan.config_version.startswith("draws-")
    # The files on disk are the same records: the public file checks with SHA-256 alone.
    public = json.loads((settings.reports_dir / "draws" / f"{draw_id}.public.json").read_text("utf-8"))
    assert verify.verify_record(public).ok
    assert "entity_pool" not in public
    full = json.loads((settings.reports_dir / "draws" / f"{draw_id}.full.json").read_text("utf-8"))
    assert verify.verify_record(full).ok
    cal = working_calendar(settings)
    for i in rec["inspections"]:
        assert i["state"] == "assigned"
        assert len(i["inspectors"]) >= 2
        day = date.fromisoformat(i["scheduled_on"])
        assert cal.is_working_day(day)
        if i["uscc"][2:8] == "411402":
            assert day.day > 20   # 商丘 quiet days
        assert "INS005" not in [x["inspector_id"] for x in i["inspectors"]]   # inactive


def test_tables_are_append_only(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=60)
    draw_id = plan_and_run(engine, settings)
    for stmt in (f"update draw_inspections set scheduled_on = '2026-09-30' where draw_id = '{draw_id}'",
                 f"delete from draw_runs where draw_id = '{draw_id}'",
                 "update draw_pool_entities set stratum = 'A'",
                 "truncate draw_events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
            c.exec_driver_sql(stmt)


def test_run_refuses_wrong_seed_and_second_run(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=60)
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, seed_commitment=core.seed_commitment(SEED))
    with pytest.raises(core.DrawRefused, match="committed"), engine.begin() as c:
        store.run_draw(c, draw_id, SEED + " ", settings)
    with engine.begin() as c:
        store.run_draw(c, draw_id, SEED, settings)
    with pytest.raises(core.DrawRefused, match="once"), engine.begin() as c:
        store.run_draw(c, draw_id, SEED, settings)


def test_plan_refuses_unknown_matter_and_missing_commitment(engine: Engine, settings: Settings) -> None:
    with pytest.raises(core.DrawRefused, match="抽查事项清单"), engine.begin() as c:
        store.plan_draw(c, "no_such_matter", AS_OF, settings, public_seed_source="x")
    with pytest.raises(core.DrawRefused, match="exactly one"), engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings)


def test_unknown_calendar_year_is_refused_not_guessed(engine: Engine, settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from credit import clock

    # On 2 March 2027, a plan of 1 March 2027 is no plan of the future: refused for the calendar.
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2027, 3, 2, 4, tzinfo=UTC))
    load_store(engine, n=30)
    with pytest.raises(core.DrawRefused, match="2027"), engine.begin() as c:
        store.plan_draw(c, "annual_report", date(2027, 3, 1), settings, public_seed_source="x")
    # Late in 2026 the window is cut at the last known day and marked provisional (planned on the
    # day: in March 2027 its window would have begun, store.plan_draw).
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 12, 1, 4, tzinfo=UTC))
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", date(2026, 12, 1), settings, public_seed_source="x")
        rules = c.execute(sa.text("select rules from draw_plans where draw_id = :i"), {"i": draw_id}).scalar_one()
    assert rules["schedule_days"][-1] == "2026-12-31"
    assert "provisional" in rules["schedule_note"]


def test_tiers_strata_and_exclusion_window(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=120)
    graded(engine, {uscc(i): "D" for i in range(1, 21)} | {uscc(i): "A" for i in range(21, 61)})
    with engine.begin() as c:
        # Inspected 100 days ago: a D entity stays in the pool (domain.md §7), a B one does not.
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, inspector_ids,
                                 first_night, last_night) values ('T0', :u, '2026-05-24', 'normal', '{INS001}',
                                 '2026-05-25', '2026-05-25')"""), [{"u": uscc(2)}, {"u": uscc(70)}])
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        pool = c.execute(sa.text("select uscc, stratum, prev_inspectors from draw_pool_entities where draw_id = :i"),
                         {"i": draw_id}).all()
        plan = c.execute(sa.text("select public_plan from draw_plans")).scalar_one()
    strata = {u: s for u, s, _ in pool}
    assert strata[uscc(2)] == "D" and uscc(70) not in strata
    assert strata[uscc(30)] == "A" and strata[uscc(100)] == "B"
    assert {s["stratum"]: s["sample_size"] for s in plan["strata"]} == {"A": 1, "B": 2, "D": 6}
    assert plan["pool_stats"]["excluded_recently_inspected"] == 1
    # The published plan names no entity at all.
    assert uscc(2) not in json.dumps(plan)
    prev = {u: p for u, _, p in pool}
    assert prev[uscc(2)] == ["INS001"]


def test_joint_task_inspects_each_entity_once(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=240)
    draw_id = plan_and_run(engine, settings, ["annual_report", "food_production"])
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
    assert verify.verify_record(rec).ok
    usccs = [i["uscc"] for i in rec["inspections"]]
    assert len(usccs) == len(set(usccs))
    per_stratum = {f"{s['matter']}:{s['stratum']}": s["sample_size"] for s in rec["strata"]}
    drawn = sum(len(i["strata"]) for i in rec["inspections"])
    assert drawn == sum(per_stratum.values())
    for i in rec["inspections"]:
        if "food_production" in i["matters"]:
            assert i["uscc"] in {uscc(k) for k in range(1, 240, 2)}   # C13 only


def test_redraws_are_events_and_verify(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=240)
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
    first = rec["inspections"][0]
    gone = first["inspectors"][0]["inspector_id"]
    with engine.begin() as c:
        out = store.redraw(c, draw_id, first["uscc"], "inspector_recused", "亲属关系 (行政处罚法 art. 43)",
                           settings, inspector_id=gone)
    assert out["amends_version"] == 0
    v1 = out["versions"][0]
    team = [x["inspector_id"] for x in v1["inspectors"]]
    assert gone not in team and len(team) == 2 and v1["version"] == 1
    second = rec["inspections"][1]
    close_entity(engine, second["uscc"])
    with engine.begin() as c:
        out2 = store.redraw(c, draw_id, second["uscc"], "entity_closed", "注销", settings)
    assert out2["versions"][0]["state"] == "cancelled"
    replacement = out2["versions"][1]
    assert replacement["uscc"] not in {i["uscc"] for i in rec["inspections"]}
    threshold = rec["strata"][0]["threshold"]
    assert replacement["entity_key"] > threshold   # the next one by key
    with engine.connect() as c:
        rec2 = read.full_record(c, draw_id)
        cur = read.current_inspections(c, draw_id)
        versions = c.execute(sa.text("select count(*) from draw_inspections where draw_id = :i"),
                             {"i": draw_id}).scalar()
    assert verify.verify_record(rec2).ok
    assert len(rec2["events"]) == 2
    assert versions == len(rec["inspections"]) + 3   # nothing overwritten
    assert cur.set_index("uscc").loc[second["uscc"], "state"] == "cancelled"
    # A tampered redraw outcome is caught.
    rec2["events"][0]["outcome"]["versions"][0]["inspectors"][1]["inspector_id"] = gone
    assert not verify.verify_record(rec2).ok


def test_results_and_publication_limit(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=240)
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
    a, b = rec["inspections"][0]["uscc"], rec["inspections"][1]["uscc"]
    with engine.begin() as c:
        # domain.md §13 example 8: inspected Fri 2026-09-18 → publish by Thu 2026-10-22 (20 WD).
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, inspector_ids,
                                 first_night, last_night) values (:t, :u, '2026-09-18', :r, '{}', :n, :n)"""),
                  [{"t": draw_id, "u": a, "r": "normal", "n": date(2026, 10, 22)},
                   {"t": draw_id, "u": b, "r": "unreachable", "n": date(2026, 10, 23)}])
    with engine.connect() as c:
        rows = {r["uscc"]: r for r in read.public_results(c, draw_id, settings, date(2026, 12, 31))}
    assert rows[a]["publish_by"] == "2026-10-22" and rows[a]["status"] == "published"
    assert rows[a]["result"] == "未发现问题"
    assert rows[b]["status"] == "published_late"
    assert "unverified" in rows[a]["limit_basis"]
    others = [r for u, r in rows.items() if u not in (a, b)]
    assert others and all(r["status"] == "overdue" and r["result_code"] is None for r in others)
    assert "stratum" not in json.dumps(rows) and "tier" not in json.dumps(rows)


# Finding 4: the published plan and public record cite the regulation, never internal files.
_INTERNAL = re.compile(r"[\w./-]+\.(?:md|py|ya?ml|sql)\b|domain\.md|§")


def test_published_records_cite_the_regulation_not_internal_files(engine: Engine, settings: Settings) -> None:
    # Every matter of the joint task has inspectors of its division (else the plan is refused).
    load_store(engine, n=120, divisions=("信用监督管理科", "食品生产安全监督管理科", "广告监督管理科"))
    with engine.begin() as c:   # a late plan: its window note is published too
        late = store.plan_draw(c, "annual_report", date(2026, 12, 1), settings, public_seed_source="x",
                              today=date(2026, 12, 1))
    draw_id = plan_and_run(engine, settings, ["annual_report", "food_production", "advertising"])
    folder = settings.reports_dir / "draws"
    for name in (f"{draw_id}.plan.json", f"{draw_id}.public.json", f"{late}.plan.json"):
        text = (folder / name).read_text("utf-8")
        assert not _INTERNAL.search(text), (name, _INTERNAL.search(text))
    public = json.loads((folder / f"{draw_id}.public.json").read_text("utf-8"))
    basis = {m["matter"]: m["legal_basis"] for m in public["matters"]}
    assert "企业公示信息抽查办法 第4条" in basis["annual_report"]
    assert "provisional" in json.loads((folder / f"{late}.plan.json").read_text("utf-8"))["schedule_note"]


def test_a_plan_whose_public_text_cites_an_internal_file_is_refused(engine: Engine, settings: Settings,
                                                                   tmp_path: Path) -> None:
    load_store(engine, n=30)
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    path.write_text(path.read_text("utf-8").replace("(抽查比例不低于3%)", "(≥3%, domain.md §7)"), "utf-8")
    with pytest.raises(core.DrawRefused, match="internal file"), engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings.model_copy(update={"config_dir": conf}),
                        public_seed_source="x")


# Finding 3: one inspector per district (as in the sample data) → the pool widens to the city.
def test_sparse_district_inspectors_are_widened_to_the_city_and_the_level_recorded(
        engine: Engine, settings: Settings) -> None:
    load_store(engine, n=240, inspectors=0)
    with engine.begin() as c:   # one inspector in each of 安庆's districts 340802/340803, one in 商丘 411402
        c.execute(sa.text("""
            insert into inspectors (inspector_id, name, department, region_code, fields, active, conflicts,
                                    first_night, last_night)
            values (:i, :i, '信用监督管理科', :r, '{C,F}', true, '{}', '2026-08-01', '2026-08-01')"""),
            [{"i": "D1", "r": "341002"}, {"i": "D2", "r": "341021"}, {"i": "D3", "r": "341102"},
             {"i": "D4", "r": "411402"}, {"i": "D5", "r": "411421"}])
    graded(engine, {uscc(i): "D" for i in range(1, 240, 3)})   # 滁州 (341100) drawn at 30 %
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        rec = read.full_record(c, draw_id)
        notes = dict(c.execute(sa.text("select uscc, note from draw_inspections where draw_id = :i"),
                               {"i": draw_id}).all())
        result, _ = published.verify_published(c, draw_id, settings)
    assert verify.verify_record(rec).ok and result.ok, result
    assert rec["competence"] == ["district", "city", "province"]
    seen = {}
    for i in rec["inspections"]:
        seen.setdefault(i["uscc"][2:8], set()).add((i["state"], i["competence"]))
        if i["competence"] == "city":
            assert "city level" in notes[i["uscc"]]
    # 341000 (黄山 city code) and 411402 each have one district inspector: the city adds the other.
    # 341100 (滁州): one inspector in the city, the province (34) adds 黄山's two.
    assert seen == {"341000": {("assigned", "city")}, "411402": {("assigned", "city")},
                    "341100": {("assigned", "province")}}


def test_a_plan_needs_published_entities_to_draw_from(engine: Engine, settings: Settings) -> None:
    """A plan is refused, saying why, before the store's first night (its pool would be today's
    entities put back in time) and when the scope leaves nothing to draw from."""
    with pytest.raises(core.DrawRefused, match="holds nothing yet"), engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x")   # an empty store
    load_store(engine, n=30)
    with pytest.raises(core.DrawRefused, match="first night: 2026-08-01"), engine.begin() as c:
        store.plan_draw(c, "annual_report", date(2020, 1, 1), settings, public_seed_source="x")
    with pytest.raises(core.DrawRefused, match="nothing to draw: no entity of scope 99"), engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings, scope="99", public_seed_source="x")
    with engine.begin() as c:
        assert store.plan_draw(c, "annual_report", AS_OF, settings, public_seed_source="x").startswith("DRAW-")


# Review item 1: a second draw re-drew entities an earlier, still-live draw had already drawn
# (not yet inspected, so no result excluded them): the same enterprise inspected twice in weeks.
def test_a_second_draw_leaves_out_entities_an_earlier_live_draw_drew(engine: Engine, settings: Settings,
                                                                      tmp_path: Path) -> None:
    load_store(engine, n=40)   # 39 operating entities, all ungraded (tier B)
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"   # half of tier B per draw: two draws of 20 of 39 must overlap unless excluded
    path.write_text(path.read_text("utf-8").replace("B: 0.02", "B: 0.5"), "utf-8")
    s = settings.model_copy(update={"config_dir": conf})
    first = plan_and_run(engine, s)
    with engine.connect() as c:
        closed = read.full_record(c, first)["inspections"][0]["uscc"]
    close_entity(engine, closed)
    with engine.begin() as c:   # a cancelled inspection no longer holds its entity; its replacement does
        store.redraw(c, first, closed, "entity_closed", "注销", s)
    with engine.begin() as c:
        second = store.plan_draw(c, "annual_report", AS_OF, s, seed_commitment=core.seed_commitment("seed-two"))
    with engine.begin() as c:
        store.run_draw(c, second, "seed-two", s)
    with engine.connect() as c:
        rec1, rec2 = read.full_record(c, first), read.full_record(c, second)
        plan2 = read.load_plan(c, second)["public_plan"]
        live1 = read.current_inspections(c, first)
    drawn1 = set(live1["uscc"][live1["state"] != "cancelled"])
    drawn2 = {i["uscc"] for i in rec2["inspections"]}
    assert len(drawn1) == 20 and closed not in drawn1 and drawn2
    assert not drawn1 & drawn2
    # Verifiable: the plan and the public record name the earlier draw and the entities it left out.
    assert plan2["excluded_drawn"] == [{"draw_id": first, "usccs": sorted(drawn1)}]
    assert plan2["pool_stats"]["excluded_drawn_earlier"] == 20
    public2 = json.loads((s.reports_dir / "draws" / f"{second}.public.json").read_text("utf-8"))
    assert public2["excluded_drawn"] == plan2["excluded_drawn"]
    assert verify.verify_record(public2).ok and verify.verify_record(rec2).ok
    with engine.connect() as c:
        assert published.verify_published(c, second, s)[0].ok
    # A record whose pool or selection holds an excluded entity does not verify.
    bad = json.loads(json.dumps(public2))
    bad["excluded_drawn"][0]["usccs"].append(rec2["inspections"][0]["uscc"])
    diff = verify.verify_record(bad).first_difference or ""
    assert rec2["inspections"][0]["uscc"] in diff and first in diff
    # A record made before the rule (no excluded_drawn) still verifies as it was.
    old = {k: v for k, v in rec1.items() if k != "excluded_drawn"}
    assert verify.verify_record(old).ok


def test_results_limit_in_an_unpublished_year_is_a_provisional_date(engine: Engine, settings: Settings) -> None:
    # domain.md §8, §12, §13 ex. 11: 20 WD after an inspection of Fri 2026-12-18 run into 2027, whose
    # holiday notice is not published. The limit is not guessed as a hard date, but the answer gives
    # the weekday-only estimate and says it is one: Dec 21–25 (5), 28–31 (9), (1 January off),
    # Jan 4–8 (14), 11–15 (19), Mon 2027-01-18 (20). It used to give no date at all ("?").
    with engine.begin() as c:
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, inspector_ids,
                                 first_night, last_night) values ('EXT-2026-12', :u, '2026-12-18', 'normal', '{}',
                                 '2026-12-21', '2026-12-21')"""), {"u": uscc(1)})
    with engine.connect() as c:
        (row,) = read.public_results(c, "EXT-2026-12", settings, date(2026, 12, 21))
    assert row["publish_by"] is None and row["publish_by_provisional"] is True
    assert row["publish_by_estimate"] == "2027-01-18"
    assert row["status"] == "published"


def test_a_plan_whose_entities_another_draw_drew_since_is_refused_at_run(engine: Engine, settings: Settings,
                                                                         tmp_path: Path) -> None:
    """Two plans made before either is drawn freeze the same pool: once one is drawn, drawing the
    other would inspect the same enterprises again (国办发〔2024〕54号, domain.md §8). Its run is
    refused, naming the draw; a plan made afterwards leaves them out and runs."""
    load_store(engine, n=40)   # 39 operating entities, all ungraded (tier B)
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    path.write_text(path.read_text("utf-8").replace("B: 0.02", "B: 0.5"), "utf-8")
    s = settings.model_copy(update={"config_dir": conf})
    with engine.begin() as c:
        first = store.plan_draw(c, "annual_report", AS_OF, s, seed_commitment=core.seed_commitment(SEED))
        second = store.plan_draw(c, "annual_report", AS_OF, s, seed_commitment=core.seed_commitment("seed-two"))
    with engine.begin() as c:
        store.run_draw(c, first, SEED, s)
    with engine.begin() as c, pytest.raises(core.DrawRefused, match=first) as refused:
        store.run_draw(c, second, "seed-two", s)
    assert "20" in str(refused.value) and "重新制定" in str(refused.value)
    with engine.connect() as c:
        assert not read.is_drawn(c, second)
    with engine.begin() as c:
        third = store.plan_draw(c, "annual_report", AS_OF, s, seed_commitment=core.seed_commitment("seed-three"))
    with engine.begin() as c:
        store.run_draw(c, third, "seed-three", s)
    with engine.connect() as c:
        one = {i["uscc"] for i in read.full_record(c, first)["inspections"]}
        three = {i["uscc"] for i in read.full_record(c, third)["inspections"]}
    assert three and not one & three


def test_an_outsider_recomputes_excluded_drawn_from_published_files_alone(engine: Engine, settings: Settings,
                                                                          tmp_path: Path) -> None:
    """docs/draws.md step 3: ``excluded_drawn`` is recomputed from the earlier draws' public
    records and the plan: entities live in an earlier draw and dated after the plan's date minus
    the exclusion window — which the plan must therefore publish (domain.md §8)."""
    load_store(engine, n=40)
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    path.write_text(path.read_text("utf-8").replace("B: 0.02", "B: 0.5"), "utf-8")
    s = settings.model_copy(update={"config_dir": conf})
    first = plan_and_run(engine, s)
    with engine.begin() as c:
        second = store.plan_draw(c, "annual_report", AS_OF, s, seed_commitment=core.seed_commitment("seed-two"))
    folder = s.reports_dir / "draws"
    plan1 = json.loads((folder / f"{first}.plan.json").read_text("utf-8"))
    public1 = json.loads((folder / f"{first}.public.json").read_text("utf-8"))
    plan2 = json.loads((folder / f"{second}.plan.json").read_text("utf-8"))
    assert plan2["exclusion_window_days"] == 365
    cutoff = date.fromisoformat(plan2["as_of"]).toordinal() - plan2["exclusion_window_days"]
    live = {i["uscc"] for i in public1["inspections"]
            if i["state"] not in ("cancelled", "unstaffed")
            and date.fromisoformat(i["scheduled_on"] or plan1["as_of"]).toordinal() > cutoff}
    listed = {u for d in plan2["excluded_drawn"] for u in d["usccs"]}
    assert listed and listed <= live and listed == live   # all tier B, operating, in scope


def test_a_scope_or_matter_region_written_as_a_full_code_covers_its_area(engine: Engine, settings: Settings,
                                                                         tmp_path: Path) -> None:
    """A city's GB/T 2260 code (411400 商丘市) covers its districts (411402), as it does for the
    inspectors' areas (docs/draws.md): --scope 411400 and a matter's ``regions: ["411400"]`` draw
    from the city as 4114 does, not refused as an empty pool."""
    load_store(engine, n=60)
    with engine.begin() as c:
        by_prefix = store.plan_draw(c, "annual_report", AS_OF, settings, scope="4114",
                                    seed_commitment=core.seed_commitment(SEED))
        by_code = store.plan_draw(c, "annual_report", AS_OF, settings, scope="411400",
                                  seed_commitment=core.seed_commitment(SEED))
    with engine.connect() as c:
        a, b = read.load_plan(c, by_prefix), read.load_plan(c, by_code)
    assert a["entity_pool_digest"] == b["entity_pool_digest"] and a["strata"] == b["strata"]
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("    regions: []", '    regions: ["411400"]', 1), "utf-8")   # annual_report's
    assert path.read_text("utf-8") != text
    s = settings.model_copy(update={"config_dir": conf})
    with engine.begin() as c:
        by_matter = store.plan_draw(c, "annual_report", AS_OF, s, seed_commitment=core.seed_commitment(SEED))
    with engine.connect() as c:
        assert read.load_plan(c, by_matter)["strata"] == a["strata"]


def test_a_result_delivered_for_an_entity_the_task_did_not_draw_is_published(engine: Engine,
                                                                             settings: Settings) -> None:
    """The inspection_results source delivers a result under a drawn task for an enterprise the
    draw did not pick: it is published like any delivered result (domain.md §8: results are
    published; an unreachable one feeds the abnormal roster), with no matter and no schedule, so
    an inspection outside the draw shows — it was silently left out of the task's results."""
    load_store(engine, n=240)
    draw_id = plan_and_run(engine, settings)
    with engine.connect() as c:
        drawn = {i["uscc"] for i in read.full_record(c, draw_id)["inspections"]}
    stray = next(uscc(i) for i in range(1, 240) if i % 40 and uscc(i) not in drawn)
    with engine.begin() as c:
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, inspector_ids,
                                 first_night, last_night) values (:t, :u, '2026-09-18', 'unreachable', '{}', :n, :n)"""),
                  {"t": draw_id, "u": stray, "n": date(2026, 10, 22)})
    with engine.connect() as c:
        rows = {r["uscc"]: r for r in read.public_results(c, draw_id, settings, date(2026, 12, 31))}
        published = {r["uscc"] for r in read.published_results(c, draw_id, settings, date(2026, 12, 31))}
    assert stray in rows and stray in published
    assert rows[stray]["status"] == "published" and rows[stray]["matters"] == []
    assert rows[stray]["scheduled_on"] is None and rows[stray]["publish_by"] == "2026-10-22"
    assert set(rows) == drawn | {stray}


def _with_ratio(settings: Settings, tmp_path: Path, name: str, ratio: str) -> Settings:
    """``settings`` with tier B drawn at ``ratio`` (a config folder of its own)."""
    conf = tmp_path / name
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    path.write_text(path.read_text("utf-8").replace("B: 0.02", f"B: {ratio}"), "utf-8")
    return settings.model_copy(update={"config_dir": conf})


# docs/draws.md "left open": an entity_closed replacement is the next entity of the closed one's
# stratum in this draw's frozen pool; an entity another live draw drew since the plan could be that
# next one, and was then inspected twice (国办发〔2024〕54号, domain.md §8).
def test_an_entity_closed_replacement_skips_entities_another_live_draw_holds(engine: Engine, settings: Settings,
                                                                            tmp_path: Path) -> None:
    load_store(engine, n=40)   # 39 operating entities, all ungraded (tier B)
    first = plan_and_run(engine, _with_ratio(settings, tmp_path, "half", "0.5"))        # 20 of 39
    s2 = _with_ratio(settings, tmp_path, "most", "0.9")
    with engine.begin() as c:   # its pool: the 19 the first left; it draws 18 of them
        second = store.plan_draw(c, "annual_report", AS_OF, s2, seed_commitment=core.seed_commitment("seed-two"))
    with engine.begin() as c:
        store.run_draw(c, second, "seed-two", s2)
    with engine.connect() as c:
        rec1 = read.full_record(c, first)
        held = {i["uscc"] for i in read.full_record(c, second)["inspections"]}
    assert len(held) == 18
    drawn1 = {i["uscc"] for i in rec1["inspections"]}
    pool = sorted((core.rank_keys(rec1["seed"], first, [u])[0], u) for u in
                  {r[rec1["entity_pool"]["columns"].index("uscc")] for r in rec1["entity_pool"]["rows"]} - drawn1)
    free = [u for _, u in pool if u not in held]
    assert len(free) == 1 and pool[0][1] in held   # the next by key is held by the second draw
    closed = rec1["inspections"][0]["uscc"]
    close_entity(engine, closed)
    with engine.begin() as c:
        out = store.redraw(c, first, closed, "entity_closed", "注销", settings)
    assert [v["uscc"] for v in out["versions"]] == [closed, free[0]]   # the first entity no live draw holds
    assert out["skipped"] == [u for _, u in pool[:[u for _, u in pool].index(free[0])]]
    passed_over = [u for _, u in pool[:[u for _, u in pool].index(free[0])]]
    event_file = settings.reports_dir / "draws" / f"{first}.event-0001.json"
    assert json.loads(event_file.read_text("utf-8"))["skipped"] == passed_over
    # The record re-derives with what the event skipped, and only with it.
    with engine.connect() as c:
        rec = read.full_record(c, first)
        assert published.verify_published(c, first, settings)[0].ok
    assert rec["events"][0]["skipped"] == passed_over and verify.verify_record(rec).ok
    rec["events"][0]["skipped"] = passed_over[:-1]
    assert "event 1" in (verify.verify_record(rec).first_difference or "")
    # A record made before the rule (its event names nothing skipped) re-derives as it was: the
    # next entity by key replaces the closed one, whoever holds it.
    old = json.loads(json.dumps(rec))
    del old["events"][0]["skipped"]
    assert "event 1" in (verify.verify_record(old).first_difference or "")   # the outcome is not the old rule's
    ent = core.pool_frame(old["entity_pool"], core.ENTITY_COLUMNS)
    state = derive.derive_draw(first, old["seed"], old["rules"], ent,
                               core.pool_frame(old["inspector_pool"], core.INSPECTOR_COLUMNS),
                               core.plan_strata(old["rules"], core.stratum_sizes(ent)))
    outcome = derive.apply_event(state, old["seed"], first, old["events"][0])
    assert [v["uscc"] for v in outcome["versions"]] == [closed, pool[0][1]]
    old["events"][0]["outcome"] = outcome
    assert verify.verify_record(old).ok
