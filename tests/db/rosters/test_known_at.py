"""Record time beside legal time (issue 13): every as-of answer can be asked "as known after night K".

Golden case on the 2026 calendar: A is found unreachable and listed by the night of 2026-03-02
(68号令 art. 4 item 4). After the night of 2026-03-26 an officer upholds an objection and revokes
the listing with the decision date 2026-03-25; the night of 2026-03-27 is the first to have it.
As of 2026-03-26 the record says "removed" today, but "listed" as it stood after the night of
2026-03-26 — and that answer never changes, whatever is recorded later.
"""

from __future__ import annotations

from datetime import UTC, datetime

from credit.api.views import entity_status
from credit.config import load_config
from credit.rosters.certificates import issue, screen, verify_certificate
from credit.rosters.export import export_frame
from credit.rosters.known import known_at
from credit.rosters.read import entity_rosters
from credit.rosters.repair import decide_objection, file_objection
from tests.db.rosters.helpers import D, decisions, finding, night, published, reg, report

A = "91110105MA0000001A"


def _story(c, settings) -> None:  # type: ignore[no-untyped-def]
    reg(c, A)
    report(c, A, 2025, "2026-03-01")
    finding(c, "F1", A, "unreachable_address", "2026-03-02")
    for d in ("2026-03-02", "2026-03-26"):
        night(c, settings, d)
        published(c, d)
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
        # before anything was recorded: nothing
        assert entity_rosters(c, A, D("2026-03-26"), settings, known_at(c, D("2026-03-01"))) == []
        # the export as of a date, as known then
        assert list(export_frame(c, "abnormal", D("2026-03-10"), k26)["state"]) == ["listed"]
        assert list(export_frame(c, "abnormal", D("2026-03-26"), None)["state"]) == ["removed"]
        # the public does not see a listing revoked as wrong — unless asked as known before the revocation
        cfg = load_config("api", settings)
        now = entity_status(c, settings, cfg, A, D("2026-03-10"), role="public", latest=D("2026-03-27"),
                            today=D("2026-03-28"))
        then = entity_status(c, settings, cfg, A, D("2026-03-10"), role="public", latest=D("2026-03-26"),
                             today=D("2026-03-28"), known=k26)
        assert now["rosters"] == [] and [e["state"] for e in then["rosters"]] == ["listed"]
        assert then["known_at"] == {"night": "2026-03-26", "decision_seq": k26.seq}
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
        known = issue(c, [A], D("2026-03-10"), issuer="测试", issued_at=datetime(2026, 3, 11, tzinfo=UTC),
                      config_version="t", known_night=D("2026-03-02"))
        plain = issue(c, [A], D("2026-03-10"), issuer="测试", issued_at=datetime(2026, 3, 11, tzinfo=UTC),
                      config_version="t")
        assert known["query"]["known_at"]["night"] == "2026-03-02" and known["results"][0]["listed"] is True
        # the listing is revoked afterwards with an earlier decision date
        listing = decisions(c, action="include")[0]
        obj = file_objection(c, listing["decision_no"], D("2026-03-05"), settings=settings)
        decide_objection(c, obj["id"], "upheld", D("2026-03-06"), "王科长", settings=settings)
        night(c, settings, "2026-03-12")
        assert verify_certificate(c, plain).verdict == "superseded"
        assert verify_certificate(c, known).verdict == "valid"
