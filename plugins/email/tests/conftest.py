"""Fixtures for the e-mail notifier's tests, against a real SMTP server.

The core's pytest plugin gives ``make_alarm``, ``log_records``,
``closed_url`` and ``silent_url``.

- ``mailbox``: an aiosmtpd server on 127.0.0.1 (plain, no login) and what
  it received; ``auth_mailbox`` requires a login; ``starttls_mailbox``
  requires STARTTLS and then a login; ``ssl_mailbox`` speaks TLS from the
  first byte. Each serves the whole session and is emptied per test.
- ``tls_files``: a self-signed certificate for 127.0.0.1, made once per
  session.
- ``make_notifier``: a configured notifier (``from``, no TLS, 5 s timeout
  unless a test says otherwise).
- ``login``: the user name and password the test servers accept.
"""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
import time
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from aiosmtpd.smtp import LoginPassword

from alarmhugger_email import EmailPlugin
from gateway.testing import free_port
from gateway.testing import make_certificate

USERNAME = "alerts"
PASSWORD = "smtp-pw-5e4d3c2b1a"


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        """The message parsed with the modern policy (headers decoded)."""
        return email.message_from_bytes(self.content, policy=email.policy.default)


class Mailbox:
    """An aiosmtpd handler that keeps every message and can refuse on cue.

    :attr rcpt_answers: reply for a given recipient instead of accepting it.
    :attr data_answer: reply to the message data instead of accepting it.
    """

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.rcpt_answers: dict[str, str] = {}
        self.data_answer: str | None = None
        self.port = 0
        self._arrived = threading.Condition()

    def reset(self) -> Mailbox:
        with self._arrived:
            self.received.clear()
        self.rcpt_answers = {}
        self.data_answer = None
        return self

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.rcpt_answers.get(address)
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answer is not None:
            return self.data_answer
        with self._arrived:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` messages arrived (or fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} messages, got {len(self.received)}"
                    )
                self._arrived.wait(remaining)
            return list(self.received)


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """Accept only ``USERNAME`` with ``PASSWORD``."""
    is_valid = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=is_valid, handled=False)


def start_mailbox(**options) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, **options)
    controller.start()
    return controller, mailbox


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate and key for 127.0.0.1, as PEM file paths."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def server_tls_context(tls_files):
    certificate, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    return context


@pytest.fixture(scope="session")
def _servers(server_tls_context):
    started = {
        "plain": start_mailbox(),
        "auth": start_mailbox(
            authenticator=check_login, auth_require_tls=False, auth_required=True
        ),
        "starttls": start_mailbox(
            tls_context=server_tls_context,
            require_starttls=True,
            authenticator=check_login,
        ),
        "ssl": start_mailbox(ssl_context=server_tls_context),
    }
    yield {name: mailbox for name, (_, mailbox) in started.items()}
    for controller, _ in started.values():
        controller.stop()


@pytest.fixture
def mailbox(_servers) -> Mailbox:
    """A plain SMTP server without login, emptied."""
    return _servers["plain"].reset()


@pytest.fixture
def auth_mailbox(_servers) -> Mailbox:
    """An SMTP server requiring a login (over plain text), emptied."""
    return _servers["auth"].reset()


@pytest.fixture
def starttls_mailbox(_servers) -> Mailbox:
    """An SMTP server requiring STARTTLS, then a login, emptied."""
    return _servers["starttls"].reset()


@pytest.fixture
def ssl_mailbox(_servers) -> Mailbox:
    """An SMTP server speaking TLS from the first byte, emptied."""
    return _servers["ssl"].reset()


@pytest.fixture
def make_notifier(configure_notifier):
    """Configure the plugin with ``[plugin:email]`` keys; return its notifier.

    ``from`` defaults to ``AlarmHugger <bot@example.com>``, ``security``
    to ``none`` and ``timeout`` to 5 s.
    """

    def make(**settings):
        section = {
            "from": "AlarmHugger <bot@example.com>",
            "security": "none",
            "timeout": "5",
            **settings,
        }
        return configure_notifier(EmailPlugin(), "email", **section)

    return make


@pytest.fixture
def login() -> dict[str, str]:
    """The ``username`` and ``password`` settings the test servers accept."""
    return {"username": USERNAME, "password": PASSWORD}
