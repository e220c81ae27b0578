"""The departments' nightly drop (数据共享交换平台): what each source delivers and how to read it.

The column lists, keys and value sets below are the contract of ``../shared/contracts.md`` §1,
kept to the letter: a file is accepted only with all of its source's columns (extra columns are
ignored, a missing one stops the night). How a night's files are listed and read is
:mod:`credit.contract.manifest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from credit.contract.industry import SECTIONS

Kind = Literal["uscc", "text", "code", "date", "timestamp", "int", "money", "bool", "enum", "list", "month"]

PENALTY_CATEGORIES = (
    "food_safety", "drugs_devices_cosmetics", "quality_special_equipment", "consumer_rights",
    "fair_competition", "registration_fraud", "unlicensed", "obstruction", "false_disclosure", "other",
)
PENALTY_MEASURES = (
    "warning", "criticism", "fine", "confiscation", "qualification_downgrade", "licence_revoked",
    "business_licence_revoked", "business_restricted", "suspension", "closure", "practice_ban",
)
FINDING_KINDS = (
    "unreachable_address", "false_disclosure", "ordered_disclosure_overdue",
    "contact_restored", "disclosure_corrected", "ordered_disclosure_done",
)
RESULT_CODES = (
    "normal", "not_disclosed", "false_disclosure", "unreachable", "ordered_to_correct",
    "not_cooperating", "not_operating", "pending",
)


# The longest text key (case_no, finding_id, task_id, inspector_id) or indexed text (legal_rep_hash)
# a row may carry: a 文号, an id or a hash is a few dozen characters, and the store's B-tree index takes
# no entry over 2,704 bytes (900 CJK characters in UTF-8); a longer one ended the night with a
# database traceback at the merge.
KEY_LENGTH = 200


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()        # for enum / list of enum
    pattern: str | None = None          # for code: a regex the normalised text must match
    not_after_night: bool = False       # a date (or month) in the future of the night is an error (不得晚于批次日期);
                                        # for an int year column, a year after the night's year
    # for an int year column: the year must be over before a record of it can exist, so the night's
    # own year is held too, under this rule (its reason says why): an annual report for year Y is
    # filed from 1 January of Y+1 (domain.md §2); a tax-and-fee credit level assesses a year that is
    # over (domain.md §11, 纳税缴费信用管理办法: the annual evaluation of the past year)
    year_closed: str | None = None
    # With year_closed: the column whose value the closed year is about; a row without it is no
    # claim about that year and passes (a current-year tax row with only a 非正常户 flag).
    year_closed_of: str | None = None
    max_length: int | None = None
    non_negative: bool = False          # for int: a count or a number of days cannot be below zero
    optional: bool = False              # older drops lack the column: read as empty (unknown), never refused
    # A text identifier (a key's case_no, finding_id, task_id, inspector_id): full-width digits and
    # letters are written in ASCII (NFKC), as the items of an id list are (inspector_ids):
    # contracts.md §1 "Real files also carry full-width digits … normalise what is unambiguous".
    # Free text (names, addresses, results) keeps its characters (outsider's report M2).
    identifier: bool = False
    # A text whose value may run over several lines (a quoted CSV value holding line breaks, RFC 4180).
    # Only an inspection's written result is such a text; in any other column (a name, an address, a
    # document number, an id) a line break inside the value is an export defect, not part of it,
    # and the row is held (credit.night.quality, rule line_break; drops4).
    multiline: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    label: str                          # the Chinese name a clerk knows
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    history: bool = False               # keep every change with the night that brought it
    # (column, bound): the column's amount may not exceed the bound's on the same row (a row that
    # says both cannot be true, so it is quarantined rather than guessed at)
    not_above: tuple[tuple[str, str], ...] = ()
    # (column, bound): the column's date may not be before the bound's on the same row (an event
    # that cannot precede the one it follows: a penalty fulfilled or revoked before it was decided)
    not_before: tuple[tuple[str, str], ...] = ()
    # (date column, year column): the date may not fall before the year has ended (an annual
    # report for year Y is filed from 1 January of Y+1, domain.md §2: one dated earlier cannot be
    # that year's report, and stored as filed it would count as filed in time)
    after_year_end: tuple[tuple[str, str], ...] = ()
    # (days column, month column): a number of days counted back from the end of the month may not
    # reach before 1949-10-01 (credit.night.quality.EARLIEST_DUE): a bank's overdue days
    # (max_overdue_days) of a loan that fell due before the People's Republic, whose banking
    # system lends today, cannot be a count of days but a keying error or a sentinel
    # (99999999999, an outsider's pass, s36), and graded it would read as the worst overdue loan
    # (contracts.md §1: quarantine what is not unambiguous)
    days_within_month: tuple[tuple[str, str], ...] = ()
    # The column stamping when the department last changed a row (contracts.md §1: registration's
    # updated_at, tax's and bank credit's updated_on): a row delivered again with an older stamp
    # than the stored row's is stale and is held back, never merged over the newer state
    # (credit.night.ingest.hold_stale; outsider's report M5).
    version: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_column_names(self) -> list[str]:
        """The columns every file of the source must carry (optional ones may be absent)."""
        return [c.name for c in self.columns if not c.optional]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


REGION = r"^[0-9]{6}$"
#: A GB/T 4754-2017 code: a section letter, then a division, group or class (contracts.md §1 ``industry_code``).
INDUSTRY = r"^[A-T](?:[0-9]{2}(?:[0-9]{1,2})?)?$"
SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("registration", "登记", ("uscc",), (
        Column("uscc", "uscc", True),
        Column("name", "text", True, max_length=200),
        Column("entity_kind", "enum", True, ("enterprise", "individual", "farmer_coop")),
        Column("legal_form", "text"),
        Column("region_code", "code", True, pattern=REGION),
        Column("industry_code", "code", pattern=INDUSTRY),
        Column("registered_capital", "money"),
        Column("established_on", "date", True, not_after_night=True),
        Column("status", "enum", True, ("operating", "revoked", "cancelled", "moved_out")),
        Column("status_on", "date", not_after_night=True),
        Column("address", "text"),
        Column("legal_rep_hash", "text", max_length=KEY_LENGTH),   # indexed (a legal representative's entities)
        # A night's drop holds what changed up to the night (contracts.md §1): a record changed on a
        # later day cannot be true yet, as tax/bank_credit updated_on (date part compared; s28drop).
        Column("updated_at", "timestamp", not_after_night=True),
    ), history=True, not_before=(("status_on", "established_on"),), version="updated_at"),
    Source("annual_reports", "年报", ("uscc", "report_year"), (
        Column("uscc", "uscc", True),
        Column("report_year", "int", True, not_after_night=True, year_closed="year_not_closed"),
        Column("filed_on", "date", True, not_after_night=True),
        Column("employees", "int", non_negative=True),
        Column("revenue", "money"),
        Column("total_tax", "money"),
    ), history=True, after_year_end=(("filed_on", "report_year"),)),
    Source("tax", "纳税", ("uscc", "assessed_year"), (
        Column("uscc", "uscc", True),
        # A level of year Y exists once year Y is over (domain.md §11): one for the night's own year
        # would grade the entity on an assessment that cannot have been made (outsider's pass, s35).
        # Only a row that carries a level is held: its 非正常户 flag and arrears are the taxpayer's
        # state, not the year's assessment, and stay strong grading inputs (an outside review).
        Column("assessed_year", "int", True, not_after_night=True, year_closed="assessment_year_not_over",
               year_closed_of="tax_credit_grade"),
        Column("tax_credit_grade", "enum", False, ("A", "B", "M", "C", "D")),
        Column("abnormal_taxpayer_since", "date", not_after_night=True),
        Column("arrears", "money"),
        Column("updated_on", "date", not_after_night=True),
    ), history=True, version="updated_on"),
    Source("social_security", "社保", ("uscc", "period"), (
        Column("uscc", "uscc", True),
        Column("period", "month", True, not_after_night=True),
        Column("insured_count", "int", non_negative=True),
        Column("arrears", "money"),
        Column("arrears_months", "int", non_negative=True),
    )),
    Source("penalties", "行政处罚", ("case_no",), (
        Column("case_no", "text", True, identifier=True, max_length=KEY_LENGTH),
        Column("uscc", "uscc", True),
        Column("decided_on", "date", True, not_after_night=True),
        Column("doc_no", "text"),
        Column("category", "enum", True, PENALTY_CATEGORIES),
        Column("measures", "list", True, PENALTY_MEASURES),
        Column("fine_amount", "money"),
        Column("heavier", "bool", True),
        Column("fulfilled_on", "date", not_after_night=True),
        # Optional since issue 13 (contracts.md §1): the end of a restriction, suspension or
        # practice ban (domain.md §4: a restriction longer than the listing extends it), and the
        # day the decision was revoked, changed or held void (45号令 art. 11, domain.md §6).
        Column("restricted_until", "date", optional=True),
        Column("revoked_on", "date", not_after_night=True, optional=True),
    ), history=True, not_before=(("fulfilled_on", "decided_on"), ("restricted_until", "decided_on"),
                                 ("revoked_on", "decided_on"))),
    Source("findings", "核查结果", ("finding_id",), (
        Column("finding_id", "text", True, identifier=True, max_length=KEY_LENGTH),
        Column("uscc", "uscc", True),
        Column("kind", "enum", True, FINDING_KINDS),
        Column("found_on", "date", True, not_after_night=True),
        Column("doc_no", "text"),
        Column("department", "text"),
    ), history=True),
    Source("inspection_results", "抽查检查结果", ("task_id", "uscc"), (
        Column("task_id", "text", True, identifier=True, max_length=KEY_LENGTH),
        Column("uscc", "uscc", True),
        Column("inspected_on", "date", True, not_after_night=True),
        Column("result_code", "enum", True, RESULT_CODES),
        Column("result", "text", multiline=True),
        Column("inspector_ids", "list"),
        Column("doc_no", "text"),
    ), history=True),
    Source("inspectors", "执法检查人员", ("inspector_id",), (
        Column("inspector_id", "text", True, identifier=True, max_length=KEY_LENGTH),
        Column("name", "text", True),
        Column("department", "text"),
        Column("region_code", "code", True, pattern=REGION),
        # GB/T 4754 sections (门类): an inspector whose fields name none of them is drawn for nothing
        Column("fields", "list", values=tuple(SECTIONS)),
        Column("active", "bool", True),
        Column("conflicts", "list"),
    ), history=True),
    # Listed last: a source's position seeds the sample generator's streams (credit.sample.context),
    # so appending keeps every other source's sample bytes as they were.
    Source("bank_credit", "银行信用", ("uscc", "period"), (
        Column("uscc", "uscc", True),
        Column("period", "month", True, not_after_night=True),
        Column("lenders", "int", non_negative=True),
        Column("loans_outstanding", "money"),
        Column("overdue_amount", "money"),
        Column("max_overdue_days", "int", non_negative=True),
        Column("in_default", "bool"),
        Column("updated_on", "date", not_after_night=True),
    ), history=True, not_above=(("overdue_amount", "loans_outstanding"),),
       days_within_month=(("max_overdue_days", "period"),), version="updated_on"),
)}

#: Sources that are a risk signal for grading only: never published, exported, screened or a
#: roster cause (contracts.md §1 ``bank_credit``; domain.md §11, 征信业管理条例).
CONFIDENTIAL_SOURCES: tuple[str, ...] = ("bank_credit",)
