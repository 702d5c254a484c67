"""The README's promises that code can check."""

from pathlib import Path

from scanner.permissions import permissions_markdown

README = (Path(__file__).parents[2] / "README.md").read_text()


def test_permission_list_is_generated_from_the_collectors_declarations() -> None:
    block = README.split("<!-- permissions:start -->\n", 1)[1].split("<!-- permissions:end -->", 1)[0]
    assert block == permissions_markdown()


def test_readme_shows_the_two_setup_commands() -> None:
    assert "make demo" in README and "make test" in README
