"""The package as a bureau installs it: `pip install <repo>` (not editable) into a fresh virtual
environment, used from a folder outside the repository with the bundled defaults.

This is what the Docker image and any production host do; it catches package data that only an
editable checkout can see (configuration, expectations, SQL, templates, migrations).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NIGHTS = ("2026-07-13", "2026-07-14", "2026-07-15")

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """A fresh virtual environment holding the package built from this checkout, pinned by the lock."""
    # Not under pytest's private temporary folders (mode 0700): the embedded PostgreSQL runs its
    # binaries from the environment as its own system user, which must be able to reach them.
    base = Path(tempfile.mkdtemp(prefix="credit-wheel-", dir="/tmp"))
    base.chmod(0o755)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base, dict(os.environ))
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    # A copy of the checkout without the developer's state, as a clean clone would be.
    src = base / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", ".git", ".credit", "demo", "build", "*.egg-info",
                                                             "__pycache__", "artifacts"))
    _run([uv, "pip", "install", "--quiet", "-p", str(venv / "bin" / "python"), "-c", str(REPO / "requirements.lock"),
          str(src)], base, dict(os.environ), timeout=900)
    shutil.rmtree(src)  # nothing may be read from the source tree after the install
    yield venv
    shutil.rmtree(base, ignore_errors=True)


def test_a_three_night_sample_runs_and_is_served_from_the_installed_package(installed: Path,
                                                                            tmp_path: Path) -> None:
    credit = str(installed / "bin" / "credit")
    home = installed.parent / "home"   # reachable by the embedded server's own user, like the venv
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env |= {"CREDIT_HOME": str(home), "GX_ANALYTICS_ENABLED": "False"}
    work = tmp_path / "elsewhere"
    work.mkdir()
    location = _run([str(installed / "bin" / "python"), "-c", "import credit; print(credit.__file__)"], work, env)
    assert str(installed) in location.stdout, "the package must come from the environment, not the checkout"

    _run([credit, "sample", "--entities", "300", "--nights", "3", "--out", "drop", "--seed", "3",
          "--start", NIGHTS[0]], work, env)
    _run([credit, "db", "upgrade"], work, env)
    for night in NIGHTS:
        _run([credit, "nightly", "--date", night, "--drop", "drop"], work, env)
    summary = _run([credit, "summary", "--date", NIGHTS[-1]], work, env)
    assert NIGHTS[-1] in summary.stdout
    assert (home / "reports" / NIGHTS[-1] / "index.html").is_file()

    port = _free_port()
    server = subprocess.Popen([credit, "serve", "--port", str(port)], cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    body = page.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "credit serve did not answer within 60 s"
                time.sleep(0.5)
        assert "<html" in body.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=5) as spec:
            assert b'"openapi"' in spec.read()
        # The offline /docs: its start-up script is package data, the Swagger UI bundle a dependency's.
        for asset in ("swagger-init.js", "swagger-ui-bundle.js"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs/assets/{asset}", timeout=5) as js:
                assert b"SwaggerUIBundle" in js.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
