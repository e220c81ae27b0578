"""The bureau's versioned configuration (config/*.yaml).

Each file carries a human ``version``; the version recorded with every output is that label
plus the first 12 hex digits of the file's SHA-256, so an edit without a new label still shows.

A bureau's own folder (``CREDIT_CONFIG_DIR``) is checked when a file is read: a key the bundled
file of the same name does not know (a typo such as ``quarantine_cieling``) and the few values
that switch a safeguard off when out of range (a share above 1, an unknown timezone) are refused
with :class:`ConfigError`, naming the file, the key and what to write instead, before a night
uses them.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from credit.settings import Settings, bundled, get_settings


class ConfigError(ValueError):
    """A configuration file that cannot be used as written; the message names the file and the fix."""


@dataclass(frozen=True)
class ConfigDoc:
    name: str
    version: str
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def _share(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return "a share between 0 and 1 (0.20 = 20 %)"
    return None


def _shares(value: Any) -> str | None:
    if not isinstance(value, dict) or any(_share(v) for v in value.values()):
        return "a mapping of sources to shares between 0 and 1, e.g. {registration: 0.05}"
    return None


def _count(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return "a whole number, 0 or more"
    return None


def _day(value: Any) -> str | None:
    if isinstance(value, date):
        return None
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return "a date YYYY-MM-DD"
    return None


def _zone(value: Any) -> str | None:
    try:
        ZoneInfo(str(value))
    except (ValueError, KeyError):   # ZoneInfoNotFoundError is a KeyError
        return "an IANA timezone such as Asia/Shanghai"
    return None


#: grading.yaml windows the bundled file once named and the code no longer reads: a bureau's file
#: written for that version still loads (the key is ignored). penalty_years: until 2026-11-29
#: (19dcb06), penalty publicity now in publicity.yaml (domain.md §6).
_RETIRED_WINDOWS = frozenset({"penalty_years"})


def _windows(value: Any) -> str | None:
    """grading.yaml ``windows``: each a whole number, 0 or more, and only the windows the bundled file
    names or once named (:data:`_RETIRED_WINDOWS`; a misspelt ``tax_years`` would quietly grade
    without the window: domain.md §11)."""
    known = _bundled_keys("grading", "windows")
    if not isinstance(value, dict) or any(_count(v) for v in value.values()):
        return "a mapping of windows to whole numbers, 0 or more, e.g. {tax_years: 2}"
    unknown = sorted(str(k) for k in value if k not in known | _RETIRED_WINDOWS)
    if unknown:
        near = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        return (f"only known windows ('{unknown[0]}' is none" + (f": did you mean '{near[0]}'?" if near else "")
                + f"; known windows: {', '.join(sorted(known))})")
    return None


def _insured_drop_texts(data: dict[str, Any]) -> str | None:
    """grading.yaml: INSURED_DROP's wording (the item on ``insured_drop`` and its bands) names the
    months the headcount is compared over — ``{insured_trend_months}``, or the window's number itself.
    A bureau's file that says 较12个月前 while ``insured_trend_months`` is 6 would give every officer
    a reason that is not the comparison made (domain.md §7)."""
    months = str((data.get("windows") or {}).get("insured_trend_months", ""))
    for item in data.get("scorecard") or []:
        if not isinstance(item, dict) or item.get("indicator") != "insured_drop":
            continue
        texts = [str(item.get("text", ""))] + [str(b.get("text", "")) for b in item.get("bands") or []
                                               if isinstance(b, dict)]
        for text in texts:
            named = re.findall(r"(\d+)\s*个月", text)
            if any(n != months for n in named):
                return (f"{item.get('code')}: 文字所称月数与 windows.insured_trend_months（{months}）不一致 "
                        f"(the text {text!r} names other months than windows.insured_trend_months, {months}) — "
                        f"write {{insured_trend_months}}个月 in the text")
    return None


# The values whose wrong form would quietly disable a safeguard or fail only in the middle of a night.
_VALUES: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("quality", "quarantine_ceiling"): _share,
    ("quality", "per_source_ceiling"): _shares,
    ("quality", "full_snapshot_min_share"): _share,
    ("quality", "ceiling_min_rows"): _count,
    ("quality", "full_snapshot_min_rows"): _count,
    ("quality", "earliest_date"): _day,
    ("schedule", "timezone"): _zone,
    ("grading", "windows"): _windows,
}


# libyaml's parser where PyYAML was built with it (the wheels are): the same documents, about ten
# times faster than the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _bundled_keys(name: str, section: str | None = None) -> frozenset[str]:
    """The top-level keys of the bundled ``<name>.yaml`` (unknown keys of a bureau's file are
    refused), or those of its mapping ``section``. Parsed with :data:`_LOADER`: with ``yaml.safe_load`` (pure Python) the bundled files
    cost 0.22 s of CPU per process (rules.yaml alone 114 ms), with libyaml 0.026 s (2026-12-01,
    the same keys for every bundled file)."""
    path = bundled("config", f"{name}.yaml")
    if not path.is_file():
        return frozenset()
    data = yaml.load(path.read_bytes(), Loader=_LOADER) or {}
    return frozenset(data if section is None else data.get(section) or {})


def _check(name: str, path: Path, data: dict[str, Any]) -> None:
    known = _bundled_keys(name)
    for key in data:
        if known and key not in known:
            near = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f"did you mean '{near[0]}'?" if near else f"known keys: {', '.join(sorted(known))}"
            raise ConfigError(f"{path}: 未知的配置项 (unknown key) '{key}' — {hint}")
    for (doc, key), check in _VALUES.items():
        if doc == name and data.get(key) is not None:
            wanted = check(data[key])
            if wanted:
                raise ConfigError(f"{path}: 配置值无效 (invalid value) {key}: {data[key]!r} — write {wanted}")
    wrong = _insured_drop_texts(data) if name == "grading" else None
    if wrong:
        raise ConfigError(f"{path}: {wrong}")


def load_config(name: str, settings: Settings | None = None) -> ConfigDoc:
    """Load ``<config_dir>/<name>.yaml``; its ``version`` key is required; see :class:`ConfigError`."""
    settings = settings or get_settings()
    path = Path(settings.config_dir) / f"{name}.yaml"
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"{path}: 无法读取配置文件，CREDIT_CONFIG_DIR 须指向包含自带配置全部文件的文件夹（{bundled('config')}） "
                          f"(cannot read the configuration file: {e.strerror} — CREDIT_CONFIG_DIR must name a folder "
                          f"holding every file of the bundled configuration)") from None
    version, data = _checked(name, str(path), raw)
    return ConfigDoc(name, version, copy.deepcopy(data))   # the caller's own copy: the parse is shared


@lru_cache(maxsize=128)
def _checked(name: str, path: str, raw: bytes) -> tuple[str, dict[str, Any]]:
    """The version label and keys of one configuration file's bytes, parsed and checked once per
    content (issue 11): a night asks for its configuration many times (every rule module, the
    version recorded with each output); parsing every file anew took about 1.8 s of CPU of a 1 M
    incremental night (py-spy, 2026-12-01). The key is the bytes themselves, so an edited file is
    read afresh, as before."""
    try:
        data = yaml.load(raw, Loader=_LOADER) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: 不是有效的 YAML (not valid YAML): {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: 应为键值映射 (must be a mapping of keys to values)")
    if "version" not in data:
        raise ConfigError(f"{path} has no 'version' key: every bureau configuration must be versioned")
    _check(name, Path(path), data)
    digest = hashlib.sha256(raw).hexdigest()[:12]
    return f"{data['version']}@{digest}", data


def config_versions(names: list[str], settings: Settings | None = None) -> str:
    """One string naming every configuration an output depends on, e.g. for a night's run."""
    return ";".join(load_config(n, settings).version for n in names)
