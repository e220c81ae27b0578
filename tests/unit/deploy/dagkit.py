"""The DAG files built as the dag-processor builds them, without Airflow's metadata database."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

DAGS = Path(__file__).resolve().parents[3] / "dags"


def dag_module(dag_id: str) -> Any:
    """``dags/<dag_id>.py`` executed as a module (a DAG file is no package module)."""
    spec = importlib.util.spec_from_file_location(f"dagfile_{dag_id}", DAGS / f"{dag_id}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_dag(dag_id: str) -> Any:
    """The DAG object of ``dags/<dag_id>.py``: its ``@dag`` function called."""
    return getattr(dag_module(dag_id), dag_id)()


def dag_keyword(dag_id: str, name: str) -> ast.expr:
    """The expression given to ``@dag(name=...)`` in ``dags/<dag_id>.py``."""
    tree = ast.parse((DAGS / f"{dag_id}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dag":
            for kw in node.keywords:
                if kw.arg == name:
                    return kw.value
    raise AssertionError(f"dags/{dag_id}.py: no @dag({name}=...)")
