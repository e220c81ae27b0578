"""``registered`` answers for the day asked: an entity established after that day was not
registered on it, though the store knows it now. A screening certificate (信用证明, joint punishment
"as of" a bid date) and the entity answer said ``registered: true`` for any day; now the entity
answer, its page, the bulk screening and the signed certificate agree, with the establishment date
(成立日期) beside the answer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from credit.night.steps import run_night
from tests.db.api.support import Live, live  # noqa: F401
from tests.dropkit import code, csv_file, registration_row, write_night

N14, N15 = date(2026, 7, 14), date(2026, 7, 15)
OLD, NEW = code(body="MA2B3E01"), code(body="MA2B3E02")   # established 2015; established 2026-07-15


def _nights(live: Live, tmp_path: Path) -> None:  # noqa: F811
    drop = tmp_path / "drop"
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", [
        registration_row(OLD, name="杭州老字号贸易有限公司")])})
    run_night(drop, N14, live.settings)
    write_night(drop, N15, {"registration.csv": csv_file("registration", "delta", [
        registration_row(NEW, name="杭州新设贸易有限公司", established_on="2026-07-15")])})
    run_night(drop, N15, live.settings)


def test_an_entity_established_after_the_day_asked_was_not_registered_on_it(live: Live, tmp_path: Path) -> None:  # noqa: F811
    _nights(live, tmp_path)
    for role in (None, "consumer", "bureau"):
        with live.client(role) as h:
            for params, registered in (({"as_of": "2026-07-14"}, False), ({"as_of": "2026-07-15"}, True),
                                       ({"as_of": "2026-07-14", "known_at": "2026-07-15"}, False), ({}, True)):
                r = h.get(f"/v1/entities/{NEW}", params=params)
                assert r.status_code == 200, (role, params, r.text)
                doc = r.json()
                assert doc["registered"] is registered, (role, params)
                assert doc["registration"]["established_on"] == "2026-07-15"
            assert h.get(f"/v1/entities/{OLD}", params={"as_of": "2026-07-14"}).json()["registered"] is True
    with live.client() as h:
        page = h.get("/entity", params={"uscc": NEW, "as_of": "2026-07-14"}, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "查询日期 2026-07-14 早于该主体的成立日期 2026-07-15：该日该主体尚未登记成立。" in page.text
        assert "not-yet-registered" not in h.get("/entity", params={"uscc": NEW, "as_of": "2026-07-15"}).text
    with live.client("consumer") as h:
        for known in (None, "2026-07-15"):
            body = {"usccs": [OLD, NEW], "as_of": "2026-07-14", **({"known_at": known} if known else {})}
            cert = h.post("/v1/screenings", json=body)
            assert cert.status_code == 200, cert.text
            [old, new] = cert.json()["results"]
            assert old["registered"] is True and old["established_on"] == "2015-03-02"
            assert new["registered"] is False and new["established_on"] == "2026-07-15"
            assert new["name"] == "杭州新设贸易有限公司" and new["listed"] is False
            checked = h.post("/v1/certificates/verify", json=cert.json()).json()
            assert checked["verdict"] == "valid", checked
        later = h.post("/v1/screenings", json={"usccs": [NEW], "as_of": "2026-07-15"}).json()
        assert later["results"][0]["registered"] is True
        # the night K before the entity arrived: unknown then, as before
        assert h.post("/v1/screenings", json={"usccs": [NEW], "as_of": "2026-07-14", "known_at": "2026-07-14"}
                      ).json()["results"][0]["registered"] is False
