"""Apprise URLs: splitting a list of them, and keeping their secrets out of logs.

An Apprise URL usually *is* the credential (``tgram://<bot token>/<chat>``,
``discord://<id>/<token>``), so each whole URL is masked in logs, and so is
each part of it that looks like a token, because Apprise's own log lines
quote pieces of it (the HTTP address it posts to, say).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

from gateway.kit import register_secret

# Between URLs: a new line, or commas and spaces followed by "scheme://".
# A comma not followed by a scheme belongs to the URL (to=a@x,b@y).
_BETWEEN_URLS = re.compile(r"\s*\n\s*|[\s,]+(?=[A-Za-z][A-Za-z0-9+.-]*://)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TOKEN_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9._~%+=-]{8,}$")
_SECRET_PARAMETER = re.compile(r"(token|key|secret|pass|auth|webhook|sig)", re.I)


def split_urls(text: str) -> list[str]:
    """Split a comma- or newline-separated list of Apprise URLs."""
    return [
        url.strip().strip(",").strip()
        for url in _BETWEEN_URLS.split(text.strip())
        if url.strip().strip(",")
    ]


def scheme_of(url: str) -> str:
    """Return the URL's scheme in lower case (``tgram``), or ``?`` if it has none."""
    match = _SCHEME.match(url.strip())
    return match.group(1).lower() if match else "?"


def register_url_secrets(url: str) -> None:
    """Register ``url`` and its token-like parts for masking in logs."""
    register_secret(url)

    parts = urlsplit(url)
    user_info, at, host_port = parts.netloc.rpartition("@")
    if at:
        user, _, password = user_info.partition(":")
        register_secret(password or user)

    # tgram://<id>:<secret>/... puts a token where a host would be.
    pieces = [piece for piece in host_port.split(":") if _TOKEN_LIKE.match(piece)]
    if pieces and not _is_address(host_port.split(":")[0]):
        register_secret(host_port)
        for piece in pieces:
            register_secret(piece)
    for segment in parts.path.split("/"):
        if _TOKEN_LIKE.match(segment):
            register_secret(segment)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if _SECRET_PARAMETER.search(name) or _TOKEN_LIKE.match(value):
            register_secret(value)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return "." in text and not text.replace(".", "").isdigit()
    return True
