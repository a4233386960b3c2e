"""Helpers for testing plugins against the core, for us and for plugin authors."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Mapping

from gateway._types import InboundRequest


def make_request(
    body: bytes | str,
    content_type: str = "application/json",
    *,
    route: str = "default",
    client_ip: str = "127.0.0.1",
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> InboundRequest:
    """Build an :class:`InboundRequest` the way the core would for ``body``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        text: str | None = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None

    return InboundRequest(
        body=raw,
        text=text,
        content_type=content_type,
        headers=dict(headers or {}),
        query=dict(query or {}),
        client_ip=client_ip,
        peer_ip=client_ip,
        route=route,
        received_at=dt.datetime.now(dt.timezone.utc),
        request_id=uuid.uuid4().hex[:12],
    )
