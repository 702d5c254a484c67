"""The one pagination helper: every list call goes through it, so no call assumes a single page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def pages(client: Any, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Yield every page of `operation`, following tokens even across empty pages."""
    paginator = client.get_paginator(operation)
    for page in paginator.paginate(**params):
        page = dict(page)
        page.pop("ResponseMetadata", None)
        yield page


def merged(client: Any, operation: str, keys: tuple[str, ...], **params: Any) -> dict[str, list[Any]]:
    """All pages of `operation` with the list members named in `keys` concatenated."""
    out: dict[str, list[Any]] = {key: [] for key in keys}
    for page in pages(client, operation, **params):
        for key in keys:
            out[key].extend(page.get(key, []))
    return out
