"""A large run's PDF is laid out in a process of its own while the other outputs are written: same bytes."""

from __future__ import annotations

from pathlib import Path

from scanner.render import REPORT_HTML, REPORT_PDF, start_reports
from tests.render.conftest import HandMadeRun, make_run, pdf_reader


def _outputs(run: HandMadeRun) -> tuple[bytes, bytes]:
    return (run.folder.path / REPORT_HTML).read_bytes(), (run.folder.path / REPORT_PDF).read_bytes()


def test_the_pdf_laid_out_in_its_own_process_is_the_same_bytes(tmp_path: Path) -> None:
    run = make_run(tmp_path / "one")
    start_reports(run.folder, run.results, run.frames, pdf_process_from=10_000).finish()  # in this process
    inline = _outputs(run)
    pending = start_reports(run.folder, run.results, run.frames, pdf_process_from=1)  # in a process of its own
    assert pending.in_own_process  # the layout runs elsewhere while this process goes on
    (run.folder.path / REPORT_PDF).unlink()
    pending.finish()
    assert _outputs(run) == inline
    assert inline[1].startswith(b"%PDF-")


def test_nothing_is_written_until_the_pdf_is_ready(tmp_path: Path) -> None:
    run = make_run(tmp_path / "two")
    pending = start_reports(run.folder, run.results, run.frames, pdf_process_from=1)
    assert not (run.folder.path / REPORT_HTML).exists() and not (run.folder.path / REPORT_PDF).exists()
    pending.finish()
    assert (run.folder.path / REPORT_HTML).exists() and (run.folder.path / REPORT_PDF).exists()


def test_a_print_edition_laid_out_in_parts_by_other_processes_is_the_same_bytes(tmp_path: Path) -> None:
    run = make_run(tmp_path / "three")
    options = {"compact_from": 1, "part_accounts": 2}  # the hand-made run as a large one, in parts of 2 accounts
    start_reports(run.folder, run.results, run.frames, pdf_process_from=10_000, **options).finish()
    inline = _outputs(run)
    pending = start_reports(run.folder, run.results, run.frames, pdf_process_from=1, **options)
    assert pending.in_own_process
    pending.finish()
    assert _outputs(run) == inline
    pages = [page.extract_text() for page in pdf_reader(inline[1]).pages]
    assert "Every account, with what fails" in "".join(pages)
    assert all(text.rstrip().endswith(f"page {n} of {len(pages)}") for n, text in enumerate(pages, start=1))
