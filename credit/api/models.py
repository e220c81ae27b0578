"""Request bodies of the HTTP API (responses are documented in docs/api.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Roster = Literal["abnormal", "abnormal_status", "serious"]


class ScreeningRequest(BaseModel):
    """Bulk screening: up to 10,000 USCCs and one date (联合惩戒核查)."""

    model_config = ConfigDict(extra="forbid")
    usccs: list[str] = Field(min_length=1, max_length=10_000, description="统一社会信用代码, 18 characters each")
    as_of: date = Field(description="the day asked about, e.g. the bid date (投标截止日)")
    known_at: date | None = Field(default=None, description="answer from the record as it stood after this night")


class RepairApplication(BaseModel):
    """An application for removal (信用修复 / 移出申请) of an entity's entries on one roster, or
    (``roster: penalty`` with ``case_no``) for repair of one penalty's publicity (行政处罚信息信用修复)."""

    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(description="统一社会信用代码")
    roster: Literal["abnormal", "abnormal_status", "serious", "penalty"]
    case_no: str | None = Field(default=None, min_length=1, max_length=100,
                                description="roster penalty: the case number (案号) of the penalty")
    grounds: str = Field(min_length=1, max_length=2000, description="申请理由: what was cured and how")
    documents: list[str] = Field(default_factory=list, max_length=20,
                                 description="document references (e.g. 守信承诺书, proof of filing)")
    contact: str | None = Field(default=None, max_length=200,
                                description="联系方式 (phone or e-mail), optional: an applicant who gives it has at most one "
                                            "pending application per entry under it; kept only as a hash")


    @model_validator(mode="after")
    def _case_for_penalty(self) -> RepairApplication:
        if (self.roster == "penalty") != (self.case_no is not None):
            raise ValueError("case_no is given exactly when roster is penalty (行政处罚信息信用修复须填写案号)")
        return self


class CounterRepairApplication(RepairApplication):
    """Recorded by bureau staff: a paper application that reached the bureau on ``received_on``."""

    received_on: date


class Objection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(min_length=1, max_length=100, description="the decision objected to: seq or 文号")
    received_on: date
    grounds: str | None = Field(default=None, max_length=2000)


class ObjectionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "dismissed"]
    on: date = Field(description="date of the decision")
    note: str | None = Field(default=None, max_length=2000)


class DraftDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    on: date
    note: str | None = Field(default=None, max_length=2000)


class SeriousAssessment(BaseModel):
    """The officer's art. 12 assessment of a serious-list proposal (44号令 art. 12, domain.md §4)."""

    model_config = ConfigDict(extra="forbid")
    on: date = Field(description="date of the assessment")
    intent: Literal["intentional", "negligent", "no_intent_proven"]
    frequency: str = Field(min_length=1, max_length=500, description="违法频次")
    harm: str = Field(min_length=1, max_length=2000, description="危害后果")
    outcome: Literal["list", "not_list"]
    note: str | None = Field(default=None, max_length=2000)


class SeriousConsent(BaseModel):
    """The next-higher bureau's answer to a listing by a county- or city-level authority."""

    model_config = ConfigDict(extra="forbid")
    on: date = Field(description="date recorded")
    authority: str = Field(min_length=1, max_length=200, description="the consenting bureau")
    consented_on: date
    document_no: str = Field(min_length=1, max_length=200, description="its document number (文号)")
    outcome: Literal["granted", "refused"] = "granted"
    note: str | None = Field(default=None, max_length=2000)
