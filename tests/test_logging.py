"""Logging set-up: secrets masked in messages, fields and tracebacks alike."""

from __future__ import annotations

import json
import logging

import pytest
from loguru import logger

from gateway._logging import register_secret
from gateway._logging import setup_logging
from gateway.config import GatewayConfig

SECRET = "123456:log-test-s3cr3t-token"


class UpstreamError(Exception):
    """Stands in for a library error that quotes the URL it failed on."""


def fail_with_secret_in_chain() -> None:
    try:
        raise OSError(f"connect to https://api.example/bot{SECRET}/send refused")
    except OSError as cause:
        raise UpstreamError(f"POST /bot{SECRET}/sendMessage failed") from cause


@pytest.fixture
def log_file(tmp_path):
    """Set logging up with only a file sink; undo it after the test."""
    register_secret(SECRET)

    def configure(log_format: str = "text"):
        path = tmp_path / f"gateway-{log_format}.log"
        setup_logging(
            GatewayConfig(
                {
                    "logging": {
                        "console": "false",
                        "file": str(path),
                        "format": log_format,
                        "level": "DEBUG",
                    }
                }
            )
        )
        return path

    yield configure
    setup_logging(GatewayConfig({"logging": {"console": "false"}}))


def read_after_flush(path) -> str:
    logger.complete()
    return path.read_text(encoding="utf-8")


def test_logging_exception_with_secret_is_masked_in_file(log_file):
    path = log_file()

    try:
        fail_with_secret_in_chain()
    except UpstreamError:
        logger.exception("delivery failed")

    text = read_after_flush(path)
    assert SECRET not in text
    assert "delivery failed" in text
    assert "Traceback (most recent call last)" in text
    assert "UpstreamError: POST /bot***/sendMessage failed" in text
    assert "OSError: connect to https://api.example/bot***/send refused" in text


def test_logging_exception_with_secret_is_masked_in_json(log_file):
    path = log_file("json")

    logger.opt(exception=UpstreamError(f"token {SECRET} refused")).error(
        "notify failed"
    )

    text = read_after_flush(path)
    [line] = text.splitlines()
    record = json.loads(line)
    assert SECRET not in line
    assert record["record"]["message"] == "notify failed"
    assert "UpstreamError: token *** refused" in record["text"]


def test_logging_exception_with_secret_never_reaches_another_sink(log_file):
    log_file()
    seen: list[str] = []
    # A sink as a test or an operator would add it, with loguru's own
    # exception rendering.
    sink_id = logger.add(seen.append, format="{message}\n{exception}", level="DEBUG")

    try:
        try:
            fail_with_secret_in_chain()
        except UpstreamError:
            logger.exception("delivery failed")
    finally:
        logger.remove(sink_id)

    assert seen
    assert all(SECRET not in line for line in seen)


def test_logging_stdlib_exception_with_secret_is_masked(log_file):
    path = log_file()

    try:
        fail_with_secret_in_chain()
    except UpstreamError:
        logging.getLogger("some.library").exception("library gave up")

    text = read_after_flush(path)
    assert "library gave up" in text
    assert SECRET not in text
    assert "UpstreamError: POST /bot***/sendMessage failed" in text


def test_logging_urllib3_is_kept_to_warnings(log_file):
    log_file()

    assert logging.getLogger("urllib3").getEffectiveLevel() == logging.WARNING


def test_logging_escapes_control_characters_from_request_data(log_records):
    """A newline in a ticker or a path cannot forge a second log line."""
    from loguru import logger

    from gateway._logging import _mask_record

    logger.configure(patcher=_mask_record)
    logger.info("ticker={}", "X\n2026-12-03 17:40:00.000 ERROR forged\x1b[31m")

    message = log_records[-1]["message"]
    assert "\n" not in message and "\x1b" not in message
    assert "X\\n2026-12-03" in message
