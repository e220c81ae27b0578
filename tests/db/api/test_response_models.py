"""The response models of OpenAPI (credit.api.models) describe the real answers: each answer of
the story validates against the model its route documents (issue 15)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from credit.api import models as m
from tests.db.api.support import A, C, file_and_apply, live, seed_story  # noqa: F401


def _fits(model: Any, body: Any) -> None:
    TypeAdapter(model).validate_python(body, strict=False)


def test_answers_fit_their_documented_models(live) -> None:  # noqa: F811
    seed_story(live, grade=True)
    submitted = file_and_apply(live)
    _fits(m.SubmittedApplication, submitted)
    with live.client() as h:
        _fits(m.Health, h.get("/healthz").json())
        for u in (A, C):
            doc = h.get(f"/v1/entities/{u}").json()
            _fits(m.EntityStatusDoc, doc)
        assert any(e.get("repair") for e in doc["rosters"])   # C is listed: the repair outlook was checked
        _fits(m.SearchResults, h.get("/v1/entities", params={"name": "北京"}).json())
        _fits(list[m.RosterRow], h.get("/v1/rosters/abnormal", params={"format": "json"}).json())
        _fits(m.InspectionTasks, h.get("/v1/inspection-results").json())
        token = submitted["receipt_token"]
        _fits(m.ApplicationDoc, h.get(f"/v1/repair-applications/{submitted['id']}", params={"token": token}).json())
        _fits(m.ApplicationDoc, h.get(f"/v1/receipts/{token}").json())
        _fits(m.SigningKey, h.get("/v1/keys/signing").json())
    with live.client("consumer") as h:
        cert = h.post("/v1/screenings", json={"usccs": [A, C], "as_of": "2026-07-15"}).json()
        _fits(m.Certificate, cert)
        _fits(m.Verification, h.post("/v1/certificates/verify", json=cert).json())
        _fits(m.DecisionFeed, h.get("/v1/decisions").json())
    with live.client("bureau") as h:
        _fits(m.TierDoc, h.get(f"/v1/bureau/entities/{C}/tier").json())
        _fits(m.DeadlineWatch, h.get("/v1/bureau/deadlines").json())
        _fits(m.NightDoc, h.get("/v1/bureau/nights/latest").json())
        _fits(m.DrawList, h.get("/v1/bureau/draws").json())
        _fits(m.NoticeFeed, h.get("/v1/bureau/notices").json())
        _fits(m.SeriousProcedures, h.get("/v1/bureau/serious/procedures").json())


def test_a_model_refuses_an_answer_that_lacks_its_fields() -> None:
    """The check above can fail: a document without the named fields does not fit."""
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        _fits(m.ApplicationDoc, {"id": 1, "uscc": A})
    assert issubclass(m.EntityStatusDoc, BaseModel)
