"""The night benchmark's CPU meter leaves out the memory sampler's own CPU (issue 11): the client's
figure is the night's work, and the sampler's thread walks /proc 50 times a second for the whole
night (about 1 ms a sample on this machine, 5 % of a core: 5 core-seconds of a 1 M first night)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from benchmarks.night import CpuMeter, TreePeak


def test_the_memory_samplers_cpu_is_not_counted_as_the_nights(tmp_path: Path) -> None:
    done = threading.Event()
    idle = [threading.Thread(target=done.wait, daemon=True) for _ in range(40)]   # a night's thread pools
    for t in idle:
        t.start()
    peak = TreePeak()
    try:
        meter = CpuMeter(tmp_path, exclude=peak.cpu_seconds)   # no server under tmp_path: its side is 0
        time.sleep(2.0)                                         # the night does nothing; only the sampler works
        spent = meter.phase()
    finally:
        peak.stop_mb()
        done.set()
    assert peak.cpu_seconds() > 0.02, peak.cpu_seconds()   # the sampler did cost something
    assert spent["client"] < 0.02, (spent, peak.cpu_seconds())
