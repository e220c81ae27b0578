"""Request bodies and response documents of the HTTP API (docs/api.md).

The response models give OpenAPI a schema for every JSON answer (issue 15); the handlers return
the documents as built by the areas' own functions (``JSONResponse``), so a model documents the
answer and never reshapes it. Nested documents whose keys depend on the roster or the step are
open (``extra="allow"``): the model names the fields every answer has."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from credit.api.validation import Day, normalise_contact

Roster = Literal["abnormal", "abnormal_status", "serious"]


class ScreeningRequest(BaseModel):
    """Bulk screening: up to 10,000 USCCs and one date (联合惩戒核查)."""

    model_config = ConfigDict(extra="forbid")
    usccs: list[str] = Field(min_length=1, max_length=10_000, description="统一社会信用代码, 18 characters each")
    as_of: Day = Field(description="the day asked about, e.g. the bid date (投标截止日)")
    known_at: Day | None = Field(default=None, description="answer from the record as it stood after this night")


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
                                            "pending application per entry under it; kept only as a hash. A mainland mobile "
                                            "number (11 digits starting with 1) or an e-mail address")

    @field_validator("contact")
    @classmethod
    def _contact(cls, v: str | None) -> str | None:
        # blank is no contact, as the page sends it (not a malformed one)
        return None if v is None or not v.strip() else normalise_contact(v)


    @model_validator(mode="after")
    def _case_for_penalty(self) -> RepairApplication:
        if (self.roster == "penalty") != (self.case_no is not None):
            raise ValueError("case_no is given exactly when roster is penalty (行政处罚信息信用修复须填写案号)")
        return self


class CounterRepairApplication(RepairApplication):
    """Recorded by bureau staff: a paper application that reached the bureau on ``received_on``."""

    received_on: Day


class Objection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: str = Field(min_length=1, max_length=100, description="the decision objected to: seq or 文号")
    received_on: Day
    grounds: str | None = Field(default=None, max_length=2000)


class ObjectionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "dismissed"]
    on: Day = Field(description="date of the decision")
    note: str | None = Field(default=None, max_length=2000)


class DraftDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    on: Day
    note: str | None = Field(default=None, max_length=2000)


SERIOUS_USCC = ("the entity whose procedure on the case is meant: a penalty corrected to name another entity "
                "has one per entity (domain.md §4); a case number alone naming several is refused")


class SeriousAssessment(BaseModel):
    """The officer's art. 12 assessment of a serious-list proposal (44号令 art. 12, domain.md §4)."""

    model_config = ConfigDict(extra="forbid")
    on: Day = Field(description="date of the assessment")
    intent: Literal["intentional", "negligent", "no_intent_proven"]
    frequency: str = Field(min_length=1, max_length=500, description="违法频次")
    harm: str = Field(min_length=1, max_length=2000, description="危害后果")
    outcome: Literal["list", "not_list"]
    note: str | None = Field(default=None, max_length=2000)
    uscc: str | None = Field(default=None, max_length=64, description=SERIOUS_USCC)


class SeriousConsent(BaseModel):
    """The next-higher bureau's answer to a listing by a county- or city-level authority."""

    model_config = ConfigDict(extra="forbid")
    on: Day = Field(description="date recorded")
    authority: str = Field(min_length=1, max_length=200, description="the consenting bureau")
    consented_on: Day
    document_no: str = Field(min_length=1, max_length=200, description="its document number (文号)")
    outcome: Literal["granted", "refused"] = "granted"
    note: str | None = Field(default=None, max_length=2000)
    uscc: str | None = Field(default=None, max_length=64, description=SERIOUS_USCC)


# ------------------------------------------------------------------------------------- responses
class Open(BaseModel):
    """A document that may carry more fields than it names."""

    model_config = ConfigDict(extra="allow")


class DataVersion(BaseModel):
    """What an answer was read from: the decision log's head and the latest published night."""

    decision_seq: int = Field(description="0 while the log is empty")
    decision_hash: str | None = Field(description="the head's chained row_hash")
    night: str | None = Field(description="the latest published night (YYYY-MM-DD)")


class Health(BaseModel):
    ok: bool
    data_version: DataVersion


class RepairOutlook(Open):
    """What repair of a listed entry needs, from and until when, and by when the bureau decides."""

    needs: str | None = Field(description="修复条件, in Chinese")
    apply_from: str | None = None
    apply_note: str | None = Field(default=None, description="serious list: a restriction of the penalty that holds "
                                   "early removal back (domain.md §4), in Chinese")
    apply_until: str | None = None
    apply_until_provisional: str | None = Field(
        default=None, description="abnormal roster: when apply_until's year has no holiday notice yet, the last day "
        "counted Monday–Friday past a rest day (民法典 art. 203), provisional until the notice (domain.md §12)")
    expires_on: str | None = None
    decide_within: str | None = Field(default=None, description="the decision limit (e.g. 5个工作日); outside the bureau "
                                      "null when the rule's legal text is unverified (rule_status), with decide_within_note")
    decide_within_note: str | None = Field(default=None, description="outside the bureau, for a limit whose rule is marked "
                                           "unverified: 以登记机关受理时告知的期限为准 (no limit nor date counted with it is published)")
    decide_by_if_applied_today: str | None = None
    decide_by_provisional: str | None = None
    decide_by_note: str | None = None


class RemovedSince(Open):
    """How an entry listed on the date asked has left its roster since, by the latest data."""

    removed_on: str | None
    removal_no: str | None = Field(description="the 文号 of the decision that ended the entry")
    removal_reason: str | None
    removal_kind: Literal["revoked", "repair", "removed"] | None
    label: str = Field(description="what happened since, in Chinese")


class RosterEntry(Open):
    """One roster entry; the repair window's keys depend on the roster, the bureau's fields on the role."""

    roster: str
    roster_label: str
    cause_code: str
    cause: str
    basis: str
    included_on: str
    decision_no: str | None
    authority: str
    state: Literal["listed", "removed"]
    state_label: str
    removed_on: str | None
    removal_reason: str | None
    repair: RepairOutlook | None = Field(default=None, description="entries listed on the date asked and still listed by the latest data (an outlook is about today)")
    removed_since: RemovedSince | None = Field(
        default=None, description="entries listed on the date asked that have left the roster by the latest data "
        "(or night K's): when, by which decision, and how — revoked (the listing withdrawn as wrong), repair, removed")


class EntityStatusDoc(BaseModel):
    """An entity's status on a date as the caller's role may see it (``GET /v1/entities/{uscc}``)."""

    uscc: str
    name: str | None
    registered: bool
    registration: dict[str, Any] | None
    registration_status: Literal["operating", "revoked", "cancelled", "moved_out"] | None = Field(
        default=None, description="the registration status on as_of (with known_at: as recorded up to night K), "
        "not today's; null when not registered on as_of")
    registration_status_label: str | None = Field(default=None, description="存续 / 吊销 / 注销 / 迁出")
    registration_status_on: str | None = Field(default=None, description="the day that status took effect "
                                               "(status_on); null for 存续 since establishment or a date not delivered")
    as_of: str
    listed: bool
    rosters: list[RosterEntry]
    penalties: list[dict[str, Any]] = Field(description="published penalties (domain.md §5.3, §6)")
    known_at: dict[str, Any] | None
    data_version: DataVersion
    data_through: str | None = Field(default=None, description="the last night the answer's data speak for: the "
                                     "latest published night (with known_at: that night); null before the first")
    beyond_data: bool = Field(default=False, description="true when as_of is after data_through (or no night is "
                              "published): the answer is the state as of the latest published data, and "
                              "decisions of later nights may change it")


class SearchResults(BaseModel):
    name: str
    results: list[dict[str, Any]] = Field(description="public registration fields of each match")
    truncated: bool


class InspectionTasks(BaseModel):
    tasks: list[dict[str, Any]]


class InspectionResults(BaseModel):
    task_id: str
    results: list[dict[str, Any]]


class ApplicationDecisionDoc(BaseModel):
    seq: int
    action: str
    label: str = Field("", description="the decision made, in Chinese (e.g. 异议不成立, 不予移出, 恢复正常记载状态)")
    entry_id: int | None
    decision_date: str
    decision_no: str | None
    reason: str | None
    basis: str | None
    authority: str | None


class ApplicationDoc(BaseModel):
    """An application for removal with its decide-by date and the decisions on it."""

    id: int
    kind: str
    uscc: str
    roster: str
    roster_label: str
    received_on: str
    grounds: str
    documents: list[str]
    channel: str
    rule: str | None
    decide_by: str | None
    decide_by_provisional: str | None
    note: str | None
    status: Literal["pending", "removed", "refused", "decided"]
    status_label: str = Field("", description="the status in Chinese, naming the decision made")
    decisions: list[ApplicationDecisionDoc]


class SubmittedApplication(ApplicationDoc):
    """The answer to a submission: the application, its basis and entries, and the receipt token (shown once)."""

    basis: str | None
    entries: list[Any] | None
    receipt_token: str = Field(description="rct_…: read the application back with it; shown only here")


class KeyringBasis(BaseModel):
    """What ``GET /v1/keys/signing`` checked its keyring against: the trusted key (the installation's
    own, refused with 503 when revoked), the keyring's lines and their SHA-256 — compare them with
    an anchor line's ``keyring`` record from a copy kept elsewhere, or give them to ``credit
    verify-signature --keyring-pin`` — and how many of its first lines the last anchor records
    (the lines after them are not yet anchored)."""

    key_id: str | None
    lines: int
    sha256: str
    anchored_lines: int


class SigningKey(BaseModel):
    """The key that signs, and the bureau's keyring: every key it has signed with, each line
    signed by its key and, after the first, handed over by the key before it (``credit.keyring``;
    empty before the first anchor is published). While a hand-over waits for the bureau to switch
    its key setting, the key named is the one handed over to, which signs once switched:
    ``signs_now`` false, ``handed_over_from`` the key that signs nothing more."""

    algorithm: Literal["Ed25519"]
    key_id: str
    public_key_pem: str
    signs_now: bool = Field(True, description="whether key_id signs at this moment (false while a hand-over "
                                              "waits for the key setting to be switched)")
    handed_over_from: str | None = Field(None, description="the key in the settings, handed over to key_id and "
                                                           "signing nothing more, while the switch waits")
    keyring: list[dict[str, Any]] = []
    verified_against: KeyringBasis | None = Field(
        None, description="what the keyring was checked against before it was served (null before the keyring "
                          "file exists)")


class Verification(BaseModel):
    """A screening certificate re-checked against the decision log."""

    verdict: str = Field(description="valid / superseded / invalid")
    valid: bool
    digest_ok: bool
    issued_here: bool
    anchor_ok: bool | None
    answers_ok: bool | None
    differences: list[Any]
    reasons: list[Any]


class Certificate(Open):
    """A screening certificate (联合惩戒核查凭证): the query, the answers and the data they came from."""

    certificate_id: str
    format: str
    issuer: str
    issued_at: str
    as_of: str
    query: dict[str, Any]
    data_version: dict[str, Any]
    results: list[dict[str, Any]]
    digest: str


class DecisionFeed(BaseModel):
    after: int
    next_after: int = Field(description="the cursor for the next call")
    decisions: list[dict[str, Any]] = Field(description="roster decisions in log order (kind decision), and the serious list's "
                                                     "numbered procedure documents — notice, refusal to list — with "
                                                     "their number, date and authority only (kind procedure, uscc "
                                                     "null); drafts and unnumbered working papers excluded")
    more: bool
    data_version: DataVersion


class TierDoc(Open):
    """An entity's credit-risk tier with its reasons (bureau only, domain.md §7)."""

    uscc: str
    grade: Literal["A", "B", "C", "D"]
    label: str
    score: float
    night: str
    config_version: str
    rosters_version: str = Field(description="rosters.yaml (label@digest) whose heavier_measures the advice read: "
                                             "the night's own; today's for a night graded before migration 0048")
    reasons: list[dict[str, Any]]
    to_improve: list[dict[str, Any]]
    data_through: str | None = Field(default=None, description="the last night the answer speaks for: the latest "
                                     "published night (with known_at: that night)")
    beyond_data: bool = Field(default=False, description="true when as_of is after data_through: the tier is that "
                              "night's, and later nights may change it")


class DeadlineWatch(BaseModel):
    on: str
    within_wd: int
    items: list[dict[str, Any]] = Field(description="what the bureau owes: due within within_wd working days, or overdue")


class DrawList(BaseModel):
    draws: list[dict[str, Any]]


class PublishedDrawRow(BaseModel):
    """A draw as the public sees it (一公开): its plan's SHA-256, and its public record's once drawn."""

    draw_id: str
    matters: list[str]
    matter_names: list[str] = Field(description="the matters' names on the 抽查事项清单, as the plan froze them")
    scope: str | None
    as_of: str
    seed_commitment: str | None = Field(description="SHA-256 of the seed, published with the plan (or null)")
    public_seed_source: str | None = Field(description="the public value that will be the seed (公开种子来源), or null")
    plan_sha256: str = Field(description="SHA-256 of GET /v1/draws/{draw_id}/plan.json, as announced with the plan")
    drawn: bool
    record_sha256: str | None = Field(description="SHA-256 of GET /v1/draws/{draw_id}/public.json, stored when drawn")


class DrawPlanFile(Open):
    """``DRAW_ID.plan.json`` (``credit-draw-plan/1``, docs/draws.md): served as its bytes, canonical
    JSON; the fields an outsider checks first."""

    format: str
    draw_id: str
    task: str
    as_of: str
    matters: list[dict[str, Any]]
    seed_commitment: str | None
    public_seed_source: str | None
    entity_pool_digest: str
    inspector_pool_digest: str
    strata: list[dict[str, Any]]


class DrawPublicRecordFile(Open):
    """``DRAW_ID.public.json`` (``credit-draw-public/2``, docs/draws.md): served as its bytes,
    canonical JSON; the fields an outsider checks first. It names no entity's stratum (a
    credit-risk tier, not public: domain.md §7); records drawn before it
    (``credit-draw-public/1``) are served as they were published, with ``strata`` instead of
    ``sample_sizes`` and ``full_record_sha256``."""

    format: str
    draw_id: str
    task: str
    seed: str
    inspections: list[dict[str, Any]]
    sample_sizes: dict[str, int] | None = Field(
        None, description="entities drawn per matter (the sum of the plan's sample sizes); /2 records")
    full_record_sha256: str | None = Field(
        None, description="SHA-256 of the bureau's full record (DRAW_ID.full.json); /2 records")


class PublishedDraws(BaseModel):
    draws: list[PublishedDrawRow]


class DrawDoc(BaseModel):
    draw_id: str
    plan: dict[str, Any]
    inspections: list[dict[str, Any]]


class NightDoc(Open):
    """The latest published night's run."""

    night: str
    config_version: str
    finished_at: str
    summary: dict[str, Any]


class NoticeFeed(BaseModel):
    after: int
    next_after: int
    notices: list[dict[str, Any]] = Field(description="双告知 notices in production order (domain.md §11)")
    more: bool


class ObjectionFiledDoc(BaseModel):
    """A written objection as recorded, with its periods (domain.md §3.4)."""

    id: int
    uscc: str
    decision: str | None = Field(description="文号 of the decision objected to")
    received_on: str
    in_time: bool | None = Field(description="None while the calendar cannot say")
    filing_period_ends: str
    accept_by: str
    verify_by_if_accepted_on_last_day: str | None


class OfficerDecisionDoc(BaseModel):
    """The decision an officer's answer appended to the log."""

    seq: int
    decision_no: str | None
    action: str
    rule_id: str | None = None
    label: str = Field("", description="the decision made, in Chinese (e.g. 异议不成立 for a dismissed objection)")


class OfficerStepDoc(BaseModel):
    """What an officer's step of the serious-list procedure appended to the log."""

    seq: int
    action: str
    decision_no: str | None
    case_no: str


class SeriousProcedures(BaseModel):
    on: str
    known_at: dict[str, Any] | None
    procedures: list[dict[str, Any]] = Field(description="each procedure with its steps, next step, actor and due date")


class RosterRow(BaseModel):
    """One row of a roster export, in the columns of contracts.md §2."""

    uscc: str
    name: str | None
    roster: str
    cause_code: str
    cause: str
    basis: str
    included_on: str
    decision_no: str | None
    authority: str
    state: Literal["listed", "removed"]
    removed_on: str | None
    removal_reason: str | None
