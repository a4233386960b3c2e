"""Logging set-up with loguru, and the masking that keeps secrets out of it.

Only the entry point calls :func:`setup_logging`. Everything else imports
``from loguru import logger`` and logs; a patcher masks every secret the
configuration or a plugin registered, in messages and bound fields alike.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
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
    "<cyan>{name}</cyan> {message}{extra[extra_text]}"
)


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


def _mask_record(record: Any) -> None:
    record["message"] = mask(record["message"])
    extra = record["extra"]
    for key, value in extra.items():
        if isinstance(value, str):
            extra[key] = mask(value)

    shown = " ".join(
        f"{key}={value}"
        for key, value in extra.items()
        if key != "extra_text" and value is not None
    )
    extra["extra_text"] = f" [{shown}]" if shown else ""


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
    logger.configure(patcher=_mask_record, extra={"extra_text": ""})

    if config.get_bool("logging", "console", True):
        # A console that cannot encode an emoji must not break logging.
        stream = sys.stderr
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
        _handler_ids.append(logger.add(
            stream,
            level=level,
            format=_TEXT_FORMAT,
            serialize=serialize,
            backtrace=False,
            diagnose=False,
        ))

    log_file = config.get("logging", "file", "")
    if log_file:
        _handler_ids.append(logger.add(
            config.get_path("logging", "file", log_file),
            level=level,
            format=_TEXT_FORMAT,
            serialize=serialize,
            rotation=config.get("logging", "rotation", "10 MB"),
            retention=config.get("logging", "retention", "14 days"),
            encoding="utf-8",
            enqueue=True,
            backtrace=False,
            diagnose=False,
        ))

    logging.basicConfig(handlers=[_InterceptHandler()], level=logging.INFO, force=True)
    for name in ("sqlalchemy", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
