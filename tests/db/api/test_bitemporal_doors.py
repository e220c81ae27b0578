"""Every door asked the same D/K gives the same answer (an outsider's pass over the bitemporal reads).

Story (tests.db.api.support): 甲 (A) and 丙 (C) are listed by the night of 2026-07-15; 甲 files its
report on 07-20, applies on 07-21 and the night of 07-22 removes it (repair). Asked "as known after
night 2026-07-15" with no legal date, the record of that night speaks for 07-15 and no later day:
`credit status --known-at` and `credit roster export --known-at` answer as of 07-15, and so must the
API's entity look-up and roster listing (docs/api.md: data_through is night K).
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from credit.cli.commands import rosters as cmd
from tests.db.api.support import A, C, file_and_apply, live, run_night, seed_story  # noqa: F401
from tests.db.rosters.helpers import rosters_cli


def _repaired(live) -> None:  # noqa: F811
    seed_story(live)
    file_and_apply(live)
    run_night(live.engine, live.settings, "2026-07-22")


def test_known_at_without_as_of_answers_for_night_k_at_every_door(live, monkeypatch) -> None:  # noqa: F811
    _repaired(live)
    monkeypatch.setattr(cmd, "_engine", lambda: live.engine)
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--known-at", "2026-07-15", "--json"])
    assert r.exit_code == 0, r.output
    cli = json.loads(r.output)
    assert (cli["as_of"], cli["data_through"], cli["beyond_data"]) == ("2026-07-15", "2026-07-15", False)
    r = CliRunner().invoke(rosters_cli(), ["roster", "export", "--roster", "abnormal", "--known-at", "2026-07-15",
                                           "--format", "json"])
    assert r.exit_code == 0, r.output
    exported = json.loads(r.output[r.output.index("["):])
    with live.client("consumer") as h:
        doc = h.get(f"/v1/entities/{A}", params={"known_at": "2026-07-15"}).json()
        assert (doc["as_of"], doc["data_through"], doc["beyond_data"]) == ("2026-07-15", "2026-07-15", False)
        assert [e["state"] for e in doc["rosters"]] == [e["state"] for e in cli["rosters"]] == ["listed"]
        listing = h.get("/v1/rosters/abnormal", params={"known_at": "2026-07-15"})
        assert listing.headers["X-Beyond-Data"] == "false"
        assert 'filename="abnormal_2026-07-15.json"' in listing.headers["Content-Disposition"]
        assert listing.json() == exported
        # a legal date asked keeps its own answer
        later = h.get(f"/v1/entities/{A}", params={"known_at": "2026-07-15", "as_of": "2026-07-22"}).json()
        assert (later["as_of"], later["beyond_data"]) == ("2026-07-22", True)


def test_a_certificate_stays_valid_when_a_screened_code_is_registered_later(live) -> None:  # noqa: F811
    """docs/api.md: a certificate re-checks the log's answers; the register is covered by the digest
    but is no roster fact. A code unknown on issuance, registered by a later night, left every roster
    answer as it was — the certificate was called invalid ("answers do not match the decision log")."""
    from tests.db.api.support import make_uscc, register

    _repaired(live)
    x = make_uscc(9)
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": [C, x], "as_of": "2026-07-16"}).json()
        assert [(r["uscc"], r["registered"], r["listed"]) for r in cert["results"]] == [(C, True, True), (x, False, False)]
        with live.engine.begin() as c:
            register(c, x, "北京新设科技有限公司")
        run_night(live.engine, live.settings, "2026-07-23")
        checked = h.post("/v1/certificates/verify", json=cert).json()
        assert (checked["verdict"], checked["answers_ok"], checked["differences"]) == ("valid", True, []), checked


def test_the_workbook_says_the_data_through_night_k_as_the_headers_do(live) -> None:  # noqa: F811
    """The xlsx 说明 sheet named the latest night as "data through" for a roster asked as known
    after an earlier night K, while X-Data-Through (and `credit roster export --known-at`) say K."""
    import io

    from openpyxl import load_workbook

    _repaired(live)
    with live.client("consumer") as h:
        r = h.get("/v1/rosters/abnormal", params={"as_of": "2026-07-15", "known_at": "2026-07-15", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["X-Data-Through"] == "2026-07-15"
    note = {row[0]: row[1] for row in load_workbook(io.BytesIO(r.content))["说明"].iter_rows(values_only=True)}
    assert note["数据截至批次 data through"] == "2026-07-15"
    assert "提示 caveat" not in note   # as of night K itself: within the record asked for
