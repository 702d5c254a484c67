"""The one jinja2 environment of the report: its template folder, its escaping and its filters.

Built in one place so no template can be rendered without autoescaping: account and user names come from
the organization and may hold markup. `StrictUndefined` turns a misspelt field into an error instead of
an empty cell.

`report_templates/` sits beside the `scanner` package both in the source tree and in an installed copy
(pyproject.toml ships it as a data-only package), so it is looked for there first, then wherever Python
would import it from (an editable install's finder, for one).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import jinja2

import scanner
from scanner.render import charts, filters, trend_chart

TEMPLATES_PACKAGE = "report_templates"
MAIN_TEMPLATE = "report.html.j2"


def locate_templates() -> Path:
    """The report_templates folder; the expected place (beside `scanner`) when it is found nowhere."""
    beside = Path(scanner.__file__).resolve().parent.parent / TEMPLATES_PACKAGE
    candidates = [beside]
    try:
        spec = importlib.util.find_spec(TEMPLATES_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(location).resolve() for location in spec.submodule_search_locations]
    return next((path for path in candidates if (path / MAIN_TEMPLATE).is_file()), beside)


TEMPLATES = locate_templates()

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
    "isolate": filters.isolate,
    "plain": filters.plain,
    "share_chart": charts.share_bars,
    "trend_chart": trend_chart.trend_chart,
}


@cache
def environment() -> jinja2.Environment:
    """The templates live beside the package (see `locate_templates`); say so plainly when they are missing."""
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
