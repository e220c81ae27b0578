"""Every step a DAG task calls runs where a refusal fails the task at once.

Issue 12: transient faults are retried, a refusal (``NightRefused``) is not — it must raise
``AirflowFailException`` with its reason, or the night is retried for minutes with backoff before
the operator is told. The wrapper is ``refusals_fail_at_once``; this reads the DAG file's syntax
tree, so it needs no Airflow.
"""

from __future__ import annotations

import ast
from pathlib import Path

DAG = Path(__file__).resolve().parents[3] / "dags" / "credit_nightly.py"


def unguarded_step_calls(tree: ast.AST) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST, guarded: bool, where: str) -> None:
        if isinstance(node, ast.With):
            guarded = guarded or any(
                isinstance(item.context_expr, ast.Call)
                and isinstance(item.context_expr.func, ast.Name)
                and item.context_expr.func.id == "refusals_fail_at_once" for item in node.items)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "steps"
                and not guarded):
            found.append(f"{where}: steps.{node.func.attr} (line {node.lineno})")
        for child in ast.iter_child_nodes(node):
            visit(child, guarded, where)

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(is_task(d) for d in node.decorator_list):
            visit(node, False, node.name)
    return found


def is_task(decorator: ast.expr) -> bool:
    """``@task``, ``@task(...)``, ``@task.sensor(...)`` and the like."""
    while isinstance(decorator, ast.Call | ast.Attribute):
        decorator = decorator.func if isinstance(decorator, ast.Call) else decorator.value
    return isinstance(decorator, ast.Name) and decorator.id == "task"


def test_every_task_runs_its_steps_under_the_refusal_guard() -> None:
    assert unguarded_step_calls(ast.parse(DAG.read_text(encoding="utf-8"))) == []


def test_the_check_sees_an_unguarded_step() -> None:
    source = "@task\ndef t():\n    steps.open_night(1)\n    with refusals_fail_at_once():\n        steps.ok()\n"
    assert unguarded_step_calls(ast.parse(source)) == ["t: steps.open_night (line 3)"]
