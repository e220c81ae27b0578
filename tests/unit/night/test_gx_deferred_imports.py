"""Great Expectations is imported with ``scipy.stats`` and ``altair`` deferred (issue 11:
``credit.night.quality.deferred_imports``): a night's validation never runs them, and an
expectation that needs them still gets the whole module at its first use.

In a fresh interpreter: another test of the session may have imported Great Expectations (and so
scipy.stats) already, which would leave nothing to defer."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from credit.night import quality

SCRIPT = textwrap.dedent("""
    import math, sys, types
    from datetime import date

    import pandas as pd

    from credit.contract.sources import SOURCES
    from credit.night import quality
    from credit.settings import bundled

    assert "scipy.stats" not in sys.modules and "altair" not in sys.modules
    quality.batch_definition()
    assert not any(isinstance(f, quality._DeferredFinder) for f in sys.meta_path), "finder left installed"
    for name in sorted(quality.DEFERRED_IMPORTS):
        assert type(sys.modules[name]) is not types.ModuleType, f"{name} was run by the import"
    for source in ("registration", "annual_reports"):
        frame = pd.DataFrame([{c: None for c in SOURCES[source].column_names}]).astype(quality.ARROW_STRING)
        checked = quality.check_rows(frame, SOURCES[source], date(2026, 7, 13),
                                     bundled("expectations") / f"{source}.json")
        assert checked.partials
    for name in sorted(quality.DEFERRED_IMPORTS):
        assert type(sys.modules[name]) is not types.ModuleType, f"{name} was run by a validation"
    from scipy import stats
    assert math.isclose(stats.entropy([1, 0], [0.5, 0.5]), math.log(2))
    assert type(sys.modules["scipy.stats"]) is types.ModuleType
    import altair
    assert altair.Chart is not None
    print("ok")
""")


def test_scipy_stats_and_altair_are_run_only_when_used() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                          env={"GX_ANALYTICS_ENABLED": "False", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_the_finder_leaves_other_modules_and_is_removed() -> None:
    import types

    before = list(sys.meta_path)
    with quality.deferred_imports(frozenset({"json.decoder_not_a_module"})):
        import json.tool  # noqa: F401  not named: imported as always
        assert type(sys.modules["json.tool"]) is types.ModuleType
        assert len(sys.meta_path) == len(before) + 1
    assert sys.meta_path == before
    with pytest.raises(ModuleNotFoundError):
        with quality.deferred_imports(frozenset({"credit.no_such_module"})):
            import credit.no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert sys.meta_path == before
