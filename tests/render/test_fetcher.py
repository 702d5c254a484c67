"""The renderer's URL fetcher serves its own templates and data: URIs, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.render.environment import TEMPLATES
from scanner.render.fetcher import OfflineFetcher, RefusedFetch


@pytest.fixture
def fetcher() -> OfflineFetcher:
    return OfflineFetcher(TEMPLATES)


@pytest.mark.parametrize("url", [
    "http://example.com/font.ttf",
    "https://example.com/style.css",
    "ftp://example.com/x",
    "file:///etc/passwd",
    (TEMPLATES / ".." / "pyproject.toml").as_uri(),
    (TEMPLATES / "fonts" / "missing.ttf").as_uri(),
])
def test_refuses_everything_outside_the_templates(fetcher: OfflineFetcher, url: str) -> None:
    with pytest.raises(RefusedFetch):
        fetcher(url)


def test_serves_the_shipped_fonts(fetcher: OfflineFetcher) -> None:
    font = TEMPLATES / "fonts" / "DejaVuSans.ttf"
    response = fetcher(font.as_uri())
    try:
        assert response.read() == font.read_bytes()
    finally:
        response.close()


def test_decodes_data_uris_in_memory(fetcher: OfflineFetcher) -> None:
    response = fetcher("data:text/css;base64,Ym9keXt9")
    assert response.read() == b"body{}"
    assert response.content_type == "text/css"


def test_a_symlink_out_of_the_templates_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(RefusedFetch):
        OfflineFetcher(root)((root / "link.txt").as_uri())
