"""Rate limits: a token bucket per key (or per client address for anonymous callers).

Limits come from config/api.yaml ``rate_limits`` (requests per minute per role) unless the key
carries its own. In memory and per process: the figures are per server process (docs/api.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets holding up to one minute's allowance, refilled continuously."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_buckets: int = 100_000) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._max = max_buckets

    def take(self, who: str, per_minute: int, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens; returns 0 when allowed, else the seconds to wait before retrying."""
        now = self._clock()
        rate = per_minute / 60.0
        with self._lock:
            b = self._buckets.get(who)
            if b is None:
                if len(self._buckets) >= self._max:   # bounded memory under a flood of addresses
                    self._buckets.clear()
                b = self._buckets[who] = _Bucket(float(per_minute), now)
            b.tokens = min(float(per_minute), b.tokens + (now - b.stamp) * rate)
            b.stamp = now
            if b.tokens >= cost:
                b.tokens -= cost
                return 0.0
            return (cost - b.tokens) / rate if rate > 0 else 60.0


def retry_after(wait: float) -> int:
    """The whole seconds to tell a refused caller, in the 429's ``Retry-After`` and in its message
    alike: ``wait`` rounded *up* (at least 1). Rounded to nearest, a wait of 0.3 s read "请 0 秒后重试"
    beside ``Retry-After: 1``, and a caller retrying after round(1.4) = 1 s was refused again
    (RFC 9110 §10.2.3: delay-seconds is a non-negative integer; a shorter one is no help)."""
    return max(1, math.ceil(wait))
