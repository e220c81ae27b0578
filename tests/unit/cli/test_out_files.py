"""Every command that writes a file behaves one way (contracts.md §2): missing parent folders are
made when the file is written, named on standard error and promised in ``--help``; a folder given as the file, a file where a folder is needed, or a write the system refuses
is one line and exit 2 — never a traceback. A ``CREDIT_HOME`` that is a file is a bad setting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from credit.cli import output
from credit.cli.main import app
from credit.settings import Settings

pytestmark = pytest.mark.usefixtures("unreachable_database")


def _refused(args: list[str]) -> str:
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output and "Error" not in r.output
    return r.output


@pytest.mark.parametrize("args", [
    ["roster", "export", "--roster", "abnormal", "--format", "json", "--out"],
    ["roster", "export", "--roster", "abnormal", "--out"],
    ["notices", "--night", "2026-07-13", "--format", "csv", "--out"],
    ["notices", "--night", "2026-07-13", "--format", "xlsx", "--out"],
    ["keys", "public", "--out"],
    ["db", "backup", "--out"],
])
def test_a_folder_given_as_the_file_is_refused_in_one_line_before_any_work(args: list[str], tmp_path: Path) -> None:
    said = _refused([*args, str(tmp_path)])   # no database is reached: the check comes first
    assert f"--out {tmp_path}" in said and "is a folder" in said


def test_a_file_where_a_parent_folder_should_be_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    said = _refused(["roster", "export", "--roster", "abnormal", "--format", "json", "--out", str(afile / "x.json")])
    assert "cannot create its folder" in said
    said = _refused(["sample", "--entities", "3", "--nights", "1", "--out", str(afile)])
    assert "is a file, not a folder" in said


def test_missing_parent_folders_are_made_when_the_file_is_written(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "nonexist" / "dir" / "x.json"
    assert output.out_file(target) == target and not (tmp_path / "nonexist").exists()   # checked, nothing made
    with output.writing(target):
        target.write_text("{}")
    assert target.read_text() == "{}"
    said = capsys.readouterr()
    assert said.out == "" and said.err.count("\n") == 1
    assert "已创建缺少的文件夹" in said.err and f"created the missing folder {target.parent}" in said.err
    with output.writing(target):   # the folder is there now: nothing to say
        target.write_text("{}")
    assert capsys.readouterr().err == ""
    folder = tmp_path / "a" / "b"
    assert output.out_folder(folder) == folder and folder.is_dir()


def test_keys_public_writes_into_a_missing_folder_and_says_it_made_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("credit.settings.get_settings", lambda: Settings(home=tmp_path / "home"))
    target = tmp_path / "no" / "such" / "pub.pem"
    r = CliRunner().invoke(app, ["keys", "public", "--out", str(target)])
    assert r.exit_code == 0, r.output
    assert target.read_text(encoding="ascii").startswith("-----BEGIN PUBLIC KEY-----")
    assert f"created the missing folder {target.parent}" in " ".join(r.stderr.split())
    assert "created" not in r.stdout   # standard output carries the key alone


def test_a_command_refused_after_the_check_leaves_no_folder_behind(tmp_path: Path) -> None:
    """The database is out of reach: the command stops before writing, and the folder its
    ``--out`` named is not made (it was, silently, before the write moved it)."""
    target = tmp_path / "no" / "such" / "abnormal.csv"
    r = CliRunner().invoke(app, ["roster", "export", "--roster", "abnormal", "--out", str(target)])
    assert r.exit_code != 0
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("args", [["roster", "export"], ["notices"], ["keys", "public"], ["db", "backup"]])
def test_every_out_file_help_says_missing_folders_are_created(args: list[str]) -> None:
    r = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "400"})
    assert r.exit_code == 0, r.output
    assert output.OUT_FOLDERS in " ".join(r.output.split())


def test_a_write_the_system_refuses_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.csv"
    with pytest.raises(typer.Exit) as e, output.writing(target):
        raise PermissionError(13, "Permission denied", str(target))
    assert e.value.exit_code == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "Permission denied" in said and str(target) in said


def test_credit_home_that_is_a_file_is_a_bad_setting(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    for home in (afile, afile / "sub"):
        with pytest.raises(ValidationError, match="is a file, not a folder"):
            Settings(home=home)
        env = {**os.environ, "CREDIT_HOME": str(home), "GX_ANALYTICS_ENABLED": "False"}
        env.pop("CREDIT_DATABASE_URL", None)
        done = subprocess.run([sys.executable, "-c", "from credit.cli.main import main; main()", "db", "url"],
                              capture_output=True, text=True, env=env, timeout=120, check=False)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
        assert "CREDIT_HOME" in done.stderr and "is a file, not a folder" in done.stderr
    assert Settings(home=tmp_path / "new" / "home").home == tmp_path / "new" / "home"   # a missing folder is fine


# ------------------------------------------------------------------------------------------------
# ``--out -`` is standard output (contracts.md §2), never a file named ``-`` (s35: an outsider's
# ``credit roster export … --out -`` printed "wrote - (signature: -.sig.json)" and left ``./-``
# and ``./-.sig.json`` in the working folder).
# ------------------------------------------------------------------------------------------------
def test_dash_is_standard_output_for_every_export(monkeypatch: pytest.MonkeyPatch) -> None:
    assert output.out_or_stdout(Path("-")) is None and output.out_or_stdout(None) is None
    assert output.is_stdout(Path("-")) and not output.is_stdout(Path("-.csv"))


def test_roster_export_to_dash_writes_standard_output_and_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import credit.rosters.export
    import credit.rosters.known
    from credit.cli.commands import rosters

    class _Conn:
        def __enter__(self) -> _Conn:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    class _Engine:
        def connect(self) -> _Conn:
            return _Conn()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rosters, "_engine", lambda: _Engine())
    monkeypatch.setattr(rosters, "_data_through", lambda _conn: None)
    monkeypatch.setattr(credit.rosters.known, "first_night", lambda _conn: None)
    monkeypatch.setattr(credit.rosters.export, "export_roster", lambda *_a, **_k: b"\xef\xbb\xbfuscc,name\n")
    r = CliRunner().invoke(app, ["roster", "export", "--roster", "abnormal", "--as-of", "2026-07-15", "--out", "-"])
    assert r.exit_code == 0, (r.output, r.exception)
    assert "uscc,name" in r.stdout and "wrote" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no file called - nor -.sig.json"


@pytest.mark.parametrize("args", [
    ["roster", "export", "--roster", "abnormal", "--format", "xlsx", "--out", "-"],
    ["roster", "export", "--roster", "abnormal", "--format", "parquet", "--out", "-"],
    ["notices", "--night", "2026-07-13", "--format", "xlsx", "--out", "-"],
])
def test_a_binary_export_to_dash_is_refused_as_without_out(args: list[str], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    said = _refused(args)
    assert "needs --out FILE" in said
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("args", "words"), [
    (["db", "backup", "--out", "-"], "this command writes a file, not standard output"),
    (["sample", "--entities", "3", "--nights", "1", "--out", "-"], "a drop cannot go to standard output"),
])
def test_dash_where_a_file_or_folder_is_needed_is_refused(args: list[str], words: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    said = " ".join(_refused(args).split())
    assert words in said and "--out -" in said
    assert list(tmp_path.iterdir()) == []


def test_keys_public_to_dash_prints_the_key_once_and_writes_no_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["keys", "public", "--out", "-"])
    assert r.exit_code == 0, (r.output, r.exception)
    assert r.stdout.count("BEGIN PUBLIC KEY") == 1 and "wrote" not in r.output
    assert not (tmp_path / "-").exists()
