"""From the run's frames and metadata to the report's records: ordering, grouping and ranking, in Python.

Every date comes from `run.json` or the evidence's own metadata, never from the clock, so rendering the
same run twice gives the same report. An account whose data could not be read is never shown as clean: a
box without a finding is ERROR, and ERROR counts as applicable and not passed. The extended checks, the
changes since the previous run and the accepted risks have modules of their own (`extended`, `changes`,
`risks`); this one puts them in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from scanner import __version__
from scanner.audit.accepted_risks import NO_ASSESSMENT, Assessment
from scanner.audit.changes import ChangesView, TrendPoint, box_rates, box_statuses, change_counts
from scanner.checks import BOXES, Framework, references_for
from scanner.checks.classic_console import CLASSIC_CONSOLE
from scanner.checks.extended_catalog import ACCOUNT_EXTENDED
from scanner.checks.organization import organization_account
from scanner.checks.references import control_ids
from scanner.checks.severity import SEVERITY_SOURCE
from scanner.models import AccountResult, ScanStatus, Status
from scanner.normalize.evidence import describe_organization_features
from scanner.render.changes import changes_section
from scanner.render.cis_overview import check_tallies, fix_first
from scanner.render.extended import SHORT_TITLES as CHECK_SHORT_TITLES
from scanner.render.extended import FindingIndex, extended_headings, extended_results, organization_line
from scanner.render.filters import ou_label, parse_time, utc
from scanner.render.print_edition import print_edition
from scanner.render.records import (
    AccountCard,
    BoxHeading,
    BoxResult,
    BoxShare,
    BoxTally,
    CardGroup,
    CleanAccount,
    Cover,
    Coverage,
    DataTimes,
    Document,
    MatrixCheck,
    MatrixGroup,
    MatrixRow,
    OuChoice,
    OuRollup,
    RankedAccount,
    Report,
    SkippedAccount,
    UnassessedAccount,
)
from scanner.render.risks import accepted_labels, accepted_until, matrix_flags, risk_counts, risks_section
from scanner.scoring import Frames

WORST_LIMIT = 10
# From this many accounts on, an account with no box and no CIS check FAIL or ERROR gets one line instead of
# a scorecard: a thousand scorecards of passing accounts would hide the failing ones.
COMPACT_FROM = 100
PAPER_SIZES = {"A4": "A4", "LETTER": "letter"}
SHORT_TITLES = {
    "root-access-keys": "Root access keys",
    "root-mfa": "Root MFA",
    "individual-users": "Individual users",
    "groups-for-permissions": "Groups for permissions",
    "password-policy": "Password policy",
}
MISSING_FINDING = "No finding was recorded for this box, so it cannot be counted as passing."
# A matrix row's CIS statuses, one letter per check (matrix.js reads them back): A is a FAIL accepted as a
# risk, still a FAIL; a check without a finding is E, as on the scorecard.
CIS_LETTERS = {Status.PASS.value: "P", Status.FAIL.value: "F", Status.NOT_APPLICABLE.value: "N",
               Status.ERROR.value: "E"}
ACCEPTED_LETTER = "A"
AUTHOR = "orgscan"


def paper_size(paper: str) -> str:
    """The CSS page size keyword for a paper name; anything else is refused rather than put into CSS."""
    try:
        return PAPER_SIZES[paper.strip().upper()]
    except KeyError:
        raise ValueError(f"unknown paper size {paper!r}: use one of {', '.join(PAPER_SIZES)}") from None


def anchor_for(account_id: str) -> str:
    return "acct-" + re.sub(r"[^0-9A-Za-z_-]", "_", account_id)


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _count(value: Any) -> int:
    text = _text(value)
    return int(text) if text else 0


@dataclass(frozen=True)
class _Scores:
    """One account's findings as the report needs them."""

    statuses: tuple[str, ...]
    details: tuple[str, ...]
    passed: int
    applicable: int


def _finding_index(frames: Frames) -> dict[tuple[str, str], tuple[str, str]]:
    """Every finding, boxes and extended checks, by (account_id, check_id)."""
    columns = frames.findings[["account_id", "check_id", "status", "detail"]]
    return {
        (_text(a), _text(c)): (_text(s), _text(d))
        for a, c, s, d in columns.itertuples(index=False, name=None)
    }


def _scores(frames: Frames, index: FindingIndex) -> dict[str, _Scores]:
    scores: dict[str, _Scores] = {}
    columns = ["account_id", *(box.check_id for box in BOXES), "passed", "applicable"]
    for row in frames.scorecard.reindex(columns=columns).itertuples(index=False, name=None):
        account_id = _text(row[0])
        statuses = tuple(_text(s) or Status.ERROR.value for s in row[1:1 + len(BOXES)])
        scores[account_id] = _Scores(
            statuses=statuses,
            details=tuple(
                index.get((account_id, box.check_id), ("", ""))[1] or MISSING_FINDING for box in BOXES
            ),
            passed=_count(row[-2]),
            applicable=_count(row[-1]),
        )
    return scores


def _missing_scores() -> _Scores:
    return _Scores(
        statuses=tuple(Status.ERROR.value for _ in BOXES),
        details=tuple(MISSING_FINDING for _ in BOXES),
        passed=0,
        applicable=len(BOXES),
    )


def box_headings(framework: Framework = Framework.CIS_V5) -> tuple[BoxHeading, ...]:
    """The five boxes, each with its control ids in the run's framework only and how the classic console differs."""
    return tuple(
        BoxHeading(box.check_id, box.title, SHORT_TITLES.get(box.check_id, box.title), box.checks, box.data,
                   references_for(box.check_id, framework), console.console, console.difference, box.console,
                   box.cli)
        for box, console in zip(BOXES, CLASSIC_CONSOLE, strict=True)
    )


def _ou_key(path: str) -> tuple[str, str]:
    return path.casefold(), path


def _grouped(results: Iterable[AccountResult]) -> list[tuple[str, list[AccountResult]]]:
    """Accounts by OU path (sorted), each OU's accounts by id."""
    groups: dict[str, list[AccountResult]] = {}
    for result in results:
        groups.setdefault(result.account.ou_path, []).append(result)
    return [
        (path, sorted(groups[path], key=lambda r: r.account.account_id))
        for path in sorted(groups, key=_ou_key)
    ]


def ou_choices(paths: Iterable[str]) -> tuple[OuChoice, ...]:
    """One choice per OU path of `paths` (one path per account) and per ancestor of one, counting the
    accounts at or below it, in the matrix's order."""
    counts: dict[str, int] = {}
    for path in paths:
        parts = path.split("/") if path else [""]
        for depth in range(1, len(parts) + 1):
            ancestor = "/".join(parts[:depth])
            counts[ancestor] = counts.get(ancestor, 0) + 1
    return tuple(OuChoice(path, ou_label(path), counts[path]) for path in sorted(counts, key=_ou_key))


def _tally(statuses: Sequence[str]) -> BoxTally:
    passed = statuses.count(Status.PASS.value)
    failed = statuses.count(Status.FAIL.value)
    applicable = len(statuses) - statuses.count(Status.NOT_APPLICABLE.value)
    return BoxTally(passed, applicable, failed, applicable - passed - failed)


def matrix_checks(framework: Framework) -> tuple[MatrixCheck, ...]:
    """The account-level CIS checks, in catalog order: the matrix's CIS filter and columns, and the order of
    each row's letters. The control id leads where the framework has one, so a reader finds "2.7" by its id."""
    checks = []
    for check in ACCOUNT_EXTENDED:
        ids = control_ids(check.check_id, framework)
        short = CHECK_SHORT_TITLES[check.check_id]
        ref = references_for(check.check_id, framework)
        if ids:
            label, heading = f"{ids} {check.title}", f"{ids} {short}"
        elif ref:  # "not in CIS v7.0"
            label, heading = f"{check.title} ({ref})", f"{short} ({ref})"
        else:
            label, heading = f"{check.title} (no {framework.label} control)", short
        checks.append(MatrixCheck(check.check_id, label, heading, check.title))
    return tuple(checks)


def cis_letters(account_id: str, index: FindingIndex, accepted: Mapping[tuple[str, str], str]) -> str:
    """One account's CIS statuses as MatrixRow.cis encodes them, in matrix_checks order."""
    letters = []
    for check in ACCOUNT_EXTENDED:
        status = index.get((account_id, check.check_id), (Status.ERROR.value, ""))[0]
        if status == Status.FAIL.value and (account_id, check.check_id) in accepted:
            letters.append(ACCEPTED_LETTER)
        else:
            letters.append(CIS_LETTERS.get(status, CIS_LETTERS[Status.ERROR.value]))
    return "".join(letters)


def ou_rollup(matrix: Sequence[MatrixGroup]) -> tuple[OuRollup, ...]:
    """Each OU path of the matrix, from its rows' statuses: a skipped account has none and is not counted."""
    rollup = []
    for group in matrix:
        rows = [row for row in group.rows if row.statuses]
        if not rows:
            continue
        boxes = tuple(_tally([row.statuses[n] for row in rows]) for n in range(len(BOXES)))
        failing = sum(1 for row in rows if any(s not in (Status.PASS.value, Status.NOT_APPLICABLE.value)
                                               for s in row.statuses))
        rollup.append(OuRollup(group.ou_path, len(rows), failing, boxes, sum(b.passed for b in boxes),
                               sum(b.applicable for b in boxes)))
    return tuple(rollup)


def _shares(scored: Sequence[_Scores]) -> tuple[BoxShare, ...]:
    shares = []
    for index, box in enumerate(BOXES):
        column = [s.statuses[index] for s in scored]
        shares.append(BoxShare(
            check_id=box.check_id,
            title=box.title,
            passed=column.count(Status.PASS.value),
            failed=column.count(Status.FAIL.value),
            not_applicable=column.count(Status.NOT_APPLICABLE.value),
            errors=sum(1 for s in column if s not in (Status.PASS.value, Status.FAIL.value,
                                                      Status.NOT_APPLICABLE.value)),
        ))
    return tuple(shares)


def _worst(assessed: Sequence[tuple[AccountResult, _Scores]]) -> tuple[RankedAccount, ...]:
    """Assessed accounts from the lowest passed/applicable up; more failing boxes first on a tie."""
    ranked = sorted(
        (pair for pair in assessed if pair[1].applicable > 0),
        key=lambda pair: (Fraction(pair[1].passed, pair[1].applicable),
                          pair[1].passed - pair[1].applicable, pair[0].account.account_id),
    )
    return tuple(
        RankedAccount(
            account_id=result.account.account_id,
            account_name=result.account.account_name,
            ou_path=result.account.ou_path,
            anchor=anchor_for(result.account.account_id),
            passed=scores.passed,
            applicable=scores.applicable,
            failing=tuple(
                SHORT_TITLES.get(box.check_id, box.title)
                for box, status in zip(BOXES, scores.statuses, strict=True)
                if status not in (Status.PASS.value, Status.NOT_APPLICABLE.value)
            ),
        )
        for result, scores in ranked[:WORST_LIMIT]
    )


@dataclass(frozen=True)
class _Context:
    """What every scorecard is built with besides its own account's scores."""

    index: FindingIndex
    accepted: Mapping[tuple[str, str], str]  # (account_id, check_id) of an accepted FAIL -> its label
    framework: Framework


def _card(result: AccountResult, scores: _Scores, report_time: str, context: _Context) -> AccountCard:
    account = result.account
    boxes = []
    for box, status, detail in zip(BOXES, scores.statuses, scores.details, strict=True):
        failing = status == Status.FAIL.value
        boxes.append(BoxResult(
            check_id=box.check_id,
            title=box.title,
            status=status,
            detail=detail,
            accepted=context.accepted.get((account.account_id, box.check_id), "") if failing else "",
        ))
    return AccountCard(
        account_id=account.account_id,
        account_name=account.account_name,
        ou_path=account.ou_path,
        email=account.email,
        anchor=anchor_for(account.account_id),
        boxes=tuple(boxes),
        passed=scores.passed,
        applicable=scores.applicable,
        report_generated=report_time,
        extended=extended_results(account.account_id, context.index, context.accepted, context.framework),
    )


def _is_clean(card: AccountCard) -> bool:
    """No box FAIL or ERROR and no CIS check listed (those are the ones that FAIL, ERROR or have no finding)."""
    return not card.extended.listed and all(box.status in (Status.PASS.value, Status.NOT_APPLICABLE.value)
                                            for box in card.boxes)


def _clean(card: AccountCard) -> CleanAccount:
    return CleanAccount(card.account_id, card.account_name, card.ou_path, card.anchor, card.passed,
                        card.applicable, card.extended.passed, card.extended.applicable)


def _split_error(error: str) -> tuple[str, str]:
    """`"<Code>: <message>"` as written by the scan; an error without a code keeps its whole text."""
    code, sep, message = error.partition(": ")
    if sep and code and " " not in code:
        return code, message
    return ("Unknown", error) if error else ("Unknown", "no error was recorded")


def _times(run_info: Mapping[str, Any], assessed_ids: Sequence[str], report_times: Mapping[str, str]) -> DataTimes:
    parsed = sorted(
        (moment, account_id)
        for account_id in assessed_ids
        if (moment := parse_time(report_times.get(account_id))) is not None
    )
    return DataTimes(
        started_at=str(run_info.get("started_at") or ""),
        finished_at=str(run_info.get("finished_at") or ""),
        earliest_report=parsed[0][0].isoformat() if parsed else "",
        latest_report=parsed[-1][0].isoformat() if parsed else "",
        without_report=tuple(a for a in assessed_ids if parse_time(report_times.get(a)) is None),
    )


def _document(run_info: Mapping[str, Any], paper: str, run_id: str, findings_sha256: str) -> Document:
    org_name = str(run_info.get("organization_name") or "")
    org_id = str(run_info.get("organization_id") or "")
    started = str(run_info.get("started_at") or "")
    who = " ".join(part for part in (org_name, f"({org_id})" if org_id else "") if part) or "Organization"
    return Document(
        title=f"IAM Security Status \u2014 {who} \u2014 {utc(started)}",
        author=AUTHOR,
        generator=f"orgscan {__version__}",
        created=started if parse_time(started) else "",
        running_header=f"{who} \u00b7 scan {utc(started)}",
        paper=paper_size(paper),
        run_id=run_id,
        findings_sha256=findings_sha256,
    )


def _merged(run_info: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The run ids of the parts a merged run combines, and the merge's notes (run.json); empty for one scan."""
    parts = run_info.get("merged_from")
    notes = run_info.get("merge_notes")
    ids = tuple(str(p.get("run_id") or "?") for p in parts if isinstance(p, dict)) if isinstance(parts, list) else ()
    return ids, tuple(str(n) for n in notes) if isinstance(notes, list) else ()


def first_run_view(run_info: Mapping[str, Any], frames: Frames) -> ChangesView:
    """The changes view of a run with no recorded predecessor: nothing to compare, one point of trend."""
    started = str(run_info.get("started_at") or "")
    return ChangesView("", started, "", "", (), change_counts(()),
                       (TrendPoint("", started, box_rates(box_statuses(frames.findings))),))


def build_report(
    run_info: Mapping[str, Any],
    results: Sequence[AccountResult],
    frames: Frames,
    report_times: Mapping[str, str],
    *,
    paper: str = "A4",
    changes: ChangesView | None = None,
    assessment: Assessment = NO_ASSESSMENT,
    run_id: str = "",
    findings_sha256: str = "",
    compact_from: int = COMPACT_FROM,
) -> Report:
    """Everything the templates show, decided here; `report_times` maps account id to report time.

    `changes` and `assessment` come from the run folder (`scanner.audit.changes.changes_view`,
    `scanner.audit.accepted_risks.exceptions_view`); without them the run reads as a first run without
    an exceptions register. From `compact_from` accounts on, accounts with nothing failing are listed in
    `clean` instead of getting a scorecard, and the PDF is laid out from the print edition.
    """
    index = _finding_index(frames)
    scores = _scores(frames, index)
    labels = accepted_labels(assessment)
    context = _Context(index, labels, frames.framework)
    check_ids = tuple(box.check_id for box in BOXES)
    matrix: list[MatrixGroup] = []
    scorecards: list[CardGroup] = []
    assessed: list[tuple[AccountResult, _Scores]] = []
    unassessed: list[UnassessedAccount] = []
    skipped: list[SkippedAccount] = []
    unknown_states: list[SkippedAccount] = []
    clean: list[CleanAccount] = []
    compact = len(results) >= compact_from
    for ou_path, members in _grouped(results):
        rows: list[MatrixRow] = []
        cards: list[AccountCard] = []
        for result in members:
            account = result.account
            anchor = anchor_for(account.account_id)
            if result.scan_status is ScanStatus.SKIPPED:
                skipped.append(SkippedAccount(account.account_id, account.account_name, ou_path, anchor,
                                              account.status))
                rows.append(MatrixRow(account.account_id, account.account_name, anchor, (), 0, 0,
                                      note=f"skipped ({account.status or 'not active'})"))
                continue
            if not account.state_known:
                unknown_states.append(SkippedAccount(account.account_id, account.account_name, ou_path, anchor,
                                                     account.status))
            account_scores = scores.get(account.account_id) or _missing_scores()
            rows.append(MatrixRow(account.account_id, account.account_name, anchor, account_scores.statuses,
                                  account_scores.passed, account_scores.applicable,
                                  accepted=matrix_flags(account.account_id, check_ids, account_scores.statuses,
                                                        labels),
                                  cis=cis_letters(account.account_id, index, labels)))
            if result.scan_status is ScanStatus.ERROR:
                code, message = _split_error(result.error)
                unassessed.append(UnassessedAccount(account.account_id, account.account_name, ou_path, anchor,
                                                    code, message))
            else:
                assessed.append((result, account_scores))
                card = _card(result, account_scores, report_times.get(account.account_id, "") or "", context)
                if compact and _is_clean(card):
                    clean.append(_clean(card))
                else:
                    cards.append(card)
        matrix.append(MatrixGroup(ou_label(ou_path), tuple(rows), ou_path))
        if cards:
            scorecards.append(CardGroup(ou_label(ou_path), tuple(cards)))

    priorities, more_priorities = fix_first(frames.findings, anchor_for)
    merged_parts, merge_notes = _merged(run_info)
    all_scored = [s for _, s in assessed] + [scores.get(u.account_id) or _missing_scores() for u in unassessed]
    cover = Cover(
        organization_id=str(run_info.get("organization_id") or ""),
        organization_name=str(run_info.get("organization_name") or ""),
        started_at=str(run_info.get("started_at") or ""),
        finished_at=str(run_info.get("finished_at") or ""),
        tool_version=str(run_info.get("tool_version") or ""),
        renderer_version=__version__,
        caller_arn=str(run_info.get("caller_arn") or ""),
        coverage=Coverage(
            discovered=len(results),
            assessed=len(assessed),
            unassessed=len(unassessed),
            skipped=len(skipped),
        ),
        shares=_shares(all_scored),
        worst=_worst(assessed),
        ranked_total=sum(1 for _, s in assessed if s.applicable > 0),
        risks=risk_counts(assessment),
        root_access=organization_line(describe_organization_features(run_info.get("organization_features")), index,
                                      organization_account(run_info), frames.framework),
        cis_checks=check_tallies(frames.findings, frames.framework),
        fix_first=priorities,
        fix_first_more=more_priorities,
        parts=merged_parts,
        part_notes=merge_notes,
    )
    assessed_ids = sorted(r.account.account_id for r, _ in assessed)
    anchors = {card.account_id: card.anchor for group in scorecards for card in group.cards}
    anchors.update({a.account_id: a.anchor for a in clean})
    anchors.update({a.account_id: a.anchor for a in unassessed})
    anchors.update({a.account_id: a.anchor for a in skipped})
    return Report(
        document=_document(run_info, paper, run_id, findings_sha256),
        cover=cover,
        framework=frames.framework.label,
        boxes=box_headings(frames.framework),
        extended=extended_headings(frames.thresholds, frames.framework),
        matrix=tuple(matrix),
        scorecards=tuple(scorecards),
        unassessed=tuple(sorted(unassessed, key=lambda u: u.account_id)),
        skipped=tuple(sorted(skipped, key=lambda s: s.account_id)),
        times=_times(run_info, assessed_ids, report_times),
        changes=changes_section(changes or first_run_view(run_info, frames), anchors, SHORT_TITLES),
        risks=risks_section(assessment),
        unknown_states=tuple(sorted(unknown_states, key=lambda s: s.account_id)),
        ou_choices=ou_choices(r.account.ou_path for r in results),
        rollup=ou_rollup(matrix),
        matrix_checks=matrix_checks(frames.framework),
        clean=tuple(clean),
        severity_source=SEVERITY_SOURCE,
        print_edition=print_edition(matrix, (c for g in scorecards for c in g.cards), clean, unassessed,
                                    SHORT_TITLES, accepted_until(assessment)) if compact else None,
    )
