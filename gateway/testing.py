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
    peer_ip: str | None = None,
    path_token: str | None = None,
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
        peer_ip=peer_ip or client_ip,
        route=route,
        received_at=dt.datetime.now(dt.timezone.utc),
        request_id=uuid.uuid4().hex[:12],
        path_token=path_token,
    )


# --------------------------------------------------------------------------
# A real HTTP server standing in for a chat service or webhook target
# --------------------------------------------------------------------------

import json  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from dataclasses import field  # noqa: E402
from http.server import BaseHTTPRequestHandler  # noqa: E402
from http.server import ThreadingHTTPServer  # noqa: E402
from typing import Callable  # noqa: E402


@dataclass
class RecordedRequest:
    """One request the stub server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    def json(self):
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class StubResponse:
    """What the stub answers: status, JSON or raw body, headers, optional delay."""

    status: int = 200
    json_body: object = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class StubHTTPServer:
    """A threaded HTTP server on 127.0.0.1 that records requests and plays answers.

    ``respond`` decides each answer from the request and how many came
    before it, so a test can script "429 after the fifth message". Use as a
    context manager; ``url`` is its base address.
    """

    def __init__(
        self, respond: Callable[[RecordedRequest, int], StubResponse] | None = None
    ) -> None:
        self.requests: list[RecordedRequest] = []
        self.respond = respond or (lambda request, count: StubResponse(200, {"ok": True}))
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StubHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until ``count`` requests arrived (or fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} requests, got {len(self.requests)}"
                    )
                self._arrived.wait(remaining)
            return list(self.requests)

    def _record(self, request: RecordedRequest) -> StubResponse:
        with self._arrived:
            count = len(self.requests)
            self.requests.append(request)
            self._arrived.notify_all()
        return self.respond(request, count)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = RecordedRequest(
                    self.command,
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                    time.monotonic(),
                )
                answer = stub._record(recorded)
                if answer.delay:
                    time.sleep(answer.delay)
                payload = answer.body
                if answer.json_body is not None:
                    payload = json.dumps(answer.json_body).encode()
                self.send_response(answer.status)
                if answer.json_body is not None:
                    self.send_header("Content-Type", "application/json")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
