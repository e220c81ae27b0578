"""Backups: a real published night, dumped and restored into a fresh database, still verifies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from credit.cli.main import app
from credit.night.steps import run_night
from credit.rosters.anchors import anchor_path
from credit.sample import write_sample
from credit.settings import Settings, get_settings

runner = CliRunner()
N1 = date(2026, 7, 13)


def _digest(engine: Engine) -> tuple[int, str]:
    with engine.connect() as c:
        row = c.execute(sa.text("select count(*), md5(string_agg(row_hash, '' order by seq)) from roster_decisions")).one()
    return int(row[0]), str(row[1])


def test_dump_and_restore_keep_the_chain_and_pass_audit_verify(settings: Settings, engine: Engine, cli_env: None,
                                                              tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    write_sample(drop, 300, 2, seed=3, start=N1)
    for i in range(2):
        run_night(drop, date.fromordinal(N1.toordinal() + i), settings)
    anchors = anchor_path(settings).read_text().splitlines()
    assert [json.loads(x)["night"] for x in anchors] == ["2026-07-13", "2026-07-14"]
    before = _digest(engine)
    assert before[0] > 0
    dump = tmp_path / "backup" / "credit.dump"
    done = runner.invoke(app, ["db", "backup", "--out", str(dump)])
    assert done.exit_code == 0 and dump.stat().st_size > 0, done.output
    fresh = f"restored_{make_url(str(settings.database_url)).database}"
    back = runner.invoke(app, ["db", "restore", str(dump), "--database", fresh])
    assert back.exit_code == 0, back.output
    assert "decision log intact" in back.output and "2 signed anchors published outside the database" in back.output
    restored_url = make_url(str(settings.database_url)).set(database=fresh)
    restored = sa.create_engine(restored_url)
    try:
        assert _digest(restored) == before
        with restored.connect() as c:       # the append-only triggers and the roles' grants came back too
            assert c.execute(sa.text("select count(*) from pg_trigger where tgname = 'roster_decisions_append_only'")
                             ).scalar() == 1
            assert c.execute(sa.text("select has_table_privilege('credit_api', 'roster_decisions', 'UPDATE')")
                             ).scalar() is False
            assert c.execute(sa.text("select has_table_privilege('credit_api', 'roster_requests', 'INSERT')")
                             ).scalar() is True
    finally:
        restored.dispose()
    # A second restore into the same (no longer empty) database is refused, nothing touched.
    again = runner.invoke(app, ["db", "restore", str(dump), "--database", fresh])
    assert again.exit_code == 1 and "not empty" in again.output
    # And the restored copy is checked like the original: `credit audit verify` against it.
    rendered = restored_url.render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as m:
        m.setenv("CREDIT_DATABASE_URL", rendered)
        get_settings.cache_clear()
        verified = runner.invoke(app, ["audit", "verify"])
    get_settings.cache_clear()
    assert verified.exit_code == 0 and "decision log intact" in verified.output, verified.output


def test_the_dump_is_readable_by_its_owner_only(settings: Settings, cli_env: None, tmp_path: Path) -> None:
    """The dump holds password and API-key hashes and the whole record: mode 0600 like the signing
    key, whatever the umask, also when it replaces an older file that others could read."""
    import os
    import stat

    dump = tmp_path / "backup" / "credit.dump"
    dump.parent.mkdir()
    dump.write_bytes(b"an older dump")
    dump.chmod(0o644)
    old = os.umask(0o022)
    try:
        done = runner.invoke(app, ["db", "backup", "--out", str(dump)])
    finally:
        os.umask(old)
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert [p.name for p in dump.parent.iterdir()] == ["credit.dump"]     # no side file left beside it


def test_restore_names_the_keyrings_own_problems_as_audit_verify_does(settings: Settings, cli_env: None,
                                                                     tmp_path: Path) -> None:
    """``credit db restore`` verified the restored log with the keyring's keys alone: a keyring that
    does not verify (a line altered after it was signed) was not named and the restore said the log
    intact, exit 0, where ``credit audit verify`` fails; a keyring that cannot be read at all (a
    folder) ended in a SigningKeyError traceback. Both now fail the verification, exit 1, named."""
    from credit.keyring import current_signer, ensure_first_line, keyring_path, rotate

    ensure_first_line(settings, current_signer(settings))
    rotate(settings)
    path = keyring_path(settings)
    first, second = path.read_text(encoding="utf-8").splitlines()
    path.write_text(first + "\n" + second.replace('"valid_from":"', '"valid_from":"1') + "\n", encoding="utf-8")
    dump = tmp_path / "backup" / "credit.dump"
    done = runner.invoke(app, ["db", "backup", "--out", str(dump)])
    assert done.exit_code == 0 and f"\n已写入 {dump}（" in done.output, done.output
    base = make_url(str(settings.database_url)).database
    back = runner.invoke(app, ["db", "restore", str(dump), "--database", f"restored_{base}"])
    said = " ".join(back.output.split())
    assert said.startswith("已恢复 "), said   # Chinese first, as every line an officer reads
    assert back.exit_code == 1 and "signing-keys.jsonl line 2" in said and "intact" not in said, said
    path.unlink()
    path.mkdir()
    back = runner.invoke(app, ["db", "restore", str(dump), "--database", f"restored2_{base}"])
    said = " ".join(back.output.split())
    assert back.exit_code == 1 and "已恢复，但未能校验 (restored, but not verified)" in said, (said, back.exception)
    assert "密钥清单" in said and "Traceback" not in said and not isinstance(back.exception, ValueError), said
