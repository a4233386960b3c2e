"""Talking to the SMTP server, and what its answers mean for the delivery.

- Every recipient accepted: delivered.
- Some recipients refused, others accepted: delivered (a retry would mail
  the accepted ones twice); the detail names the refused ones.
- A 5xx reply (recipients, sender, message or login refused for good), a
  server lacking STARTTLS or AUTH: permanent.
- A 4xx reply, a dropped connection, a timeout, a TLS or network error:
  a plain failure, tried again later.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from typing import TYPE_CHECKING

from gateway.kit import SendResult
from gateway.kit import mask

if TYPE_CHECKING:
    from email.message import EmailMessage

    from alarmhugger_email._settings import EmailSettings


class _Stage:
    """Which step of the conversation is under way, for error details."""

    def __init__(self) -> None:
        self.name = "connect"


def deliver(settings: EmailSettings, message: EmailMessage) -> SendResult:
    """Send ``message`` in one SMTP session and map the outcome to a result."""
    stage = _Stage()
    try:
        refused = _transmit(settings, message, stage)
    except smtplib.SMTPRecipientsRefused as error:
        return _recipients_refused(error)
    except smtplib.SMTPResponseException as error:
        return _reply_refused(stage.name, error)
    except smtplib.SMTPNotSupportedError as error:
        return SendResult(False, f"{stage.name}: {mask(str(error))}", is_permanent=True)
    except smtplib.SMTPServerDisconnected as error:
        # smtplib reports a read timeout as a disconnection.
        if isinstance(error.__context__, TimeoutError):
            return _timed_out(stage.name, settings)
        return SendResult(False, f"{stage.name}: the server closed the connection")
    except ssl.SSLCertVerificationError as error:
        return SendResult(
            False, f"{stage.name}: certificate not trusted ({error.verify_message})"
        )
    except ssl.SSLError as error:
        return SendResult(False, f"{stage.name}: TLS failed ({error.reason})")
    except TimeoutError:
        return _timed_out(stage.name, settings)
    except ConnectionRefusedError:
        return SendResult(False, f"{stage.name}: connection refused")
    except socket.gaierror:
        return SendResult(False, f"{stage.name}: host name could not be resolved")
    except (smtplib.SMTPException, OSError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        return SendResult(False, f"{stage.name}: {reason}")

    if refused:
        return SendResult(True, f"sent; refused: {_refusals(refused)}")
    count = len(settings.recipients)
    return SendResult(True, f"sent to {count} recipient{'s' if count > 1 else ''}")


def _transmit(
    settings: EmailSettings, message: EmailMessage, stage: _Stage
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context(cafile=settings.ca_file)
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=settings.helo_name,
            timeout=settings.timeout,
            context=context,
        )
    else:
        smtp = smtplib.SMTP(
            settings.host,
            settings.port,
            local_hostname=settings.helo_name,
            timeout=settings.timeout,
        )

    with smtp:
        stage.name = "greeting"
        smtp.ehlo_or_helo_if_needed()
        if settings.security == "starttls":
            stage.name = "starttls"
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username is not None and settings.password is not None:
            stage.name = "login"
            smtp.login(settings.username, settings.password)

        stage.name = "send"
        return smtp.send_message(
            message,
            from_addr=settings.sender.addr_spec,
            to_addrs=settings.envelope_recipients,
        )


def _timed_out(stage: str, settings: EmailSettings) -> SendResult:
    return SendResult(False, f"{stage}: no answer within {settings.timeout:g} s")


def _recipients_refused(error: smtplib.SMTPRecipientsRefused) -> SendResult:
    codes = [code for code, _ in error.recipients.values()]
    return SendResult(
        False,
        f"send: every recipient was refused: {_refusals(error.recipients)}",
        is_permanent=all(500 <= code < 600 for code in codes),
    )


def _reply_refused(stage: str, error: smtplib.SMTPResponseException) -> SendResult:
    code = error.smtp_code
    text = _reply_text(error.smtp_error)
    return SendResult(
        False,
        f"{stage}: refused with {code} {text}".rstrip(),
        is_permanent=500 <= code < 600,
    )


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address} ({code} {_reply_text(reply)})".replace(" )", ")")
        for address, (code, reply) in refused.items()
    )


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return mask(" ".join(text.split()))[:200]
