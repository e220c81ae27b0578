"""一公开 over HTTP (domain.md §8, docs/draws.md): anyone fetches a draw's plan and public record,
byte for byte the files whose SHA-256 the bureau announced and stored, and checks the draw with
them alone; a record altered in the store is not served."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from credit.api.models import DrawPlanFile, DrawPublicRecordFile
from credit.cli.commands.draws import app as draw_cli
from credit.draws import core, store
from tests.db.api.support import live  # noqa: F401
from tests.db.draws.helpers import AS_OF, SEED, load_store, plan_and_run


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def test_an_outsider_fetches_a_draw_and_checks_it(live, tmp_path: Path) -> None:  # noqa: F811
    load_store(live.engine)
    with live.engine.begin() as c:
        draw_id = store.plan_draw(c, "annual_report", AS_OF, live.settings, seed_commitment=core.seed_commitment(SEED),
                                  today=AS_OF)
    folder = live.settings.reports_dir / "draws"
    with live.client() as h:   # no key: what anyone may read
        [row] = h.get("/v1/draws").json()["draws"]
        assert row["draw_id"] == draw_id and row["drawn"] is False and row["record_sha256"] is None
        plan = h.get(f"/v1/draws/{draw_id}/plan.json")
        assert plan.status_code == 200 and plan.headers["content-type"] == "application/json"
        assert plan.content == (folder / f"{draw_id}.plan.json").read_bytes()   # the announced file
        assert _sha(plan.content) == row["plan_sha256"] == plan.headers["x-content-sha256"]
        before = h.get(f"/v1/draws/{draw_id}/public.json")
        assert before.status_code == 404 and "尚未抽取" in before.text
        assert h.get("/v1/draws/DRAW-19990101-001/plan.json").status_code == 404
    with live.engine.begin() as c:
        store.run_draw(c, draw_id, SEED, live.settings, today=AS_OF)
    with live.client() as h:
        [row] = h.get("/v1/draws").json()["draws"]
        record = h.get(f"/v1/draws/{draw_id}/public.json")
        assert record.status_code == 200, record.text
        assert record.content == (folder / f"{draw_id}.public.json").read_bytes()
        assert row["drawn"] is True and _sha(record.content) == row["record_sha256"]
        assert h.get(f"/v1/draws/{draw_id}/plan.json").content == plan.content   # unchanged by the run
    # The files have the fields the OpenAPI document names for them.
    DrawPlanFile.model_validate_json(plan.content)
    DrawPublicRecordFile.model_validate_json(record.content)
    # The outsider's check, with the two fetched files alone (no database).
    (tmp_path / f"{draw_id}.plan.json").write_bytes(plan.content)
    (tmp_path / f"{draw_id}.public.json").write_bytes(record.content)
    r = CliRunner().invoke(draw_cli, ["verify", "--record", str(tmp_path / f"{draw_id}.public.json"),
                                      "--plan", str(tmp_path / f"{draw_id}.plan.json")])
    assert r.exit_code == 0 and "match" in r.output, r.output


def test_a_record_altered_in_the_store_is_not_served(live) -> None:  # noqa: F811
    load_store(live.engine)
    draw_id = plan_and_run(live.engine, live.settings)
    with live.engine.begin() as c:   # past the append-only guard, as only the database's owner can
        c.exec_driver_sql("alter table draw_runs disable trigger user")
        c.execute(sa.text("update draw_runs set public_record = jsonb_set(public_record, '{inspections,0,uscc}', "
                          "'\"91341000MA99999999X\"') where draw_id = :d"), {"d": draw_id})
        c.exec_driver_sql("alter table draw_runs enable trigger user")
    with live.client() as h:
        r = h.get(f"/v1/draws/{draw_id}/public.json")
        assert r.status_code == 409 and "摘要不符" in r.text


def test_the_public_page_lists_each_draw_with_its_files_and_digests(live) -> None:  # noqa: F811
    load_store(live.engine)
    drawn = plan_and_run(live.engine, live.settings)
    with live.engine.begin() as c:
        planned = store.plan_draw(c, "annual_report", AS_OF, live.settings, seed_commitment=core.seed_commitment("x"),
                                  today=AS_OF)
    with live.client() as h:
        page = h.get("/draws")
        assert page.status_code == 200 and "抽查公示" in page.text
        listing = {d["draw_id"]: d for d in h.get("/v1/draws").json()["draws"]}
        for draw_id in (drawn, planned):
            row = listing[draw_id]
            plan = h.get(f"/v1/draws/{draw_id}/plan.json").content
            assert _sha(plan) == row["plan_sha256"] and row["plan_sha256"] in page.text
            assert f'href="/v1/draws/{draw_id}/plan.json"' in page.text
            names = [m["name"] for m in json.loads(plan)["matters"]]   # as the plan froze them
            assert row["matter_names"] == names and all(n and n in page.text for n in names)
        assert f'href="/v1/draws/{drawn}/public.json"' in page.text and listing[drawn]["record_sha256"] in page.text
        assert f'href="/v1/draws/{planned}/public.json"' not in page.text and "尚未抽取" in page.text


def test_the_public_page_shows_each_plans_seed_source_or_commitment(live) -> None:  # noqa: F811
    # 一公开: what fixes the seed before the draw is on the page, not only inside plan.json (an
    # outsider's acceptance pass: a plan's 公开种子来源 was shown on no page).
    load_store(live.engine)
    source = "上证综指 2026-09-04 收盘价"
    with live.engine.begin() as c:
        by_source = store.plan_draw(c, "annual_report", AS_OF, live.settings, public_seed_source=source,
                                  today=AS_OF)
        committed = store.plan_draw(c, "annual_report", AS_OF, live.settings, seed_commitment=core.seed_commitment("x"),
                                  today=AS_OF)
    with live.client() as h:
        page = h.get("/draws").text
        listing = {d["draw_id"]: d for d in h.get("/v1/draws").json()["draws"]}
    assert "公开种子来源" in page and source in page and core.seed_commitment("x") in page
    assert listing[by_source]["public_seed_source"] == source and listing[by_source]["seed_commitment"] is None
    assert listing[committed]["seed_commitment"] == core.seed_commitment("x")
