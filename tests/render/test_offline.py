"""Rendering never reaches the network, whatever the HTML asks for."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from scanner.render.pdf import render_pdf

REMOTE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="http://example.com/style.css">
<style>@import url("https://example.com/more.css"); body { background: url("http://example.com/bg.png"); }
@font-face { font-family: Remote; src: url("https://example.com/font.woff2"); }</style>
</head><body><p>remote resources</p><img src="http://example.com/pixel.png">
<img src="file:///etc/hostname"></body></html>"""


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise AssertionError(f"the report renderer opened a connection: {args[1:]}")


def test_remote_and_foreign_resources_are_refused_without_a_connection(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    with caplog.at_level(logging.WARNING, logger="scanner.render.fetcher"):
        pdf = render_pdf(REMOTE)
    assert pdf.startswith(b"%PDF-")
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "scanner.render.fetcher")
    for url in ("http://example.com/style.css", "https://example.com/more.css", "http://example.com/bg.png",
                "https://example.com/font.woff2", "http://example.com/pixel.png", "file:///etc/hostname"):
        assert url in refused
