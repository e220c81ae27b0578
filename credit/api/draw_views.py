"""The officers' draw page in Chinese (docs/api.md: the workbench is server-rendered Chinese pages).

A drawn inspection is stored with codes and an English note (``credit.draws.derive`` writes them
into the append-only tables and the records, where they stay as they are). Here they are shown as
an officer reads them: the state, the matter by the name ``/bureau/draws`` uses, the stratum as
the matter and its credit-risk tier (domain.md §7), the competence level, and the note's meaning in
Chinese. Codes an officer needs (USCC, inspector ids) are kept, marked ``<code>``; the raw value
goes in a ``title`` attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

from credit.api.bureau_views import TIER_LABELS
from credit.draws.labels import LEVEL_LABELS, STATE_LABELS


def code(value: object) -> Markup:
    """A code an officer needs (USCC, inspector id, draw id), escaped and marked as code."""
    return Markup("<code>{}</code>").format(value)


def matter_label(matter: str, matters: Mapping[str, str]) -> str:
    """A matter by its name on the 抽查事项清单 (the name ``/bureau/draws`` shows)."""
    return matters.get(matter, matter)


def stratum_label(tag: str, matters: Mapping[str, str]) -> str:
    """``annual_report:B`` → ``企业年度报告等公示信息抽查 · B类（信用风险一般）``."""
    matter, _, tier = tag.partition(":")
    tier_text = f"{tier}类（{TIER_LABELS[tier]}）" if tier in TIER_LABELS else tier
    return f"{matter_label(matter, matters)} · {tier_text}"


def _level(word: str) -> str:
    return LEVEL_LABELS.get(word, word)


# One pattern per note ``credit.draws.derive`` writes (notes are joined with "; ").
_NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Mapping[str, str]], Markup]]] = [
    (re.compile(r"inspectors drawn at (\w+) level: fewer than (\d+) competent inspectors without conflict "
                r"at (\w+) level"),
     lambda m, _: Markup("{}范围内无回避情形的有权检查人员不足{}名，检查人员在{}范围抽取").format(
         _level(m[3]), m[2], _level(m[1]))),
    (re.compile(r"fewer than (\d+) competent inspectors without conflict(?: \(widest level tried: (\w+)\))?"),
     lambda m, _: Markup("无回避情形的有权检查人员不足{}名{}").format(
         m[1], f"（已扩大至{_level(m[2])}范围）" if m[2] else "")),
    (re.compile(r"no working day outside quiet days in the window"),
     lambda m, _: Markup("检查期间内除企业宁静日外没有工作日")),
    (re.compile(r"no replacement for recused inspector (\S+)"),
     lambda m, _: Markup("检查人员{}回避，无可替换的检查人员").format(code(m[1]))),
    (re.compile(r"inspector (\S+) recused, replaced by (\S+?)(?: \(drawn at (\w+) level\))?"),
     lambda m, _: Markup("检查人员{}回避，由{}替换{}").format(
         code(m[1]), code(m[2]), f"（在{_level(m[3])}范围抽取）" if m[3] else "")),
    (re.compile(r"entity closed"), lambda m, _: Markup("主体已关闭，本次检查取消")),
    (re.compile(r"also drawn for (\S+) in place of (\S+)"),
     lambda m, ms: Markup("另为“{}”替补抽中（替代{}）").format(matter_label(m[1], ms), code(m[2]))),
    (re.compile(r"drawn for (\S+) in place of (\S+)"),
     lambda m, ms: Markup("为“{}”替补抽中（替代{}）").format(matter_label(m[1], ms), code(m[2]))),
]


def note_html(note: str | None, matters: Mapping[str, str]) -> Markup:
    """The meaning of a drawn inspection's note in Chinese (codes kept as ``<code>``); a part no
    pattern knows is shown as it is, as code."""
    if not note:
        return Markup("")
    parts: list[Markup] = []
    for part in note.split("; "):
        for pattern, render in _NOTES:
            m = pattern.fullmatch(part)
            if m:
                parts.append(render(m, matters))
                break
        else:
            parts.append(code(part))
    return Markup("；").join(parts)


def inspection_row(r: Mapping[Any, Any], matters: Mapping[str, str]) -> dict[str, Any]:
    """One current inspection (``credit.draws.read.current_inspections``) as the page shows it."""
    state = str(r["state"])
    return {
        "uscc": str(r["uscc"]), "version": int(r["version"]),
        "state": state, "state_label": STATE_LABELS.get(state, state),
        "matters": "；".join(matter_label(str(m), matters) for m in r["matters"] or []),
        "matter_codes": ",".join(str(m) for m in r["matters"] or []),
        "strata": "；".join(stratum_label(str(s), matters) for s in r["strata"] or []),
        "strata_codes": ",".join(str(s) for s in r["strata"] or []),
        "inspectors": [str(x) for x in r["inspectors"] or []],
        "scheduled_on": str(r["scheduled_on"]) if r["scheduled_on"] is not None else "",
        "note": str(r["note"] or ""), "note_html": note_html(r["note"], matters),
    }


__all__ = ["LEVEL_LABELS", "STATE_LABELS", "code", "inspection_row", "matter_label", "note_html",
           "stratum_label"]
