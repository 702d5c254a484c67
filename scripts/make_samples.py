"""Regenerate sample_reports/: the demo organization scanned with a fixed clock, so the files reproduce.

    make samples
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_reports"
CLOCK = "2026-11-28T03:15:00Z"
FILES = ("report.html", "report.pdf", "report.xlsx", "accounts.csv", "findings.csv", "scorecard.csv",
         "users.csv", "user_findings.csv")


def page_png(pdf: Path, index: int, target: Path, scale: float = 1.4) -> None:
    document = pdfium.PdfDocument(str(pdf))
    try:
        document[index].render(scale=scale).to_pil().save(target, optimize=True)
    finally:
        document.close()


def scorecard_page(pdf: Path) -> int:
    """The first page whose text starts the per-account scorecards."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        for index in range(len(document)):
            if "Account scorecards" in document[index].get_textpage().get_text_range():
                return index
    finally:
        document.close()
    return 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="orgscan-samples-") as tmp:
        subprocess.run([sys.executable, "-m", "scanner", "demo", "--out", tmp, "--clock", CLOCK],  # noqa: S603
                       check=True, stdout=subprocess.DEVNULL)
        run = next(p for p in Path(tmp).iterdir() if p.is_dir())
        SAMPLES.mkdir(exist_ok=True)
        for name in FILES:
            if (run / name).exists():
                shutil.copyfile(run / name, SAMPLES / name)
    pdf = SAMPLES / "report.pdf"
    page_png(pdf, 0, SAMPLES / "report-page-1.png")
    page_png(pdf, scorecard_page(pdf), SAMPLES / "report-scorecards.png")
    print(f"sample reports written to {SAMPLES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
