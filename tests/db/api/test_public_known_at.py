"""The public's view asked "as known after night K" (s34, an outsider's acceptance pass).

Repair stops publishing for good (domain.md §4, §5.3; docs/api.md "What the public no longer
sees"): what the public does not see is judged on the latest record, whatever ``as_of`` and
``known_at`` say. On main, ``known_at`` before the repair gave the repaired entry back to the
public in the entity look-up and the roster listing. And ``known_at`` for a day that is no
published night answers from the latest night on or before it, naming that night; before the
first night it is refused (422), as the command line refuses it (exit 2).

Story (tests.db.api.support): 甲 (A) and 丙 (C) are listed by the night of 2026-07-15; 甲 applies
on 07-21 and the night of 07-22 removes it on that application (kind repair)."""

from __future__ import annotations

from tests.db.api.support import A, C, file_and_apply, live, run_night, seed_story  # noqa: F401


def _repaired(live) -> None:  # noqa: F811
    seed_story(live)
    file_and_apply(live)
    run_night(live.engine, live.settings, "2026-07-22")


def test_public_lookup_as_known_before_the_repair_does_not_show_the_repaired_entry(live) -> None:  # noqa: F811
    _repaired(live)
    with live.client() as h:
        for params in ({"as_of": "2026-09-29"}, {"as_of": "2026-09-29", "known_at": "2026-07-15"},
                       {"known_at": "2026-07-15"}, {"as_of": "2026-07-16", "known_at": "2026-07-15"},
                       {"as_of": "2026-07-16"}, {"as_of": "2026-07-15", "known_at": "2026-07-15"}):
            r = h.get(f"/v1/entities/{A}", params=params)
            assert r.status_code == 200, r.text
            doc = r.json()
            assert doc["listed"] is False and doc["rosters"] == [], params
        # 丙 is not repaired: still shown as known then
        assert h.get(f"/v1/entities/{C}", params={"known_at": "2026-07-15"}).json()["listed"] is True
    # A licensing department sees what the public sees; consumers and the bureau keep the record of K.
    for role in ("consumer", "bureau"):
        with live.client(role) as h:
            doc = h.get(f"/v1/entities/{A}", params={"as_of": "2026-07-16", "known_at": "2026-07-15"}).json()
            assert [e["state"] for e in doc["rosters"]] == ["listed"], role


def test_public_roster_listing_as_known_before_the_repair_leaves_the_repaired_entry_out(live) -> None:  # noqa: F811
    _repaired(live)
    with live.client() as h:
        for params in ({"as_of": "2026-12-01", "known_at": "2026-07-15"}, {"known_at": "2026-07-15"},
                       {"as_of": "2026-07-16", "known_at": "2026-07-15"}, {"as_of": "2026-07-16"}):
            r = h.get("/v1/rosters/abnormal", params={**params, "format": "json"})
            assert r.status_code == 200, r.text
            assert [x["uscc"] for x in r.json()] == [C], params
        csv = h.get("/v1/rosters/abnormal", params={"known_at": "2026-07-15", "format": "csv"}).text
        assert A not in csv and C in csv
    with live.client("consumer") as h:
        got = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-16", "known_at": "2026-07-15"}).json()
        assert sorted(x["uscc"] for x in got) == sorted([A, C])


def test_known_at_a_day_between_nights_names_the_night_before_and_before_the_first_is_422(live) -> None:  # noqa: F811
    _repaired(live)
    with live.client() as h:
        doc = h.get(f"/v1/entities/{C}", params={"as_of": "2026-07-18", "known_at": "2026-07-18"}).json()
        assert doc["known_at"]["night"] == "2026-07-15" and doc["data_through"] == "2026-07-15"
        assert doc["beyond_data"] is True and doc["listed"] is True
        r = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "known_at": "2026-07-18"})
        assert r.headers["X-Data-Through"] == "2026-07-15" and [x["uscc"] for x in r.json()] == [C]
        for path in (f"/v1/entities/{C}", "/v1/rosters/abnormal"):
            r = h.get(path, params={"known_at": "2026-07-05"})
            assert r.status_code == 422 and "no night published on or before 2026-07-05" in r.text, r.text
    with live.client("consumer") as h:
        r = h.post("/v1/screenings", json={"usccs": [C], "as_of": "2026-07-16", "known_at": "2026-07-05"})
        assert r.status_code == 422 and "no night published on or before 2026-07-05" in r.text, r.text
        # as_of after the record's night (07-15, the night on or before 07-18) is not certified (s35)
        late = h.post("/v1/screenings", json={"usccs": [C], "as_of": "2026-07-16", "known_at": "2026-07-18"})
        assert late.status_code == 422 and "晚于所依据记录的批次 2026-07-15" in late.text, late.text
        cert = h.post("/v1/screenings", json={"usccs": [C], "as_of": "2026-07-15", "known_at": "2026-07-18"}).json()
        assert cert["query"]["known_at"]["night"] == "2026-07-15" and cert["results"][0]["listed"] is True
    with live.client() as h:
        assert h.post("/v1/certificates/verify", json=cert).json()["verdict"] == "valid"
