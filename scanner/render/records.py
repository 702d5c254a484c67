"""The plain records the report templates receive.

Templates never see a DataFrame: `structure.build_report` turns the frames into these frozen values, so
every decision (order, grouping, which fixes to show) is made and tested in Python, and a template only
lays values out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BoxHeading:
    """One of the five boxes as a column of the matrix and a line of the methodology."""

    check_id: str
    title: str
    short_title: str
    checks: str
    data: str
    references: str


@dataclass(frozen=True)
class BoxShare:
    """How the applicable accounts fared on one box; ERROR counts as applicable and not passed."""

    check_id: str
    title: str
    passed: int
    failed: int
    errors: int
    not_applicable: int

    @property
    def applicable(self) -> int:
        return self.passed + self.failed + self.errors


@dataclass(frozen=True)
class Coverage:
    discovered: int
    assessed: int
    unassessed: int
    skipped: int


@dataclass(frozen=True)
class RankedAccount:
    """A line of the cover's worst-first list."""

    account_id: str
    account_name: str
    ou_path: str
    anchor: str
    passed: int
    applicable: int
    failing: tuple[str, ...]  # short titles of the boxes that failed or could not be read


@dataclass(frozen=True)
class Cover:
    organization_id: str
    organization_name: str
    started_at: str
    finished_at: str
    tool_version: str
    renderer_version: str
    caller_arn: str
    coverage: Coverage
    shares: tuple[BoxShare, ...]
    worst: tuple[RankedAccount, ...]
    ranked_total: int  # how many accounts the worst-first list was drawn from


@dataclass(frozen=True)
class MatrixRow:
    account_id: str
    account_name: str
    anchor: str
    statuses: tuple[str, ...]  # one per box, in box order; empty for a skipped account
    passed: int
    applicable: int
    note: str = ""  # why a row has no statuses (skipped accounts)


@dataclass(frozen=True)
class MatrixGroup:
    """The matrix rows of one OU path."""

    ou_path: str
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class BoxResult:
    check_id: str
    title: str
    status: str
    detail: str
    console: str = ""  # remediation, only for a failing box
    cli: str = ""


@dataclass(frozen=True)
class AccountCard:
    """One account's five-box scorecard."""

    account_id: str
    account_name: str
    ou_path: str
    email: str
    anchor: str
    boxes: tuple[BoxResult, ...]
    passed: int
    applicable: int
    report_generated: str  # when the credential report used was generated; "" if none


@dataclass(frozen=True)
class CardGroup:
    """The scorecards of one OU path."""

    ou_path: str
    cards: tuple[AccountCard, ...]


@dataclass(frozen=True)
class UnassessedAccount:
    account_id: str
    account_name: str
    ou_path: str
    anchor: str
    code: str
    message: str


@dataclass(frozen=True)
class SkippedAccount:
    account_id: str
    account_name: str
    ou_path: str
    anchor: str
    account_status: str


@dataclass(frozen=True)
class DataTimes:
    """When the evidence was taken, for the methodology appendix."""

    started_at: str
    finished_at: str
    earliest_report: str
    latest_report: str
    without_report: tuple[str, ...]  # assessed account ids with no credential report time


@dataclass(frozen=True)
class Document:
    """What the HTML head and the PDF metadata say about the file itself."""

    title: str
    author: str
    generator: str
    created: str  # W3C date-time taken from the run, "" when the run does not say
    running_header: str
    paper: str  # a CSS page size keyword


@dataclass(frozen=True)
class Report:
    document: Document
    cover: Cover
    boxes: tuple[BoxHeading, ...]
    matrix: tuple[MatrixGroup, ...]
    scorecards: tuple[CardGroup, ...]
    unassessed: tuple[UnassessedAccount, ...]
    skipped: tuple[SkippedAccount, ...]
    times: DataTimes
