"""The rendered report: what the PDF says about each account, its outline, pages, metadata and fonts; the
HTML's escaping and self-containment; no network; the same bytes for the same run.

The A4 report is rendered once for the module, with every socket connection refused while it renders.
"""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from scanner.checks.catalog import BOXES
from scanner.render import REPORT_HTML, REPORT_PDF, render_reports
from scanner.render.html import render_html
from scanner.render.pdf import render_pdf
from scanner.render.structure import build_report
from tests.render.conftest import (
    ASSESSED,
    RUN_INFO,
    SUSPENDED,
    UNREACHABLE,
    make_run,
    pdf_reader,
)

SHOWN = {"PASS": "\u2713 PASS", "FAIL": "\u2717 FAIL", "NOT_APPLICABLE": "\u2013 N/A", "ERROR": "\u26a0 ERROR"}
STATUS_RE = "|".join(re.escape(s) for s in SHOWN.values())
SECTIONS = ["Summary", "Changes", "Organization matrix", "Account scorecards", "Accounts not assessed",
            "Accepted risks", "Methodology"]
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes
    reader: PdfReader
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def _render(root: Path, paper: str = "A4") -> Rendered:
    run = make_run(root)
    render_reports(run.folder, run.results, run.frames, paper=paper)
    pdf = (run.folder.path / REPORT_PDF).read_bytes()
    reader = pdf_reader(pdf)
    return Rendered((run.folder.path / REPORT_HTML).read_text(encoding="utf-8"), pdf, reader,
                    [page.extract_text() for page in reader.pages])


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise AssertionError(f"the report renderer opened a connection: {args[1:]}")


@pytest.fixture(scope="module")
def a4(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """Rendered with every way of opening a connection, loopback included, raising."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse)
        patch.setattr(socket.socket, "connect_ex", _refuse)
        patch.setattr(socket, "create_connection", _refuse)
        patch.setattr(socket, "getaddrinfo", _refuse)
        return _render(tmp_path_factory.mktemp("a4"))


def _matrix_statuses(text: str, account_id: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.startswith(account_id + " ") and " \u2014 " not in line
             and re.search(STATUS_RE, line)]
    assert len(lines) == 1, f"{account_id}: expected one matrix line, got {lines}"
    return re.findall(STATUS_RE, lines[0])


def _card_text(text: str, account_id: str) -> str:
    start = text.index(f"{account_id} \u2014 ")
    following = re.compile(r"^\d{12} \u2014 |^Accounts not assessed$", re.M).search(text, start + 1)
    return text[start:following.start() if following else len(text)]


def test_matrix_shows_each_account_with_its_status_in_each_box(a4: Rendered) -> None:
    for account_id, (_, _, statuses) in ASSESSED.items():
        assert _matrix_statuses(a4.text, account_id) == [SHOWN[s.value] for s in statuses]
    assert _matrix_statuses(a4.text, UNREACHABLE) == [SHOWN["ERROR"]] * len(BOXES)
    assert re.search(rf"^{SUSPENDED} Closed Project skipped \(SUSPENDED\)$", a4.text, re.M)


def test_scorecards_show_each_box_title_with_its_status(a4: Rendered) -> None:
    for account_id, (_, _, statuses) in ASSESSED.items():
        card = _card_text(a4.text, account_id)
        for box, status in zip(BOXES, statuses, strict=True):
            assert re.search(rf"^{re.escape(SHOWN[status.value])} {re.escape(box.title)} \u2014 ", card, re.M), (
                f"{account_id}: {box.title} should be {status.value}\n{card}")
        assert "To fix" not in card and "AWS CLI" not in card  # the fixes are in the methodology, once
    assert UNREACHABLE + " \u2014 " not in a4.text


def test_scorecards_share_pages_but_none_is_split(a4: Rendered) -> None:
    first = next(page for page in a4.pages if page.startswith("Account scorecards"))
    assert len(re.findall(r"^\d{12} \u2014 ", first, re.M)) >= 3
    for account_id in ASSESSED:
        page = next(page for page in a4.pages if f"{account_id} \u2014 " in page)
        card = _card_text(page, account_id)
        assert all(box.title in card for box in BOXES), f"{account_id}'s scorecard is split:\n{card}"


def test_each_box_s_fix_is_printed_once_in_the_methodology(a4: Rendered) -> None:
    whole = re.sub(r"-\s+", "-", re.sub(r"\s+", " ", a4.text))  # a line may wrap after a hyphen
    heading = whole.rindex("How to fix a failing box")  # the heading, after the scorecards' note
    table = whole[heading:whole.index("CIS AWS Foundations checks", heading)]
    for box in BOXES:
        assert table.count(box.console) == 1 and table.count(box.cli) == 1
        assert box.console not in whole[:heading] and box.cli not in whole[:heading]


def test_unassessed_and_skipped_accounts_are_listed(a4: Rendered) -> None:
    section = a4.text[a4.text.index("Accounts not assessed"):]
    assert re.search(rf"^{UNREACHABLE} Legacy Billing Root/Legacy AccessDenied User is not authorized", section, re.M)
    assert re.search(rf"^{SUSPENDED} Closed Project Root/Legacy skipped \(SUSPENDED\)$", section, re.M)


def test_cover_gives_the_run_facts_and_coverage(a4: Rendered) -> None:
    cover = a4.pages[0]
    assert "Example Org \u00b7 o-test12345" in cover
    assert "Scan 2026-01-15 09:30:00 UTC to 2026-01-15 09:41:07 UTC" in cover
    assert RUN_INFO["caller_arn"] in cover
    assert "orgscan 0.1.0" in cover
    assert "8 accounts discovered: 6 assessed, 1 could not be assessed, 1 skipped" in cover
    assert "Delete your root access keys 33\u00a0% 2 / 6" in cover.replace(" %", "\u00a0%")


def test_page_count_and_page_numbers(a4: Rendered) -> None:
    total = len(a4.pages)
    assert 7 <= total <= 14
    for number, text in enumerate(a4.pages, start=1):
        assert f"page {number} of {total}" in text
        assert "Example Org (o-test12345) \u00b7 scan 2026-01-15 09:30:00 UTC" in text
        assert "run 2026-01-15T093000Z" in text  # the run folder's name, in every footer


def test_outline_has_the_sections_and_every_assessed_account(a4: Rendered) -> None:
    outline = a4.reader.outline
    top = [item.title for item in outline if not isinstance(item, list)]
    assert top == SECTIONS
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(outline)
    for account_id in ASSESSED:
        assert sum(1 for t in titles if t.startswith(f"{account_id} \u2014 ")) == 1
    # Bidi controls are dropped from bookmarks, where no cell or isolate would contain them.
    assert '555555555555 \u2014 <script>alert("x")</script> Ops, evil' in titles
    assert "666666666666 \u2014 Shared Services" in titles
    assert not [t for t in titles if re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", t)]


def test_metadata_comes_from_the_run(a4: Rendered) -> None:
    meta = a4.reader.metadata
    assert meta is not None
    assert meta.title == "IAM Security Status \u2014 Example Org (o-test12345) \u2014 2026-01-15 09:30:00 UTC"
    assert meta.author == "orgscan"
    assert meta.creator is not None and meta.creator.startswith("orgscan ")
    assert meta["/CreationDate"] == "D:20260115093000Z"
    assert meta["/ModDate"] == "D:20260115093000Z"


def test_only_the_shipped_fonts_are_embedded(a4: Rendered) -> None:
    fonts: dict[str, Any] = {}
    for page in a4.reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+Orgscan-Sans(-Bold)?", name), name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"


def test_a4_by_default(a4: Rendered) -> None:
    box = a4.reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4


def test_letter_on_request(tmp_path: Path) -> None:
    letter = _render(tmp_path, paper="Letter")
    for page in letter.reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == LETTER


def test_hostile_names_are_text_never_markup(a4: Rendered) -> None:
    assert a4.html.count("<script") == 1 and "<script>alert" not in a4.html  # the one is the matrix tools
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    assert escaped in a4.html
    for match in re.finditer(re.escape(escaped), a4.html):
        tag = a4.html[a4.html.rindex("<", 0, match.start()):match.start()]
        # the text of a <bdi> or of a cell (a bidi paragraph of its own), the matrix cell's full-name title,
        # or a scorecard's bookmark label (its bidi controls dropped)
        assert re.fullmatch(r'<bdi>|<td>|<td title="|<td title="[^"<>]*"><bdi>|<td title="[^"<>]*">|'
                            r'<h4 data-bookmark="[^"<>]*', tag), \
            f"not isolated: ...{tag}"
    assert '<script>alert("x")</script> Ops' in a4.text


def test_an_rlo_cannot_reorder_the_columns_after_it(a4: Rendered) -> None:
    matrix_line = next(line for line in a4.text.splitlines()
                       if line.startswith("666666666666 Shared ") and re.search(STATUS_RE, line))
    # The override reverses the rest of the name, and stops at the cell's edge: the statuses keep their order.
    assert matrix_line == "666666666666 Shared secivreS \u2717 FAIL \u26a0 ERROR \u2713 PASS \u2013 N/A \u2717 FAIL 1/4"
    heading = next(line for line in a4.text.splitlines() if line.startswith("555555555555 \u2014 "))
    assert heading.endswith("Ops, live")
    card = _card_text(a4.text, "555555555555")
    assert "OU Root/Prod \u00b7 2 of 4 applicable boxes passed" in card


def test_html_is_one_self_contained_file(a4: Rendered) -> None:
    assert not re.search(r"<(link|img|iframe|object)\b", a4.html, re.I)
    assert re.findall(r"<script\b[^>]*>", a4.html, re.I) == ["<script>"]  # inline, pinned by the CSP
    assert not re.search(r"\b(src|srcset)\s*=", a4.html, re.I)
    assert "url(" not in a4.html
    assert "@import" not in a4.html
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", a4.html))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "<svg" in a4.html


def test_same_run_gives_the_same_bytes_wherever_and_whenever(
    a4: Rendered, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    again = _render(tmp_path / "elsewhere")
    assert again.html == a4.html
    assert again.pdf == a4.pdf


def test_an_rlo_in_an_ou_path_cannot_reorder_the_rest_of_the_scorecard_line(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    results = [replace(r, account=replace(r.account, ou_path="Root/\u202eProd"))
               if r.account.account_id == "555555555555" else r for r in run.results]
    report = build_report(RUN_INFO, results, run.frames, {})
    text = "\n".join(page.extract_text() for page in pdf_reader(render_pdf(render_html(report))).pages)
    card = _card_text(text, "555555555555")
    assert "OU Root/dorP \u00b7 2 of 4 applicable boxes passed \u00b7 no credential report time" in card
