"""A configuration change makes `credit nightly` run a full night, and the night records it.

rosters.yaml is read by the grading (``heavier_measures``, domain.md §4) and by the rosters; since
migration 0048 a graded night also keeps the rosters.yaml it graded with (``grading_runs``), beside
the versions of every file in ``night_runs.config_version`` that the scope compares
(:func:`credit.night.scope.global_events`: ``config_changed``).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from credit.config import load_config
from credit.sample import write_sample
from credit.settings import Settings

N1, N2, N3 = date(2026, 9, 24), date(2026, 9, 25), date(2026, 9, 26)


def test_a_changed_rosters_yaml_makes_the_next_night_full_and_is_recorded(
        tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from credit.cli.main import app
    from credit.settings import get_settings

    drop = tmp_path / "drop"
    write_sample(drop, 300, 3, seed=5, start=N1)
    conf = tmp_path / "config"
    shutil.copytree(settings.config_dir, conf)
    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    monkeypatch.setenv("CREDIT_CONFIG_DIR", str(conf))
    rosters = conf / "rosters.yaml"
    text = rosters.read_text("utf-8")
    assert "heavier_measures: [qualification_downgrade," in text
    versions = [load_config("rosters", settings.model_copy(update={"config_dir": conf})).version]
    runner = CliRunner()
    try:
        for night in (N1, N2, N3):
            if night == N2:   # the bureau makes a confiscation heavier between N1 and N2
                rosters.write_text(text.replace("heavier_measures: [qualification_downgrade,",
                                                "heavier_measures: [confiscation, qualification_downgrade,"), "utf-8")
                versions.append(load_config("rosters", settings.model_copy(update={"config_dir": conf})).version)
            get_settings.cache_clear()
            r = runner.invoke(app, ["nightly", "--date", night.isoformat(), "--drop", str(drop)])
            assert r.exit_code == 0, r.output
    finally:
        get_settings.cache_clear()
    engine = sa.create_engine(str(settings.database_url))
    try:
        with engine.connect() as c:
            scopes = c.execute(sa.text("select summary -> 'scope' from night_runs order by night")).scalars().all()
            runs = c.execute(sa.text("select rosters_version, rosters_config -> 'heavier_measures' ->> 0 "
                                     "from grading_runs order by night")).all()
    finally:
        engine.dispose()
    assert [s["mode"] for s in scopes] == ["full", "full", "incremental"], scopes
    assert list(scopes[0]["reasons"]) == ["first_night"] and list(scopes[1]["reasons"]) == ["config_changed"]
    assert versions[0] != versions[1]
    assert [tuple(r) for r in runs] == [(versions[0], "qualification_downgrade"), (versions[1], "confiscation"),
                                        (versions[1], "confiscation")]


def test_an_upgrade_that_derives_results_otherwise_makes_the_next_night_full(
        tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same configuration, new code that grades (or decides) otherwise: an incremental night
    would leave every entity outside its scope with what the old code gave (e.g. INSURED_DROP's
    reason value, bbgrade). The revision recorded with each night makes the next night full with
    its own reason; the night after it is incremental again."""
    from typer.testing import CliRunner

    from credit.cli.main import app
    from credit.night import steps
    from credit.settings import get_settings

    drop = tmp_path / "drop"
    write_sample(drop, 300, 3, seed=5, start=N1)
    monkeypatch.setenv("CREDIT_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("CREDIT_HOME", str(settings.home))
    runner = CliRunner()
    try:
        for night in (N1, N2, N3):
            if night == N2:   # the bureau upgrades between N1 and N2
                monkeypatch.setattr(steps, "RESULTS_REVISION", steps.RESULTS_REVISION + "-next")
            get_settings.cache_clear()
            r = runner.invoke(app, ["nightly", "--date", night.isoformat(), "--drop", str(drop)])
            assert r.exit_code == 0, r.output
    finally:
        get_settings.cache_clear()
    engine = sa.create_engine(str(settings.database_url))
    try:
        with engine.connect() as c:
            rows = c.execute(sa.text("select summary -> 'scope', config_version from night_runs order by night")).all()
    finally:
        engine.dispose()
    scopes = [r[0] for r in rows]
    assert [s["mode"] for s in scopes] == ["full", "full", "incremental"], scopes
    assert list(scopes[1]["reasons"]) == ["results_revision"], scopes[1]
    assert rows[1][1].endswith("-next") and rows[1][1].split(";")[:-1] == rows[0][1].split(";")[:-1]
