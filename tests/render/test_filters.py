"""The formatting filters' edge cases: shares that must not round to 0 % or 100 %, times, statuses."""

from __future__ import annotations

import pytest

from scanner.models import Status
from scanner.render import filters


@pytest.mark.parametrize(
    ("passed", "applicable", "shown"),
    [
        (0, 0, "n/a"),
        (0, 5, "0\u00a0%"),
        (5, 5, "100\u00a0%"),
        (999, 1000, "99\u00a0%"),
        (1, 1000, "<\u00a01\u00a0%"),
        (199, 200, "99\u00a0%"),
        (1, 3, "33\u00a0%"),
        (2, 3, "66\u00a0%"),
        (10, 13, "76\u00a0%"),
    ],
)
def test_percent_is_floored_and_never_a_misleading_extreme(passed: int, applicable: int, shown: str) -> None:
    assert filters.percent(passed, applicable) == shown


def test_the_report_and_the_history_command_print_the_same_share() -> None:
    from scanner.cli.runs import rate_text as _rate_text

    for applicable in range(1, 60):
        for passed in range(applicable + 1):
            assert _rate_text(passed, applicable) == f"{passed}/{applicable} " \
                + filters.percent(passed, applicable).replace("\u00a0", "")


def test_percent_shows_100_only_when_everything_passed() -> None:
    for applicable in range(1, 400):
        for passed in range(applicable):
            assert "100" not in filters.percent(passed, applicable)
            assert filters.percent(passed, applicable) != "0\u00a0%" or passed == 0


def test_passed_words_handles_an_account_with_no_applicable_box() -> None:
    assert filters.passed_words(0, 0) == "no box applies"
    assert filters.passed_words(1, 1) == "1 of 1 applicable box passed"
    assert filters.passed_words(2, 4) == "2 of 4 applicable boxes passed"


def test_utc_formats_run_times_and_says_unknown_otherwise() -> None:
    assert filters.utc("2026-01-15T09:30:00Z") == "2026-01-15 09:30:00 UTC"
    assert filters.utc("2026-01-15T10:30:00+01:00") == "2026-01-15 09:30:00 UTC"
    assert filters.utc("") == "unknown"
    assert filters.utc("last Tuesday") == "unknown"


def test_every_status_has_a_symbol_and_a_word_and_unknown_ones_never_look_clean() -> None:
    shown = {(filters.status_symbol(s.value), filters.status_word(s.value)) for s in Status}
    assert len(shown) == len(Status)
    assert filters.status_word(Status.NOT_APPLICABLE.value) == "N/A"
    assert filters.status_class("SOMETHING_NEW") == "error"
    assert filters.status_word("SOMETHING_NEW") == "SOMETHING_NEW"
    assert filters.status_symbol("SOMETHING_NEW") == "?"


def test_clip_keeps_short_text_and_cuts_long_text_at_a_word() -> None:
    assert filters.clip("short", 10) == "short"
    clipped = filters.clip("one two three four five six seven", 20)
    assert clipped.endswith("\u2026") and len(clipped) <= 20
    assert clipped == "one two three four\u2026"


def test_labels_for_missing_values() -> None:
    assert filters.ou_label("") == "(no OU path)"
    assert filters.or_unknown("") == "unknown"
    assert filters.plural(1, "account") == "1 account"
    assert filters.plural(2, "account") == "2 accounts"


def test_isolate_wraps_text_in_isolate_marks_it_cannot_close_early() -> None:
    assert filters.isolate("Root/Prod") == "\u2068Root/Prod\u2069"
    assert filters.isolate("a\u2069\u202eb\u2066") == "\u2068a\u202eb\u2069"


def test_plain_text_for_bookmarks_has_no_bidi_control_and_no_line_break() -> None:
    assert filters.plain("Shared \u202eServices\u202c") == "Shared Services"
    assert filters.plain("\u2067abc\u2069 \u200fdef\u061c") == "abc def"
    assert filters.plain("two\nlines\tand\x7fmore") == "two lines and more"
    assert filters.plain("\u05e9\u05dc\u05d5\u05dd Ops") == "\u05e9\u05dc\u05d5\u05dd Ops"  # letters stay
