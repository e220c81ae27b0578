"""Every command taking a USCC refuses a malformed one the same way, before any database is reached
(domain.md §1, GB 32100-2015; the check is python-stdnum's, through
:func:`credit.api.validation.uscc_problem`): exit 2, the fault named in Chinese then English.

An outsider's acceptance pass (s35) found ``credit grades show 91330100522467994X`` (check
character wrong, N expected) answering "没有分类结果 (no grade …)" while ``credit status`` refused
the code: a mistyped code read as "this entity has no grade"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from credit.api.validation import uscc_problem
from credit.cli.main import app

BAD = "91330100522467994X"          # check character should be N
WRONG = "校验码错误：第18位应为“N”，收到“X”"

# One invocation per command taking a USCC; "U" is where the code goes.
INVOCATIONS = {
    "credit status": ["status", "U"],
    "credit repair apply": ["repair", "apply", "U", "--roster", "abnormal", "--received", "2026-07-14"],
    "credit grades show": ["grades", "show", "U"],
    "credit serious list": ["serious", "list", "--uscc", "U"],
    "credit draw redraw": ["draw", "redraw", "T1", "--uscc", "U", "--reason", "closed", "--entity-closed"],
    "credit serious assess": ["serious", "assess", "P1", "--uscc", "U", "--officer", "王科长", "--intent", "negligent",
                              "--frequency", "首次", "--harm", "轻微", "--outcome", "list", "--on", "2026-03-10"],
    "credit serious consent": ["serious", "consent", "P1", "--uscc", "U", "--officer", "王科长", "--authority", "北京市",
                               "--consented-on", "2026-03-10", "--document", "京函1号", "--on", "2026-03-10"],
}


pytestmark = pytest.mark.usefixtures("unreachable_database")


def walk(cmd: Any, path: str = "credit") -> Iterator[tuple[str, Any]]:
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from walk(sub, f"{path} {name}")


def test_the_list_holds_every_command_taking_a_uscc() -> None:
    taking = {path for path, cmd in walk(typer.main.get_command(app))
              for p in getattr(cmd, "params", []) if p.name == "uscc"}
    assert taking == set(INVOCATIONS)


def test_the_shared_check_names_the_fault() -> None:
    problem = uscc_problem(BAD)
    assert problem is not None and problem.startswith(WRONG)


@pytest.mark.parametrize("path", sorted(INVOCATIONS))
@pytest.mark.parametrize("code", [BAD, "9133010052246799", "91330100522467994I"])
def test_a_malformed_uscc_is_refused_alike(path: str, code: str) -> None:
    r = CliRunner().invoke(app, [code if a == "U" else a for a in INVOCATIONS[path]])
    said = " ".join(r.output.split())
    assert r.exit_code == 2, (r.exit_code, said, r.exception)
    problem = uscc_problem(code)
    assert problem is not None and " ".join(problem.split()) in said, said
    assert "没有分类结果" not in said and "Traceback" not in said
