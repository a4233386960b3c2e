"""The fallback parser: keeps any body no other parser claimed, as it came."""

from __future__ import annotations

from loguru import logger

from gateway.kit import InboundRequest
from gateway.kit import ParsedAlarm
from gateway.kit import hookimpl


@hookimpl(trylast=True)
def gateway_parse_alarm(request: InboundRequest) -> ParsedAlarm:
    """Claim the body as a raw alarm whose message is the text itself."""
    warnings = []
    if request.text is None:
        text = request.body.decode("utf-8", errors="replace")
        warnings.append("body is not valid UTF-8; undecodable bytes replaced")
    else:
        text = request.text

    logger.info("no parser claimed body, stored raw ({} bytes)", len(request.body))
    return ParsedAlarm(
        parser="raw",
        format="raw",
        message=text.replace("\x00", "\ufffd").strip(),
        warnings=warnings,
    )
