"""USCC rules (domain.md §1): the vectorised check equals python-stdnum, the reference."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from credit.contract import uscc

ALPHABET = uscc.ALPHABET
digit_initial = st.builds(
    lambda a, b, region, body: a + b + region + body,
    st.sampled_from("159"), st.sampled_from("123"),
    st.text("0123456789", min_size=6, max_size=6), st.text(ALPHABET, min_size=10, max_size=10),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(digit_initial, min_size=1, max_size=50))
def test_vectorised_check_agrees_with_stdnum(codes: list[str]) -> None:
    ours = uscc.check_digit_ok(codes)
    assert list(ours) == [stdnum_uscc.is_valid(c) for c in codes]


@settings(max_examples=300, deadline=None)
@given(digit_initial, st.sampled_from(ALPHABET))
def test_a_wrong_check_character_is_never_valid(code: str, other: str) -> None:
    good = code[:17] + uscc.calc_check_character(code[:17])
    assert uscc.check_digit_ok([good])[0] and stdnum_uscc.is_valid(good)
    if other != good[17]:
        assert not uscc.check_digit_ok([good[:17] + other])[0]
        assert not uscc.is_valid(good[:17] + other)


def test_letter_initial_codes_are_genuine() -> None:
    # domain.md §1 trap 4: stdnum rejects Y…/N…/A… codes that the standard allows.
    first17 = "Y1330106MA2B3C4D1"
    code = first17 + uscc.calc_check_character(first17)
    assert not stdnum_uscc.is_valid(code)
    assert uscc.is_valid(code)


def test_known_examples_from_the_rulebook() -> None:
    assert uscc.check_digit_ok(["91110000600037341L"])[0]
    assert uscc.organisation_check_ok(["91350100M000100Y43"])[0]   # body M000100Y, check 4
    assert not uscc.organisation_check_ok(["91350100M000100Y53"])[0]


def test_compact_removes_only_what_cannot_change_the_code() -> None:
    s = pd.Series([" 91110000600037341l ", "9111-0000-6000-37341L", None], dtype="string")
    assert list(uscc.compact(s).fillna("<NA>")) == ["91110000600037341L", "91110000600037341L", "<NA>"]


FULL_WIDTH = "９１１１００００６０００３７３４１ｌ"       # typed with a Chinese input method
SPACED = "\u3000９１１１ ００００\u3000６０００－３７３４１Ｌ "


def test_one_normaliser_for_every_entry_point() -> None:
    """Full-width digits and letters, ideographic and ASCII spaces, full-width hyphens, lower case:
    the canonical 18 characters (issue 15) — and a code that is not one stays refusable."""
    assert uscc.canonical(FULL_WIDTH) == "91110000600037341L"
    assert uscc.canonical(SPACED) == "91110000600037341L"
    assert uscc.is_valid(FULL_WIDTH) and uscc.is_valid(SPACED)
    assert uscc.canonical("91110000600037341") == "91110000600037341"   # too short: left for the check
    assert not uscc.is_valid("９１１１００００６０００３７３４１Ｍ")


def test_the_drop_uses_the_same_normaliser() -> None:
    """The night's column normaliser and the single-code one give the same answer."""
    import pyarrow as pa

    from credit.contract.sources import SOURCES
    from credit.night.normalise import normalise

    source = SOURCES["findings"]
    table = pa.table({c.name: pa.array([None] * 3, pa.string()) for c in source.columns})
    table = table.set_column(table.schema.get_field_index("uscc"), "uscc",
                             pa.array([FULL_WIDTH, SPACED, "91110000600037341l"], pa.string()))
    got = normalise(table, source)["uscc"].tolist()
    assert got == [uscc.canonical(FULL_WIDTH), uscc.canonical(SPACED), "91110000600037341L"]


def test_the_api_and_the_command_line_accept_a_full_width_code() -> None:
    from credit.api.validation import normalise_uscc, uscc_problem

    assert uscc_problem(FULL_WIDTH) is None and normalise_uscc(FULL_WIDTH) == "91110000600037341L"
    assert uscc_problem("９１１１００００６０００３７３４１Ｍ") is not None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.text(st.characters(max_codepoint=127), max_size=24),
                          st.text(ALPHABET + "abcdefghijklmnopqrstuvwxyz -\t\n\r\f\v\x1c\x1f", max_size=24),
                          st.text(max_size=24)), min_size=1, max_size=20))
def test_one_code_is_normalised_as_the_arrow_kernels_normalise_a_column(raws: list[str]) -> None:
    """``canonical``'s plain-Python path for ASCII text (issue 11: every look-up normalises its
    code) gives exactly what the Arrow kernels give, white space RE2 does not know included."""
    import pyarrow as pa

    column = uscc.canonical_array(pa.chunked_array([pa.array(raws, type=pa.string())])).to_pylist()
    assert [uscc.canonical(r) for r in raws] == column
