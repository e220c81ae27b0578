"""``credit notices`` for a night that is not published (not run yet, or refused): no notice exists
*yet*, so neither the table nor a file for a department's inbox may say "no notices produced that
night" — a clerk would hand the department a signed, empty file as that night's push (domain.md
§11; the command line shows the bureau what was decided, contracts.md §2)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from credit.cli.main import app
from credit.settings import Settings
from tests.db.rosters.helpers import published

runner = CliRunner()


def test_an_unpublished_night_is_refused_and_no_file_written(cli_env: Settings, tmp_path: Path) -> None:
    engine = sa.create_engine(str(cli_env.database_url))
    with engine.begin() as c:
        published(c, "2026-07-13")
    engine.dispose()
    ran = runner.invoke(app, ["notices", "--night", "2026-07-13"])
    assert ran.exit_code == 0 and "没有双告知推送" in ran.output          # published, nothing produced
    out = tmp_path / "n.csv"
    for args in (["--night", "2026-07-14"], ["--night", "2026-07-14", "--format", "csv", "--out", str(out)],
                 ["--night", "2026-07-14", "--json"]):
        r = runner.invoke(app, ["notices", *args])
        assert r.exit_code == 2, (args, r.output)
        assert "尚未发布" in r.output and "not published" in r.output and "没有双告知推送" not in r.output
        assert "Traceback" not in r.output
    assert not out.exists()


def test_a_department_of_an_earlier_configuration_is_still_exported(cli_env: Settings, tmp_path: Path) -> None:
    """A department renamed or dropped from config/notices.yaml keeps the notices it was sent; the
    bureau can still list and export them by its name (as the feed answers it)."""
    engine = sa.create_engine(str(cli_env.database_url))
    with engine.begin() as c:
        published(c, "2026-07-13")
        c.execute(sa.text(
            "insert into notices (night, produced_at, department, licence, event, event_key, uscc, name, entity_kind, "
            "region_code, industry_code, established_on, matched, config_version) values ('2026-07-13', now(), "
            "'旧许可部门', '旧许可证', 'registered', 'registered:x', '91330106MA2B3C4D11', '某公司', 'enterprise', "
            "'330106', 'C14', '2026-07-10', 'C14', 'notices-old')"))
    engine.dispose()
    r = runner.invoke(app, ["notices", "--night", "2026-07-13", "--department", "旧许可部门", "--json"])
    assert r.exit_code == 0, r.output
    assert "旧许可证" in r.output
    assert runner.invoke(app, ["notices", "--night", "2026-07-13", "--department", "药监局"]).exit_code == 2
