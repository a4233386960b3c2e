"""Every error answer is JSON with one stable shape.

``{"error": "<code>", "message": "<what went wrong>", "status": <int>}``,
plus ``"errors": {field: [messages]}`` when arguments failed validation.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask import jsonify
from flask import request
from loguru import logger
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge


def error_response(status: int, error: str, message: str, **extra: Any):
    """Build a JSON error response."""
    body = {"error": error, "message": message, "status": status, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _code(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _handle_http_exception(error: HTTPException):
    status = error.code or 500
    extra: dict[str, Any] = {}

    messages = (
        getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
    )
    if messages:
        # webargs nests messages by location; callers care about the fields.
        flat: dict[str, Any] = {}
        for location_messages in messages.values():
            flat.update(location_messages)
        extra["errors"] = flat

    if isinstance(error, RequestEntityTooLarge):
        from flask import current_app

        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        extra["limit_bytes"] = limit
        message = f"request body larger than the limit of {limit} bytes"
        logger.warning(
            "body too large: {} bytes declared, limit {}",
            request.content_length,
            limit,
        )
    elif status == 400 and "errors" in extra:
        message = "invalid request arguments"
    else:
        message = error.description or error.name

    response = error_response(status, _code(error.name), message, **extra)
    for name, value in error.get_headers() if status == 405 else []:
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


def _handle_unexpected(error: Exception):
    logger.opt(exception=error).error(
        "unhandled error on {} {}", request.method, request.path
    )
    return error_response(500, "internal_error", "the gateway failed on this request")


def register(app: Flask) -> None:
    """Install the JSON error handlers on ``app``."""
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
