"""Region partitions (issue 12): a night computed per region partition and published at once is
exactly the night published in one transaction.

- The same sample drops (three nights from 30 June: the first night after the annual-report
  deadline includes dozens of entities, with 文号), published unpartitioned on one database and
  in four prefecture partitions on another, leave the same decision rows (seq, 文号, hashes), the
  same grades, transitions, grading runs, store, quarantine and roster exports. A relation that
  crosses partitions (an entity's legal representative now also runs another region's entity
  that was tier D) is regraded at publish.
- A partition not staged refuses the night (``partition_missing``) and leaves yesterday's state;
  a partition run twice stages the same rows once; once all are staged the night publishes.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from credit.context import NightContext
from credit.contract.manifest import read_manifest
from credit.night import partitions, steps
from credit.night import scope as night_scope
from credit.night.issues import NightRefused
from credit.night.partitions import group_regions, in_region
from credit.rosters.export import export_frame
from credit.sample import write_sample
from credit.settings import Settings
from tests.configkit import grading_chunks
from tests.db.grading.helpers import listed
from tests.dropkit import csv_file, write_night
from tests.fingerprints import fingerprints

N1, N2, N3 = date(2026, 6, 30), date(2026, 7, 1), date(2026, 7, 2)
def _rep_joins_other_region(drop: Path, engine: Engine, plan_settings: Settings) -> tuple[str, str]:
    """Rewrite night N2: a tier-D entity of night N1 (Y) takes the legal representative of an
    operating entity (X) of another partition, so X's ``related_d`` changes tonight."""
    with engine.connect() as c:
        graded = c.execute(sa.text(
            "select g.uscc, g.grade, r.legal_rep_hash from grade_ranges g join registration r using (uscc) "
            "where g.valid_to is null order by g.uscc")).all()
    plan = steps.plan_night(read_manifest(drop, N1), plan_settings, 4)
    part = {u: next(p["index"] for p in plan if in_region(p, _series([u]))[0]) for u, _, _ in graded}
    y = next(u for u, g, _ in graded if g == "D")
    x, rep = next((u, h) for u, g, h in graded if part[u] != part[y] and g != "D")
    folder = drop / N1.isoformat()
    encoding = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]["registration.csv"]["encoding"]
    rows = list(csv.DictReader(io.StringIO((folder / "registration.csv").read_bytes().decode(encoding))))
    row = next(r for r in rows if r["uscc"] == y)
    row.update(legal_rep_hash=rep, updated_at="2026-07-01T09:00:00")
    write_night(drop, N2, {"registration.csv": csv_file("registration", "delta", [row])})
    return x, y


def _series(values: list[str]) -> object:
    import pandas as pd
    return pd.Series(values, dtype="string")


@pytest.fixture()
def drop(tmp_path: Path) -> Path:
    write_sample(tmp_path / "drop", 300, 3, seed=5, start=N1)
    return tmp_path / "drop"


def test_a_night_in_four_region_partitions_is_the_night_in_one_transaction(
        drop: Path, settings: Settings, second_settings: Settings) -> None:
    # The partitioned night also reads, decides, stages and appends in chunks of 5 rows (issue 11),
    # each chunk staged as its rehearsal makes it: the same log as the whole night's in one chunk.
    # Both grade in chunks of 7 entities (the chunk size is part of grading's configuration version),
    # so the rehearsals stage their grades chunk by chunk too.
    settings = grading_chunks(settings, settings.home, 7)
    second_settings = second_settings.model_copy(update={"rosters_chunk_rows": 5, "config_dir": settings.config_dir})
    whole, parted = sa.create_engine(str(settings.database_url)), sa.create_engine(str(second_settings.database_url))
    try:
        steps.run_night(drop, N1, settings)
        first = steps.run_night(drop, N1, second_settings, max_partitions=4)
        assert first.get("partitions", {}).get("count") == 4
        x, _y = _rep_joins_other_region(drop, whole, second_settings)
        summaries = {}
        for night in (N2, N3):
            steps.run_night(drop, night, settings)
            summaries[night] = steps.run_night(drop, night, second_settings, max_partitions=4)
        # The night after the deadline numbered its inclusions; a relation crossed partitions.
        with whole.connect() as c:
            assert c.execute(sa.text(
                "select count(*) from roster_decisions where night = :n and decision_no is not null"),
                {"n": N2}).scalar_one() >= 20
            related = c.execute(sa.text(
                "select reasons::text from grade_ranges where uscc = :x and valid_from = :n"),
                {"x": x, "n": N2}).scalar()
        assert summaries[N2]["partitions"]["regraded"] >= 1
        # Night N2 is a full night (the deadline), N3 an incremental one (issue 11): both are covered.
        assert [summaries[n].get("scope", {}).get("mode") for n in (N2, N3)] == ["full", "incremental"]
        assert related is not None   # X's grade changed tonight: the relation counts
        assert fingerprints(parted) == fingerprints(whole)
        for roster in ("abnormal", "abnormal_status", "serious"):
            with whole.connect() as a, parted.connect() as b:
                assert export_frame(a, roster, N3).equals(export_frame(b, roster, N3))
    finally:
        whole.dispose()
        parted.dispose()


def test_a_partition_not_staged_refuses_the_night_and_leaves_yesterday(drop: Path, settings: Settings,
                                                                       engine: Engine) -> None:
    steps.run_night(drop, N1, settings, max_partitions=3)
    before = fingerprints(engine)
    opened = steps.open_night(drop, N2, settings)
    for f in opened.manifest.files:
        steps.ingest_file(opened.manifest, f.file, settings)
    plan = steps.plan_night(opened.manifest, settings, 3)
    assert len(plan) == 3
    for spec in plan[:2]:
        steps.run_partition(opened.manifest, spec, settings)
    staged = fingerprints(engine)
    steps.run_partition(opened.manifest, plan[1], settings)     # a re-run replaces, never doubles
    again = fingerprints(engine)
    assert again.pop("night_partitions")[0] == staged.pop("night_partitions")[0] == 2   # (its seconds differ)
    assert again == staged
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(opened.manifest, None, settings, plan=plan)
    assert [i.code for i in refused.value.issues] == ["partition_missing"]
    assert "3/3" in refused.value.issues[0].file
    after = {t: v for t, v in fingerprints(engine).items() if not t.startswith("night_")}
    assert after == {t: v for t, v in before.items() if not t.startswith("night_")}   # yesterday's state
    steps.run_partition(opened.manifest, plan[2], settings)
    summary = steps.publish_night(opened.manifest, None, settings, plan=plan)
    assert summary["partitions"]["count"] == 3
    with engine.connect() as c:
        assert c.execute(sa.text("select max(night) from night_runs")).scalar() == N2
        assert c.execute(sa.text("select count(*) from night_partitions")).scalar() == 0   # cleared


def test_regions_are_grouped_into_contiguous_ranges_of_similar_size() -> None:
    counts = [("3301", 50), ("3302", 10), ("3303", 10), ("3304", 30), ("3305", 100)]
    assert group_regions(counts, 1) == [(None, None)]
    assert group_regions([], 4) == [(None, None)]
    assert group_regions(counts, 3) == [(None, "3304"), ("3304", "3305"), ("3305", None)]
    assert len(group_regions(counts, 10)) == 5


def test_a_quarantined_annual_report_holds_its_decision_in_partitions_too(
        tmp_path: Path, settings: Settings, second_settings: Settings) -> None:
    """A night after the deadline whose drop holds back annual-report rows (the cluster test's sample):
    the rehearsals see tonight's quarantine, so they wait on those reports as the whole night does."""
    drop = tmp_path / "drop13"
    write_sample(drop, 500, 1, seed=1, start=date(2026, 7, 13))
    steps.run_night(drop, date(2026, 7, 13), settings)
    steps.run_night(drop, date(2026, 7, 13), second_settings, max_partitions=4)
    whole, parted = sa.create_engine(str(settings.database_url)), sa.create_engine(str(second_settings.database_url))
    with whole.connect() as c:
        assert c.execute(sa.text("select count(*) from quarantined_annual_reports")).scalar_one() > 0
    assert fingerprints(parted) == fingerprints(whole)
    whole.dispose()
    parted.dispose()


def _staged_rows(engine: Engine) -> dict[str, tuple[int, str]]:
    prints = fingerprints(engine)
    return {t: prints[t] for t in ("night_partition_decisions", "night_partition_grades")}


def test_a_partition_that_fails_after_its_rehearsal_stages_nothing_and_keeps_what_was_staged(
        drop: Path, settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The partition's rows are staged chunk by chunk through a second connection while it rehearses
    (issue 11), committed after the rehearsal: a failure before that commit (at the fault point
    ``partition:staged``, or on the staging connection once everything is written) leaves an earlier
    run's staging as it was, and a partition never staged unstaged (``partition_missing``)."""
    steps.run_night(drop, N1, settings, max_partitions=3)
    opened = steps.open_night(drop, N2, settings)
    for f in opened.manifest.files:
        steps.ingest_file(opened.manifest, f.file, settings)
    plan = steps.plan_night(opened.manifest, settings, 3)
    for spec in plan[:2]:
        steps.run_partition(opened.manifest, spec, settings)
    staged = _staged_rows(engine)
    with engine.connect() as c:
        summaries = c.execute(sa.text("select partition, summary from night_partitions order by 1")).all()
    assert [p for p, _ in summaries] == [0, 1] and sum(s["graded"] for _, s in summaries) > 0

    def crash(point: str) -> None:
        if point == "partition:staged":
            raise RuntimeError("the task dies")

    monkeypatch.setattr(steps, "fault_point", crash)
    with pytest.raises(RuntimeError):
        steps.run_partition(opened.manifest, plan[0], settings)     # a re-run dies before its commit
    with pytest.raises(RuntimeError):
        steps.run_partition(opened.manifest, plan[2], settings)     # a first run dies before its commit
    monkeypatch.undo()
    real_stage = partitions.stage

    def stage_then_fail(*args: Any, **kw: Any) -> object:
        real_stage(*args, **kw)   # the summary row written too, then the connection fails
        raise sa.exc.OperationalError("commit", {}, Exception("the staging connection is lost"))

    monkeypatch.setattr(partitions, "stage", stage_then_fail)
    with pytest.raises(sa.exc.OperationalError):
        steps.run_partition(opened.manifest, plan[1], settings)
    monkeypatch.undo()
    assert _staged_rows(engine) == staged
    with engine.connect() as c:
        assert c.execute(sa.text("select partition, summary from night_partitions order by 1")).all() == summaries
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(opened.manifest, None, settings, plan=plan)
    assert [(i.code, i.file) for i in refused.value.issues] == [("partition_missing", "partition 3/3")]
    steps.run_partition(opened.manifest, plan[2], settings)   # no lock left behind by the failed runs
    assert steps.publish_night(opened.manifest, None, settings, plan=plan)["partitions"]["count"] == 3


def test_publish_grades_again_exactly_the_entities_whose_relations_differ_from_their_partitions(
        drop: Path, settings: Settings, engine: Engine) -> None:
    """apply_grades compares tonight's relations with the staged ones in the database: an entity X
    whose legal representative now also runs an entity Y of another partition that enters the
    serious list is stale, and so is an entity graded tonight that no partition staged; nothing else."""
    steps.run_night(drop, N1, settings, max_partitions=3)
    opened = steps.open_night(drop, N2, settings)
    for f in opened.manifest.files:
        steps.ingest_file(opened.manifest, f.file, settings)
    plan = steps.plan_night(opened.manifest, settings, 3)
    for spec in plan:
        steps.run_partition(opened.manifest, spec, settings)
    with engine.begin() as c:
        ctx = NightContext(N2, opened.manifest.digest, settings, night_scope.everything(c))
        before = set(partitions.stale_entities(c, ctx, opened.manifest, plan))
        ops = c.execute(sa.text(
            "select r.uscc, r.legal_rep_hash, count(*) over (partition by r.legal_rep_hash) as n "
            "from registration as r where r.status = 'operating' and r.legal_rep_hash is not null "
            "and r.uscc not in (select uscc from roster_decisions where uscc is not null) order by r.uscc")).all()
        part = {u: next(p["index"] for p in plan if in_region(p, _series([u]))[0]) for u, _, _ in ops}
        x, rep = next((u, h) for u, h, n in ops if n == 1 and u not in before)
        y = next(u for u, _, n in ops if n == 1 and part[u] != part[x] and u != x)
        gone = next(u for u, _, _ in ops if u not in before and u not in (x, y))
        c.execute(sa.text("update registration set legal_rep_hash = :h where uscc = :y"), {"h": rep, "y": y})
        listed(c, y, "serious", on=N2.isoformat())
        c.execute(sa.text("delete from night_partition_grades where uscc = :u"), {"u": gone})
        after = partitions.stale_entities(c, ctx, opened.manifest, plan)
        c.rollback()
    assert after == sorted(before | {x, gone})


def test_a_partition_staged_by_the_code_before_an_upgrade_is_named_as_such(
        drop: Path, settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Partitions staged, then the code upgraded (another results revision) before the publish: the
    night is refused naming both revisions (``partition_stale``), not as a partition never staged;
    the partitions run again under the new code publish."""
    steps.run_night(drop, N1, settings, max_partitions=2)
    opened = steps.open_night(drop, N2, settings)
    for f in opened.manifest.files:
        steps.ingest_file(opened.manifest, f.file, settings)
    plan = steps.plan_night(opened.manifest, settings, 2)
    for spec in plan:
        steps.run_partition(opened.manifest, spec, settings)
    monkeypatch.setattr(steps, "RESULTS_REVISION", "2099.1.1")
    with pytest.raises(NightRefused) as refused:
        steps.publish_night(opened.manifest, None, settings, plan=plan)
    issues = refused.value.issues
    assert [i.code for i in issues] == ["partition_stale"] * len(plan)
    text = issues[0].text()
    assert "区域分区 1/2 的结果是按另一配置或程序版本计算的" in text and "现行：results@2099.1.1" in text
    assert "results@" in text.split("暂存时：")[1].split("；")[0] and "2099.1.1" not in text.split("暂存时：")[1].split("；")[0]
    for spec in plan:
        steps.run_partition(opened.manifest, spec, settings)
    assert steps.publish_night(opened.manifest, None, settings, plan=plan)["partitions"]["count"] == len(plan)
