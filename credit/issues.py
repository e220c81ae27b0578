"""Issues (问题): a refusal, a warning or a quarantine reason as a record, not a formatted string.

Every issue has a stable ``code`` (the rule's name: what tests, logs and officers search for), the
file and, where known, the line it concerns, and one sentence in Chinese for the clerk with its
English rendering for the log. The texts live in one table per area (code → :class:`Text`), so a
reason is written once and rendered the same everywhere: on the terminal as
``file: 第 N 行：中文 (line N: English) [code]`` (Chinese first: the officer reads the Chinese, the
English follows for the log), in JSON as an object whose fields (``file``, ``line``, ``code``) are
the machine's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple, TypedDict, cast

Level = Literal["refusal", "warning", "quarantine"]


class Text(NamedTuple):
    """One sentence in Chinese and English; ``{name}`` fields are filled by :meth:`render`."""

    zh: str
    en: str

    def render(self, **params: object) -> Text:
        return Text(self.zh.format(**params), self.en.format(**params))

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})"


class IssueDict(TypedDict):
    code: str
    level: Level
    file: str
    line: int | None
    zh: str
    en: str


@dataclass(frozen=True, kw_only=True)
class Issue:
    code: str
    level: Level
    file: str
    line: int | None = None
    zh: str
    en: str

    def text(self) -> str:
        """``file: 第 N 行：中文 (line N: English) [code]``, one line for the terminal."""
        return rendered(self.file, self.line, self.zh, self.en, self.code)

    def __str__(self) -> str:
        return self.text()

    def as_dict(self) -> IssueDict:
        return {"code": self.code, "level": self.level, "file": self.file, "line": self.line,
                "zh": self.zh, "en": self.en}

    @classmethod
    def from_dict(cls, doc: Mapping[str, object]) -> Issue:
        line = doc.get("line")
        return cls(code=str(doc["code"]), level=cast(Level, doc["level"]), file=str(doc["file"]),
                   line=int(line) if isinstance(line, int) else None, zh=str(doc["zh"]), en=str(doc["en"]))


def rendered(file: object, line: int | None, zh: object, en: object, code: object) -> str:
    """An issue as one line: ``file: 第 N 行：中文 (line N: English) [code]``, or without a line
    ``file: 中文 (English) [code]``. The line is said in Chinese with the Chinese sentence and in
    English inside the English part, so each language reads whole (the file's name is neither)."""
    if line is None:
        return f"{file}: {zh} ({en}) [{code}]"
    return f"{file}: 第 {line} 行：{zh} (line {line}: {en}) [{code}]"


def issue(texts: Mapping[str, Text], code: str, level: Level, file: str, *, line: int | None = None,
          **params: object) -> Issue:
    """The issue ``code`` of ``file`` with its sentence from ``texts``, fields filled from ``params``."""
    text = texts[code].render(**params)
    return Issue(code=code, level=level, file=file, line=line, zh=text.zh, en=text.en)


def split_text(sentence: str) -> Text:
    """``中文 (English)`` → :class:`Text`, for sentences kept as data (the suites' ``meta.reason``).

    The English part is the last balanced parenthesis at the end; without one, both halves are the
    whole sentence.
    """
    if sentence.endswith(")"):
        depth = 0
        for i in range(len(sentence) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(sentence[i], 0)
            if depth == 0:
                return Text(sentence[:i].rstrip(), sentence[i + 1:-1])
    return Text(sentence, sentence)
