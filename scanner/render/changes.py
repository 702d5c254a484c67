"""The "Changes since <date>" section: what moved since the organization's previous run, and the trend.

Built from `scanner.audit.changes.ChangesView`, which `changes.csv` and `trend.json` are written from too,
so the report never says something those files do not. Every new failure, every box that could no longer
be read and every account that appeared or went is listed (an account as one line instead of five); fixes
are counted by OU and box, and listed one by one in an appendix; boxes still failing are the only list cut
short, at `STILL_FAILING_LIMIT` lines, and the report says so with their count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scanner.audit.changes import Change, ChangeRow, ChangesView, TrendPoint
from scanner.checks.catalog import BOXES
from scanner.models import Status
from scanner.render.filters import ou_label, parse_time, passed_words
from scanner.render.records import ChangeCount, ChangeLine, Changes, FixRow, Trend, TrendSeries

STILL_FAILING_LIMIT = 40
LISTED = (Change.NEW_FAILURE, Change.NOT_ASSESSED, Change.NEW_ACCOUNT, Change.ACCOUNT_GONE)
SIGNIFICANCE = (Change.NEW_FAILURE, Change.NOT_ASSESSED, Change.FIXED, Change.NEW_ACCOUNT, Change.ACCOUNT_GONE,
                Change.STILL_FAILING)
ACCOUNT_LEVEL = (Change.NEW_ACCOUNT, Change.ACCOUNT_GONE)
ALL_BOXES = "all boxes"
_BOX_ORDER = {box.check_id: n for n, box in enumerate(BOXES)}


def _counts(view: ChangesView) -> tuple[ChangeCount, ...]:
    return tuple(
        ChangeCount(change.value, boxes, len({r.account_id for r in view.rows if r.change is change}),
                    change in ACCOUNT_LEVEL)
        for change, boxes in view.counts
    )


def _account_summary(statuses: Sequence[str]) -> str:
    passed = sum(1 for s in statuses if s == Status.PASS.value)
    applicable = sum(1 for s in statuses if s != Status.NOT_APPLICABLE.value)
    return passed_words(passed, applicable)


def _lines(rows: Sequence[ChangeRow], anchors: Mapping[str, str], titles: Mapping[str, str]) -> list[ChangeLine]:
    """One line per changed box, or per account for an account that appeared or went, most telling first,
    then by account and box."""
    lines: list[tuple[int, str, int, ChangeLine]] = []
    whole: dict[tuple[Change, str], list[ChangeRow]] = {}
    for row in rows:
        if row.change in ACCOUNT_LEVEL:
            whole.setdefault((row.change, row.account_id), []).append(row)
            continue
        lines.append((SIGNIFICANCE.index(row.change), row.account_id, _BOX_ORDER.get(row.check_id, len(BOXES)),
                      ChangeLine(row.account_id, row.account_name, anchors.get(row.account_id, ""),
                                 titles.get(row.check_id, row.check_id), row.change.value, row.previous_status,
                                 row.status, bool(row.accepted) and row.status == Status.FAIL.value)))
    for (change, account_id), members in whole.items():
        gone = change is Change.ACCOUNT_GONE
        statuses = [r.previous_status if gone else r.status for r in members]
        summary = ("before: " if gone else "now: ") + _account_summary(statuses)
        lines.append((SIGNIFICANCE.index(change), account_id, -1,
                      ChangeLine(account_id, members[0].account_name, "" if gone else anchors.get(account_id, ""),
                                 ALL_BOXES, change.value, "", "", False, summary)))
    lines.sort(key=lambda item: item[:3])
    return [line for *_, line in lines]


def _day(moment: str) -> str:
    parsed = parse_time(moment)
    return parsed.strftime("%Y-%m-%d") if parsed else (moment or "?")


def _label(moment: str, days: Sequence[str]) -> str:
    """The run's date; with the time too when another of the runs shown started the same day."""
    parsed = parse_time(moment)
    if parsed is not None and days.count(_day(moment)) > 1:
        return parsed.strftime("%Y-%m-%d %H:%M")
    return _day(moment)


def trend(points: Sequence[TrendPoint], titles: Mapping[str, str]) -> Trend:
    """Pass rate per box per run, oldest first, as the chart draws it."""
    days = [_day(p.started_at) for p in points]
    rates = [{rate.check_id: rate.rate for rate in point.boxes} for point in points]
    return Trend(
        labels=tuple(_label(p.started_at, days) for p in points),
        series=tuple(TrendSeries(box.check_id, titles.get(box.check_id, box.title),
                                 tuple(r.get(box.check_id) for r in rates)) for box in BOXES),
    )


def _fixes_by_ou(rows: Sequence[ChangeRow]) -> tuple[FixRow, ...]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        if row.change is Change.FIXED and row.check_id in _BOX_ORDER:
            counts.setdefault(row.ou_path, [0] * len(BOXES))[_BOX_ORDER[row.check_id]] += 1
    return tuple(FixRow(ou_label(path), tuple(counts[path]), sum(counts[path]))
                 for path in sorted(counts, key=lambda path: (path.casefold(), path)))


def changes_section(view: ChangesView, anchors: Mapping[str, str], titles: Mapping[str, str]) -> Changes:
    """`anchors`: account id -> scorecard anchor, for the accounts that have a scorecard."""
    rows = view.rows if view.previous_run_id else ()
    lines = _lines(rows, anchors, titles)
    listed = tuple(line for line in lines if Change(line.change) in LISTED)
    still = [line for line in lines if line.change == Change.STILL_FAILING.value]
    return Changes(
        previous_started_at=view.previous_started_at if view.previous_run_id else "",
        counts=_counts(view),
        lines=listed,
        fixed=_fixes_by_ou(rows),
        fixed_lines=tuple(line for line in lines if line.change == Change.FIXED.value),
        still_failing=tuple(still[:STILL_FAILING_LIMIT]),
        still_failing_total=len(still),
        trend=trend(view.trend, titles),
    )
