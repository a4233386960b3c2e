"""Pieces the read views share: safe filter fields and storage calls."""

from __future__ import annotations

import datetime as dt

from flask import abort
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from gateway.api import current_gateway
from gateway.errors import StorageUnavailable
from gateway.plugins import PluginCallError


def _no_control_characters(value: str) -> None:
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ValidationError("must not contain control characters")


class FilterText(fields.String):
    """A filter string of sane length without control characters (NUL...)."""

    def __init__(self, max_length: int = 64, **kwargs) -> None:
        super().__init__(
            validate=[validate.Length(min=1, max=max_length), _no_control_characters],
            **kwargs,
        )


class FilterTime(fields.AwareDateTime):
    """An ISO 8601 time; naive ones are UTC; must be representable in UTC."""

    def __init__(self, **kwargs) -> None:
        super().__init__(default_timezone=dt.timezone.utc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and " " in value:
            raise ValidationError(
                "Not a valid datetime: a '+' in a URL must be written %2B "
                "(e.g. 2026-12-03T14:30:00%2B01:00), or use Z"
            )
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(dt.timezone.utc)
        except OverflowError:
            raise ValidationError("out of range once converted to UTC") from None


def call_storage(hook: str, **kwargs):
    """Call a storage hook for a read view: 503 while storage is away."""
    try:
        return current_gateway().plugins.call_first(hook, **kwargs)
    except PluginCallError as failure:
        if isinstance(failure.error, StorageUnavailable):
            abort(
                503, description="storage is unavailable right now; try again shortly"
            )
        raise
