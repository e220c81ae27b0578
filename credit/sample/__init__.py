"""Deterministic generator of realistic nightly drops (样例夜间数据包) — contracts.md §1.

``write_sample`` writes one folder per night, ``<out>/<YYYY-MM-DD>/``, holding ``manifest.json``,
one file per source that changed; beside them, ``<out>/_defects/<YYYY-MM-DD>.json`` is the
ledger of the defects injected on purpose into that night (outside the night's folder, which holds
only what the platform delivers; tests and benchmarks read it, :func:`defects_path`). Night 1 carries a full
snapshot (``mode: full``) of every source of the contract; later nights carry ``delta`` files
with the changed and new rows only, and leave out a source that did not change. Sources,
columns, keys and value sets are imported from :mod:`credit.contract.sources`, never restated.

How determinism and scale are reconciled (one module each):

* :mod:`.draw` — every attribute of entity ``i`` is a pure function of ``(seed, i)`` (a salted
  counter-based hash), so any subset of entities is rebuilt vectorised, as a delta night needs,
  without holding 10 million rows; events of later nights come from seeded PCG64 generators.
* :mod:`.entities`, :mod:`.usccs`, :mod:`.words` — entities, their names, addresses and codes;
  :mod:`.facts` — penalties, annual reports, tax, social security, findings;
  :mod:`.inspectors` — the roster and spot-check results; :mod:`.codes` — the contract's value
  sets as integer codes.
* :mod:`.nights` — night 1 in chunks of ``CHUNK`` entities, later nights as deltas; events of
  night 1 dated after it (late reports, fines paid later, cures) wait in :mod:`.world`.
* :mod:`.files` — formats, streamed SHA-256 and row counts, the manifest; :mod:`.defects` — the
  defects of ``DEFECT_KINDS`` injected into about ``defect_rate`` of the rows, each recorded as
  ``{"line", "row", "kind", "column", "normalisable"[, "duplicate_of"]}`` (``line`` is the 1-based
  physical line, header = 1; Parquet rows are numbered alike). Duplicates are appended at the end
  of the block they copy. A missing column is never injected; ``drop_column`` makes one on demand.
"""

from credit.sample.defects import DEFECT_KINDS, NORMALISABLE_DEFECTS, Defect
from credit.sample.files import ManifestEntry, defects_path, drop_column
from credit.sample.nights import Progress, write_sample

__all__ = ["DEFECT_KINDS", "NORMALISABLE_DEFECTS", "Defect", "ManifestEntry", "Progress", "defects_path", "drop_column",
           "write_sample"]
