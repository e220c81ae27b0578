"""USCC problems told to callers, and the rate limiter: pure functions of the API."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from credit.api.limits import RateLimiter
from credit.api.validation import uscc_problem
from credit.contract.uscc import ALPHABET, calc_check_character, is_valid

codes17 = st.tuples(st.sampled_from("159"), st.sampled_from("123"), st.text("0123456789", min_size=6, max_size=6),
                    st.text(ALPHABET, min_size=9, max_size=9)).map("".join)


@hsettings(max_examples=200, deadline=None)
@given(codes17, st.integers(0, 17), st.sampled_from(list(ALPHABET + "IOZSVa-")))
def test_uscc_problem_agrees_with_is_valid_and_names_the_fault(first17: str, pos: int, ch: str) -> None:
    code = first17 + calc_check_character(first17)
    assert uscc_problem(code) is None and uscc_problem(code.lower()) is None
    mutated = code[:pos] + ch + code[pos + 1:]
    problem = uscc_problem(mutated)
    assert (problem is None) == is_valid(mutated)
    if ch in "IOZSV":
        assert problem is not None and f"position {pos + 1}" in problem and "I、O、Z、S、V" in problem


def test_uscc_problem_messages() -> None:
    assert "18" in uscc_problem("91110000")  # type: ignore[operator]
    assert "positions 3-8" in uscc_problem("91A10000600037341L")  # type: ignore[operator]
    assert "should be 'L'" in uscc_problem("91110000600037341M")  # type: ignore[operator]


def test_rate_limiter_refills_and_says_how_long_to_wait() -> None:
    now = [0.0]
    lim = RateLimiter(clock=lambda: now[0])
    assert all(lim.take("k", 60) == 0 for _ in range(60))
    wait = lim.take("k", 60)
    assert 0.9 < wait <= 1.0
    assert lim.take("other", 60) == 0      # buckets are per caller
    now[0] += 1.0
    assert lim.take("k", 60) == 0 and lim.take("k", 60) > 0
    now[0] += 3600
    assert sum(lim.take("k", 60) == 0 for _ in range(100)) == 60   # never more than a minute's allowance


def test_retry_after_rounds_up_and_is_at_least_one_second() -> None:
    from credit.api.limits import retry_after

    assert [retry_after(w) for w in (0.01, 0.3, 0.5, 1.0, 1.2, 19.6)] == [1, 1, 1, 1, 2, 20]


def test_a_long_refused_string_is_not_echoed_whole() -> None:
    """A refused string came back whole in ``input``: an as_of of 5,000 characters was a 5 KB answer,
    a 1 MB ``grounds`` a 1 MB one. Its first 200 characters and its length, as a list's first 10 items."""
    from credit.api.errors import worded

    e = worded({"type": "string_too_long", "loc": ("body", "grounds"), "input": "理" * 50_000,
                "msg": "String should have at most 2000 characters", "ctx": {"max_length": 2000}})
    assert e["input"] == "理" * 200 and e["input_length"] == 50_000
    short = worded({"type": "date_format", "loc": ("query", "as_of"), "input": "2026/07/15", "msg": "m"})
    assert short["input"] == "2026/07/15" and "input_length" not in short


def test_validation_errors_are_worded_in_chinese_with_the_english_kept() -> None:
    from credit.api.errors import worded

    e = worded({"type": "date_from_datetime_parsing", "loc": ("query", "as_of"), "input": "2026-02-30",
                "msg": "Input should be a valid date or datetime, day value is outside expected range",
                "ctx": {"error": "day value is outside expected range"}})
    assert e["msg"] == ("查询参数 as_of：应为有效日期（年-月-日，例如 2026-07-15） (Input should be a valid date or "
                        "datetime, day value is outside expected range)") and e["loc"] == ("query", "as_of")
    e = worded({"type": "literal_error", "loc": ("path", "roster"), "msg": "Input should be 'abnormal' or 'serious'",
                "ctx": {"expected": "'abnormal' or 'serious'"}})
    assert e["msg"].startswith("路径参数 roster：取值应为 abnormal、serious 之一 (")
    e = worded({"type": "too_short", "loc": ("body", "usccs"), "msg": "List should have at least 1 item after validation, not 0",
                "ctx": {"min_length": 1, "actual_length": 0}})
    assert e["msg"].startswith("请求体字段 usccs：至少应有 1 项 (")
    assert worded({"type": "missing", "loc": ("body",), "msg": "Field required"})["msg"] == "请求体：缺失（必须填写） (Field required)"
    assert worded({"type": "string_type", "loc": ("body", "usccs", 3), "msg": "Input should be a valid string"}
                  )["msg"].startswith("请求体字段 usccs[3]：应为字符串")
    assert worded({"type": "something_new", "loc": ("query", "x"), "msg": "Odd"})["msg"] == "查询参数 x：取值无效 (Odd)"
