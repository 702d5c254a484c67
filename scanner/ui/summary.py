"""The summary a finished scan, demo or report prints: the five boxes, the worst OUs, where the reports are.

Plain text, aligned on the plain text; colour (FAIL red, ERROR yellow, a box every applicable account
passed green) is added around the aligned cells only when asked, so stripping it gives the plain lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner.scoring import BoxTotal, OuTotal
from scanner.shares import share_percent

RED, YELLOW, GREEN, RESET = "\x1b[1;31m", "\x1b[1;33m", "\x1b[32m", "\x1b[0m"
NO_OU = "(no OU path)"
_BOX, _PASSED, _COUNT = 24, 16, 7


def _paint(text: str, code: str, colour: bool) -> str:
    return f"{code}{text}{RESET}" if colour and code else text


def _box_line(box: BoxTotal, colour: bool) -> str:
    passed = f"{box.passed}/{box.applicable} {share_percent(box.passed, box.applicable, space='')}"
    all_passed = box.applicable > 0 and box.passed == box.applicable
    return (f"{box.check_id:<{_BOX}}"
            + _paint(f"{passed:>{_PASSED}}", GREEN if all_passed else "", colour)
            + _paint(f"{box.failed:>{_COUNT}}", RED if box.failed else "", colour)
            + _paint(f"{box.errors:>{_COUNT}}", YELLOW if box.errors else "", colour))


def _ou_line(ou: OuTotal) -> str:
    return (f"  {ou.ou_path or NO_OU}: {ou.failing} of {ou.accounts} account{'' if ou.accounts == 1 else 's'} "
            f"with a FAIL or ERROR, {ou.passed}/{ou.applicable} boxes passed "
            f"({share_percent(ou.passed, ou.applicable, space='')})")


def summary_lines(boxes: Sequence[BoxTotal], worst: Sequence[OuTotal], report_html: Path, report_pdf: Path, *,
                  colour: bool) -> list[str]:
    lines = [f"{'box':<{_BOX}}{'passed':>{_PASSED}}{'FAIL':>{_COUNT}}{'ERROR':>{_COUNT}}"]
    lines += [_box_line(box, colour) for box in boxes]
    if worst:
        lines.append("worst OUs (lowest share of boxes passed):")
        lines += [_ou_line(ou) for ou in worst]
    else:
        lines.append("worst OUs: no OU has an account with a FAIL or ERROR")
    lines += [f"report.html: {report_html}", f"report.pdf:  {report_pdf}"]
    return lines
