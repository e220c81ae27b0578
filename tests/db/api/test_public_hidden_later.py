"""A listing revoked as wrong by a decision dated after the latest night (s35, an outsider's
acceptance pass): the public never sees it, whatever ``as_of`` says (README; domain.md §3.4).

What the public must not see was judged on the record as of the latest night (or the date asked
when later): an objection upheld on a day after the latest night — an officer deciding today, the
normal case — left the revoked entry public for every date before the decision, in the entity
look-up (its data version already naming the revocation), its page, and the roster in every format.

Story (tests.db.api.support): 甲 (A) and 丙 (C) are listed by the night of 2026-07-15, the latest
night; an objection to 甲's listing is upheld on 2026-07-24, which revokes it."""

from __future__ import annotations

import io

import pandas as pd

from tests.db.api.support import A, C, D, live, seed_story  # noqa: F401


def _revoked_after_the_latest_night(live) -> tuple[int, str]:  # noqa: F811
    seed_story(live)
    live.clock["today"] = D("2026-07-24")
    with live.client("bureau") as h:
        [listed] = h.get(f"/v1/entities/{A}").json()["rosters"]
        entry = listed["entry_id"]
        obj = h.post("/v1/bureau/objections", json={"decision": str(entry), "received_on": "2026-07-20",
                                                   "grounds": "已按时报送，系统未同步"})
        assert obj.status_code == 201, obj.text
        dec = h.post(f"/v1/bureau/objections/{obj.json()['id']}/decision",
                     json={"outcome": "upheld", "on": "2026-07-24", "note": "核实已按时报送"})
        assert dec.status_code == 201 and dec.json()["action"] == "revoke", dec.text
        return int(dec.json()["seq"]), str(listed["decision_no"])


def test_public_never_sees_a_listing_revoked_after_the_latest_night(live) -> None:  # noqa: F811
    seq, number = _revoked_after_the_latest_night(live)
    with live.client() as h:
        for params in ({}, {"as_of": "2026-07-15"}, {"as_of": "2026-07-23"}, {"as_of": "2026-07-24"},
                       {"as_of": "2026-07-15", "known_at": "2026-07-15"}):
            doc = h.get(f"/v1/entities/{A}", params=params).json()
            assert doc["listed"] is False and doc["rosters"] == [], (params, doc["rosters"])
            assert doc["data_version"]["decision_seq"] >= seq
        assert h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-15"}).json()["listed"] is True
        page = h.get("/entity", params={"uscc": A, "as_of": "2026-07-15"})
        assert page.status_code == 200 and number not in page.text
        for as_of in ("2026-07-15", "2026-07-23"):
            rows = h.get("/v1/rosters/abnormal", params={"as_of": as_of, "format": "json"}).json()
            assert [x["uscc"] for x in rows] == [C], as_of
            csv = h.get("/v1/rosters/abnormal", params={"as_of": as_of, "format": "csv"}).text
            assert A not in csv and C in csv
            for fmt in ("parquet", "xlsx"):
                body = h.get("/v1/rosters/abnormal", params={"as_of": as_of, "format": fmt}).content
                if fmt == "parquet":
                    cells = set(pd.read_parquet(io.BytesIO(body))["uscc"].astype(str))
                else:   # every cell of every sheet (the note sheet beside the rows)
                    sheets = pd.read_excel(io.BytesIO(body), sheet_name=None, header=None, dtype=str)
                    cells = {str(v) for df in sheets.values() for v in df.to_numpy().ravel()}
                assert A not in cells and C in cells, fmt
    # Consumers keep the history: 甲 was listed on 07-15 (docs/api.md).
    with live.client("consumer") as h:
        assert h.get(f"/v1/entities/{A}", params={"as_of": "2026-07-15"}).json()["listed"] is True
