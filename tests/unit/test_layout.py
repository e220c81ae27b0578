"""The shape the team set itself, checked on the source tree (README "How a night runs", docs).

Each rule reads the files as text or syntax trees; nothing is imported, so these run in
milliseconds and tell the file and line that breaks a rule.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("credit", "dags", "credit_airflow", "tests", "benchmarks")


def _sources(*trees: str) -> list[Path]:
    return sorted(p for t in trees for p in (ROOT / t).rglob("*.py") if "migrations" not in p.parts)


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"


def test_credit_never_imports_airflow() -> None:
    """``credit/`` is a plain package; Airflow is wiring in ``dags/`` and ``credit_airflow/``."""
    found = []
    for path in _sources("credit"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{_where(path, node)} {n}" for n in names if n.split(".")[0] == "airflow"]
    assert found == []


def test_no_module_imports_another_modules_private_names() -> None:
    """``from x import _y`` ties a module to another's insides; a shared helper is made public
    (in a kit module for tests) instead."""
    found = []
    for path in _sources(*TREES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                found += [f"{_where(path, node)} from {node.module} import {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []


def _inherited_names(path: Path, cls: str) -> set[str]:
    """The names a class of ``credit/`` inherits from its bases (the module imported)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    klass = getattr(module, cls, None)
    if not isinstance(klass, type):
        return set()
    return {name for base in klass.__mro__[1:] for name in vars(base)}


def test_every_function_of_credit_is_called_somewhere() -> None:
    """A function or method of ``credit/`` that no file names (its own but for its definition,
    or any other module, DAG, test or benchmark) is dead code. Decorated ones are reached through
    their decorator (routes, CLI commands, validators)."""
    words: dict[str, set[Path]] = {}
    for path in _sources(*TREES):
        for word in set(re.findall(r"[A-Za-z_]\w*", path.read_text(encoding="utf-8"))):
            words.setdefault(word, set()).add(path)
    found = []
    for path in _sources("credit"):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            hooks = _inherited_names(path, cls.name)   # a base class's hook (logging.Handler.emit) is called by it
            defs += [m for m in cls.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) and m.name not in hooks]
        for d in defs:
            if d.decorator_list or d.name.startswith("__"):
                continue
            named_here = len(re.findall(rf"\b{re.escape(d.name)}\b", text))
            if named_here <= 1 and not words.get(d.name, set()) - {path}:
                found.append(f"{_where(path, d)} {d.name}")
    assert found == []


#: How the code names a legal text: an order (44号令), an article (art. 12, 第十二条), a statute.
LEGAL_TEXT = re.compile(r"\d+号令|\barts?\. ?\d|第[0-9一二三四五六七八九十]+条|行政处罚法|民法典|条例|国市监")


def test_code_that_names_a_legal_rule_cites_its_domain_section() -> None:
    """Every rule's code cites its section of ``shared/domain.md`` (``§N``): a function or class
    that names a legal text cites it itself or its module's docstring does. The sample generator
    only imitates the rules and is left out."""
    found = []
    for path in _sources("credit"):
        if "sample" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        if "§" in (ast.get_docstring(tree) or ""):
            continue
        if LEGAL_TEXT.search(text) and "§" not in text:
            found.append(f"{path.relative_to(ROOT)} (names a legal text, cites no section)")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                source = ast.get_source_segment(text, node) or ""
                if LEGAL_TEXT.search(source) and "§" not in source:
                    found.append(f"{_where(path, node)} {node.name}")
    assert found == []


SQL_START = re.compile(r"\s*(select|insert|update|delete|with|create|alter)\s", re.IGNORECASE)


def test_sql_statements_of_any_length_live_in_files() -> None:
    """SQL longer than a short line lives in ``credit/sql/<area>/<name>.sql``, staged and
    commented, read through :mod:`credit.sqlfiles`; a one-line look-up may stay where it is used.
    Statements Python builds (column lists, table names) are f-strings and not counted."""
    found = []
    for path in _sources("credit"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and n.body and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and SQL_START.match(node.value)
                    and (len(node.value) >= 200 or node.value.strip().count("\n") >= 2)):
                found.append(f"{_where(path, node)} {node.value.strip()[:60]!r}")
    assert found == []


#: The calls that run a statement given as their first argument.
RUNS_SQL = {"text", "execute", "exec_driver_sql", "scalar", "scalars"}


def _inline_statements(path: Path) -> list[str]:
    """The SQL statements of any length written in ``path`` as a string literal given to
    ``sa.text``, ``execute`` and the like."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and node.args
                and (node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")) in RUNS_SQL):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and SQL_START.match(arg.value):
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append(f"{where}:{node.lineno} {arg.value.strip()[:60]!r}")
    return found


def test_the_command_line_writes_no_sql_of_any_length() -> None:
    """The rule above lets a one-line look-up stay where it is used, and so it let
    ``credit/cli/summary.py`` keep ``select summary from night_runs …`` inline, a statement the
    night's own code writes out twice more. The command line is presentation: it reads through
    the areas' modules or ``credit/sql`` files (:mod:`credit.sqlfiles`), never a statement of its own."""
    assert [hit for path in _sources("credit/cli") for hit in _inline_statements(path)] == []


#: Read sides held to the command line's rule: what a past night graded, its page and its advice are
#: read from ``credit/sql/grading`` files only. ``collect`` kept three statements inline, each a
#: run of short literals Python joins into one string of less than 200 characters without a line
#: break: the length rule above sees "a one-line look-up", whatever the lines it spans in the source.
GRADING_READ_SIDE = ("credit/grading/read.py", "credit/grading/report.py")


def test_the_grading_read_side_writes_no_sql_of_any_length() -> None:
    assert [hit for name in GRADING_READ_SIDE for hit in _inline_statements(ROOT / name)] == []


#: Modules that write no statement of their own, not even one built by an f-string: the night's
#: staging kept its advisory lock, its copies, its emptiness check and the statements that fill
#: the merge from the staging tables inline, and the anchors' publication its heads query, each
#: short enough for the length rule above or built with f-strings, which it does not count (ops3).
#: Their statements live in ``credit/sql/night/staging_*.sql`` and ``credit/sql/rosters/night_heads.sql``,
#: the ones with table or column names formatted in by Python as templates.
#: The night's store, scope, steps and partitions, the grading's night, indicators and counts, the
#: database helpers and the draws' store followed (sqlout): about 150 statements, one-liners, locks,
#: ANALYZE, savepoints and f-strings with table and column names, now ``credit/sql`` files, the
#: formatted ones templates (``str.format``) and conditions (:func:`credit.sqlfiles.fragment`).
NO_INLINE_SQL = ("credit/night/staging.py", "credit/rosters/anchors.py",
                 "credit/night/merge.py", "credit/night/scope.py", "credit/night/steps.py",
                 "credit/night/partitions.py", "credit/grading/night.py", "credit/grading/indicators.py",
                 "credit/grading/counts.py", "credit/db.py", "credit/bulk.py", "credit/backup.py",
                 "credit/schema.py", "credit/draws/read.py", "credit/draws/store.py", "credit/draws/pools.py")
#: A statement's opening, or a clause with a subquery, anywhere in a literal (a condition too).
#: ANALYZE, DROP, SHOW and the savepoints count too: each is a statement of its own (sqlout).
SQL_WORD = re.compile(r"^\s*(select|insert|update|delete|with|create|alter|copy|truncate|lock|do"
                      r"|analyze|drop|show|savepoint|release|rollback)\s"
                      r"|\b(select|insert|delete|copy)\s.*\b(from|into|stdin)\b", re.IGNORECASE | re.DOTALL)


def _sql_literals(path: Path) -> list[str]:
    """Every string literal or f-string of ``path`` (docstrings aside; an f-string's formatted
    values read as ``{}``) that holds a statement or a condition with a subquery."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n.body[0].value) for n in ast.walk(tree)
               if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
               and n.body and isinstance(n.body[0], ast.Expr)}
    skipped |= {id(part) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for part in n.values}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        text = node.value if isinstance(node, ast.Constant) else (
            "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
            if isinstance(node, ast.JoinedStr) else None)
        if isinstance(text, str) and SQL_WORD.search(text):
            found.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{node.lineno} {text[:60]!r}")
    return found


def test_the_modules_held_to_it_write_no_sql_of_their_own() -> None:
    assert [hit for name in NO_INLINE_SQL for hit in _sql_literals(ROOT / name)] == []


def test_the_sql_literal_check_sees_f_strings_and_short_statements(tmp_path: Path) -> None:
    (tmp_path / "staging.py").write_text(
        'import sqlalchemy as sa\n\ndef f(conn, fn, t):\n'
        '    conn.execute(sa.text(f"select {fn}(:cls, hashtext(:k))"))\n'
        '    conn.execute(sa.text("select pg_relation_size(cast(:t as regclass)) = 0"), {"t": t})\n'
        '    return (f"({t}) or exists (select 1 from {t})", f"copy x ({t}) from stdin")\n'
        'def g(conn, t):\n'
        '    conn.exec_driver_sql(f"analyze {t}")\n'
        '    conn.exec_driver_sql("release savepoint partition_rehearsal")\n'
        '    conn.exec_driver_sql(f"drop table if exists {t}")\n'
        '    return "show server_version_num"\n', encoding="utf-8")
    assert len(_sql_literals(tmp_path / "staging.py")) == 8


def test_the_inline_sql_check_sees_a_one_line_statement(tmp_path: Path) -> None:
    (tmp_path / "summary.py").write_text(
        'import sqlalchemy as sa\n\ndef f(conn):\n'
        '    return conn.execute(sa.text("select summary from night_runs where night = :n")).scalar()\n',
        encoding="utf-8")
    assert len(_inline_statements(tmp_path / "summary.py")) == 1


def test_the_browser_tests_keep_their_screenshots_where_they_say_git_ignored() -> None:
    """A browser test's screenshots go to ``tests/e2e/artifacts/``, the git-ignored folder its
    docstring and docs/api.md name; none is committed. test_pages.py's docstring named
    ``tests/artifacts/`` while it wrote to ``tests/e2e/artifacts/``, the workbench test wrote to
    both, and stale page screenshots sat committed in ``tests/artifacts/``."""
    import subprocess

    found = []
    for path in _sources("tests/e2e"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)} names {m}" for m in re.findall(r"tests/(?:\w+/)*artifacts/", text)
                  if m != "tests/e2e/artifacts/"]
        found += [f"{path.relative_to(ROOT)} writes to {m}" for m in re.findall(r"ARTIFACTS = (.+)", text)
                  if m.strip() != 'Path(__file__).parent / "artifacts"']
    assert "tests/e2e/artifacts/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "tests/*.png"], capture_output=True, text=True,
                             check=False).stdout.split()
    assert found + [f"{t} is committed" for t in tracked] == []


def _unnamed_modules(root: Path) -> list[str]:
    """The modules of ``credit`` the README's layout table does not name (issue 10: the table
    matches the tree). A module of ``credit/<area>/`` is named in that area's row, in backticks; a
    top-level module by its file name; a deeper folder (``cli/commands/``) by the folder."""
    rows = [line for line in (root / "README.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `credit")]
    unnamed = []
    for path in sorted((root / "credit").rglob("*.py")):
        rel = path.relative_to(root / "credit").parts
        if path.name == "__init__.py" or rel[0] in {"migrations", "defaults", "sql"}:
            continue
        if len(rel) == 1:
            named = any(f"`{path.name}`" in row or f"`credit/{path.name}`" in row for row in rows)
        else:
            token = rel[1] + "/" if len(rel) > 2 else path.stem
            named = any(row.split("|")[1].strip().startswith(f"`credit/{rel[0]}/`")
                        and f"`{token}" in row.split("|")[2] for row in rows)
        if not named:
            unnamed.append("/".join(("credit", *rel)))
    return unnamed


def test_the_readmes_layout_table_names_every_module() -> None:
    assert _unnamed_modules(ROOT) == []


def test_the_layout_check_sees_a_module_missing_from_the_table(tmp_path: Path) -> None:
    (tmp_path / "credit" / "night").mkdir(parents=True)
    (tmp_path / "credit" / "night" / "steps.py").write_text("", encoding="utf-8")
    (tmp_path / "credit" / "night" / "scope.py").write_text("", encoding="utf-8")
    (tmp_path / "README.md").write_text("| `credit/night/` | `steps` (the steps) |\n", encoding="utf-8")
    assert _unnamed_modules(tmp_path) == ["credit/night/scope.py"]
