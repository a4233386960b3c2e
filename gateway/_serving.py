"""Serving the app with waitress, with JSON answers for waitress's own errors.

waitress reads a request body before the app sees it, and refuses one past
``max_request_body_size`` itself (as soon as the declared length or the
chunks received pass it). We set that limit to the gateway's body cap, so
memory and temp files stay flat, and replace waitress's plain-text error
page with the same JSON shape the app uses.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from typing import Any
from typing import Callable

import waitress
from loguru import logger
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from gateway.errors import GatewayError

if TYPE_CHECKING:
    from gateway.config import GatewayConfig


class _JsonErrorTask(ErrorTask):
    """waitress's error answer (413, 400...) as our JSON error shape."""

    def execute(self) -> None:
        error = self.request.error
        limit = self.channel.adj.max_request_body_size - 1
        code = re.sub(r"[^a-z0-9]+", "_", error.reason.lower()).strip("_")
        body: dict[str, Any] = {
            "error": code,
            "message": error.body,
            "status": error.code,
        }

        if error.code == 413:
            body["message"] = f"request body larger than the limit of {limit} bytes"
            body["limit_bytes"] = limit
            logger.warning(
                "body too large from {}: {}, limit {} bytes",
                self.channel.addr[0] if self.channel.addr else "?",
                error.body,
                limit,
            )
            on_reject = getattr(self.channel.server, "on_reject", None)
            if on_reject is not None:
                on_reject(413)
        else:
            logger.warning(
                "malformed request from {}: {}", self.channel.addr[0], error.body
            )

        payload = json.dumps(body).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(payload)
        self.write(payload)


class _JsonErrorChannel(HTTPChannel):
    error_task_class = _JsonErrorTask


def serve(
    app: Any,
    config: GatewayConfig,
    host: str,
    port: int,
    on_reject: Callable[[int], None] | None = None,
    on_listening: Callable[[], None] | None = None,
) -> None:
    """Serve ``app`` until interrupted.

    :raises GatewayError: when the address cannot be listened on (port in
        use, unknown host).
    """
    try:
        server = _create_server(app, config, host, port)
    except (OSError, ValueError) as error:
        raise GatewayError(
            f"cannot listen on {host}:{port}: {error}; "
            "choose another [gateway] host/port (or --host/--port)"
        ) from error
    server.channel_class = _JsonErrorChannel  # type: ignore[union-attr]
    server.on_reject = on_reject  # type: ignore[union-attr]
    if on_listening is not None:
        on_listening()
    try:
        server.run()
    finally:
        server.close()


def _create_server(app: Any, config: GatewayConfig, host: str, port: int) -> Any:
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=config.threads,
        # waitress refuses a body of exactly its limit; ours is inclusive.
        max_request_body_size=config.max_body_bytes + 1,
        ident="AlarmHugger",
        clear_untrusted_proxy_headers=False,
        # A bar-close burst opens many keep-alive connections at once;
        # waitress's default of 100 would stop accepting new ones.
        connection_limit=config.get_int(
            "gateway", "connection_limit", 1000, minimum=10, maximum=100000
        ),
        channel_timeout=config.get_int(
            "gateway", "idle_timeout", 30, minimum=1, maximum=3600
        ),
    )
