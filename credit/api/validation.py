"""Input checks that tell the caller what is wrong (issue 7: "a malformed USCC gets a 422 that
says what is wrong").

Validity itself is :func:`credit.contract.uscc.is_valid` (GB 32100-2015, domain.md §1); this module only
explains a refusal in words a clerk can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from credit import clock
from credit.contract import uscc as uscc_rules
from credit.settings import Settings

FORBIDDEN = set("IOZSV")
MOBILE = re.compile(r"(?:\+?86)?(1\d{10})")
CONTACT_PROBLEM = ("联系方式应为11位手机号码（以1开头）或电子邮箱地址 "
                   "(contact must be a mainland mobile number of 11 digits starting with 1, or an e-mail address)")


def normalise_contact(raw: str) -> str:
    """The applicant's contact (联系方式) as it identifies them, or ValueError (:data:`CONTACT_PROBLEM`).

    The contact is recorded (hashed) as the applicant's identity (docs/api.md ``POST
    /v1/applications``; credit.api.applications.applicant_of), so it must be one: a mainland
    mobile number — 11 digits starting with 1, full-width digits (NFKC), spaces and hyphens and a
    +86 prefix dropped: "１３８ ０013-8000" is 13800138000 — or an e-mail address, checked by
    email-validator (pinned in requirements.lock via FastAPI; syntax only, no DNS look-up: the
    bureau does not send mail from here). Anything else ("not a phone") is refused (s35: it was
    accepted and hashed as an identity nobody could give again)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    digits = re.sub(r"[\s\-()]", "", text)
    if (m := MOBILE.fullmatch(digits)) is not None:
        return m.group(1)
    if "@" in text:
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            pass
    raise ValueError(CONTACT_PROBLEM)


def normalise_uscc(raw: str) -> str:
    """The code as the drop normalises it: full-width to ASCII, no spaces or hyphens, upper case
    (:func:`credit.contract.uscc.canonical`, the one normaliser of every entry point)."""
    return uscc_rules.canonical(raw)


NAME_MIN_CHARS = 2


def search_text(raw: str) -> str:
    """The text a name search looks for: ``raw`` without the whitespace around it (any Unicode
    space: U+3000 from a Chinese input method as well as ASCII). The registered names are stored
    as filed, so the search keeps the caller's characters (a full-width "（" must still find "（")."""
    return raw.strip()


def name_search_problem(raw: str) -> str | None:
    """None when a name search has at least two characters to look for, else why not (Chinese and
    English). Counted after NFKC and without any whitespace or invisible format character
    (U+200B…): two ideographic spaces, or " 温", would otherwise pass a length check made on the
    raw text and search on nothing, or on one character, answering 50 arbitrary entities."""
    text = unicodedata.normalize("NFKC", raw)
    chars = [c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"]
    if len(chars) >= NAME_MIN_CHARS:
        return None
    return (f"名称至少需要 {NAME_MIN_CHARS} 个字（空格不计），收到 {len(chars)} 个 (the name to search needs at least "
            f"{NAME_MIN_CHARS} characters, not counting spaces; got {len(chars)})")


def uscc_problem(raw: str) -> str | None:
    """None when the code is a valid USCC, else why not (Chinese and English)."""
    code = normalise_uscc(raw)
    if uscc_rules.is_valid(code):
        return None
    if len(code) != 18:
        return f"统一社会信用代码应为18位，收到{len(code)}位 (a USCC has 18 characters, got {len(code)})"
    bad = [(i + 1, ch) for i, ch in enumerate(code) if ch not in uscc_rules.ALPHABET]
    if bad:
        pos, ch = bad[0]
        why = "不使用字母 I、O、Z、S、V" if ch in FORBIDDEN else "只能使用数字和大写字母"
        return (f"第{pos}位字符“{ch}”无效：{why} (character {ch!r} at position {pos} is not in the code "
                "alphabet 0-9 A-H J-N P Q R T U W X Y)")
    if not code[2:8].isdigit():
        return ("第3至8位（登记管理机关行政区划码）必须是数字 (positions 3-8, the registering authority's "
                "region code, must be digits)")
    expected = uscc_rules.calc_check_character(code[:17])
    return (f"校验码错误：第18位应为“{expected}”，收到“{code[17]}” (check character at position 18 should "
            f"be {expected!r}, got {code[17]!r})")


def typed_day(text: str) -> str:
    """A date as an applicant typed it on a public page, made ASCII: a Chinese input method gives
    full-width digits and dashes (``２０２６－０７－１５``), which NFKC turns into ``2026-07-15``; the
    spaces around it are dropped. What is left is read by :func:`credit.clock.calendar_day` as any
    other date."""
    return unicodedata.normalize("NFKC", text).strip()


def _day_value(value: Any) -> Any:
    """Pydantic's ``date`` before it reads ``value``: a ``YYYY-MM-DD`` string (pydantic then refuses
    a day that does not exist in its usual words) or a ``date`` (a default set by the code);
    anything else is refused here as ``date_format`` (credit.api.errors.worded words it)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and clock.DAY_FORM.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", clock.DAY_PROBLEM_EN)


#: The type of every date the HTTP API reads (query, path and body; the bureau's forms through
#: their models): a calendar date ``YYYY-MM-DD`` and nothing else (:func:`credit.clock.calendar_day`). Its
#: OpenAPI schema stays ``{"type": "string", "format": "date"}``.
Day = Annotated[date, BeforeValidator(_day_value)]


def future_date_problem(day: date, today: date, field: str) -> str | None:
    """None when ``day`` is not after ``today`` (the bureau's calendar day), else why it is refused.

    Something received or decided cannot be dated in the future: such a date would become a
    permanent row of the append-only log (issue 14)."""
    if day <= today:
        return None
    return (f"{field} {day.isoformat()} 晚于今天（{today.isoformat()}，以本局所在时区计），不能填写将来的日期 "
            f"({field} {day.isoformat()} is in the future: today is {today.isoformat()} on the bureau's clock)")


def received_without_data_problem(day: date, through: date | None, field: str) -> str | None:
    """None when an application received on ``day`` can be checked against the rosters, else why
    not (Chinese and English): no night has been published yet (``through`` None), so there is no
    roster to check it against. A day after the latest published night ``through`` is checked
    against the rosters as that night left them, as an application made online is checked on the
    day it arrives: night D runs on the morning of D + 1 (config/schedule.yaml), so the counter's
    applications of D + 1 always arrive after the latest night, and refusing them made the clerk
    come back or backdate the receipt in the append-only log (outside review, stop 46). A day in
    the future is refused before this (:func:`future_date_problem`). The one wording of ``POST
    /v1/bureau/repair-applications`` (422) and ``credit repair apply`` (exit 2)."""
    if through is not None:
        return None
    return (f"收到日期 {day.isoformat()}：尚无已发布的批次，无法核对名录 ({field} {day.isoformat()}: no night has "
            "been published yet: there is no roster to check the application against)")


def bureau_today(settings: Settings | None = None) -> date:
    """Today on the bureau's clock (:func:`credit.clock.today`)."""
    return clock.today(settings)


def repeated_key_problem(body: bytes) -> list[dict[str, Any]] | None:
    """A JSON body that names one key twice in an object, as a 422's ``detail``; None otherwise (a
    body that is no JSON at all is left to FastAPI's own refusal). Python keeps a repeat's last
    value and other readers its first: a signed document (a screening certificate) read one way
    would be vouched for by a signature over the other (``credit certificate verify`` refuses such a
    file too, :func:`credit.signing.parse_document`)."""
    from credit.signing import RepeatedKey, parse_document

    try:
        parse_document(body)
    except RepeatedKey as e:
        return [{"type": "value_error.repeated_key", "loc": ["body"], "input": e.key,
                 "msg": f"请求体中同一对象的键 \"{e.key}\" 重复出现，读者看到的值可能不是签名的值，不予核验 "
                        f"(the key \"{e.key}\" appears more than once in one object of the body, so a reader may see "
                        "another value than the one signed; not checked)"}]
    except ValueError:   # not UTF-8 or not JSON: FastAPI refuses it in its own words
        return None
    return None
