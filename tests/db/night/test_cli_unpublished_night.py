"""``credit quarantine`` and ``credit summary`` for a night that is not published (not run yet, or refused): the
quarantine is written by the publishing transaction, so such a night has no held-back rows *yet*;
"共 0 行 (0 rows)" would tell the operator of a night refused for its quarantine share that nothing
was held back (README, "afterwards try"; a refused night writes nothing)."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from credit.cli.main import app
from credit.settings import Settings
from tests.db.rosters.helpers import published

runner = CliRunner()


def test_an_unpublished_night_is_refused_not_listed_as_empty(cli_env: Settings) -> None:
    engine = sa.create_engine(str(cli_env.database_url))
    with engine.begin() as c:
        published(c, "2026-07-13")
    engine.dispose()
    ran = runner.invoke(app, ["quarantine", "--date", "2026-07-13"])
    assert ran.exit_code == 0 and "共 0 行" in ran.output, ran.output         # published, nothing held back
    for args in (["--date", "2026-07-14"], ["--date", "2026-07-14", "--json"],
                 ["--date", "2026-07-14", "--source", "registration"]):
        r = runner.invoke(app, ["quarantine", *args])
        assert r.exit_code == 2, (args, r.output)
        assert "尚未发布" in r.output and "not published" in r.output and "共 0 行" not in r.output
        assert "Traceback" not in r.output


def test_an_unknown_source_is_refused(cli_env: Settings) -> None:
    engine = sa.create_engine(str(cli_env.database_url))
    with engine.begin() as c:
        published(c, "2026-07-13")
    engine.dispose()
    r = runner.invoke(app, ["quarantine", "--date", "2026-07-13", "--source", "registraton"])
    assert r.exit_code == 2, r.output
    assert "registraton" in r.output and "registration" in r.output and "共 0 行" not in r.output


def test_the_summary_of_an_unpublished_night_says_so_in_both_languages_and_no_json(cli_env: Settings) -> None:
    """``credit summary --date D [--json]``: exit 2 (refused), the reason on standard error (in Chinese and
    English), nothing on standard output that a JSON reader would take for the summary."""
    engine = sa.create_engine(str(cli_env.database_url))
    with engine.begin() as c:
        published(c, "2026-07-13")
    engine.dispose()
    assert runner.invoke(app, ["summary", "--date", "2026-07-13", "--json"]).exit_code == 0
    r = runner.invoke(app, ["summary", "--date", "2026-07-14", "--json"])
    assert r.exit_code == 2, r.output
    assert "尚未发布" in r.stderr and "not published" in r.stderr and r.stdout == ""


def test_every_command_reading_a_night_refuses_an_unpublished_one_alike(cli_env: Settings) -> None:
    """One rule for "night D is not published" (contracts.md §2: 2 is a refusal): ``summary``,
    ``quality``, ``quarantine`` and ``notices`` all exit 2 with the reason on standard error in
    Chinese and English, and print nothing on standard output (they used to exit 1 or 2)."""
    engine = sa.create_engine(str(cli_env.database_url))
    with engine.begin() as c:
        published(c, "2026-07-13")
    engine.dispose()
    for command in (["summary", "--date"], ["quality", "--night"], ["quarantine", "--date"], ["notices", "--night"]):
        for extra in ([], ["--json"]):
            r = runner.invoke(app, [*command, "2026-07-14", *extra])
            assert r.exit_code == 2, (command, extra, r.output)
            assert "2026-07-14" in r.stderr and "该批次尚未发布" in r.stderr, (command, r.stderr)
            assert "is not published" in r.stderr and r.stdout == "", (command, r.output)
            assert r.stderr.index("尚未发布") < r.stderr.index("not published")
        ok = runner.invoke(app, [*command, "2026-07-13"])
        assert ok.exit_code == 0, (command, ok.output)
