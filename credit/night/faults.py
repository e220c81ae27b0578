"""A test hook: crash or pause a night at a named point (``CREDIT_FAULT``). Not for production use.

The crash tests (``tests/db/night/test_crashes.py``) run ``credit nightly`` as a subprocess with
``CREDIT_FAULT=<point>``; when the night reaches that point the process kills itself with SIGKILL
(no clean-up, no atexit, no rollback by the client: what a power cut or the OOM killer does).
``CREDIT_FAULT=<point>@pause`` instead writes the file named by ``CREDIT_FAULT_SIGNAL`` and waits
until the test deletes it (at most ``CREDIT_FAULT_WAIT`` seconds, default 120), so that a test can
restart the database while the night stands at that point.

The points, in the order a night reaches them (:data:`POINTS`):

- ``open:after`` — the manifest checked, nothing ingested;
- ``ingest:after`` — every file staged (credit.night.staging), nothing published;
- ``publish:begin`` — inside the publishing transaction, the lock taken, nothing written yet;
- ``publish:store`` — the store merged and the quarantine copied, rosters not yet decided;
- ``publish:rosters`` — roster decisions written, grades not yet;
- ``publish:inside`` — everything written, the night's record too, just before COMMIT;
- ``publish:after`` — committed, the nightly report not yet written.

A partitioned night also reaches ``partition:staged`` in each partition task (not in
:data:`POINTS`, which an unpartitioned night goes through): the region's rehearsal rolled back,
its results written to the staging connection, not committed (:mod:`credit.night.partitions`).

Unset (always, outside tests) every call is a dictionary look-up and nothing else.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

POINTS = ("open:after", "ingest:after", "publish:begin", "publish:store", "publish:rosters",
          "publish:inside", "publish:after")


def fault_point(name: str) -> None:
    """Crash (SIGKILL) or pause here if ``CREDIT_FAULT`` names this point; otherwise do nothing."""
    wanted = os.environ.get("CREDIT_FAULT")
    if not wanted:
        return
    point, _, action = wanted.partition("@")
    if point != name:
        return
    if action == "pause":
        signal_file = Path(os.environ["CREDIT_FAULT_SIGNAL"])
        signal_file.write_text(str(os.getpid()))
        deadline = time.monotonic() + float(os.environ.get("CREDIT_FAULT_WAIT", "120"))
        while signal_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return
    os.kill(os.getpid(), signal.SIGKILL)
