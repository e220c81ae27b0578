"""Fast checks of the API's parts: USCC explanations, the rate limiter, keys, certificates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from credit.api.auth import Principal, UnknownKey, create_key, hash_key, principal_for, revoke_key
from credit.rosters import certificates, repair
from tests.db.api.support import NAMES, A, B, C, annual_report, register, run_night


def test_keys_are_hashed_roles_ordered_and_revocable(engine) -> None:
    with engine.begin() as c:
        key_id, key = create_key(c, "bureau", "信用监督管理科 张三", "test")
        stored = c.execute(sa.text("select key_hash, key_prefix from api_keys where id = :i"), {"i": key_id}).one()
        assert stored.key_hash == hash_key(key) and key not in stored.key_hash and key.startswith(stored.key_prefix)
        who = principal_for(c, key)
        assert who == Principal("bureau", key_id, "信用监督管理科 张三", None)
        assert who.allows("consumer") and who.allows("public")
        assert not Principal("consumer").allows("bureau") and not Principal("public").allows("consumer")
        with pytest.raises(ValueError):
            create_key(c, "admin", "x", "test")
        assert revoke_key(c, key_id)
        with pytest.raises(UnknownKey):
            principal_for(c, key)


def _story(engine, settings) -> None:
    with engine.begin() as c:
        for u, n in NAMES.items():
            register(c, u, n)
        annual_report(c, B, 2025, "2026-03-01")
    run_night(engine, settings, "2026-07-15")


def test_certificate_superseded_by_a_later_decision_for_the_same_day(engine, settings) -> None:
    _story(engine, settings)
    with engine.begin() as c:
        cert = certificates.issue(c, [A, B, C], date(2026, 7, 15), issuer="test", config_version="t",
                                  issued_at=datetime(2026, 7, 16, 9, tzinfo=UTC))
    assert cert["digest"] == certificates.digest_of(cert)
    with engine.connect() as c:
        assert certificates.verify_certificate(c, cert).verdict == "valid"
    # An objection decided the same day revokes C's listing: the answer for 07-15 changes, and the
    # certificate — a true copy of the log when issued — is reported superseded, not invalid.
    with engine.begin() as c:
        seq = c.execute(sa.text("select seq from roster_decisions where uscc = :u"), {"u": C}).scalar_one()
        obj = repair.file_objection(c, str(seq), date(2026, 7, 15), "已按时报送", settings=settings)
        repair.decide_objection(c, obj["id"], "upheld", date(2026, 7, 15), "officer", settings=settings)
    with engine.connect() as c:
        v = certificates.verify_certificate(c, cert)
        assert v.verdict == "superseded" and v.digest_ok and v.anchor_ok and not v.answers_ok
        assert [d["uscc"] for d in v.differences] == [C] and v.differences[0]["later_decisions"]
        # Altering the anchor hash makes it invalid even with a recomputed digest.
        forged = {**cert, "data_version": {**cert["data_version"], "decision_hash": "0" * 64}}
        forged["digest"] = certificates.digest_of(forged)
        forged["certificate_id"] = "SC-" + forged["digest"].removeprefix("sha256:")[:24].upper()
        f = certificates.verify_certificate(c, forged)
        assert f.verdict == "invalid" and not f.anchor_ok and not f.issued_here


def _redigested(doc: dict) -> dict:
    """What anyone can do without the bureau's key: change a certificate and recompute its digest."""
    doc["digest"] = certificates.digest_of(doc)
    doc["certificate_id"] = "SC-" + doc["digest"].removeprefix("sha256:")[:24].upper()
    return doc


def test_a_certificate_this_bureau_never_issued_is_never_valid(engine, settings) -> None:
    """The digest is plain SHA-256, which anyone can recompute: a certificate whose fields outside
    the re-checked answers were changed (the name, the issue time, an added field) matched its new
    digest and the log, and was verified ``valid`` with only a remark that no certificate with that
    digest was issued here (issue 14: nothing forged; docs/api.md "Verification")."""
    _story(engine, settings)
    with engine.begin() as c:
        cert = certificates.issue(c, [A, B, C], date(2026, 7, 15), issuer="test", config_version="t",
                                  issued_at=datetime(2026, 7, 16, 9, tzinfo=UTC))
    forgeries = {
        "name": {**cert, "results": [{**cert["results"][0], "name": "某某清白有限公司"}, *cert["results"][1:]]},
        "issued_at": {**cert, "issued_at": "2026-07-01T09:00:00+08:00"},
        "added field": {**cert, "purpose": "政府采购投标资格审查"},
    }
    with engine.connect() as c:
        assert certificates.verify_certificate(c, cert).verdict == "valid"
        for what, doc in forgeries.items():
            v = certificates.verify_certificate(c, _redigested(doc))
            assert v.digest_ok and v.anchor_ok and v.answers_ok and not v.issued_here, what
            assert v.verdict == "invalid", what
    # Nor "superseded": only a certificate issued here was a true copy of the log when issued.
    with engine.begin() as c:
        seq = c.execute(sa.text("select seq from roster_decisions where uscc = :u"), {"u": C}).scalar_one()
        obj = repair.file_objection(c, str(seq), date(2026, 7, 15), "已按时报送", settings=settings)
        repair.decide_objection(c, obj["id"], "upheld", date(2026, 7, 15), "officer", settings=settings)
    with engine.connect() as c:
        assert certificates.verify_certificate(c, cert).verdict == "superseded"
        assert certificates.verify_certificate(c, _redigested(dict(forgeries["issued_at"]))).verdict == "invalid"


def test_screening_answers_follow_the_log_for_each_date(engine, settings) -> None:
    _story(engine, settings)
    with engine.connect() as c:
        before = certificates.screen(c, [A, C, "91110105MA99999990"], date(2026, 7, 14))
        after = certificates.screen(c, [A, C, "91110105MA99999990"], date(2026, 7, 15))
    assert [r["listed"] for r in before] == [False, False, False]
    assert [r["listed"] for r in after] == [True, True, False]
    assert after[2]["registered"] is False and after[2]["entries"] == []
    assert after[0]["entries"][0]["cause_code"] == "annual_report_missing"
    assert set(after[0]["entries"][0]) == set(certificates.ENTRY_FIELDS)
