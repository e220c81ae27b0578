"""The Chinese names officers read for a draw's codes (the command line and the bureau's draw page).

The codes stay what machines read (``--json``, the records, the API); these are what a table shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

STATE_LABELS = {"assigned": "已安排", "unstaffed": "检查人员不足，未安排", "unscheduled": "无可安排日期，未安排",
                "cancelled": "已取消"}
"""A drawn inspection's state (``draw_inspections.state``)."""

LEVEL_LABELS = {"district": "区县级", "city": "设区的市级", "province": "省级"}
"""Competence levels of the inspector draw (config/draws.yaml ``competence``, docs/draws.md)."""

RESULT_STATUS_LABELS = {"published": "已公示", "published_late": "已公示（超过公示期限）", "awaiting": "待公示",
                        "overdue": "逾期未公示", "not_inspected": "未实施检查", "cancelled": "已取消"}
"""Where an inspection's result stands against its publication limit (``credit.draws.read.public_results``,
domain.md §8)."""

REDRAW_KIND_LABELS = {"inspector_recused": "检查人员回避", "entity_closed": "主体已关闭"}
"""Why a redraw was recorded (``draw_events.kind``, ``credit.draws.derive``)."""


def label(labels: dict[str, str], code: object) -> str:
    """``code``'s Chinese name in ``labels``, the code itself when it has none, '' for None."""
    return "" if code is None else labels.get(str(code), str(code))


def matter_label(matter: str, matters: Mapping[str, str]) -> str:
    """A matter by its name on the 抽查事项清单 (the name ``/bureau/draws`` shows)."""
    return matters.get(matter, matter)


def _level(word: str | None) -> str:
    return "" if word is None else LEVEL_LABELS.get(word, word)


Arg = tuple[str, bool]
"""A value put into a note's Chinese sentence, and whether it is a code (an id kept as written)."""

# One pattern per note ``credit.draws.derive`` writes (notes are joined with "; "): its sentence
# in Chinese and the values that go into it.
_NOTES: list[tuple[re.Pattern[str], str, Callable[[re.Match[str], Mapping[str, str]], tuple[Arg, ...]]]] = [
    (re.compile(r"inspectors drawn at (\w+) level: fewer than (\d+) competent inspectors without conflict "
                r"at (\w+) level"),
     "{}范围内无回避情形的有权检查人员不足{}名，检查人员在{}范围抽取",
     lambda m, _: ((_level(m[3]), False), (m[2], False), (_level(m[1]), False))),
    (re.compile(r"fewer than (\d+) competent inspectors without conflict(?: \(widest level tried: (\w+)\))?"),
     "无回避情形的有权检查人员不足{}名{}",
     lambda m, _: ((m[1], False), (f"（已扩大至{_level(m[2])}范围）" if m[2] else "", False))),
    (re.compile(r"no working day outside quiet days in the window"), "检查期间内除企业宁静日外没有工作日",
     lambda m, _: ()),
    (re.compile(r"no replacement for recused inspector (\S+)"), "检查人员{}回避，无可替换的检查人员",
     lambda m, _: ((m[1], True),)),
    (re.compile(r"inspector (\S+) recused, replaced by (\S+?)(?: \(drawn at (\w+) level\))?"),
     "检查人员{}回避，由{}替换{}",
     lambda m, _: ((m[1], True), (m[2], True), (f"（在{_level(m[3])}范围抽取）" if m[3] else "", False))),
    (re.compile(r"entity closed"), "主体已关闭，本次检查取消", lambda m, _: ()),
    (re.compile(r"also drawn for (\S+) in place of (\S+)"), "另为“{}”替补抽中（替代{}）",
     lambda m, ms: ((matter_label(m[1], ms), False), (m[2], True))),
    (re.compile(r"drawn for (\S+) in place of (\S+)"), "为“{}”替补抽中（替代{}）",
     lambda m, ms: ((matter_label(m[1], ms), False), (m[2], True))),
]


def note_parts(note: str | None, matters: Mapping[str, str]) -> list[tuple[str, tuple[Arg, ...]]]:
    """The meaning of a drawn inspection's note (stored in English, as ``credit.draws.derive``
    wrote it): per part, a Chinese sentence with ``{}`` and the values for it; a part no pattern
    knows is itself, as a code."""
    out: list[tuple[str, tuple[Arg, ...]]] = []
    for part in note.split("; ") if isinstance(note, str) and note else []:   # a frame's missing note is NaN
        for pattern, sentence, args in _NOTES:
            m = pattern.fullmatch(part)
            if m:
                out.append((sentence, args(m, matters)))
                break
        else:
            out.append(("{}", ((part, True),)))
    return out


def note_text(note: str | None, matters: Mapping[str, str]) -> str:
    """:func:`note_parts` as plain text (the command line's tables)."""
    return "；".join(sentence.format(*(v for v, _ in args)) for sentence, args in note_parts(note, matters))
