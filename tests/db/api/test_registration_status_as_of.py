"""Every "as of" answer states the registration status on the day asked (存续 / 吊销 / 注销 / 迁出,
contracts.md §1 ``status``, ``status_on``), read from the registration history as recorded (up to
night K with ``known_at``). An entity cancelled, revoked or moved out before the day was answered
``registered: true`` with no status — a bank screening a bid date learnt nothing of it — and
``credit status`` gave today's status for any date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from credit import sqlfiles
from credit.cli.commands import rosters as cmd
from credit.night.steps import run_night
from credit.rosters.certificates import digest_of
from tests.db.api.support import Live, live  # noqa: F401
from tests.dropkit import code, csv_file, registration_row, write_night

N14, N15, N16 = date(2026, 7, 14), date(2026, 7, 15), date(2026, 7, 16)
OPEN = code(body="MA2B3F01")     # operating throughout
GONE = code(body="MA2B3F02")     # cancelled on 07-15, delivered by night 07-16
UNDONE = code(body="MA2B3F03")   # revoked on 07-13 (night 07-15), corrected to operating by night 07-16
MOVED = code(body="MA2B3F04")    # moved out on 07-15 (night 07-15), the date corrected to 07-13 (night 07-16)
LATE = code(body="MA2B3F05")     # established 07-15
NOBODY = code(body="MA2B3F06")   # never delivered
NAMES = {OPEN: "杭州存续贸易有限公司", GONE: "杭州注销贸易有限公司", UNDONE: "杭州更正贸易有限公司",
         MOVED: "杭州迁出贸易有限公司", LATE: "杭州新设贸易有限公司"}


def _row(uscc: str, updated: str, **over: str) -> dict[str, str]:
    return registration_row(uscc, name=NAMES[uscc], updated_at=f"{updated}T08:00:00", **over)


def _nights(live: Live, tmp_path: Path) -> None:  # noqa: F811
    drop = tmp_path / "drop"
    write_night(drop, N14, {"registration.csv": csv_file("registration", "full", [
        _row(u, "2026-07-01") for u in (OPEN, GONE, UNDONE, MOVED)])})
    run_night(drop, N14, live.settings)
    write_night(drop, N15, {"registration.csv": csv_file("registration", "delta", [
        _row(UNDONE, "2026-07-15", status="revoked", status_on="2026-07-13"),
        _row(MOVED, "2026-07-15", status="moved_out", status_on="2026-07-15"),
        _row(LATE, "2026-07-15", established_on="2026-07-15")])})
    run_night(drop, N15, live.settings)
    write_night(drop, N16, {"registration.csv": csv_file("registration", "delta", [
        _row(GONE, "2026-07-16", status="cancelled", status_on="2026-07-15"),
        _row(UNDONE, "2026-07-16"),   # the revocation was recorded in error: operating, no status date
        _row(MOVED, "2026-07-16", status="moved_out", status_on="2026-07-13")])})
    run_night(drop, N16, live.settings)


def _status(doc: dict[str, object]) -> tuple[object, object, object]:
    return doc["registration_status"], doc["registration_status_label"], doc["registration_status_on"]


OPERATING = ("operating", "存续", None)


def test_the_status_on_the_day_asked_as_recorded_then(live: Live, tmp_path: Path,  # noqa: F811
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _nights(live, tmp_path)
    cases = [
        # cancelled on 07-15: operating the day before, cancelled on and after it
        (GONE, {"as_of": "2026-07-14"}, OPERATING),
        (GONE, {"as_of": "2026-07-15"}, ("cancelled", "注销", "2026-07-15")),
        (GONE, {"as_of": "2026-07-16"}, ("cancelled", "注销", "2026-07-15")),
        (GONE, {}, ("cancelled", "注销", "2026-07-15")),
        (GONE, {"as_of": "2026-07-15", "known_at": "2026-07-15"}, OPERATING),   # not yet recorded then
        # revoked in error, corrected by night 07-16: as known after 07-15 revoked, after 07-16 never
        (UNDONE, {"as_of": "2026-07-15", "known_at": "2026-07-15"}, ("revoked", "吊销", "2026-07-13")),
        (UNDONE, {"as_of": "2026-07-14", "known_at": "2026-07-14"}, OPERATING),
        (UNDONE, {"as_of": "2026-07-15", "known_at": "2026-07-16"}, OPERATING),
        (UNDONE, {"as_of": "2026-07-15"}, OPERATING),
        # moved out, its date corrected from 07-15 to 07-13
        (MOVED, {"as_of": "2026-07-14", "known_at": "2026-07-15"}, OPERATING),
        (MOVED, {"as_of": "2026-07-14", "known_at": "2026-07-16"}, ("moved_out", "迁出", "2026-07-13")),
        (MOVED, {"as_of": "2026-07-14"}, ("moved_out", "迁出", "2026-07-13")),
        (OPEN, {"as_of": "2026-07-16"}, OPERATING),
        (LATE, {"as_of": "2026-07-14"}, (None, None, None)),   # not registered yet: no status
        (LATE, {"as_of": "2026-07-15"}, OPERATING),
    ]
    for role in (None, "consumer", "bureau"):
        with live.client(role) as h:
            for uscc, params, want in cases:
                r = h.get(f"/v1/entities/{uscc}", params=params)
                assert r.status_code == 200, (role, uscc, params, r.text)
                assert _status(r.json()) == want, (role, NAMES[uscc], params)
                assert r.json()["registered"] is (want[0] is not None)
    # credit status: the status of the date asked, not today's
    monkeypatch.setattr(cmd, "_engine", lambda: live.engine)
    app = typer.Typer()
    app.command("status")(cmd.status_command)
    app.command("unused")(lambda: None)
    for uscc, params, want in cases:
        args = [a for k, v in params.items() for a in (f"--{k.replace('_', '-')}", v)]
        r = CliRunner().invoke(app, ["status", uscc, "--json", *args])
        assert r.exit_code == 0, r.output
        assert _status(json.loads(r.stdout)) == want, (NAMES[uscc], params)
    text = CliRunner().invoke(app, ["status", GONE, "--as-of", "2026-07-16"]).stdout
    assert "登记状态 registration status (2026-07-16): 注销 cancelled，自 2026-07-15 (since 2026-07-15)" in text


def test_the_entity_page_states_the_status_in_chinese(live: Live, tmp_path: Path) -> None:  # noqa: F811
    _nights(live, tmp_path)
    with live.client() as h:
        def page(uscc: str, as_of: str) -> str:
            r = h.get("/entity", params={"uscc": uscc, "as_of": as_of}, headers={"Accept": "text/html"})
            assert r.status_code == 200, r.text
            return r.text
        assert "登记状态（2026-07-16）：<strong>注销</strong>（自 2026-07-15 起）" in page(GONE, "2026-07-16")
        assert "登记状态（2026-07-14）：<strong>存续</strong></p>" in page(GONE, "2026-07-14")
        assert "登记状态（2026-07-14）：<strong>迁出</strong>（自 2026-07-13 起）" in page(MOVED, "2026-07-14")
        assert 'id="registration-status"' not in page(LATE, "2026-07-14")   # not yet registered
        assert "cancelled" not in page(GONE, "2026-07-16")


def test_a_bulk_screening_states_each_status_and_old_certificates_still_verify(live: Live,  # noqa: F811
                                                                               tmp_path: Path) -> None:
    _nights(live, tmp_path)
    asked = [OPEN, GONE, UNDONE, MOVED, LATE, NOBODY]
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": asked, "as_of": "2026-07-14"})
        assert cert.status_code == 200, cert.text
        got = {r["uscc"]: _status(r) for r in cert.json()["results"]}
        assert got == {OPEN: OPERATING, GONE: OPERATING, UNDONE: OPERATING,
                       MOVED: ("moved_out", "迁出", "2026-07-13"), LATE: (None, None, None),
                       NOBODY: (None, None, None)}
        assert h.post("/v1/certificates/verify", json=cert.json()).json()["verdict"] == "valid"
        later = h.post("/v1/screenings", json={"usccs": asked, "as_of": "2026-07-16"}).json()
        assert {r["uscc"]: _status(r) for r in later["results"]} == {
            OPEN: OPERATING, GONE: ("cancelled", "注销", "2026-07-15"), UNDONE: OPERATING,
            MOVED: ("moved_out", "迁出", "2026-07-13"), LATE: OPERATING, NOBODY: (None, None, None)}
        # as recorded after night 07-15: the revocation later corrected, the move not yet re-dated
        known = h.post("/v1/screenings", json={"usccs": asked, "as_of": "2026-07-14", "known_at": "2026-07-15"})
        assert known.status_code == 200, known.text
        assert {r["uscc"]: _status(r) for r in known.json()["results"]} == {
            OPEN: OPERATING, GONE: OPERATING, UNDONE: ("revoked", "吊销", "2026-07-13"), MOVED: OPERATING,
            LATE: (None, None, None), NOBODY: (None, None, None)}
        checked = h.post("/v1/certificates/verify", json=known.json()).json()
        assert checked["verdict"] == "valid", checked
        # a certificate issued before the status was stated (its results without the fields) still verifies
        old = {k: v for k, v in cert.json().items() if k not in ("digest", "certificate_id", "signature")}
        old["results"] = [{k: v for k, v in r.items() if not k.startswith("registration_status")}
                          for r in old["results"]]
        old["digest"] = digest_of(old)
        old["certificate_id"] = "SC-" + old["digest"].removeprefix("sha256:")[:24].upper()
        with live.engine.begin() as c:
            c.execute(sqlfiles.statement("rosters/insert_certificate"),
                      {"i": old["certificate_id"], "d": old["digest"], "t": old["issued_at"], "a": N14,
                       "n": len(asked), "v": json.dumps(old["data_version"]), "k": None, "cv": "test"})
            assert c.execute(sa.text("select count(*) from screening_certificates where digest = :d"),
                             {"d": old["digest"]}).scalar() == 1
        checked = h.post("/v1/certificates/verify", json=old).json()
        assert checked["verdict"] == "valid", checked
