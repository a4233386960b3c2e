"""Per-request context: request id, client address, one access-log line."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING
from typing import Any
from typing import Callable
from typing import Iterable

from loguru import logger

from gateway._client import resolve_client_address

if TYPE_CHECKING:
    from flask import Flask

    from gateway.config import GatewayConfig

CLIENT_KEY = "gateway.client_ip"
REQUEST_ID_KEY = "gateway.request_id"


class RequestContextMiddleware:
    """WSGI middleware that resolves the client and logs each request once.

    The log line carries method, path (never the query string, which may
    hold a token), status, duration and client address.
    """

    def __init__(self, app: Callable[..., Any], config: GatewayConfig) -> None:
        self.app = app
        self.trusted = config.trusted_proxies
        self.header = config.forwarded_header

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:12]
        peer = environ.get("REMOTE_ADDR", "") or ""
        client = resolve_client_address(
            peer,
            environ.get("HTTP_FORWARDED"),
            environ.get("HTTP_X_FORWARDED_FOR"),
            self.trusted,
            self.header,
        )
        environ[CLIENT_KEY] = client
        environ[REQUEST_ID_KEY] = request_id
        status_holder: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            status_holder.append(status)
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, *args)

        path = _masked_path(environ.get("PATH_INFO", ""))

        with logger.contextualize(request_id=request_id):
            try:
                return self.app(environ, capture)
            finally:
                status = status_holder[0].split(" ", 1)[0] if status_holder else "-"
                duration_ms = (time.perf_counter() - started) * 1000
                logger.info(
                    "{} {} {} {:.1f}ms client={}",
                    environ.get("REQUEST_METHOD"),
                    path,
                    status,
                    duration_ms,
                    client,
                )


def _masked_path(path: str) -> str:
    # /alarms/webhook/<route>/<token>: the token may be wrong or retired, so
    # it is not among the registered secrets; never log it.
    parts = path.split("/")
    if len(parts) >= 5 and parts[1:3] == ["alarms", "webhook"] and parts[4]:
        parts[4] = "***"
        return "/".join(parts[:5])
    return path


def register(app: Flask, config: GatewayConfig) -> None:
    """Wrap ``app``'s WSGI callable with :class:`RequestContextMiddleware`."""
    app.wsgi_app = RequestContextMiddleware(app.wsgi_app, config)  # type: ignore[method-assign]
