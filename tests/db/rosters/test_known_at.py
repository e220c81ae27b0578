"""Record time beside legal time (issue 13): every as-of answer can be asked "as known after night K".

Golden case on the 2026 calendar: A is found unreachable and listed by the night of 2026-03-02
(68号令 art. 4 item 4). After the night of 2026-03-26 an officer upholds an objection and revokes
the listing with the decision date 2026-03-25; the night of 2026-03-27 is the first to have it.
As of 2026-03-26 the record says "removed" today, but "listed" as it stood after the night of
2026-03-26 — and that answer never changes, whatever is recorded later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from credit.api.views import entity_status
from credit.cli.commands import rosters as cmd
from credit.config import load_config
from credit.rosters.certificates import NotCertifiable, issue, screen, verify_certificate
from credit.rosters.export import export_frame
from credit.rosters.known import NoNightPublished, known_at
from credit.rosters.read import entity_rosters
from credit.rosters.repair import decide_objection, file_objection
from tests.db.rosters.helpers import (
    D,
    decisions,
    finding,
    night,
    published,
    reg,
    report,
    rosters_cli,
    unreachable_story,
)

A = "91110105MA00000012"   # a valid code: the command line checks it (GB 32100)


def _story(c, settings) -> None:  # type: ignore[no-untyped-def]
    unreachable_story(c, settings, A)
    listing = decisions(c, action="include")[0]
    obj = file_objection(c, listing["decision_no"], D("2026-03-20"), "地址可以联系", settings=settings)
    decide_objection(c, obj["id"], "upheld", D("2026-03-25"), "王科长", settings=settings)
    night(c, settings, "2026-03-27")
    published(c, "2026-03-27")


def test_a_revoked_listing_still_shows_as_listed_when_asked_as_known_then(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        _story(c, settings)
        k26, k27 = known_at(c, D("2026-03-26")), known_at(c, D("2026-03-27"))
        assert k26 is not None and k27 is not None and k26.seq < k27.seq
        assert [e["state"] for e in entity_rosters(c, A, D("2026-03-26"), settings)] == ["removed"]
        assert [e["state"] for e in entity_rosters(c, A, D("2026-03-26"), settings, k26)] == ["listed"]
        assert [e["state"] for e in entity_rosters(c, A, D("2026-03-26"), settings, k27)] == ["removed"]
        # before the first night there is no record after a night: refused (s34), not an empty answer
        with pytest.raises(NoNightPublished):
            known_at(c, D("2026-03-01"))
        # the export as of a date, as known then
        assert list(export_frame(c, "abnormal", D("2026-03-10"), k26)["state"]) == ["listed"]
        assert list(export_frame(c, "abnormal", D("2026-03-26"), None)["state"]) == ["removed"]
        # the public does not see a listing revoked as wrong, judged on the latest record also when
        # asked as known before the revocation (s34); a consumer sees the record of that night
        cfg = load_config("api", settings)
        now = entity_status(c, settings, cfg, A, D("2026-03-10"), role="public", latest=D("2026-03-27"),
                            today=D("2026-03-28"))
        hidden = entity_status(c, settings, cfg, A, D("2026-03-10"), role="public", latest=D("2026-03-26"),
                               today=D("2026-03-28"), known=k26)
        then = entity_status(c, settings, cfg, A, D("2026-03-10"), role="consumer", latest=D("2026-03-26"),
                             today=D("2026-03-28"), known=k26)
        assert now["rosters"] == [] and hidden["rosters"] == [] and hidden["listed"] is False
        assert [e["state"] for e in then["rosters"]] == ["listed"]
        assert then["known_at"] == {"night": "2026-03-26", "decision_seq": k26.seq, "request_id": 0}
        # screening as known then: listed; today's record: not listed on that date
        assert screen(c, [A], D("2026-03-26"), k26)[0]["listed"] is True
        assert screen(c, [A], D("2026-03-26"))[0]["listed"] is False


def test_a_certificate_as_known_after_a_night_stays_valid(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A)
        report(c, A, 2025, "2026-03-01")
        finding(c, "F1", A, "unreachable_address", "2026-03-02")
        night(c, settings, "2026-03-02")
        published(c, "2026-03-02")
        # as_of after the night of the record asked for is not certified (s35: that record does not
        # cover the day), nor a day before the first night (domain.md §10)
        for day, night_k in (("2026-03-10", "2026-03-02"), ("2026-03-01", None)):
            with pytest.raises(NotCertifiable):
                issue(c, [A], D(day), issuer="测试", issued_at=datetime(2026, 3, 11, tzinfo=UTC),
                      config_version="t", known_night=D(night_k) if night_k else None)
        night(c, settings, "2026-03-10")
        published(c, "2026-03-10")
        known = issue(c, [A], D("2026-03-10"), issuer="测试", issued_at=datetime(2026, 3, 11, tzinfo=UTC),
                      config_version="t", known_night=D("2026-03-10"))
        plain = issue(c, [A], D("2026-03-10"), issuer="测试", issued_at=datetime(2026, 3, 11, tzinfo=UTC),
                      config_version="t")
        assert known["query"]["known_at"]["night"] == "2026-03-10" and known["results"][0]["listed"] is True
        # the listing is revoked afterwards with an earlier decision date
        listing = decisions(c, action="include")[0]
        obj = file_objection(c, listing["decision_no"], D("2026-03-05"), settings=settings)
        decide_objection(c, obj["id"], "upheld", D("2026-03-06"), "王科长", settings=settings)
        night(c, settings, "2026-03-12")
        assert verify_certificate(c, plain).verdict == "superseded"
        assert verify_certificate(c, known).verdict == "valid"


def test_cli_status_and_export_known_at_and_penalty_repair(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        _story(c, settings)
        c.execute(sa.text("""insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount,
                             heavier, fulfilled_on, first_night, last_night) values
                             ('K-1', :u, '2025-12-25', '罚字〔2025〕1号', 'other', array['fine'], 3000, false, null,
                              '2026-03-27', '2026-03-27')"""), {"u": A})
        night(c, settings, "2026-03-28")
        published(c, "2026-03-28")
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-26", "--known-at", "2026-03-26", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [e["state"] for e in out["rosters"]] == ["listed"] and out["known_at"]["night"] == "2026-03-26"
    assert out["penalties"] == []                              # K-1 was not yet known after that night
    # the data the answer speaks for end with night K, as in the API's answer (review: it said the latest night)
    assert out["data_through"] == "2026-03-26" and out["beyond_data"] is False
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-27", "--known-at", "2026-03-26", "--json"])
    assert json.loads(r.output)["beyond_data"] is True
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-26", "--known-at", "2026-03-26"])
    assert "data through 2026-03-26" in " ".join(r.output.split()), r.output
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-26", "--json"])
    out = json.loads(r.output)
    assert [e["state"] for e in out["rosters"]] == ["removed"] and out["known_at"] is None
    # a date while it was listed: listed then, and said to have been revoked as wrong since
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-10", "--json"])
    [e] = json.loads(r.output)["rosters"]
    assert e["state"] == "listed" and e["removed_since"]["removal_kind"] == "revoked"
    assert e["removed_since"]["removal_no"] == out["rosters"][0]["removal_no"]
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-10"])
    assert "被撤销" in r.output, r.output
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-10", "--known-at", "2026-03-26", "--json"])
    assert "removed_since" not in json.loads(r.output)["rosters"][0]   # not yet recorded after that night
    # minor (order 107 from 2025-12-25), 3 months from its publication, taken as the 20th WD after
    # the decision (loaded late): 2026-01-23 (make-up Sunday 2026-01-04 counted) → through 2026-04-23
    assert [(p["case_no"], p["state"]) for p in out["penalties"]] == [("K-1", "published")]
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-04-24", "--json"])
    assert [(p["case_no"], p["state"]) for p in json.loads(r.output)["penalties"]] == [("K-1", "ended")]
    r = CliRunner().invoke(rosters_cli(), ["roster", "export", "--roster", "abnormal", "--as-of", "2026-03-10",
                                    "--known-at", "2026-03-26", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output[r.output.index("["):])[0]["state"] == "listed"
    assert "as recorded after night 2026-03-26" in " ".join(r.output.split())
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--known-at", "2026-04-01"])
    assert r.exit_code == 2 and "after the latest published night" in r.output
    # K-1 is minor (3 months, then it stops by itself): an application is recorded, and told so
    r = CliRunner().invoke(rosters_cli(), ["repair", "apply", A, "--penalty", "K-1", "--received", "2026-03-28"])
    assert r.exit_code == 0 and "无需申请信用修复" in r.output
    r = CliRunner().invoke(rosters_cli(), ["repair", "apply", A, "--received", "2026-03-28"])
    assert r.exit_code == 2 and "--penalty" in r.output


def test_cli_status_and_export_refuse_a_date_before_the_first_night(engine, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """domain.md §10 (s35, an outsider's pass): before the first night (here 2026-03-02) the rosters
    are unknown to the system, not empty; "not on any roster" or an empty export would read as a
    clean record. Refused (exit 2) naming the first night, as the API answers 422."""
    monkeypatch.setattr(cmd, "_engine", lambda: engine)
    with engine.begin() as c:
        unreachable_story(c, settings, A)
    for day in ("2026-03-01", "2020-01-01", "0001-01-01"):
        for args in (["status", A, "--as-of", day], ["status", A, "--as-of", day, "--known-at", "2026-03-26"],
                     ["roster", "export", "--roster", "abnormal", "--as-of", day]):
            r = CliRunner().invoke(rosters_cli(), args)
            said = " ".join(r.output.split())
            assert r.exit_code == 2, (args, said)
            assert f"--as-of {day} 早于本系统的第一个批次 2026-03-02" in said and "not on any roster" not in said, said
    r = CliRunner().invoke(rosters_cli(), ["status", A, "--as-of", "2026-03-02", "--json"])
    assert r.exit_code == 0 and [e["state"] for e in json.loads(r.output)["rosters"]] == ["listed"]
    r = CliRunner().invoke(rosters_cli(), ["roster", "export", "--roster", "abnormal", "--as-of", "2026-03-02", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output[r.output.index("["):])[0]["state"] == "listed"
