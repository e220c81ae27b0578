"""``--known-at K`` respects the record time of the store's facts, not only of the log (contracts.md §2:
"as the record stood after night K"). One golden case per fact family the as-of answers read: a
fact that reached the store on night 2026-07-17 is invisible when asked as known after 2026-07-16,
whatever date it carries (the review's repro: a ``contact_restored`` finding dated 2026-07-16
delivered on night 2026-07-17 showed as ``cure_established_on`` at --known-at 2026-07-16).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from credit.penalties.read import penalties_of
from credit.rosters.certificates import screen
from credit.rosters.export import export_frame
from credit.rosters.known import KnownAt, NoNightPublished, known_at
from credit.rosters.read import entity_rosters, registration
from tests.db.rosters.helpers import D, night, published, reg, report

A = "91110105MA00000012"
B = "91110105MA00000020"


def _finding(c, fid: str, uscc: str, kind: str, found_on: str, first_night: str) -> None:  # type: ignore[no-untyped-def]
    c.execute(sa.text("""insert into findings (finding_id, uscc, kind, found_on, first_night, last_night)
                         values (:i, :u, :k, :f, :n, :n)"""),
              {"i": fid, "u": uscc, "k": kind, "f": D(found_on), "n": D(first_night)})


def _nights(c, settings, *days: str) -> None:  # type: ignore[no-untyped-def]
    for d in days:
        night(c, settings, d)
        published(c, d)


def _cure(c, settings, k: str) -> str | None:  # type: ignore[no-untyped-def]
    (entry,) = [e for e in entity_rosters(c, A, D("2026-07-16"), settings, known_at(c, D(k)))
                if e["cause_code"] == "unreachable"]
    return entry["cure_established_on"]


def test_a_finding_delivered_later_is_not_known_earlier(engine, settings) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        reg(c, A, established="2020-03-01")
        report(c, A, 2025, "2026-03-01")
        _finding(c, "F1", A, "unreachable_address", "2026-07-13", "2026-07-13")
        _nights(c, settings, "2026-07-13", "2026-07-14", "2026-07-15", "2026-07-16")
        _finding(c, "F2", A, "contact_restored", "2026-07-16", "2026-07-17")   # dated 16, delivered 17
        _nights(c, settings, "2026-07-17")
        assert _cure(c, settings, "2026-07-16") is None
        assert _cure(c, settings, "2026-07-17") == "2026-07-16"
        (today,) = [e for e in entity_rosters(c, A, D("2026-07-16"), settings) if e["cause_code"] == "unreachable"]
        assert today["cure_established_on"] == "2026-07-16"


def _history(c, night_: str, change: str, name: str, address: str, updated: str) -> None:  # type: ignore[no-untyped-def]
    c.execute(sa.text("""insert into registration_history (night, change, uscc, name, entity_kind, region_code,
                         established_on, status, address, updated_at)
                         values (:n, :c, :u, :name, 'enterprise', '110105', '2020-03-01', 'operating', :a, :t)"""),
              {"n": D(night_), "c": change, "u": A, "name": name, "a": address, "t": D(updated)})


def test_registration_and_an_address_change_delivered_later(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # cause 4's cure by a registered change of address (68号令 art. 14, domain.md §3.3), dated 16 by
    # its updated_at, reached the store on night 17 with a new name.
    with engine.begin() as c:
        reg(c, A, name="北京新名科技有限公司", address="北京市朝阳区新路2号")
        report(c, A, 2025, "2026-03-01")
        _history(c, "2026-07-13", "new", "北京旧名科技有限公司", "北京市朝阳区旧路1号", "2020-03-01")
        _finding(c, "F1", A, "unreachable_address", "2026-07-13", "2026-07-13")
        _nights(c, settings, "2026-07-13", "2026-07-16")
        _history(c, "2026-07-17", "changed", "北京新名科技有限公司", "北京市朝阳区新路2号", "2026-07-16")
        reg(c, B, name="北京后来科技有限公司")                       # registered on night 17
        report(c, B, 2025, "2026-03-01")
        c.execute(sa.text("update registration set first_night = '2026-07-17' where uscc = :u"), {"u": B})
        _nights(c, settings, "2026-07-17")
        k16, k17 = known_at(c, D("2026-07-16")), known_at(c, D("2026-07-17"))
        assert _cure(c, settings, "2026-07-16") is None
        assert _cure(c, settings, "2026-07-17") == "2026-07-16"
        reg16, reg17 = registration(c, A, k16), registration(c, A, k17)
        assert reg16 is not None and reg16.registration["name"] == "北京旧名科技有限公司"
        assert reg17 is not None and reg17.registration["name"] == "北京新名科技有限公司"
        assert registration(c, B, k16) is None and registration(c, B, k17) is not None
        assert list(export_frame(c, "abnormal", D("2026-07-16"), k16)["name"]) == ["北京旧名科技有限公司"]
        assert list(export_frame(c, "abnormal", D("2026-07-16"), None)["name"]) == ["北京新名科技有限公司"]
        assert [(r["name"], r["registered"]) for r in screen(c, [A, B], D("2026-07-16"), k16)] == \
            [("北京旧名科技有限公司", True), (None, False)]


def test_a_penalty_as_the_store_held_it_after_night_k(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # The fine was corrected on night 17: as known after 16 the penalty shows the fine of then.
    with engine.begin() as c:
        reg(c, A)
        row = {"c": "P1", "u": A, "d": D("2026-07-10"), "doc": "罚字〔2026〕P1号", "cat": "other", "m": ["fine"]}
        c.execute(sa.text("""insert into penalties_history (night, change, case_no, uscc, decided_on, doc_no, category,
                             measures, fine_amount, heavier, fulfilled_on)
                             values ('2026-07-14', 'new', :c, :u, :d, :doc, :cat, :m, 50000, false, null)"""), row)
        c.execute(sa.text("""insert into penalties (case_no, uscc, decided_on, doc_no, category, measures, fine_amount,
                             heavier, fulfilled_on, first_night, last_night)
                             values (:c, :u, :d, :doc, :cat, :m, 50000, false, null, '2026-07-14', '2026-07-14')"""), row)
        _nights(c, settings, "2026-07-14", "2026-07-16")
        c.execute(sa.text("""insert into penalties_history (night, change, case_no, uscc, decided_on, doc_no, category,
                             measures, fine_amount, heavier, fulfilled_on)
                             values ('2026-07-17', 'changed', :c, :u, :d, :doc, :cat, :m, 80000, false, '2026-07-16')"""), row)
        c.execute(sa.text("update penalties set fine_amount = 80000, fulfilled_on = '2026-07-16' where case_no = 'P1'"))
        _nights(c, settings, "2026-07-17")
        fine = {k: [p["fine_amount"] for p in penalties_of(c, A, D("2026-07-16"), known_at(c, D(k)), settings)]
                for k in ("2026-07-16", "2026-07-17")}
        assert fine == {"2026-07-16": [50000.0], "2026-07-17": [80000.0]}
        # before the first night: no record after a night to answer from (s34: refused) — a record
        # with nothing on it still shows no penalty
        with pytest.raises(NoNightPublished):
            known_at(c, D("2026-07-13"))
        assert penalties_of(c, A, D("2026-07-16"), KnownAt(D("2026-07-13"), 0, 0), settings) == []


def _applications(c, settings, known) -> list[str]:  # type: ignore[no-untyped-def]
    (entry,) = [e for e in entity_rosters(c, A, D("2026-07-20"), settings, known)
                if e["cause_code"] == "annual_report_missing"]
    return [a["received_on"] for a in entry["applications"]]


def test_an_application_recorded_after_night_k_is_not_known_after_k(engine, settings) -> None:  # type: ignore[no-untyped-def]
    # Received (legal time) on 07-02, recorded (record time) after night 07-02 anchored the log: as
    # the record stood after night 07-02 there was no application; after night 07-03 there was.
    from credit.rosters.known import KnownAt
    from credit.rosters.repair import apply_for_removal

    with engine.begin() as c:
        reg(c, A, established="2020-03-01")
        _nights(c, settings, "2026-07-01", "2026-07-02")
        apply_for_removal(c, A, "abnormal", D("2026-07-02"), "已补报", settings=settings)
        assert _applications(c, settings, None) == ["2026-07-02"]
        k2 = known_at(c, D("2026-07-02"))
        assert k2 is not None and k2.request_id == 0
        assert _applications(c, settings, k2) == []
        _nights(c, settings, "2026-07-03")
        assert _applications(c, settings, known_at(c, D("2026-07-03"))) == ["2026-07-02"]
        # An anchor from before migration 0036 holds no application id: the received date stands in.
        assert _applications(c, settings, KnownAt(D("2026-07-02"), k2.seq)) == ["2026-07-02"]
        assert KnownAt(D("2026-07-02"), 5).as_dict() == {"night": "2026-07-02", "decision_seq": 5}
        assert k2.as_dict() == {"night": "2026-07-02", "decision_seq": k2.seq, "request_id": 0}
