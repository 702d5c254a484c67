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
    references: str  # the control ids in the run's framework, "" when it has none
    console: str  # what the classic IAM console ticked the box for
    console_difference: str  # why orgscan judges otherwise ("None..." where it applies the same test)
    fix_console: str  # how to fix a failing box in the console: the same in every account, printed once
    fix_cli: str


@dataclass(frozen=True)
class ExtendedHeading:
    """One extended check as a line of the methodology: what it checks, against which threshold."""

    check_id: str
    title: str
    checks: str
    data: str
    threshold: str  # "" for a check without a configurable threshold
    references: str
    console: str
    cli: str


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
class RiskCounts:
    """The cover's line about accepted risks: never hidden, never counted as a pass."""

    accepted: int  # FAIL findings covered by an exception in force
    expired: int  # register entries past their end date
    entries: int  # register entries in all


@dataclass(frozen=True)
class CheckTally:
    """One extended check over the organization: how many accounts have each status in findings.csv."""

    check_id: str
    title: str
    reference: str  # the control ids in the run's framework, an em dash when it has none
    severity: str
    passed: int
    failed: int  # accepted risks included: an accepted failure is still a FAIL
    errors: int
    not_applicable: int


@dataclass(frozen=True)
class PriorityLine:
    """A failing finding of a critical or high severity check, on the cover's fix-first list."""

    account_id: str
    anchor: str
    check_id: str
    title: str
    severity: str


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
    risks: RiskCounts
    root_access: str = ""  # centralized root access for the organization, as run.json records it
    cis_checks: tuple[CheckTally, ...] = ()  # failing first, by severity then number failing
    fix_first: tuple[PriorityLine, ...] = ()
    fix_first_more: int = 0  # failing critical and high findings beyond the list, all in findings.csv
    parts: tuple[str, ...] = ()  # run ids of the run folders `orgscan merge` combined; empty for one scan
    part_notes: tuple[str, ...] = ()  # what the merge said of its parts (run.json merge_notes)


@dataclass(frozen=True)
class MatrixRow:
    account_id: str
    account_name: str
    anchor: str
    statuses: tuple[str, ...]  # one per box, in box order; empty for a skipped account
    passed: int
    applicable: int
    note: str = ""  # why a row has no statuses (skipped accounts)
    accepted: tuple[bool, ...] = ()  # per box: a FAIL covered by an accepted risk; empty when none is
    cis: str = ""  # one letter per matrix CIS check, in Report.matrix_checks order (CIS_LETTERS); "" when skipped


@dataclass(frozen=True)
class MatrixCheck:
    """A CIS check the matrix tools can filter on and show as a column (report.html only)."""

    check_id: str
    label: str  # "2.7 Do not use the root user": the filter's choice
    heading: str  # "2.7 Root not used": the column's heading
    title: str


@dataclass(frozen=True)
class MatrixGroup:
    """The matrix rows of one OU path."""

    ou_path: str  # as shown: "(no OU path)" for accounts outside any OU
    rows: tuple[MatrixRow, ...]
    path: str = ""  # the OU path itself, which the matrix tools filter on


@dataclass(frozen=True)
class BoxTally:
    """One box over a group of accounts; ERROR counts as applicable and not passed."""

    passed: int
    applicable: int
    failed: int
    errors: int


@dataclass(frozen=True)
class OuRollup:
    """One OU path of the matrix: its accounts (skipped ones aside), those with a box FAIL or ERROR, each box."""

    ou_path: str  # as shown: "(no OU path)" for accounts outside any OU
    accounts: int
    failing: int
    boxes: tuple[BoxTally, ...]  # in box order
    passed: int  # over every box of every account
    applicable: int


@dataclass(frozen=True)
class OuChoice:
    """An OU of the matrix's OU filter: every OU path of the matrix and each of its ancestors."""

    path: str
    label: str
    accounts: int  # the matrix's accounts in this OU and its sub-OUs


@dataclass(frozen=True)
class BoxResult:
    check_id: str
    title: str
    status: str
    detail: str
    accepted: str = ""  # "accepted until <date>, <owner>, <reason>" for an accepted FAIL


@dataclass(frozen=True)
class CheckLine:
    """An extended check listed on its own line of a scorecard: one that did not pass and applies."""

    check_id: str
    title: str
    reference: str  # the control ids in the run's framework, "" when it has none
    status: str
    detail: str  # in full
    accepted: str = ""  # as BoxResult.accepted


@dataclass(frozen=True)
class ExtendedResults:
    """One account's extended checks: those that passed or do not apply in a phrase, the others listed."""

    passed: int
    applicable: int
    passing: tuple[str, ...]  # "<short title>\u00a0(<reference>)", catalog order
    not_applicable: tuple[str, ...]
    listed: tuple[CheckLine, ...]  # FAIL and ERROR (or a missing finding), catalog order


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
    extended: ExtendedResults


@dataclass(frozen=True)
class CleanAccount:
    """An assessed account with no box and no CIS check FAIL or ERROR, on one line instead of a scorecard."""

    account_id: str
    account_name: str
    ou_path: str
    anchor: str
    passed: int
    applicable: int
    extended_passed: int
    extended_applicable: int


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
class ChangeCount:
    label: str  # the Change value: "new failure", "fixed", ...
    boxes: int  # rows of changes.csv
    accounts: int  # distinct accounts among them
    whole_accounts: bool  # a kind that concerns whole accounts (new account, account gone)


@dataclass(frozen=True)
class ChangeLine:
    """A line of the changes table: one account and box, or one whole account that appeared or went."""

    account_id: str
    account_name: str
    anchor: str  # "" when the account has no scorecard to link to
    box: str  # a box's short title, or "all boxes"
    change: str
    before: str  # a status, or "" when there was nothing before
    now: str  # a status, or "" when there is nothing now
    accepted: bool  # `now` is a FAIL covered by an accepted risk
    summary: str = ""  # for a whole account: its boxes in words, instead of before/now statuses


@dataclass(frozen=True)
class TrendSeries:
    """One box's org-wide pass rate per run, None where no account was applicable."""

    check_id: str
    title: str
    rates: tuple[float | None, ...]


@dataclass(frozen=True)
class Trend:
    labels: tuple[str, ...]  # one per run, oldest first: its start date
    series: tuple[TrendSeries, ...]  # in box order


@dataclass(frozen=True)
class FixRow:
    """How many boxes were fixed in one OU path since the previous run, per box."""

    ou_path: str  # as shown: "(no OU path)" for accounts outside any OU
    fixed: tuple[int, ...]  # per box, in box order
    total: int


@dataclass(frozen=True)
class Changes:
    """The "Changes since <date>" section: counts, every new failure, error and account, fixes by OU and box
    (each listed in an appendix), boxes still failing (the only list that may be cut), the trend."""

    previous_started_at: str  # "" when no earlier run of the organization was recorded
    counts: tuple[ChangeCount, ...]  # every kind, in Change order
    lines: tuple[ChangeLine, ...]  # every new failure, box not assessed, new and departed account, in that order
    fixed: tuple[FixRow, ...]  # by OU path, sorted as the matrix is
    fixed_lines: tuple[ChangeLine, ...]  # every fix, by account and box: the appendix
    still_failing: tuple[ChangeLine, ...]  # at most STILL_FAILING_LIMIT, by account and box
    still_failing_total: int  # before the limit
    trend: Trend


@dataclass(frozen=True)
class RiskLine:
    """An entry of the exceptions register as this run judged it."""

    entry: int
    account: str  # an account id, or "every account"
    check_id: str
    check_title: str
    owner: str
    expires: str  # YYYY-MM-DD, the last day it applies
    expired: bool
    matching_failures: int
    justification: str
    covered: tuple[str, ...]  # accounts whose FAIL this entry is the acceptance in force for


@dataclass(frozen=True)
class Risks:
    """The "Accepted risks" section: every entry, active and expired, and the findings it covers."""

    evaluated_on: str  # the run's start date the entries were judged on; "" without a register
    lines: tuple[RiskLine, ...]
    accepted: int  # FAIL findings covered by an active entry


@dataclass(frozen=True)
class Document:
    """What the HTML head and the PDF metadata say about the file itself."""

    title: str
    author: str
    generator: str
    created: str  # W3C date-time taken from the run, "" when the run does not say
    running_header: str
    paper: str  # a CSS page size keyword
    run_id: str = ""  # the run folder's name, as inputs/scan.json records it: in every PDF page's footer
    findings_sha256: str = ""  # of findings.csv as written in the run folder: in every PDF page's footer


@dataclass(frozen=True)
class PrintLine:
    """A box or CIS check that FAILs or is ERROR, as the PDF of a large organization writes it under the row."""

    status: str
    checks: str  # "<short title> (box 2)" or "<short title> (<reference>)", joined when they share the detail
    detail: str  # in full
    accepted: str = ""  # "accepted until <date>, entry <n>" for an accepted FAIL


@dataclass(frozen=True)
class PrintRow:
    """One account of the PDF of a large organization: its matrix row and, if something fails, the lines."""

    row: MatrixRow
    extended_passed: int
    extended_applicable: int
    lines: tuple[PrintLine, ...]
    error: str = ""  # why an account could not be assessed


@dataclass(frozen=True)
class PrintGroup:
    ou_path: str  # as shown
    path: str
    rows: tuple[PrintRow, ...]
    accounts: int  # in the OU path, printed or not
    continued: bool = False  # its first rows are in the part before


@dataclass(frozen=True)
class PrintPart:
    """A part of the print edition laid out on its own: the first holds the front, the last the back."""

    first: bool
    last: bool
    groups: tuple[PrintGroup, ...]


@dataclass(frozen=True)
class PrintEdition:
    """The PDF's matrix for a large organization (see `scanner.render.print_edition`)."""

    groups: tuple[PrintGroup, ...]
    listed: int  # accounts printed
    omitted: int  # accounts the cap left out
    failing: int  # printed accounts with lines under their row


@dataclass(frozen=True)
class Report:
    document: Document
    cover: Cover
    framework: str  # the label of the run's framework: "CIS v5.0", "CIS v3.0" or "Security Hub"
    boxes: tuple[BoxHeading, ...]
    extended: tuple[ExtendedHeading, ...]
    matrix: tuple[MatrixGroup, ...]
    scorecards: tuple[CardGroup, ...]
    unassessed: tuple[UnassessedAccount, ...]
    skipped: tuple[SkippedAccount, ...]
    times: DataTimes
    changes: Changes
    risks: Risks
    unknown_states: tuple[SkippedAccount, ...] = ()  # attempted although their state is unknown or absent
    ou_choices: tuple[OuChoice, ...] = ()  # the matrix's OU filter, sorted as the matrix is
    rollup: tuple[OuRollup, ...] = ()  # OU by box, in the matrix's order
    matrix_checks: tuple[MatrixCheck, ...] = ()  # the CIS checks of MatrixRow.cis, in its order
    clean: tuple[CleanAccount, ...] = ()  # in a large organization, the accounts without a scorecard
    severity_source: str = ""  # where the severity ratings come from, for the summary and the methodology
    print_edition: PrintEdition | None = None  # a large organization's PDF matrix; None: the PDF prints the HTML
