"""A matter's floor ratio is a share of the enterprises in the jurisdiction (企业公示信息抽查办法 art. 4:
抽查比例不低于3%, domain.md §7), not of the pool left after the exclusions."""

from __future__ import annotations

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
