"""Taking the webhook token out of an alarm before it is stored.

The token fields are deleted from ``alarm.fields``, and every occurrence of
a secret (or of a value offered as the token) in the alarm's text is
replaced by ``***``: in ``raw``, ``message``, parser warnings, nested
field values and keys alike, and in ``raw_bytes`` when that is kept.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from typing import Callable
from typing import Iterable

from gateway.kit import Alarm

MASK = "***"

# Values shorter than this are not replaced in text: masking "1" or "buy"
# everywhere would garble the alarm. Configured secrets are always longer.
MIN_MASKED_LENGTH = 4

# Fields that identify the alarm or hold no sender text.
_UNTOUCHED = frozenset({"id", "received_at", "raw_bytes"})


def redact_alarm(
    alarm: Alarm,
    secrets: Iterable[str],
    is_token_field: Callable[[str], bool],
) -> None:
    """Remove token fields and mask ``secrets`` everywhere in ``alarm``, in place.

    :param secrets: the values to mask; those shorter than
        :data:`MIN_MASKED_LENGTH` are ignored.
    :param is_token_field: tells whether a top-level field carries the token.
    """
    for name in [key for key in alarm.fields if is_token_field(key)]:
        del alarm.fields[name]

    masked = sorted(
        {value for value in secrets if len(value) >= MIN_MASKED_LENGTH},
        key=len,
        reverse=True,
    )
    if not masked:
        return

    for field in dataclasses.fields(alarm):
        if field.name in _UNTOUCHED:
            continue
        value = getattr(alarm, field.name)
        redacted = _redact(value, masked)
        if redacted is not value:
            setattr(alarm, field.name, redacted)

    if alarm.raw_bytes is not None:
        alarm.raw_bytes = _redact_bytes(alarm.raw_bytes, masked)


def _redact(value: Any, masked: list[str]) -> Any:
    """Return ``value`` with secrets masked, or ``value`` itself if untouched."""
    if isinstance(value, str):
        return _redact_text(value, masked)
    if isinstance(value, list):
        items = [_redact(item, masked) for item in value]
        changed = any(new is not old for new, old in zip(items, value, strict=True))
        return items if changed else value
    if isinstance(value, dict):
        pairs = [(_redact(k, masked), _redact(v, masked)) for k, v in value.items()]
        changed = any(
            new_key is not key or new_value is not item
            for (new_key, new_value), (key, item) in zip(
                pairs, value.items(), strict=True
            )
        )
        return dict(pairs) if changed else value
    return value


def _redact_text(text: str, masked: list[str]) -> str:
    redacted = text
    for secret in masked:
        if secret in redacted:
            redacted = redacted.replace(secret, MASK)
    return redacted if redacted != text else text


def _redact_bytes(body: bytes, masked: list[str]) -> bytes:
    for secret in masked:
        body = body.replace(secret.encode("utf-8"), MASK.encode("ascii"))
    return body
