"""The officers' draw page in a real headless Chromium: a redraw for a closed entity shows the
entities its replacement passed over because other live draws hold them (draw_events.skipped,
migration 0047; domain.md §8, 国办发〔2024〕54号). The page listed the inspections only: an officer
could not see why the replacement was not the next entity by key.
Screenshot: tests/e2e/artifacts/workbench_draw_redraws.png (git-ignored)."""

from __future__ import annotations

import shutil
from pathlib import Path

from credit.draws import core, read, store
from credit.settings import Settings
from tests.db.api.workbench_support import PASSWORD, bench  # noqa: F401
from tests.db.draws.helpers import AS_OF, close_entity, load_store, plan_and_run
from tests.e2e.test_pages import page, pytestmark  # noqa: F401

ARTIFACTS = Path(__file__).parent / "artifacts"


def _with_ratio(settings: Settings, folder: Path, ratio: str) -> Settings:
    """``settings`` with tier B drawn at ``ratio`` (a config folder of its own)."""
    shutil.copytree(settings.config_dir, folder)
    path = folder / "draws.yaml"
    path.write_text(path.read_text("utf-8").replace("B: 0.02", f"B: {ratio}"), "utf-8")
    return settings.model_copy(update={"config_dir": folder})


def test_the_draw_page_shows_what_a_replacement_skipped(bench, page, tmp_path: Path) -> None:  # noqa: F811
    load_store(bench.engine, n=40)   # 39 operating entities, all tier B
    first = plan_and_run(bench.engine, _with_ratio(bench.settings, tmp_path / "half", "0.5"))   # 20 of 39
    s2 = _with_ratio(bench.settings, tmp_path / "most", "0.9")
    with bench.engine.begin() as c:   # the 19 the first left; it draws 18 of them
        second = store.plan_draw(c, "annual_report", AS_OF, s2, seed_commitment=core.seed_commitment("two"),
                                 today=AS_OF)
    with bench.engine.begin() as c:
        store.run_draw(c, second, "two", s2, today=AS_OF)
    with bench.engine.connect() as c:
        closed = read.full_record(c, first)["inspections"][0]["uscc"]
    close_entity(bench.engine, closed)
    with bench.engine.begin() as c:
        out = store.redraw(c, first, closed, "entity_closed", "已注销", bench.settings)
    assert out["skipped"], "the scenario needs a replacement that passes over a held entity"
    replacement = out["versions"][-1]["uscc"]

    page.goto(bench.url + "/bureau")
    page.fill("#login", "zhang.shen")
    page.fill("#password", PASSWORD)
    page.click("#password-login button[type=submit]")
    page.goto(f"{bench.url}/bureau/draws/{first}")
    head = page.inner_text("#redraws tr >> nth=0")
    for label in ("序号", "类型", "统一社会信用代码", "替补主体", "因已被其他抽查任务抽中而跳过的主体"):
        assert label in head
    row = page.inner_text("#redraw-1")
    assert "主体已关闭" in row and closed in row and "已注销" in row and replacement in row
    skipped = page.inner_text("#redraw-1 td.skipped")
    assert [u for u in out["skipped"] if u in skipped] == out["skipped"]
    assert "entity_closed" not in page.inner_text("#redraws")   # Chinese labels, the code in a title
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workbench_draw_redraws.png"), full_page=True)
