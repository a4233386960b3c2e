"""Logging set-up with loguru, and the masking that keeps secrets out of it.

Only the entry point calls :func:`setup_logging`. Everything else imports
``from loguru import logger`` and logs; a patcher masks every secret the
configuration or a plugin registered, in messages, bound fields and
exception tracebacks alike.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from typing import TYPE_CHECKING
from typing import Any

from loguru import logger

if TYPE_CHECKING:
    from gateway.config import GatewayConfig

MASK = "***"

_handler_ids: list[int] = []
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_secret_pattern: re.Pattern[str] | None = None

# Passwords inside URLs: scheme://user:password@host
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@")

_TEXT_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> <level>{level: <7}</level> "
    "<cyan>{name}</cyan> {message}{extra[extra_text]}{extra[exception_text]}"
)

# Fields the patcher fills in for the sinks' format, not bound by callers.
_RENDERED_FIELDS = ("extra_text", "exception_text")

# Standard-library loggers kept to warnings: SQLAlchemy and Alembic are
# chatty, and urllib3's DEBUG lines quote request paths, which hold
# Telegram's /bot<token>/.
_QUIET_LOGGERS = ("sqlalchemy", "alembic", "urllib3")


def register_secret(value: str) -> None:
    """Mask ``value`` wherever it would appear in a log line from now on.

    Values shorter than four characters are ignored: masking them would
    garble ordinary words.
    """
    value = value.strip()
    if len(value) < 4:
        return

    global _secret_pattern
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _secret_pattern = re.compile("|".join(re.escape(item) for item in ordered))


def mask(text: str) -> str:
    """Return ``text`` with registered secrets and URL passwords masked."""
    if _secret_pattern is not None:
        text = _secret_pattern.sub(MASK, text)
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}@", text)


# Control characters from request data (a newline in a path or a ticker)
# would let a sender forge log lines or colour a terminal: show them escaped.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def _mask_record(record: Any) -> None:
    record["message"] = _escape_controls(mask(record["message"]))
    extra = record["extra"]
    for key, value in extra.items():
        if isinstance(value, str):
            extra[key] = _escape_controls(mask(value))

    shown = " ".join(
        f"{key}={value}"
        for key, value in extra.items()
        if key not in _RENDERED_FIELDS and value is not None
    )
    extra["extra_text"] = f" [{shown}]" if shown else ""

    # Every sink would render the exception itself, from the live object,
    # and an exception's text often quotes a URL with its credential. So it
    # is rendered here, masked, and the sinks get no exception to render.
    extra["exception_text"] = ""
    if record["exception"] is not None:
        extra["exception_text"] = "\n" + _masked_traceback(record["exception"])
        record["exception"] = None


def _masked_traceback(exception: Any) -> str:
    error_type, error, trace = exception
    lines = traceback.format_exception(error_type, error, trace)
    return mask("".join(lines).rstrip("\n"))


class _InterceptHandler(logging.Handler):
    """Send records of stdlib loggers (waitress, SQLAlchemy) to loguru."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(depth=6, exception=record.exc_info).bind(
            logger_name=record.name
        ).log(level, record.getMessage())


def setup_logging(config: GatewayConfig) -> None:
    """Install the console and file sinks described in ``[logging]``."""
    level = (config.get("logging", "level", "INFO") or "INFO").upper()
    serialize = config.get("logging", "format", "text") == "json"

    # Replace loguru's default sink and our own earlier ones, but leave
    # sinks added by others (a test capturing logs) in place.
    for handler_id in [0, *_handler_ids]:
        try:
            logger.remove(handler_id)
        except ValueError:
            pass
    _handler_ids.clear()
    logger.configure(
        patcher=_mask_record, extra={"extra_text": "", "exception_text": ""}
    )

    if config.get_bool("logging", "console", True):
        # A console that cannot encode an emoji must not break logging.
        stream = sys.stderr
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
        _handler_ids.append(
            logger.add(
                stream,
                level=level,
                format=_TEXT_FORMAT,
                serialize=serialize,
                backtrace=False,
                diagnose=False,
            )
        )

    log_file = config.get("logging", "file", "")
    if log_file:
        _handler_ids.append(
            logger.add(
                config.get_path("logging", "file", log_file),
                level=level,
                format=_TEXT_FORMAT,
                serialize=serialize,
                rotation=config.get("logging", "rotation", "10 MB"),
                retention=config.get("logging", "retention", "14 days"),
                encoding="utf-8",
                # Written in the calling thread: a queue pickles every line
                # through a pipe, which cost a fifth of the hot path.
                enqueue=False,
                backtrace=False,
                diagnose=False,
            )
        )

    logging.basicConfig(handlers=[_InterceptHandler()], level=logging.INFO, force=True)
    # waitress warns "Task queue depth is N" for nearly every queued request
    # of a burst, from its I/O thread; the health endpoint reports load.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
