"""A bureau's configuration folder with a typo or a value out of range is refused when read,
naming the file, the key and the fix — never a KeyError in the middle of a night, never a
quarantine ceiling of 200 % that quietly switches the gate off."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from credit.config import ConfigError, load_config
from credit.settings import Settings, bundled


def _folder(tmp_path: Path, name: str, old: str, new: str) -> Settings:
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    path = folder / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return Settings(config_dir=folder)


def test_every_bundled_file_passes() -> None:
    settings = Settings(config_dir=bundled("config"))
    for path in sorted(bundled("config").glob("*.yaml")):
        load_config(path.stem, settings)


def test_a_misspelt_key_is_refused_with_the_right_one(tmp_path: Path) -> None:
    settings = _folder(tmp_path, "quality", "\nquarantine_ceiling:", "\nquarantine_cieling:")
    with pytest.raises(ConfigError, match=r"quality\.yaml.*'quarantine_cieling'.*did you mean 'quarantine_ceiling'"):
        load_config("quality", settings)


@pytest.mark.parametrize(("name", "old", "new", "key"), [
    ("quality", "quarantine_ceiling: 0.20", "quarantine_ceiling: 2.0", "quarantine_ceiling"),
    ("quality", "quarantine_ceiling: 0.20", "quarantine_ceiling: '20%'", "quarantine_ceiling"),
    ("quality", "full_snapshot_min_share: 0.80", "full_snapshot_min_share: -1", "full_snapshot_min_share"),
    ("quality", "ceiling_min_rows: 50", "ceiling_min_rows: fifty", "ceiling_min_rows"),
    ("quality", "per_source_ceiling: {}", "per_source_ceiling: {registration: 5}", "per_source_ceiling"),
    ("quality", 'earliest_date: "1949-01-01"', 'earliest_date: "1949/01/01"', "earliest_date"),
    ("schedule", "timezone: Asia/Shanghai", "timezone: Asia/Shanghia", "timezone"),
])
def test_a_value_out_of_range_is_refused(tmp_path: Path, name: str, old: str, new: str, key: str) -> None:
    settings = _folder(tmp_path, name, old, new)
    with pytest.raises(ConfigError, match=rf"{name}\.yaml.*invalid value.*{key}"):
        load_config(name, settings)


@pytest.mark.parametrize(("old", "new", "why"), [
    ("  tax_years: 2\n", "  tax_yeras: 2\n", r"'tax_yeras' is none: did you mean 'tax_years'"),
    ("  social_security_months: 6\n", "  social_security_months: six\n", "whole numbers"),
    ("  tax_years: 2\n", "  tax_years: -1\n", "whole numbers"),
])
def test_a_misspelt_or_malformed_grading_window_is_refused(tmp_path: Path, old: str, new: str, why: str) -> None:
    # A misspelt window would grade without it (tax and social-security facts never stale, domain.md
    # §11); a malformed one failed in the middle of the night (int() of the value).
    settings = _folder(tmp_path, "grading", old, new)
    with pytest.raises(ConfigError, match=rf"grading\.yaml.*invalid value.*windows.*{why}"):
        load_config("grading", settings)


def test_a_bureau_s_grading_yaml_without_the_new_windows_is_accepted(tmp_path: Path) -> None:
    # A bureau's file written before grading-2026.8 has no tax_years, social_security_months: it keeps
    # grading without those windows (credit.grading.indicators.tax_window_start, social_window_start).
    settings = _folder(tmp_path, "grading", "  tax_years: 2\n", "")
    path = settings.config_dir / "grading.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  social_security_months: 6\n", ""), encoding="utf-8")
    windows = load_config("grading", settings)["windows"]
    assert "tax_years" not in windows and "social_security_months" not in windows


def test_broken_yaml_and_a_missing_folder_are_refused(tmp_path: Path) -> None:
    settings = _folder(tmp_path, "quality", "ceiling_min_rows: 50", "ceiling_min_rows: [50")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config("quality", settings)
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_config("schedule", Settings(config_dir=tmp_path / "nowhere"))


def test_the_command_line_says_so_in_one_message_with_exit_2(tmp_path: Path) -> None:
    settings = _folder(tmp_path, "schedule", "timezone: Asia/Shanghai", "timezone: Asia/Shanghia")
    env = {**os.environ, "CREDIT_CONFIG_DIR": str(settings.config_dir), "CREDIT_HOME": str(tmp_path / "home")}
    env.pop("CREDIT_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", "from credit.cli.main import main; main()", "deadlines"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "schedule.yaml" in done.stderr and "Asia/Shanghai" in done.stderr


def test_a_file_is_parsed_once_per_content_and_each_caller_gets_its_own_copy(tmp_path: Path) -> None:
    """The parse is shared by content (credit.config._checked): an edited file is read afresh at
    once, a typo put in afterwards is still refused, and what one caller changes in its document
    never reaches the next caller."""
    folder = tmp_path / "config"
    shutil.copytree(bundled("config"), folder)
    settings = Settings(config_dir=folder)
    first = load_config("quality", settings)
    first.data["quarantine_ceiling"] = 0.99
    again = load_config("quality", settings)
    assert again.data == load_config("quality", Settings(config_dir=bundled("config"))).data
    path = folder / "quality.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'version: "quality-' in text
    path.write_text(text.replace('version: "quality-', 'version: "edited-1-quality-', 1), encoding="utf-8")
    assert load_config("quality", settings).version.startswith("edited-1-quality-")
    path.write_text(text + "\nquarantine_cieling: 0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="quarantine_cieling"):
        load_config("quality", settings)


def test_the_bundled_keys_are_read_with_libyaml_not_the_pure_python_parser() -> None:
    """Checking a file's keys against the bundled file's parses the bundled file once per process
    with libyaml (credit.config._bundled_keys): ``yaml.safe_load``, pure Python, took 0.22 s of
    CPU for the bundled files, ten times libyaml's. A fresh process in which ``yaml.safe_load``
    refuses to run still loads (and checks) every bundled file."""
    names = sorted(p.stem for p in bundled("config").glob("*.yaml"))
    code = ("import yaml\n"
            "def refused(*a, **k):\n"
            "    raise AssertionError('yaml.safe_load is the pure-Python parser')\n"
            "yaml.safe_load = refused\n"
            "from credit.config import load_config\n"
            "from credit.settings import Settings, bundled\n"
            f"for name in {names!r}:\n"
            "    load_config(name, Settings(config_dir=bundled('config')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_bureau_s_grading_yaml_with_a_retired_window_still_loads(tmp_path: Path) -> None:
    # Before 2026-11-29 (19dcb06) the bundled file had windows.penalty_years (penalty publicity now
    # lives in publicity.yaml). A bureau's file written then loaded until the windows were checked
    # (grading-2026.8), which refused it as an unknown window: every night refused after an
    # upgrade, for a key the code had stopped reading. A retired window is accepted, and still ignored.
    settings = _folder(tmp_path, "grading", "  tax_years: 2\n", "  tax_years: 2\n  penalty_years: 3\n")
    windows = load_config("grading", settings)["windows"]
    assert windows["penalty_years"] == 3 and windows["tax_years"] == 2
    bad = _folder(tmp_path / "b", "grading", "  tax_years: 2\n", "  tax_years: 2\n  penalty_yeers: 3\n")
    with pytest.raises(ConfigError, match="penalty_yeers"):
        load_config("grading", bad)


def test_insured_drop_s_wording_must_name_the_months_compared(tmp_path: Path) -> None:
    # A bureau's file of grading-2026.8 said 较12个月前 in INSURED_DROP's text: with insured_trend_months
    # 6 every reason named a comparison that was not made (domain.md §7). Refused, naming the fix; the
    # same file still loads while the window is 12, and the bundled wording follows any window.
    old = "    text: 参保人数较{insured_trend_months}个月前下降比例\n"
    months = ("  insured_trend_months: 12", "  insured_trend_months: 6")
    settings = _folder(tmp_path, "grading", old, "    text: 参保人数较12个月前下降比例\n")
    assert load_config("grading", settings)["windows"]["insured_trend_months"] == 12
    path = settings.config_dir / "grading.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*months), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"grading\.yaml: INSURED_DROP.*insured_trend_months.*6.*"
                                          r"write \{insured_trend_months\}个月"):
        load_config("grading", settings)
    bundled_six = _folder(tmp_path / "six", "grading", *months)
    assert load_config("grading", bundled_six)["windows"]["insured_trend_months"] == 6
