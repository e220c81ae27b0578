"""The deferrable wait for a night's ``manifest.json`` (the platform writes it last)."""

from __future__ import annotations

from functools import cached_property

from airflow.providers.standard.sensors.filesystem import FileSensor


class ManifestSensor(FileSensor):
    """Airflow's :class:`FileSensor` on an absolute path, with no ``fs`` connection to set up.

    Deferrable: while the manifest is missing the task frees its worker slot and the triggerer
    polls the file; past ``timeout`` seconds the task fails (and the operators are told).
    """

    @cached_property
    def path(self) -> str:
        return str(self.filepath)
