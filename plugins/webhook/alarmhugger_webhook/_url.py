"""Showing a target URL without the parts that may be its credential.

For many webhook services the URL itself authorises posting (case 34):
a password before ``@``, a token in the query string, or a long random
path segment. None of these may reach a log line or the API.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

from gateway.kit import MASK
from gateway.kit import register_secret
from gateway.kit import register_secret_in_url

# Path segments that look like generated tokens rather than words.
_TOKEN_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9._~%+=-]{8,}$")


def redact_url(url: str) -> str:
    """Return ``url`` with user info, query values and most of the path masked.

    ``https://u:pw@hooks.example.com/catch/123/abc?key=s`` becomes
    ``https://***@hooks.example.com/catch/***?key=***``. The first path
    level stays readable unless it looks like a token.
    """
    parts = urlsplit(url)
    _, at, host = parts.netloc.rpartition("@")
    if at:
        host = f"{MASK}@{host}"

    segments = [segment for segment in parts.path.split("/") if segment]
    path = "/"
    if segments:
        path += MASK if _TOKEN_LIKE.match(segments[0]) else segments[0]
    if len(segments) > 1:
        path += "/" + MASK

    query = "&".join(
        f"{name}={MASK}" for name, _ in parse_qsl(parts.query, keep_blank_values=True)
    )
    start = f"{parts.scheme}://{host}" if parts.scheme or parts.netloc else ""
    if not start and not parts.path.startswith("/"):
        path = path[1:]
    return start + path + (f"?{query}" if query else "")


def register_url_secrets(url: str) -> None:
    """Register the credential-like parts of ``url`` for masking in logs."""
    register_secret_in_url(url)

    # A user name alone (https://TOKEN@host) is the credential; beside a
    # password it is usually a plain word that must stay readable in logs.
    parts = urlsplit(url)
    if parts.username and not parts.password:
        register_secret(parts.username)
    for _, value in parse_qsl(parts.query, keep_blank_values=True):
        register_secret(value)

    for segment in parts.path.split("/"):
        if _TOKEN_LIKE.match(segment):
            register_secret(segment)
