"""The API's entity answer (and the public page) for an entity a later ``full`` registration
snapshot no longer delivers (contracts.md §1) while its roster decisions stand: named by the last
name the store held (up to night K with ``known_at``), as ``credit status`` and the roster export
name it (:func:`credit.rosters.read.last_known_name`). It used to answer ``"name": null``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from credit.night.steps import run_night
from tests.db.api.support import Live, live  # noqa: F401
from tests.dropkit import code, csv_file, registration_row, write_night

N13, N14 = date(2026, 7, 13), date(2026, 7, 14)
U = [code(body=f"MA2B3D{i:02d}") for i in range(10)]
NAME = "杭州第9贸易有限公司"


def test_a_dropped_entity_keeps_its_last_name_in_every_answer(live: Live, tmp_path: Path) -> None:  # noqa: F811
    drop = tmp_path / "drop"
    rows = [registration_row(u, name=f"杭州第{i}贸易有限公司") for i, u in enumerate(U)]
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(drop, N13, live.settings)
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", rows[:9])})
    run_night(drop, N14, live.settings)
    for role in (None, "consumer", "bureau"):
        with live.client(role) as h:
            for params in ({}, {"known_at": "2026-07-14"}, {"known_at": "2026-07-13"}, {"as_of": "2026-07-13"}):
                r = h.get(f"/v1/entities/{U[9]}", params=params)
                assert r.status_code == 200, (role, params, r.text)
                doc = r.json()
                assert doc["name"] == NAME, (role, params, doc["name"])
                assert doc["listed"] is True
                # registered as the store held it after night K: after 07-13 it still was
                assert doc["registered"] is (params.get("known_at") == "2026-07-13")
    with live.client() as h:
        page = h.get("/entity", params={"uscc": U[9]}, headers={"Accept": "text/html"}).text
    assert f"<h1>{NAME}</h1>" in page and "（未登记名称）" not in page


def test_a_screening_certificate_names_a_dropped_entity_too(live: Live, tmp_path: Path) -> None:  # noqa: F811
    """The certificate (POST /v1/screenings) named the dropped, still listed entity null, where the
    entity look-up and the roster export name it by its last name (contracts.md §2)."""
    drop = tmp_path / "drop"
    rows = [registration_row(u, name=f"杭州第{i}贸易有限公司") for i, u in enumerate(U)]
    write_night(drop, N13, {"registration.csv": csv_file("registration", "full", rows)})
    run_night(drop, N13, live.settings)
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", rows[:9])})
    run_night(drop, N14, live.settings)
    with live.client("consumer") as h:
        exported = {r["uscc"]: r["name"] for r in h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-14"}).json()}
        for known in (None, "2026-07-14"):
            cert = h.post("/v1/screenings", json={"usccs": [U[9], U[1]], "as_of": "2026-07-14", "known_at": known}).json()
            got = {r["uscc"]: (r["name"], r["registered"], r["listed"]) for r in cert["results"]}
            assert got[U[9]] == (NAME, False, True) and exported[U[9]] == NAME, (known, got)
            assert got[U[1]] == ("杭州第1贸易有限公司", True, True), (known, got)
            assert h.post("/v1/certificates/verify", json=cert).json()["verdict"] == "valid"
