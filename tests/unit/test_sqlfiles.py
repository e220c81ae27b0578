"""credit.sqlfiles.rendered: ``:name`` placeholders as typed literals, or left to the driver as values."""

from __future__ import annotations

from datetime import date

import pytest

from credit import sqlfiles


def test_bound_placeholders_are_left_to_the_driver_and_percent_signs_doubled() -> None:
    text = sqlfiles.rendered("grading/social", bound=("lo", "hi", "social_since", "social_until"), trend_months=12, ranged=1)
    assert "between %(lo)s and %(hi)s" in text
    assert ":lo" not in text and ":hi" not in text
    assert "make_interval(months => 12)" in text and "(1 = 0 or" in text
    assert "%" not in (text.replace("%(lo)s", "").replace("%(hi)s", "").replace("%(social_since)s", "")
                       .replace("%(social_until)s", "").replace("%%", ""))


def test_without_bound_every_placeholder_needs_a_date_or_an_int() -> None:
    with pytest.raises(KeyError):
        sqlfiles.rendered("grading/social", trend_months=12, ranged=1)
    with pytest.raises(TypeError):
        sqlfiles.rendered("grading/tax", ranged=1, tax_from_year=2024, lo="x", hi="y")  # type: ignore[arg-type]
    assert "date '2026-07-13'" in sqlfiles.rendered("grading/penalties", bound=("lo", "hi", "hm", "complete"), night=date(2026, 7, 13),
                                                     ranged=0)


def test_a_fragment_leaves_out_its_comment_lines_which_would_swallow_the_rest_of_a_line() -> None:
    assert sqlfiles.text_of("night/merge_gone_held").lstrip().startswith("--")
    clause = sqlfiles.fragment("night/merge_gone_held").format(kept="held", column="uscc")
    assert clause == "not exists (select 1 from held h where h.k is null or h.k = t.uscc::text)"
    assert f"t.a = 1 and {clause} and t.b = 2".count("--") == 0


def test_every_file_the_package_names_is_there() -> None:
    """Each ``credit/sql`` name written in a call of the loader (``sqlfiles.text_of("night/…")``,
    either branch of a conditional too) names a file that exists: a misspelt name would fail only
    when its statement runs."""
    import ast
    from pathlib import Path

    root = Path(sqlfiles.__file__).resolve().parent
    loaders = {"text_of", "statement", "fragment", "rendered", "frame"}
    missing, seen = [], 0
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute)
                    and node.func.attr in loaders and getattr(node.func.value, "id", "") == "sqlfiles"):
                for c in ast.walk(node.args[min(len(node.args) - 1, 1) if node.func.attr == "frame" else 0]):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        seen += 1
                        if not (root / "sql" / f"{c.value}.sql").is_file():
                            missing.append(f"{path.relative_to(root)}:{c.lineno} {c.value}")
    assert seen > 300 and missing == []
