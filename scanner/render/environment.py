"""The one jinja2 environment of the report: its template folder, its escaping and its filters.

Built in one place so no template can be rendered without autoescaping: account and user names come from
the organization and may hold markup. `StrictUndefined` turns a misspelt field into an error instead of
an empty cell.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

import scanner
from scanner.render import charts, filters

TEMPLATES = Path(scanner.__file__).resolve().parent.parent / "report_templates"

FILTERS = {
    "percent": filters.percent,
    "passed_words": filters.passed_words,
    "utc": filters.utc,
    "status_symbol": filters.status_symbol,
    "status_word": filters.status_word,
    "status_class": filters.status_class,
    "clip": filters.clip,
    "ou_label": filters.ou_label,
    "plural": filters.plural,
    "or_unknown": filters.or_unknown,
    "share_chart": charts.share_bars,
}


@cache
def environment() -> jinja2.Environment:
    """The templates live beside the package in the source tree; say so plainly when they are missing."""
    if not TEMPLATES.is_dir():
        raise FileNotFoundError(f"the report templates are missing: {TEMPLATES} is not a folder")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env
