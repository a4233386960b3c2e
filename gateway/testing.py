"""Helpers for testing plugins against the core, for us and for plugin authors."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from typing import Callable
from typing import Mapping

from gateway._types import Alarm
from gateway._types import InboundRequest

# When every alarm built by make_alarm arrived, unless a test says otherwise.
ALARM_RECEIVED_AT = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone.utc)

# Alarm attributes make_alarm fills from keyword values of the same name.
_ALARM_ATTRIBUTES = frozenset(Alarm.__dataclass_fields__) - {"id", "fields"}


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


def make_alarm(**values: Any) -> Alarm:
    """Build a stored-looking alarm from the keys a sender would send.

    Keys naming an :class:`Alarm` attribute (``ticker``, ``price``,
    ``message``, ``raw``...) fill it, and every key but ``id`` also lands
    in ``fields``, as the TradingView parser puts it. Floats become
    decimals; ``raw`` defaults to the keys as JSON (a value JSON cannot
    hold, such as a decimal or a time, as its text); ``id`` to a new UUID.
    """
    alarm_id = values.pop("id", None) or str(uuid.uuid4())
    sent: dict[str, Any] = {
        key: Decimal(str(value)) if isinstance(value, float) else value
        for key, value in values.items()
    }
    named = {key: value for key, value in sent.items() if key in _ALARM_ATTRIBUTES}
    return Alarm(
        id=alarm_id,
        received_at=named.pop("received_at", ALARM_RECEIVED_AT),
        source=named.pop("source", "default"),
        client_ip=named.pop("client_ip", "127.0.0.1"),
        content_type=named.pop("content_type", "application/json"),
        raw=named.pop("raw", None)
        or json.dumps(values, ensure_ascii=False, default=str),
        parser=named.pop("parser", "tradingview"),
        format=named.pop("format", "json"),
        fields=sent,
        **named,
    )


# --------------------------------------------------------------------------
# The rules every plugin package keeps
# --------------------------------------------------------------------------

# An import of the core: "import gateway", "from gateway.kit import x"...
_CORE_IMPORT = re.compile(r"^\s*(?:from|import)\s+gateway(?:\.(\w+))?", re.MULTILINE)


def find_package_problems(
    package: ModuleType, name: str, plugin_class: str
) -> list[str]:
    """Check a plugin package against the rules every plugin keeps.

    The entry point ``name`` of our group names ``plugin_class`` in
    ``package`` and comes from the distribution ``alarmhugger-<name>``; the
    package's ``__all__`` lists exactly its public names, sorted; and no
    module imports from the core except through ``gateway.kit``.

    :returns: one sentence per broken rule; empty when all hold.
    """
    from gateway.plugins import find_installed_plugins

    problems: list[str] = []
    installed = find_installed_plugins().get(name)
    target = f"{package.__name__}:{plugin_class}"
    if installed is None:
        problems.append(f"no entry point {name!r} is installed")
    elif (installed.distribution, installed.target) != (f"alarmhugger-{name}", target):
        problems.append(
            f"entry point {name!r} is {installed.target} from"
            f" {installed.distribution}, expected {target} from alarmhugger-{name}"
        )

    exported = list(getattr(package, "__all__", []))
    public = sorted(
        key
        for key in vars(package)
        if key.isidentifier() and not key.startswith("_") and key != "annotations"
    )
    if sorted(exported) != public:
        problems.append(f"__all__ is {sorted(exported)}, public names are {public}")
    elif exported != sorted(exported, key=_export_order):
        problems.append(f"__all__ is not sorted: {exported}")

    folder = Path(package.__file__ or "").parent
    for module in sorted(folder.rglob("*.py")):
        for match in _CORE_IMPORT.finditer(module.read_text(encoding="utf-8")):
            if match.group(1) != "kit":
                shown = module.relative_to(folder)
                problems.append(f"{shown} imports {match.group(0).strip()}")
    return problems


def _export_order(name: str) -> tuple[int, str]:
    # Constants, then classes, then functions, as ruff's RUF022 sorts.
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name


# --------------------------------------------------------------------------
# Ports and certificates for servers standing in for a service
# --------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a self-signed certificate for 127.0.0.1 and ``localhost`` with openssl.

    For a stand-in server speaking TLS (a mail relay, an MQTT broker); a
    client trusts it by taking the certificate as its CA file. The key is
    EC P-256 without a passphrase; both are valid for two days.

    :returns: the paths of the certificate and of the key, PEM files
        ``cert.pem`` and ``key.pem`` in ``folder``.
    :raises subprocess.CalledProcessError: when openssl fails.
    """
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


# --------------------------------------------------------------------------
# A real HTTP server standing in for a chat service or webhook target
# --------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request the stub server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    def json(self) -> Any:
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


# How often the serving thread checks for shutdown; stopping waits this long.
POLL_INTERVAL = 0.05


class _QuietHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server that does not print a client hanging up early."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or gave up closes the connection while we
        # answer; that is what the test wanted, not a failure to report.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


Responder = Callable[[RecordedRequest, int], StubResponse]

# A scripted answer: the response, or a function of the request and its
# number returning one (None falls back to the server's responder).
ScriptedAnswer = StubResponse | Callable[[RecordedRequest, int], StubResponse | None]


def _accept(request: RecordedRequest, count: int) -> StubResponse:
    return StubResponse(200, {"ok": True})


class StubHTTPServer:
    """A threaded HTTP server on 127.0.0.1 that records requests and plays answers.

    Each request is answered from :attr:`script` when it holds an answer
    for the request's number (0-based) or ``"*"``, else by ``respond``,
    which decides from the request and how many came before it; so a test
    can script "429 after the fifth message". Use as a context manager;
    ``url`` is its base address, and :meth:`reset` readies a server shared
    between tests for the next one.

    :param respond: the default answer; ``200 {"ok": true}`` when omitted.
    """

    def __init__(self, respond: Responder | None = None) -> None:
        self.requests: list[RecordedRequest] = []
        self.respond: Responder = respond or _accept
        self.script: dict[int | str, ScriptedAnswer] = {}
        self._default_respond = self.respond
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server = _QuietHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            daemon=True,
        )

    @property
    def url(self) -> str:
        """The server's base address, e.g. ``http://127.0.0.1:54321``."""
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> StubHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget the requests and the script, and restore the first ``respond``."""
        with self._arrived:
            self.requests.clear()
        self.script.clear()
        self.respond = self._default_respond

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

        scripted = self.script.get(count, self.script.get("*"))
        if callable(scripted):
            scripted = scripted(request, count)
        return scripted or self.respond(request, count)

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
