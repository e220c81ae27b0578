"""The night benchmark's peak memory is the night child's own (issue 11). The benchmark process
generates the drop itself and then starts each night in a child: on Linux a child's
``getrusage(RUSAGE_SELF).ru_maxrss`` starts from the parent's high-water mark (the mark is kept
across fork and exec), so a night child read it as its own peak and reported the generator's
memory for every incremental night (841 MB at 1 M, where the night itself peaked at 430 MB)."""

from __future__ import annotations

import subprocess
import sys

CHILD = "from benchmarks.night import TreePeak; print(TreePeak().stop_mb())"


def test_a_night_childs_peak_is_not_its_parents() -> None:
    held = bytearray(400 * 2**20)   # the parent holds 400 MB, every page touched
    for i in range(0, len(held), 4096):
        held[i] = 1
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    peak = float(out.stdout.strip().splitlines()[-1])
    del held
    assert 0 < peak < 300, peak   # the child's own import and sampling: well under the parent's 400 MB
