"""The bureau's versioned configuration (config/*.yaml).

Each file carries a human ``version``; the version recorded with every output is that label
plus the first 12 hex digits of the file's SHA-256, so an edit without a new label still shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from credit.settings import Settings, get_settings


@dataclass(frozen=True)
class ConfigDoc:
    name: str
    version: str
    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def load_config(name: str, settings: Settings | None = None) -> ConfigDoc:
    """Load ``<config_dir>/<name>.yaml``; its ``version`` key is required."""
    settings = settings or get_settings()
    path = Path(settings.config_dir) / f"{name}.yaml"
    raw = path.read_bytes()
    data = yaml.safe_load(raw) or {}
    if "version" not in data:
        raise ValueError(f"{path} has no 'version' key: every bureau configuration must be versioned")
    digest = hashlib.sha256(raw).hexdigest()[:12]
    return ConfigDoc(name, f"{data['version']}@{digest}", data)


def config_versions(names: list[str], settings: Settings | None = None) -> str:
    """One string naming every configuration an output depends on, e.g. for a night's run."""
    return ";".join(load_config(n, settings).version for n in names)
