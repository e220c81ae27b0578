"""A matter's floor ratio is a share of the enterprises in the jurisdiction (企业公示信息抽查办法 art. 4:
抽查比例不低于3%, domain.md §7), not of the pool left after the exclusions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.draws import core, read, store, verify
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, load_store, uscc


# 企业公示信息抽查办法 art. 4 (domain.md §7): 抽查比例不低于3% of the enterprises in the jurisdiction.
# The floor was counted on the pool left after the exclusions (recently inspected, drawn by a live
# draw), so a jurisdiction with many recent inspections drew less than 3 % of its enterprises.
def test_the_floor_ratio_is_a_share_of_the_jurisdiction_not_of_the_pool_left(engine: Engine,
                                                                             settings: Settings) -> None:
    load_store(engine, n=240)   # 234 operating, all ungraded (tier B: 2 %)
    recent = [uscc(i) for i in range(1, 240) if i % 40][:100]
    with engine.begin() as c:   # inspected within exclusion_window_days: left out of the pool
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, inspector_ids,
                                 first_night, last_night) values ('T-2026-06', :u, '2026-06-01', 'normal', '{}',
                                 '2026-06-02', '2026-06-02')"""), [{"u": u} for u in recent])
    with engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, settings, seed_commitment=core.seed_commitment("s"))
        plan = read.load_plan(c, draw_id)
    (stratum,) = plan["strata"]
    assert stratum["size"] == 134
    assert stratum["sample_size"] == 8   # ceil(3 % × 234), not ceil(3 % × 134) = 5
    stats = plan["public_plan"]["pool_stats"]
    assert stats["excluded_recently_inspected"] == 100 and stats["jurisdiction"] == {"annual_report": 234}
    assert plan["rules"]["matters"]["annual_report"]["jurisdiction"] == 234
    with engine.begin() as c:
        store.run_draw(c, draw_id, "s", settings)
    with engine.connect() as c:   # the record re-derives with the count it froze
        assert verify.verify_record(read.full_record(c, draw_id)).ok


# Art. 4 is a share of the enterprises (domain.md §7); the floor counted every kind of entity and
# drew it among them, so individual businesses (个体工商户) and farmer co-operatives, which have
# their own annual-report rules, raised the figure and took seats of the enterprises' 3 %.
def test_the_floor_is_counted_and_drawn_among_enterprises(engine: Engine, settings: Settings) -> None:
    load_store(engine, n=240, divisions=("信用监督管理科", "广告监督管理科"))   # 234 operating, tier B (2 %)
    others = {uscc(i): ("individual" if i % 2 else "farmer_coop") for i in range(240) if i % 3 == 0}
    with engine.begin() as c:
        c.execute(sa.text("update registration set entity_kind = :k where uscc = :u"),
                  [{"u": u, "k": k} for u, k in others.items()])
        enterprises = c.execute(sa.text("select count(*) from registration where status = 'operating' "
                                        "and entity_kind = 'enterprise'")).scalar()
    assert enterprises == 156
    with engine.begin() as c:
        draw_id = store.plan_draw(c, ["annual_report", "advertising"], AS_OF, settings,
                                  seed_commitment=core.seed_commitment("s"))
        plan = read.load_plan(c, draw_id)
        ent, _ = read.frozen_pools(c, draw_id)
    report = ent[ent["matter"] == "annual_report"]
    assert not set(report["uscc"]) & set(others)          # enterprises only
    assert len(ent[ent["matter"] == "advertising"]) == 234   # every kind, as before
    assert plan["public_plan"]["pool_stats"]["jurisdiction"]["annual_report"] == 156
    (stratum,) = [s for s in plan["strata"] if s["matter"] == "annual_report"]
    assert stratum["size"] == 156 and stratum["sample_size"] == 5   # ceil(3 % × 156), all enterprises
    kinds = {m["matter"]: m["entity_kinds"] for m in plan["public_plan"]["matters"]}
    assert kinds == {"annual_report": ["enterprise"], "advertising": []}
    with engine.begin() as c:
        store.run_draw(c, draw_id, "s", settings)
    with engine.connect() as c:
        assert verify.verify_record(read.full_record(c, draw_id)).ok


@pytest.mark.parametrize("kinds", ["", "    entity_kinds: [enterprise, individual]\n", "    entity_kinds: [shop]\n"])
def test_a_floor_on_a_matter_drawing_other_kinds_is_refused(engine: Engine, settings: Settings, tmp_path: Path,
                                                           kinds: str) -> None:
    load_store(engine, n=60)
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    path = conf / "draws.yaml"
    text = path.read_text("utf-8")
    assert "    entity_kinds: [enterprise]\n" in text
    path.write_text(text.replace("    entity_kinds: [enterprise]\n", kinds), "utf-8")
    with pytest.raises(core.DrawRefused) as e, engine.begin() as c:
        store.plan_draw(c, "annual_report", AS_OF, settings.model_copy(update={"config_dir": conf}),
                        public_seed_source="x")
    assert "matters.annual_report." in str(e.value) and "entity_kinds" in str(e.value)
