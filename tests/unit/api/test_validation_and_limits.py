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
