"""The only way the PDF renderer may load a resource: files under `report_templates/` and data: URIs.

WeasyPrint's default fetcher follows any URL it meets, over the network too. A report is built from data
an organization controls, so the renderer gets a fetcher that refuses everything else: no request leaves
the machine and no file outside the templates is read, whatever ends up in the HTML.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib import request
from urllib.parse import urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class RefusedFetch(ValueError):
    """A URL the report renderer will not load."""


class OfflineFetcher(URLFetcher):
    """Serves files below `root` and data: URIs; refuses every other URL."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self._root = root.resolve()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return self._data(url)
        if scheme == "file":
            path = Path(request.url2pathname(urlsplit(url).path)).resolve()
            if path.is_relative_to(self._root) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})
        log.warning("report rendering refused to fetch %.200s", url)
        raise RefusedFetch(f"the report renderer only reads its own templates and data: URIs, not {url[:200]}")

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        """Decoded in memory by urllib's data: handler, which never opens a connection."""
        response = request.DataHandler().data_open(request.Request(url))  # noqa: S310 - data: only
        with response:
            return URLFetcherResponse(url, response.read(), dict(response.headers.items()))
