"""A large organization's PDF: one matrix with each failing account's findings under its row, in full, laid
out in parts whose pages, outline and links are joined into one file; the run id and the findings digest on
every page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from functools import partial
from pathlib import Path

import pypdfium2
import pytest

from scanner.checks import CHECK_IDS
from scanner.models import Status
from scanner.output.csv_export import to_csv_bytes
from scanner.render import REPORT_PDF, prepare_report, render_reports
from scanner.render.extended import SHORT_TITLES as EXTENDED_TITLES
from scanner.render.html import part_size, render_page_numbers, render_print_parts
from scanner.render.pdf import render_pdf_parts
from scanner.render.print_edition import print_edition
from scanner.render.records import Report
from scanner.render.structure import SHORT_TITLES, build_report
from scanner.scoring import findings_export
from tests.render.conftest import (
    ASSESSED,
    RUN_INFO,
    SEEDED,
    SEEDED_EXTENDED,
    UNREACHABLE,
    HandMadeRun,
    detail_for,
    make_run,
    pdf_reader,
    previous_baseline,
)

CLEAN = {"111111111111", "333333333333"}  # every box and every CIS check passes or does not apply


def _large(run: HandMadeRun) -> Report:
    """The hand-made run's report as if the organization were large: from its size on, the print edition."""
    findings = run.folder.path / "findings.csv"
    findings.write_bytes(to_csv_bytes(findings_export(run.frames.findings)))
    report = prepare_report(run.folder, run.results, run.frames)
    return build_report(RUN_INFO, run.results, run.frames, {}, changes=None, run_id="2026-01-15T093000Z",
                        findings_sha256=report.document.findings_sha256, compact_from=len(run.results))


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[HandMadeRun, Report]:
    run = make_run(tmp_path_factory.mktemp("large"), baseline=previous_baseline())
    return run, _large(run)


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pdf_reader(pdf).pages]


def test_every_failing_finding_is_under_its_row_in_full_and_nothing_that_passes(
        large: tuple[HandMadeRun, Report]) -> None:
    run, report = large
    assert report.print_edition is not None
    rows = {row.row.account_id: row for group in report.print_edition.groups for row in group.rows}
    assert set(rows) == {result.account.account_id for result in run.results}
    seeded = rows[SEEDED]
    failing_boxes = [c for c, s in zip(CHECK_IDS, ASSESSED[SEEDED][2], strict=True) if s in (Status.FAIL,)]
    failing_checks = [c for c, s in SEEDED_EXTENDED.items() if s in (Status.FAIL, Status.ERROR)]
    expected = [detail_for(Status.FAIL, c) for c in failing_boxes]
    expected += [detail_for(SEEDED_EXTENDED[c], c) for c in failing_checks]
    assert [line.detail for line in seeded.lines] == expected
    assert seeded.lines[0].checks == f"{SHORT_TITLES[CHECK_IDS[0]]} (box 1)"
    for account_id in CLEAN:
        assert rows[account_id].lines == ()
    assert rows[UNREACHABLE].error.startswith("AccessDenied: ")
    assert report.print_edition.failing == len([r for r in rows.values() if r.lines or r.error])


def test_lines_with_the_same_detail_are_printed_once_with_their_checks_named_together(
        large: tuple[HandMadeRun, Report]) -> None:
    _, report = large
    card = next(c for g in report.scorecards for c in g.cards if c.account_id == SEEDED)
    same = "No custom password policy is set."
    first, second = [
        line for line in card.extended.listed if line.status == "FAIL"][:2]
    listed = tuple(replace(line, detail=same) if line in (first, second) else line for line in card.extended.listed)
    card = replace(card, extended=replace(card.extended, listed=listed))
    edition = print_edition(report.matrix, [card], report.clean, report.unassessed, SHORT_TITLES, {})
    seeded = next(r for g in edition.groups for r in g.rows if r.row.account_id == SEEDED)
    shared = [line for line in seeded.lines if line.detail == same]
    assert len(shared) == 1
    assert shared[0].checks == f"{EXTENDED_TITLES[first.check_id]} ({first.reference}) \u00b7 " \
                               f"{EXTENDED_TITLES[second.check_id]} ({second.reference})"


def test_past_the_cap_the_accounts_with_most_boxes_not_passed_are_listed_and_the_rest_counted(
        large: tuple[HandMadeRun, Report]) -> None:
    _, report = large
    cards = [c for g in report.scorecards for c in g.cards]
    edition = print_edition(report.matrix, cards, report.clean, report.unassessed, SHORT_TITLES, {}, cap=3)
    listed = [r.row for g in edition.groups for r in g.rows]
    everyone = [r for g in report.matrix for r in g.rows if r.statuses]
    worst = sorted(everyone, key=lambda r: (r.passed - r.applicable, r.account_id))[:3]
    assert {r.account_id for r in listed} == {r.account_id for r in worst}
    assert (edition.listed, edition.omitted) == (3, sum(len(g.rows) for g in report.matrix) - 3)
    parts = render_print_parts(replace(report, print_edition=edition))
    assert f"the other {edition.omitted} accounts of this organization are in report.html" in parts[0]


@pytest.fixture(scope="module")
def in_parts(large: tuple[HandMadeRun, Report]) -> tuple[bytes, bytes]:
    """The same print edition laid out in one part and in parts of two accounts."""
    _, report = large
    numbers = partial(render_page_numbers, report.document.paper)
    whole = render_pdf_parts(render_print_parts(report), numbers, created=report.document.created)
    parts = render_print_parts(report, part_accounts=2)
    assert len(parts) > 3
    return whole, render_pdf_parts(parts, numbers, created=report.document.created)


def test_parts_are_joined_with_pages_numbered_through_and_the_digest_on_every_page(
        large: tuple[HandMadeRun, Report], in_parts: tuple[bytes, bytes]) -> None:
    run, report = large
    digest = hashlib.sha256((run.folder.path / "findings.csv").read_bytes()).hexdigest()
    assert report.document.findings_sha256 == digest
    for pdf in in_parts:
        texts = _texts(pdf)
        for number, text in enumerate(texts, start=1):
            assert re.search(rf"page {number} of {len(texts)}$", text, re.M), text[-200:]
            assert f"run 2026-01-15T093000Z \u00b7 findings.csv SHA-256 {digest}" in text
    whole, joined = (_texts(pdf) for pdf in in_parts)
    for account_id in [*ASSESSED, UNREACHABLE]:  # every account's row, once
        assert sum(t.count(account_id) for t in joined) == sum(t.count(account_id) for t in whole) > 0
    for check_id, status in SEEDED_EXTENDED.items():
        if status in (Status.FAIL, Status.ERROR):
            assert detail_for(status, check_id) in "".join(joined).replace("\n", " ")


def _outline(pdf: bytes) -> list[tuple[int, str, int]]:
    reader = pdf_reader(pdf)
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def test_the_outline_is_one_tree_across_parts(in_parts: tuple[bytes, bytes]) -> None:
    whole, joined = (_outline(pdf) for pdf in in_parts)
    assert [(depth, title) for depth, title, _ in joined] == [(depth, title) for depth, title, _ in whole]
    matrix = next(i for i, (depth, title, _) in enumerate(joined) if title == "Organization matrix")
    assert joined[matrix][0] == 0 and joined[matrix + 1][0] == 1  # OU groups under it, each once
    pages = [page for _, _, page in joined]
    assert pages == sorted(pages)


def test_every_link_lands_on_the_page_that_shows_what_it_names(in_parts: tuple[bytes, bytes]) -> None:
    for pdf in in_parts:
        document = pypdfium2.PdfDocument(pdf)
        reader = pdf_reader(pdf)
        checked = 0
        for number, page in enumerate(reader.pages):
            for annotation in page.get("/Annots") or []:
                link = annotation.get_object()
                if link.get("/Subtype") != "/Link":
                    continue
                destination = link.get("/Dest")
                if isinstance(destination, str):  # a named destination (one part): as WeasyPrint wrote it
                    target = reader.get_destination_page_number(reader.named_destinations[destination])
                else:
                    target = reader.get_page_number(destination[0].get_object())
                left, bottom, right, top = (float(v) for v in link["/Rect"])
                label = document[number].get_textpage().get_text_bounded(
                    min(left, right), min(bottom, top), max(left, right), max(bottom, top)).strip()
                assert label, (number, link)
                if re.fullmatch(r"\d{12}", label):
                    assert label in reader.pages[target].extract_text(), (label, number, target)
                    checked += 1
        assert checked > 5


def test_links_are_the_same_in_one_part_and_in_many(in_parts: tuple[bytes, bytes]) -> None:
    counts = [sum(1 for page in pdf_reader(pdf).pages for a in page.get("/Annots") or []
                  if a.get_object().get("/Subtype") == "/Link") for pdf in in_parts]
    assert counts[0] == counts[1] > 0


def test_a_small_organization_prints_the_digest_on_every_page_of_its_report(tmp_path: Path) -> None:
    run = make_run(tmp_path / "runs")
    (run.folder.path / "findings.csv").write_bytes(to_csv_bytes(findings_export(run.frames.findings)))
    render_reports(run.folder, run.results, run.frames)
    digest = hashlib.sha256((run.folder.path / "findings.csv").read_bytes()).hexdigest()
    texts = _texts((run.folder.path / REPORT_PDF).read_bytes())
    assert all(f"findings.csv SHA-256 {digest}" in text for text in texts)
    assert all(re.search(rf"page {n} of {len(texts)}$", t, re.M) for n, t in enumerate(texts, start=1))


@pytest.mark.parametrize(("accounts", "size"), [(100, 100), (500, 500), (501, 251), (1_000, 500), (1_001, 251),
                                                 (2_000, 500), (2_001, 334)])
def test_parts_are_as_large_as_allowed_and_come_in_pairs(accounts: int, size: int) -> None:
    assert part_size(accounts) == size
    parts = -(-accounts // size)
    assert parts == 1 or parts % 2 == 0
