"""The night's records: one file's outcome and the night's summary, as stored in ``night_runs.summary``.

The summary is a TypedDict so that a night just published and a night read back from the
database are the same thing. Issues are stored as objects (:class:`credit.issues.IssueDict`);
nights published before issues were records stored them as plain sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from credit.grading.night import GradingNightSummary
from credit.issues import Issue, IssueDict
from credit.night.merge import MergeRecord
from credit.night.quality import ExpectationResult
from credit.night.scope import ScopeRecord
from credit.notices.night import NoticesNightSummary
from credit.rosters.decide import RosterNightSummary


class FileRecord(TypedDict):
    file: str
    source: str
    mode: str
    sha256: str
    rows_in: int
    accepted: int
    quarantined: int
    failures: list[IssueDict]
    warnings: list[IssueDict]
    expectations: list[ExpectationResult]
    seconds: float
    absent_columns: NotRequired[list[str]]   # optional columns the file lacks (none: not written)


@dataclass
class FileOutcome:
    """One file of the night after ingesting: its counts and verdicts (staged with its rows, credit.night.staging)."""

    file: str
    source: str
    mode: str
    sha256: str
    rows_in: int
    accepted: int = 0
    quarantined: int = 0
    failures: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    expectations: list[ExpectationResult] = field(default_factory=list)
    seconds: float = 0.0
    # The optional contract columns the file does not carry (credit.contract.manifest.absent_columns):
    # the merge keeps the store's values of them for the rows it delivers (contracts.md §1).
    absent: list[str] = field(default_factory=list)

    def as_dict(self) -> FileRecord:
        doc: FileRecord = {
            "file": self.file, "source": self.source, "mode": self.mode, "sha256": self.sha256,
            "rows_in": self.rows_in, "accepted": self.accepted, "quarantined": self.quarantined,
            "failures": [i.as_dict() for i in self.failures], "warnings": [i.as_dict() for i in self.warnings],
            "expectations": list(self.expectations), "seconds": self.seconds}
        if self.absent:
            doc["absent_columns"] = list(self.absent)
        return doc

    @classmethod
    def from_dict(cls, doc: FileRecord) -> FileOutcome:
        """Back from :meth:`as_dict` (outcomes are staged as JSON, ``night_staging_files.outcome``)."""
        return cls(doc["file"], doc["source"], doc["mode"], doc["sha256"], doc["rows_in"], doc["accepted"],
                   doc["quarantined"], [Issue.from_dict(i) for i in doc["failures"]],
                   [Issue.from_dict(i) for i in doc["warnings"]], list(doc["expectations"]), doc["seconds"],
                   list(doc.get("absent_columns", [])))


class GradingPart(GradingNightSummary):
    """The grading's summary in the night's record, with the path of the night's report page."""

    report: str


class PartitionsPart(TypedDict):
    """A partitioned night's plan and what its partitions staged (credit.night.partitions)."""

    plan: str
    count: int
    digits: int
    decisions: int    # staged by the partitions (the serious-list procedure's steps are decided at publish)
    graded: int       # graded by the partitions
    regraded: int     # graded again at publish: relations that cross partitions


class UnlistedPart(TypedDict):
    """Entries of the night's folder its manifest does not list, so not read (contracts.md §1)."""

    count: int
    files: list[str]       # the first UNLISTED_SHOWN names, sorted


UNLISTED_SHOWN = 200


class NightSummary(TypedDict):
    """What a published night reports (stored as JSON with the night, printed by ``credit nightly``)."""

    night: str
    manifest_digest: str
    config_version: str
    gap_allowed: bool
    files: list[FileRecord]
    merges: list[MergeRecord]
    rosters: RosterNightSummary
    grading: GradingPart
    stages: dict[str, float]         # seconds per stage
    already_published: NotRequired[bool]
    manifest_content: NotRequired[str]   # Manifest.content_digest (nights published before it have none)
    notices: NotRequired[NoticesNightSummary]   # 双告知 (nights published before it have none)
    scope: NotRequired[ScopeRecord]   # the entities the night worked on (issue 11; earlier nights: none)
    partitions: NotRequired[PartitionsPart]     # computed in region partitions (issue 12)
    shrink_accepted: NotRequired[list[IssueDict]]   # full snapshots confirmed to shrink (--accept-shrink)
    shrink_small: NotRequired[list[IssueDict]]      # small sources whose full snapshot shrank (published, noted)
    skipped_delivered: NotRequired[list[str]]   # delivered nights confirmed unpublishable (--skip-night)
    unlisted: NotRequired[UnlistedPart]   # files in the folder the manifest does not list (none: absent)
