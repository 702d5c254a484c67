"""The PDF of a large organization: every account on one line of the matrix, what fails written out under it.

A printed scorecard per failing account repeats, for each of them, what the matrix row already says (the five
boxes, the name, the OU) and every check that passes. From `COMPACT_FROM` accounts on, the PDF is laid out
from this edition instead: one matrix, grouped by OU, whose row for an account with a FAIL or ERROR (a box or
a CIS check) is followed by that account's failing lines, each detail in full. What passes is counted on the
row (boxes passed, CIS checks passed) and listed in report.html and findings.csv; each box's and check's fix
is printed once, in the methodology.

Lines of one account whose details are the same text (a missing password policy fails two CIS checks for one
reason) are printed once, their checks named together. An accepted FAIL says until when; the register entry
itself is in "Accepted risks".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scanner.models import Status
from scanner.render.extended import SHORT_TITLES as CHECK_SHORT_TITLES
from scanner.render.records import (
    AccountCard,
    CleanAccount,
    MatrixGroup,
    PrintEdition,
    PrintGroup,
    PrintLine,
    PrintRow,
    UnassessedAccount,
)

# The most accounts the PDF writes out; past it the PDF lists the accounts with the most boxes not passed (and
# says so), so its pages and the time to lay them out stay bounded whatever the organization's size.
PRINT_ACCOUNT_CAP = 2_000


def _lines(card: AccountCard, box_titles: Mapping[str, str], short_risks: Mapping[tuple[str, str], str]) -> tuple[
        PrintLine, ...]:
    """The card's boxes and CIS checks that FAIL or ERROR, in that order; equal details share one line."""
    merged: dict[tuple[str, str, str], list[str]] = {}
    order: list[tuple[str, str, str]] = []

    def add(status: str, name: str, detail: str, accepted: str) -> None:
        key = (status, detail, accepted)
        if key not in merged:
            merged[key] = []
            order.append(key)
        merged[key].append(name)

    for number, box in enumerate(card.boxes, start=1):
        if box.status in (Status.FAIL.value, Status.ERROR.value):
            add(box.status, f"{box_titles[box.check_id]} (box {number})", box.detail,
                short_risks.get((card.account_id, box.check_id), "") if box.accepted else "")
    for line in card.extended.listed:
        add(line.status, f"{CHECK_SHORT_TITLES.get(line.check_id, line.title)} ({line.reference})", line.detail,
            short_risks.get((card.account_id, line.check_id), "") if line.accepted else "")
    return tuple(PrintLine(status, " \u00b7 ".join(merged[(status, detail, accepted)]), detail, accepted)
                 for status, detail, accepted in order)


def print_edition(
    matrix: Sequence[MatrixGroup],
    cards: Iterable[AccountCard],
    clean: Iterable[CleanAccount],
    unassessed: Iterable[UnassessedAccount],
    box_titles: Mapping[str, str],
    short_risks: Mapping[tuple[str, str], str],
    *,
    cap: int = PRINT_ACCOUNT_CAP,
) -> PrintEdition:
    """The edition's OU groups in the matrix's order, and how many accounts the cap left out (0 below it)."""
    by_id = {card.account_id: card for card in cards}
    clean_by_id = {account.account_id: account for account in clean}
    errors = {account.account_id: account for account in unassessed}
    rows = [row for group in matrix for row in group.rows]
    kept = {row.account_id for row in rows}
    if len(rows) > cap:
        ranked = sorted(rows, key=lambda r: (not r.statuses, r.passed - r.applicable if r.statuses else 0,
                                             r.account_id))
        kept = {row.account_id for row in ranked[:cap]}
    groups: list[PrintGroup] = []
    for group in matrix:
        printed: list[PrintRow] = []
        for row in group.rows:
            if row.account_id not in kept:
                continue
            card = by_id.get(row.account_id)
            if card is not None:
                printed.append(PrintRow(row, card.extended.passed, card.extended.applicable,
                                        _lines(card, box_titles, short_risks)))
            elif (passing := clean_by_id.get(row.account_id)) is not None:
                printed.append(PrintRow(row, passing.extended_passed, passing.extended_applicable, ()))
            elif (failed := errors.get(row.account_id)) is not None:
                printed.append(PrintRow(row, 0, 0, (), error=f"{failed.code}: {failed.message}"))
            else:  # skipped: the row says why
                printed.append(PrintRow(row, 0, 0, ()))
        if printed:
            groups.append(PrintGroup(group.ou_path, group.path, tuple(printed), len(group.rows)))
    failing = sum(1 for group in groups for row in group.rows if row.lines or row.error)
    return PrintEdition(tuple(groups), len(kept), len(rows) - len(kept), failing)
