"""How a refusal reads on the applicants' pages: Chinese only, full-width punctuation (issue 15).

The rules and the API word their refusals as "中文 (English)" for officers and API clients; the
public pages show the Chinese part alone. The form's own checks (pydantic) answer in English and
are re-said here per field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

CJK = re.compile(r"[\u3400-\u9fff]")
# A bracketed aside with a Latin letter and no Chinese character: the English gloss of a message.
ENGLISH_ASIDE = re.compile(r"\s*[(（][^()（）\u3400-\u9fff]*[A-Za-z][^()（）\u3400-\u9fff]*[)）]")
ASCII_TO_FULL = str.maketrans({"(": "（", ")": "）", ";": "；", ":": "："})

FIELD_LABELS = {"uscc": "统一社会信用代码", "roster": "名录", "case_no": "案号", "grounds": "申请理由",
                "documents": "证明材料", "contact": "联系方式", "receipt": "回执码", "application_id": "申请编号"}
PROBLEM_LABELS = {"missing": "未填写", "string_too_short": "未填写", "string_too_long": "过长",
                  "too_long": "项数过多", "literal_error": "取值无效", "value_error": "填写有误",
                  "int_parsing": "应为数字", "date_parsing": "应为有效日期（年-月-日）",
                  "date_from_datetime_parsing": "应为有效日期（年-月-日）", "date_type": "应为有效日期（年-月-日）",
                  "date_format": "应为日期（年-月-日，例如 2026-07-15）", "enum": "取值无效"}


def for_public(message: str, fallback: str = "请求未能处理，请核对填写的内容") -> str:
    """``message`` without its English asides, brackets and colons made full-width; ``fallback``
    when nothing Chinese is left (a message written for officers only)."""
    text = ENGLISH_ASIDE.sub("", message).strip().translate(ASCII_TO_FULL)
    return text if CJK.search(text) else fallback


def form_problems(errors: Iterable[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> str:
    """Pydantic's errors on a form, one Chinese phrase per field: "申请理由未填写；联系方式过长"
    (``labels``: the form's own field names, before the applicants' forms' ones)."""
    names = {**FIELD_LABELS, **(labels or {})}
    out: list[str] = []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if not isinstance(x, int)]
        field = next((names[x] for x in reversed(loc) if x in names), "填写的内容")
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        # A check that words its refusal in Chinese first (the contact's, credit.api.validation) is
        # shown as it says what is wrong; pydantic's own English ones are re-said per field.
        phrase = for_public(msg) if err.get("type") == "value_error" and CJK.match(msg) else \
            field + PROBLEM_LABELS.get(str(err.get("type", "")), "填写有误")
        if phrase not in out:
            out.append(phrase)
    return "；".join(out) or "填写的内容有误"
