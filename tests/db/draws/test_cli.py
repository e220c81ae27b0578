"""`credit draw …` end to end on a real database: plan, run, show, verify, redraw, results, refusals."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from credit.cli.commands.draws import app
from credit.contract.uscc import calc_check_character
from credit.draws import core, read, records, store
from credit.settings import Settings
from tests.db.draws.helpers import AS_OF, SEED, close_entity, load_store, on_bureau_day, plan_and_run

runner = CliRunner()


def test_cli_round_trip(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01",
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 0, r.output
    assert "DRAW-20260901-001" in r.output
    assert runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", "wrong"]).exit_code == 2
    r = runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", SEED])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["verify", "DRAW-20260901-001"])
    assert r.exit_code == 0 and "match" in r.output
    assert runner.invoke(app, ["show", "DRAW-20260901-001"]).exit_code == 0
    public = cli_env.reports_dir / "draws" / "DRAW-20260901-001.public.json"
    assert runner.invoke(app, ["verify", "--record", str(public)]).exit_code == 0
    doc = json.loads(public.read_text("utf-8"))
    first_uscc = doc["inspections"][0]["uscc"]
    first_inspector = doc["inspections"][0]["inspectors"][0]["inspector_id"]
    doc["inspections"][0]["inspectors"][0]["inspector_id"] = "INS999"
    edited = public.with_name("edited.json")
    edited.write_text(json.dumps(doc), "utf-8")
    r = runner.invoke(app, ["verify", "--record", str(edited)])
    assert r.exit_code == 1 and "first difference" in r.output
    r = runner.invoke(app, ["redraw", "DRAW-20260901-001", "--uscc", first_uscc, "--reason", "回避",
                            "--recuse", first_inspector])
    assert r.exit_code == 0, r.output
    assert "重新抽取第 1 次" in r.output and "assigned" not in r.output and "已安排" in r.output, r.output
    assert runner.invoke(app, ["verify", "DRAW-20260901-001"]).exit_code == 0
    r = runner.invoke(app, ["show", "DRAW-20260901-001"])
    shown = r.output
    assert r.exit_code == 0, (r.exception, shown[-600:])
    assert "重新抽取 redraw 1: 检查人员回避" in shown and "inspector_recused" not in shown, shown[-600:]
    r = runner.invoke(app, ["results", "DRAW-20260901-001", "--as-of", "2026-09-02", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)[0]["status"] == "awaiting"


def test_cli_refusals_exit_2(engine: Engine, cli_env: Settings) -> None:
    assert runner.invoke(app, ["verify", "DRAW-NOPE"]).exit_code == 2
    assert runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01"]).exit_code == 2
    r = runner.invoke(app, ["plan", "--matter", "nope", "--as-of", "2026-09-01", "--public-seed-source", "x"])
    assert r.exit_code == 2 and "refused" in r.output
    assert runner.invoke(app, ["plan", "--matter", "annual_report", "--public-seed-source", "x"]).exit_code == 2


def _planned_and_run(cli_env: Settings) -> tuple[str, Any]:
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01",
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 0, r.output
    assert runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", SEED]).exit_code == 0
    return "DRAW-20260901-001", cli_env.reports_dir / "draws"


def test_run_again_with_the_same_seed_is_idempotent(engine: Engine, cli_env: Settings) -> None:
    """Re-running is idempotent (as `credit nightly` answers a published night): a second `run`
    with the seed the draw was run with exits 0, says (Chinese and English) it was run already and
    names the same records; another seed stays refused (exit 2), naming the seed used. Nothing is
    written again (the records' bytes are unchanged)."""
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    public, full = folder / f"{draw_id}.public.json", folder / f"{draw_id}.full.json"
    before = public.read_bytes(), full.read_bytes()
    r = _Out(["run", draw_id, "--seed", SEED])
    assert r.exit_code == 0, r.output
    assert "已经抽取" in r.output and "already" in r.output, r.output
    for path, raw in zip((public, full), before, strict=True):
        assert str(path) in r.output and hashlib.sha256(raw).hexdigest() in r.output, r.output
    assert (public.read_bytes(), full.read_bytes()) == before
    r = _Out(["run", draw_id, "--seed", "another seed"])
    assert r.exit_code == 2 and SEED in r.output and "another seed" in r.output, r.output
    assert "已经抽取" in r.output and "already" in r.output, r.output
    assert _verify(draw_id).exit_code == 0


def _edit(path: Any, change: Any) -> bytes:
    """Apply ``change`` to the JSON in ``path``, written back canonically; returns the original bytes."""
    raw = path.read_bytes()
    doc = json.loads(raw)
    change(doc)
    path.write_bytes(records.canonical_json(doc))
    return raw


class _Out:
    """A CLI result with its output's line wrapping (rich wraps at the console width) undone."""

    def __init__(self, args: list[str]) -> None:
        r = runner.invoke(app, args)
        self.exit_code, self.output = r.exit_code, " ".join(r.output.replace("\n", " ").split())


def _verify(draw_id: str) -> _Out:
    return _Out(["verify", draw_id])


def test_verify_draw_id_checks_the_published_files(engine: Engine, cli_env: Settings) -> None:
    """Finding 1: `verify DRAW_ID` used to re-derive the database copy only, so an edited
    published file still said "match"."""
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    public, full = folder / f"{draw_id}.public.json", folder / f"{draw_id}.full.json"
    r = _verify(draw_id)
    assert r.exit_code == 0 and "match" in r.output and "SHA-256" in r.output, r.output

    # The public file: a changed date (selections still check) differs from the database copy.
    raw = _edit(public, lambda d: d["inspections"][0].update(scheduled_on="2026-10-30"))
    r = _verify(draw_id)
    assert r.exit_code == 1, r.output
    assert f"{draw_id}.public.json" in r.output and "inspections[0].scheduled_on" in r.output
    public.write_bytes(raw)
    # A changed inspector fails the public file's own key check.
    raw = _edit(public, lambda d: d["inspections"][0]["inspectors"][0].update(inspector_id="INS999"))
    r = _verify(draw_id)
    assert r.exit_code == 1 and "INS999" in r.output and "key" in r.output, r.output
    public.write_bytes(raw)
    # The full file: an edited frozen pool no longer hashes to its published digest.
    raw = _edit(full, lambda d: d["entity_pool"]["rows"].pop())
    r = _verify(draw_id)
    assert r.exit_code == 1 and f"{draw_id}.full.json" in r.output and "pool digest" in r.output, r.output
    full.write_bytes(raw)
    # The full file: an edited inspection differs from its re-derivation.
    raw = _edit(full, lambda d: d["inspections"][1].update(scheduled_on="2026-10-30"))
    r = _verify(draw_id)
    assert r.exit_code == 1 and "inspections[1].scheduled_on" in r.output, r.output
    full.write_bytes(raw)
    # Same content, other bytes: the SHA-256 recorded at run time no longer matches.
    public.write_text(json.dumps(json.loads(raw_public := public.read_bytes()), ensure_ascii=False, indent=1), "utf-8")
    r = _verify(draw_id)
    assert r.exit_code == 1 and "SHA-256 of the file" in r.output, r.output
    public.write_bytes(raw_public)
    # A missing file cannot be checked: exit 2 (0 holds, 1 does not hold), the file named, in
    # Chinese and English (credit.cli.output.unreadable), never Python's words.
    full.rename(full.with_suffix(".bak"))
    r = _verify(draw_id)
    assert r.exit_code == 2 and f"{draw_id}.full.json" in r.output, r.output
    assert "文件不存在" in r.output and "no such file" in r.output and "Errno" not in r.output, r.output
    full.with_suffix(".bak").rename(full)
    # Nor can a file that is not JSON (a truncated copy) or not UTF-8.
    for damaged in (raw_public[:100], b"\xff\xfe" + raw_public):
        public.write_bytes(damaged)
        r = _verify(draw_id)
        assert r.exit_code == 2 and f"{draw_id}.public.json" in r.output, r.output
        assert ("不是有效的 JSON" in r.output or "不是 UTF-8" in r.output) and "Expecting" not in r.output, r.output
    public.write_bytes(raw_public)
    assert _verify(draw_id).exit_code == 0


def test_verify_draw_id_checks_published_redraws(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    doc = json.loads((folder / f"{draw_id}.public.json").read_text("utf-8"))
    first = doc["inspections"][0]
    r = runner.invoke(app, ["redraw", draw_id, "--uscc", first["uscc"], "--reason", "回避",
                            "--recuse", first["inspectors"][0]["inspector_id"]])
    assert r.exit_code == 0, r.output
    r = _verify(draw_id)
    assert r.exit_code == 0 and "1 redraw event" in r.output, r.output
    event = folder / f"{draw_id}.event-0001.json"
    raw = _edit(event, lambda d: d["outcome"]["versions"][0]["inspectors"].reverse())
    r = _verify(draw_id)
    assert r.exit_code == 1 and "event 1" in r.output, r.output
    event.unlink()
    r = _verify(draw_id)
    assert r.exit_code == 1 and "no published file" in r.output, r.output
    event.write_bytes(raw)
    assert _verify(draw_id).exit_code == 0


def test_verify_record_malformed_names_the_field_and_exits_2(engine: Engine, cli_env: Settings, tmp_path: Any) -> None:
    """Finding 2: a record without `task` printed "differs: None … KeyError('task')" (exit 1)."""
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    doc = json.loads((folder / f"{draw_id}.public.json").read_text("utf-8"))
    bad = tmp_path / "bad.json"
    for change, field in ((lambda d: d.pop("task"), "'task'"),
                          (lambda d: d["inspections"][1].pop("entity_key"), "inspections[1] has no field 'entity_key'"),
                          (lambda d: d.pop("format"), "'format'")):
        broken = json.loads(json.dumps(doc))
        change(broken)
        bad.write_text(json.dumps(broken), "utf-8")
        r = _Out(["verify", "--record", str(bad)])
        assert r.exit_code == 2, r.output
        assert field in r.output and "KeyError" not in r.output and "None" not in r.output, r.output
    for text in ("[1, 2]", "{not json"):
        bad.write_text(text, "utf-8")
        assert runner.invoke(app, ["verify", "--record", str(bad)]).exit_code == 2
    # A file that cannot be read is named in our words (credit.cli.output.unreadable), as every
    # other command names it: not JSON, missing — the record or the plan.
    r = _Out(["verify", "--record", str(bad)])
    assert "bad.json" in r.output and "不是有效的 JSON" in r.output and "Expecting" not in r.output, r.output
    r = _Out(["verify", "--record", str(tmp_path / "gone.json")])
    assert r.exit_code == 2 and "gone.json：文件不存在 (no such file)" in r.output and "Errno" not in r.output, r.output
    r = _Out(["verify", "--record", str(folder / f"{draw_id}.public.json"), "--plan", str(tmp_path / "gone.json")])
    assert r.exit_code == 2 and "gone.json：文件不存在 (no such file)" in r.output, r.output


# Review item 3: results delivered for a task not drawn here were refused ("no draw plan").
def test_results_of_a_task_not_drawn_here_are_read_from_the_source(engine: Engine, cli_env: Settings) -> None:
    import sqlalchemy as sa

    from tests.db.draws.helpers import uscc

    load_store(engine, n=30)
    with engine.begin() as c:
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, result,
                                 inspector_ids, doc_no, first_night, last_night)
                             values ('T2026-0001', :u, '2026-09-18', :r, null, '{INS001}', 'J-7', :n, :n)"""),
                  [{"u": uscc(1), "r": "normal", "n": "2026-10-22"}, {"u": uscc(2), "r": "unreachable", "n": "2026-10-23"}])
    r = runner.invoke(app, ["results", "T2026-0001", "--as-of", "2026-12-31", "--json"])
    assert r.exit_code == 0, r.output
    rows = {x["uscc"]: x for x in json.loads(r.output)}
    assert set(rows) == {uscc(1), uscc(2)}
    assert rows[uscc(1)]["result"] == "未发现问题" and rows[uscc(1)]["name"] == "企业1"
    # The same publication limit as a task drawn here: 20 working days after the inspection.
    assert rows[uscc(1)]["publish_by"] == "2026-10-22" and rows[uscc(1)]["status"] == "published"
    assert rows[uscc(2)]["status"] == "published_late"
    r = runner.invoke(app, ["results", "T2026-0001", "--as-of", "2026-12-31"])
    assert r.exit_code == 0 and uscc(1) in r.output
    r = runner.invoke(app, ["results", "T2026-9999", "--as-of", "2026-12-31"])
    assert r.exit_code == 2 and "no inspection task T2026-9999" in " ".join(r.output.split())


# Review item 6: `draw run` printed the strata table with an empty threshold column.
def test_run_prints_the_thresholds_it_fixed(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01",
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", SEED])
    assert r.exit_code == 0, r.output
    # The thresholds are the bureau's (its terminal, its full record): the public record has none.
    folder = cli_env.reports_dir / "draws"
    full = json.loads((folder / "DRAW-20260901-001.full.json").read_text("utf-8"))
    for s in full["strata"]:
        assert s["threshold"] and s["threshold"][:16] in r.output
    public = json.loads((folder / "DRAW-20260901-001.public.json").read_text("utf-8"))
    assert "strata" not in public and "strata" not in public["inspections"][0]


# Review item 5: rich turned the stratum tag "annual_report:B" + ":" into an emoji (🅱).
def test_verify_prints_stratum_tags_not_emoji(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    doc = json.loads((folder / f"{draw_id}.full.json").read_text("utf-8"))   # the tags are the full record's
    doc["inspections"].pop()
    edited = folder / "dropped.json"
    edited.write_text(json.dumps(doc), "utf-8")
    out = _Out(["verify", "--record", str(edited)])
    assert out.exit_code == 1
    assert "stratum annual_report:B: " in out.output and "\U0001f171" not in out.output


# Review: `verify --record FILE` did not bind the record to the draw it claims to be.
def _forged(doc: dict[str, Any], seed: str) -> dict[str, Any]:
    """A self-consistent public record of another seed: own commitment, keys and thresholds recomputed."""
    out = json.loads(json.dumps(doc))
    out.update(seed=seed, seed_commitment=core.seed_commitment(seed))
    highest: dict[str, str] = {}
    for i in out["inspections"]:
        i["entity_key"] = core.rank_key(seed, out["task"], i["uscc"]).hex()
        for x in i["inspectors"]:
            x["key"] = core.inspector_key(seed, out["task"], i["uscc"], x["inspector_id"])
        for tag in i.get("strata", ()):   # a /1 record's tags
            highest[tag] = max(highest.get(tag, i["entity_key"]), i["entity_key"])
    for s in out.get("strata", ()):
        s["threshold"] = highest.get(f"{s['matter']}:{s['stratum']}")
    return out


def test_verify_record_is_bound_to_the_plan_published_before_the_draw(engine: Engine, cli_env: Settings,
                                                                       tmp_path: Any) -> None:
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    public, full, plan = (folder / f"{draw_id}.{k}.json" for k in ("public", "full", "plan"))
    doc = json.loads(public.read_text("utf-8"))
    # Honest records: bound to the plan found beside them, or given; alone they match with a warning.
    r = _Out(["verify", "--record", str(public)])
    assert r.exit_code == 0 and "bound to the plan" in r.output and "not bound" not in r.output, r.output
    # What the public record cannot show, for it names no stratum, is said, in Chinese and English.
    assert "needs the full record" in r.output and "阈值" in r.output and "threshold" in r.output, r.output
    assert hashlib.sha256(plan.read_bytes()).hexdigest() in r.output
    r = _Out(["verify", "--record", str(public), "--record", str(full)])
    assert r.exit_code == 0 and "full record (re-derived)" in r.output, r.output
    assert "needs the full record" not in r.output, r.output
    alone = tmp_path / "public.json"
    alone.write_bytes(public.read_bytes())
    r = _Out(["verify", "--record", str(alone)])
    assert r.exit_code == 0 and "not bound to a plan" in r.output, r.output
    assert _Out(["verify", "--record", str(alone), "--plan", str(plan)]).exit_code == 0

    # An edited draw id: the keys were hashed with the old task.
    alone.write_text(json.dumps({**doc, "draw_id": "DRAW-20260901-009"}), "utf-8")
    r = _Out(["verify", "--record", str(alone)])
    assert r.exit_code == 1 and "task" in r.output and "DRAW-20260901-009" in r.output, r.output
    r = _Out(["verify", "--record", str(alone), "--plan", str(plan)])
    assert r.exit_code == 1 and "draw_id" in r.output and draw_id in r.output, r.output

    # A fabricated record (own seed and commitment): checks alone, not against the plan.
    forged = _forged(doc, "a seed picked after the draw")
    alone.write_text(json.dumps(forged), "utf-8")
    r = _Out(["verify", "--record", str(alone)])
    assert r.exit_code == 0 and "not bound to a plan" in r.output, r.output
    r = _Out(["verify", "--record", str(alone), "--plan", str(plan)])
    assert r.exit_code == 1 and "seed commitment" in r.output and doc["seed_commitment"] in r.output, r.output
    beside = folder / "forged.json"   # found beside the plan: bound without --plan
    beside.write_text(json.dumps(forged), "utf-8")
    assert _Out(["verify", "--record", str(beside)]).exit_code == 1
    beside.unlink()

    # A public and a full record of different draws.
    with engine.begin() as c:
        second = store.plan_draw(c, "annual_report", AS_OF, cli_env, seed_commitment=core.seed_commitment("two"))
    with engine.begin() as c:
        store.run_draw(c, second, "two", cli_env)
    r = _Out(["verify", "--record", str(public), "--record", str(folder / f"{second}.full.json")])
    assert r.exit_code == 1 and "different draws" in r.output and second in r.output, r.output
    # The plan of another draw.
    r = _Out(["verify", "--record", str(public), "--plan", str(folder / f"{second}.plan.json")])
    assert r.exit_code == 1 and "draw_id" in r.output and second in r.output, r.output
    # Not a plan: refused.
    assert _Out(["verify", "--record", str(public), "--plan", str(full)]).exit_code == 2


def test_verify_draw_id_checks_the_published_plan(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    plan = folder / f"{draw_id}.plan.json"
    r = _verify(draw_id)
    assert r.exit_code == 0 and f"{draw_id}.plan.json" in r.output, r.output
    raw = _edit(plan, lambda d: d.update(seed_commitment=core.seed_commitment("another seed")))
    r = _verify(draw_id)
    assert r.exit_code == 1 and f"{draw_id}.plan.json vs database" in r.output, r.output
    plan.unlink()
    r = _verify(draw_id)
    assert r.exit_code == 2 and f"{draw_id}.plan.json" in r.output and "no such file" in r.output, r.output
    plan.write_bytes(raw)
    assert _verify(draw_id).exit_code == 0


# r27consumer: an outsider's public record with another inspector (key recomputed) and another date
# said "match" with nothing more: the output must say what a public record cannot show.
def test_verify_public_record_says_what_it_cannot_show(engine: Engine, cli_env: Settings, tmp_path: Any) -> None:
    load_store(engine)
    draw_id, folder = _planned_and_run(cli_env)
    public, full, plan = (folder / f"{draw_id}.{k}.json" for k in ("public", "full", "plan"))
    doc = json.loads(public.read_text("utf-8"))
    i = doc["inspections"][0]
    i["inspectors"][0] = {"inspector_id": "INS-NOT-DRAWN",
                          "key": core.inspector_key(doc["seed"], doc["task"], i["uscc"], "INS-NOT-DRAWN")}
    i["scheduled_on"] = "2026-09-30"
    swapped = tmp_path / "swapped.json"
    swapped.write_text(json.dumps(doc), "utf-8")
    r = _Out(["verify", "--record", str(swapped), "--plan", str(plan)])
    assert r.exit_code == 0 and "match" in r.output
    assert "not shown by a public record" in r.output and "inspector pool" in r.output, r.output
    # The full record catches what the public one cannot; with it, no such caveat is printed.
    r = _Out(["verify", "--record", str(public), "--record", str(full)])
    assert r.exit_code == 0 and "not shown by a public record" not in r.output, r.output


# s28: plan, run, show and results printed English headings and state codes to officers.
def test_draw_tables_read_in_chinese_and_json_keeps_the_codes(engine: Engine, cli_env: Settings) -> None:
    load_store(engine)
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01",
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 0, r.output
    assert "已制定抽查计划" in r.output and "抽取概率 probability" in r.output and "分层（公布" in r.output
    r = runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", SEED])
    assert r.exit_code == 0, r.output
    assert "已抽取" in r.output and "已安排 assigned:" in r.output and "公开记录 public record" in r.output
    r = runner.invoke(app, ["show", "DRAW-20260901-001"])
    assert r.exit_code == 0, r.output
    assert "检查对象（当前版本）" in r.output and "状态 state" in r.output
    rows = [line.split("│") for line in r.output.splitlines() if line.startswith("│")]
    inspections = [cells for cells in rows if len(cells) == 10]
    assert inspections and all(cells[3].strip() == "已安排" for cells in inspections)
    assert "assigned" not in r.output
    r = runner.invoke(app, ["show", "DRAW-20260901-001", "--json"])
    assert {i["state"] for i in json.loads(r.output)["inspections"]} == {"assigned"}
    r = runner.invoke(app, ["results", "DRAW-20260901-001", "--as-of", "2026-09-02"])
    assert r.exit_code == 0, r.output
    assert "抽查检查结果" in r.output and "公示期限 publish by" in r.output and "待公示" in r.output
    assert "awaiting" not in r.output
    r = runner.invoke(app, ["results", "DRAW-20260901-001", "--as-of", "2026-09-02", "--json"])
    assert {x["status"] for x in json.loads(r.output)} == {"awaiting"}


# An outsider's acceptance pass (s34): a result of an entity the registration store does not know
# (delivered by inspection_results alone) had a NaN name: `draw results` ended in a traceback and
# its --json wrote NaN; a plan dated after today was accepted by the command line alone.
def test_a_result_of_an_unregistered_entity_and_a_plan_after_today(engine: Engine, cli_env: Settings) -> None:
    import sqlalchemy as sa

    from credit import clock
    from tests.db.draws.helpers import uscc

    load_store(engine, n=30)
    stranger = "91330106MA2CDXFF0L"   # a valid USCC that registration does not hold
    with engine.begin() as c:
        c.execute(sa.text("""insert into inspection_results (task_id, uscc, inspected_on, result_code, result,
                                 inspector_ids, doc_no, first_night, last_night)
                             values ('T2026-0003', :u, '2026-09-18', 'normal', null, '{INS001}', :d, :n, :n)"""),
                  [{"u": stranger, "d": None, "n": "2026-10-22"}, {"u": uscc(1), "d": "J-1", "n": "2026-10-22"}])
    r = runner.invoke(app, ["results", "T2026-0003", "--as-of", "2026-12-31", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    by = {x["uscc"]: x for x in rows}
    assert by[stranger]["name"] is None and by[stranger]["doc_no"] is None and by[uscc(1)]["name"] == "企业1"
    r = runner.invoke(app, ["results", "T2026-0003", "--as-of", "2026-12-31"])
    assert r.exit_code == 0 and stranger in r.output and "Traceback" not in r.output, r.output
    later = clock.today(cli_env).toordinal() + 1
    from datetime import date
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", date.fromordinal(later).isoformat(),
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 2 and "晚于今天" in r.output, r.output


def test_redraw_refusals_are_chinese_first(engine: Engine, cli_env: Settings) -> None:
    """The redraw's refusals read as plan's and run's do: Chinese first, the English after (exit 2)."""
    load_store(engine)
    assert runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01",
                               "--seed-commitment", core.seed_commitment(SEED)]).exit_code == 0
    assert runner.invoke(app, ["run", "DRAW-20260901-001", "--seed", SEED]).exit_code == 0
    doc = json.loads((cli_env.reports_dir / "draws" / "DRAW-20260901-001.public.json").read_text("utf-8"))
    drawn = {i["uscc"] for i in doc["inspections"]}
    first = doc["inspections"][0]["uscc"]
    other = next(u for u in (f"91341000MA{i:07d}" for i in range(240)) if u not in drawn)
    other = other + calc_check_character(other)
    cases = [
        (["--uscc", first, "--reason", "x"], "回避"),                                   # neither kind
        (["--uscc", first, "--reason", " ", "--recuse", "INS001"], "理由"),             # no reason
        (["--uscc", other, "--reason", "x", "--recuse", "INS001"], "未被抽中"),         # not drawn here
        (["--uscc", first, "--reason", "x", "--recuse", "NOBODY"], "不在"),             # not on the team
    ]
    for args, chinese in cases:
        r = runner.invoke(app, ["redraw", "DRAW-20260901-001", *args])
        assert r.exit_code == 2, r.output
        text = r.output.split("refused: ", 1)[-1]
        assert chinese in text and text.index(chinese) < text.index("("), r.output


@pytest.mark.parametrize("scope", ["00", "000000", "0000"])
def test_a_scope_naming_no_region_is_refused(engine: Engine, cli_env: Settings, scope: str) -> None:
    # "00" pairs name no area (region_prefix): the scope became "" and the plan covered the whole
    # province under a scope that reads like a region. Refused, exit 2 (contracts.md §2).
    load_store(engine, n=60)
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01", "--scope", scope,
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 2, r.output
    assert "scope" in r.output and "范围" in r.output and "DRAW-" not in r.output, r.output


def test_a_refusal_goes_to_standard_error_not_to_standard_output(engine: Engine, cli_env: Settings) -> None:
    """A draw command's refusal is written where every other command's is (credit.cli.output.refuse):
    standard error, exit 2 — a script reading standard output for a draw id reads nothing."""
    load_store(engine, n=60)
    r = runner.invoke(app, ["plan", "--matter", "annual_report", "--as-of", "2026-09-01", "--scope", "00",
                            "--seed-commitment", core.seed_commitment(SEED)])
    assert r.exit_code == 2, r.output
    assert r.stdout == "" and "refused:" in r.stderr and "范围" in r.stderr, (r.stdout, r.stderr)


def test_show_lists_what_a_redraws_replacement_skipped(engine: Engine, cli_env: Settings, tmp_path: Path) -> None:
    """`credit draw show` printed each redraw without the entities its replacement passed over as
    held by other live draws (draw_events.skipped, migration 0047; domain.md §8): only `redraw`
    itself said so, once."""
    def with_ratio(name: str, ratio: str) -> Settings:
        conf = tmp_path / name
        shutil.copytree(cli_env.config_dir, conf)
        path = conf / "draws.yaml"
        path.write_text(path.read_text("utf-8").replace("B: 0.02", f"B: {ratio}"), "utf-8")
        return cli_env.model_copy(update={"config_dir": conf})

    load_store(engine, n=40)   # 39 operating, tier B: the first draws 20, the second 18 of the 19 left
    first = plan_and_run(engine, with_ratio("half", "0.5"))
    s2 = with_ratio("most", "0.9")
    with engine.begin() as c:
        second = store.plan_draw(c, "annual_report", AS_OF, s2, seed_commitment=core.seed_commitment("two"))
    with engine.begin() as c:
        store.run_draw(c, second, "two", s2)
    with engine.connect() as c:
        closed = read.full_record(c, first)["inspections"][0]["uscc"]
    close_entity(engine, closed)
    with engine.begin() as c:
        out = store.redraw(c, first, closed, "entity_closed", "已注销", cli_env)
    assert out["skipped"]
    r = runner.invoke(app, ["show", first])
    assert r.exit_code == 0, r.output
    line = " ".join(r.output.split()).split("重新抽取 redraw 1:", 1)[1]
    assert "skipped" in line and all(u in line for u in out["skipped"]), line


def test_plan_says_when_its_window_is_counted_from_today(engine: Engine, cli_env: Settings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A roster date whose window had begun is scheduled from today (store.plan_draw): the printed
    window says so, since it no longer starts the lead-th working day after the roster date."""
    load_store(engine, n=30)
    args = ["plan", "--matter", "annual_report", "--as-of", "2026-09-01", "--seed-commitment",
            hashlib.sha256(b"x").hexdigest()]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "2026-09-08" in r.output and "起计 counted from today" not in r.output
    on_bureau_day(monkeypatch, date(2026, 9, 9))
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "2026-09-16" in r.output and "自今日 2026-09-09 起计 counted from today" in r.output
