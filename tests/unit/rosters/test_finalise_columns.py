"""The decision log's writer words, dates and remedies a chunk of candidates on whole columns
(:func:`credit.rosters.log.finalise`): each row must get what its own computation gives, row by
row, as the writer did before (the log is hash-chained: one character differs, the chain does)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from credit.calendar import UnknownCalendarYear
from credit.rosters.authorities import REMEDY_ACTIONS
from credit.rosters.env import RosterEnv
from credit.rosters.log import basis_by, finalise, with_remedies, with_remedy
from credit.settings import Settings

ON = date(2026, 7, 13)


@pytest.fixture(scope="module")
def env() -> RosterEnv:
    return RosterEnv.load(Settings())


def _candidates(env: RosterEnv) -> pd.DataFrame:
    expiry = env.rules.versions("ser.remove.expiry")
    other = env.rules.versions("any.refuse.repair")[0].version
    rows = []
    cases = [
        ("ser.include.heavier_penalty", "serious", "include", "food_safety", None, None, None),
        ("ser.include.heavier_penalty", "serious", "include", "no_such_family", None, None, "given reason"),
        ("ser.include.heavier_penalty", "serious", "include", None, None, "farmer_coop", None),
        ("any.refuse.repair", "serious", "refuse", None, None, None, None),
        ("any.refuse.repair", "abnormal_status", "refuse", None, None, "individual", None),
        ("any.refuse.repair", "abnormal", "refuse", None, None, "farmer_coop", None),
        ("any.refuse.repair", "serious", "refuse", None, None, "farmer_coop", None),   # the kind first
        ("any.refuse.repair", "abnormal", "refuse", 7, 3.5, 1, None),          # not text: none
        ("ser.remove.expiry", "serious", "remove", None, expiry[0].version, None, None),
        ("ser.remove.expiry", "serious", "remove", None, expiry[-1].version, None, None),
        ("ser.remove.expiry", "serious", "remove", None, other, None, None),   # another rule's: ignored
        ("ser.remove.expiry", "serious", "remove", None, "no@such", None, None),
        ("abn.include.annual_report_missing", "abnormal", "include", None, None, "company", None),
        ("ind.mark.annual_report_missing", "abnormal_status", "include", None, None, "individual", None),
    ]
    triggers = [date(1990, 1, 5), date(2019, 6, 3), date(2024, 4, 30), date(2024, 5, 1), date(2026, 7, 1)]
    regions = ["110101", "310115", None, "440300"]
    i = 0
    for trig in triggers:
        for rid, roster, action, family, wv, kind, reason in cases:
            rows.append({"uscc": f"91{i:016d}", "roster": roster, "action": action, "rule_id": rid,
                         "cause_code": "c", "fact_key": f"k{i}", "trigger_date": trig,
                         "facts": [json.dumps({"i": i}), "{}", ' { "i": 1 } ', '{"a":1\u3000}'][i % 4],
                         "region_code": regions[i % 4], "family": family, "wording_version": wv,
                         "entity_kind": kind, "reason": reason})
            i += 1
    return pd.DataFrame(rows)


def _by_row(cands: pd.DataFrame, env: RosterEnv) -> pd.DataFrame:
    """The wording, version, due date and remedy of each row, computed row by row (as before)."""
    out = []
    for r in cands.to_dict("records"):
        v = env.rules.find(r["rule_id"], ON)
        assert v is not None
        w = env.rules.by_version(r["wording_version"]) if isinstance(r["wording_version"], str) else None
        v = w if w is not None and w.rule_id == r["rule_id"] else v
        fams: dict[str, str] = {}
        for rid in cands["rule_id"].unique():
            fams.update(env.rules.find(rid, ON).extra.get("families") or {})  # type: ignore[union-attr]
        f = fams.get(r["family"], r["family"]) if isinstance(r["family"], str) else ""
        basis = basis_by(v, r["entity_kind"], r["roster"], v.basis.replace("{family}", f))
        versions = env.rules.versions(r["rule_id"])
        due = None
        for cand in versions:
            if cand.in_force(r["trigger_date"]) or (r["trigger_date"] < versions[0].valid_from and cand is versions[0]):
                if cand.period is not None:
                    try:
                        due = cand.period.end(r["trigger_date"], env.cal)
                    except UnknownCalendarYear:
                        due = None
        region = r["region_code"] if isinstance(r["region_code"], str) else "000000"
        out.append({"cause": v.wording.replace("{family}", f), "basis": basis, "rule_version": v.version,
                    "reason": r["reason"] if isinstance(r["reason"], str) else v.reason, "due_date": due,
                    "facts": with_remedy(r["facts"], env.remedy(region, ON))})
    return pd.DataFrame(out)


def test_finalise_gives_each_row_what_its_own_computation_gives(env: RosterEnv) -> None:
    cands = _candidates(env)
    got = finalise(cands, env, ON, actor="officer", night=None).reset_index(drop=True)
    want = _by_row(cands, env)
    assert len(got) == len(want) == len(cands)
    for col in ("cause", "basis", "rule_version", "reason", "due_date"):
        assert [None if pd.isna(x) else x for x in got[col]] == [None if pd.isna(x) else x for x in want[col]], col
    remedied = cands["action"].isin(REMEDY_ACTIONS).to_numpy()
    assert remedied.any() and not remedied.all()
    assert list(got.loc[remedied, "facts"]) == list(want.loc[remedied, "facts"])
    assert list(got.loc[~remedied, "facts"]) == list(cands.loc[~remedied, "facts"])
    # The cases differ where they should (the test would not pass on one wording for all).
    assert got["cause"].nunique() > 3 and got["basis"].nunique() > 3 and got["rule_version"].nunique() > 3


@pytest.mark.parametrize("arrow", [False, True])
def test_remedies_on_columns_equal_row_by_row(arrow: bool) -> None:
    facts = ['{"a": 1}', "{}", ' {"a": 1} ', '{ "a": 1 }', None, '{"x": "y"}\n', "", '{"a": {"b": 2}}',
             '{\x1c"a":1}', '{"a":1\u3000}', '{"a": "中文"}', '{"a":1\x85}', '{"a":1\u200b}', "{\t}"]
    remedies = np.array(['甲"\n', "乙"] * 7, dtype=object)
    series = pd.Series(facts, dtype="string[pyarrow]" if arrow else object)
    got = with_remedies(series, remedies)
    assert list(got) == [with_remedy(f, r) for f, r in zip(facts, remedies, strict=True)]


def test_remedies_of_mappings_go_row_by_row() -> None:
    got = with_remedies(pd.Series([{"b": 1, "a": 2}, '{"c": 3}'], dtype=object), np.array(["x", "y"], dtype=object))
    assert list(got) == ['{"a": 2, "b": 1, "remedy": "x"}', '{"c": 3, "remedy": "y"}']
