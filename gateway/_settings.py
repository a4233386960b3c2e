"""Plugin settings declared as marshmallow schemas, checked by the core.

A plugin returns a schema from ``gateway_settings_schema``; the core loads
the plugin's ``[plugin:NAME]`` section with it before ``gateway_configure``
and turns marshmallow's complaints into a :class:`ConfigError` an operator
can act on: section, key, value (masked when secret) and what was expected.
"""

from __future__ import annotations

import re
from typing import Any
from typing import Mapping

from marshmallow import EXCLUDE
from marshmallow import INCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields

from gateway._logging import MASK
from gateway._logging import mask
from gateway._logging import register_secret
from gateway.errors import ConfigError
from gateway.errors import PluginError

# Keys whose values are secret whatever the schema says (as in config.py).
_SECRET_KEY = re.compile(r"(secret|token|password|passphrase|api_?key|keys)", re.I)

# What a field of each type expects, in the words of an operator.
_EXPECTED_BY_TYPE: tuple[tuple[type[fields.Field], str], ...] = (
    (fields.Boolean, "true or false"),
    (fields.Integer, "a whole number"),
    (fields.Float, "a number"),
    (fields.Decimal, "a number"),
    (fields.Number, "a number"),
    (fields.Email, "an e-mail address"),
    (fields.URL, "a URL"),
    (fields.UUID, "a UUID"),
    (
        fields.AwareDateTime,
        "a date and time with its offset, e.g. 2026-05-01T12:00:00Z",
    ),
    (fields.DateTime, "a date and time, e.g. 2026-05-01T12:00:00Z"),
    (fields.Date, "a date, e.g. 2026-05-01"),
    (fields.TimeDelta, "a number of seconds"),
    (fields.IP, "an IP address"),
    (fields.List, "a comma-separated list"),
    (fields.String, "text"),
)


class CommaList(fields.List):
    """A list written as ``a, b, c`` (commas or new lines) in ``gateway.ini``.

    ``CommaList()`` gives a list of strings; pass an inner field for other
    items, e.g. ``CommaList(fields.Integer())``. Blank entries are dropped.
    """

    def __init__(self, cls_or_instance: Any = None, **kwargs: Any) -> None:
        super().__init__(cls_or_instance or fields.String(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def as_schema(declared: object, plugin: str) -> Schema:
    """Return the schema instance a plugin declared (a class or an instance).

    :raises PluginError: when the plugin returned something else.
    """
    if isinstance(declared, type) and issubclass(declared, Schema):
        return declared()
    if isinstance(declared, Schema):
        return declared
    raise PluginError(
        f"plugin {plugin!r} returned {declared!r} from gateway_settings_schema; "
        "expected a marshmallow Schema class or instance, or None"
    )


def load_settings(
    section: str, schema: Schema, values: Mapping[str, str]
) -> dict[str, Any]:
    """Load one ``[plugin:NAME]`` section with the plugin's schema.

    Blank values count as not set. Values of fields marked
    ``metadata={"secret": True}`` are registered as secrets first, so no
    log line or message shows them.

    :raises ConfigError: for the first key that fails, in the order the
        section is written (missing required keys last).
    """
    given = {key: value for key, value in values.items() if value.strip()}
    by_key = _fields_by_key(schema)
    for key, value in given.items():
        field = by_key.get(key)
        if field is not None and field.metadata.get("secret"):
            register_secret(value)

    try:
        return dict(schema.load(given))
    except ValidationError as error:
        raise _first_problem(section, schema, given, error) from error


def _fields_by_key(schema: Schema) -> dict[str, fields.Field]:
    return {
        field.data_key or name: field
        for name, field in schema.fields.items()
        if not field.dump_only
    }


def _first_problem(
    section: str, schema: Schema, given: Mapping[str, str], error: ValidationError
) -> ConfigError:
    messages = error.messages if isinstance(error.messages, dict) else {}
    by_key = _fields_by_key(schema)
    ordered = [key for key in given if key in messages]
    ordered += [key for key in messages if key not in given]
    if not ordered:
        return ConfigError(section, "(settings)", "", _sentence(error.messages))

    key = ordered[0]
    field = by_key.get(key)
    value = given.get(key, "")
    if value and (
        (field is not None and field.metadata.get("secret")) or _SECRET_KEY.search(key)
    ):
        value = MASK
    else:
        value = mask(value)

    reason = _sentence(messages[key])
    if key == "_schema":
        return ConfigError(section, "(settings)", "", reason)
    if field is None and schema.unknown not in (EXCLUDE, INCLUDE):
        known = ", ".join(sorted(by_key)) or "none"
        return ConfigError(section, key, value, f"one of the keys {known}")
    if key not in given:
        return ConfigError(
            section, key, "", f"{_expected(field)} (the key is required)"
        )
    return ConfigError(section, key, value, f"{_expected(field)} ({reason})")


def _expected(field: fields.Field | None) -> str:
    if field is None:
        return "a valid value"
    described = field.metadata.get("expected")
    if described:
        return str(described)
    for field_type, words in _EXPECTED_BY_TYPE:
        if isinstance(field, field_type):
            return words
    return "a valid value"


def _sentence(messages: Any) -> str:
    # marshmallow's messages are lists of sentences, nested for containers.
    if isinstance(messages, dict):
        return "; ".join(_sentence(value) for value in messages.values())
    if isinstance(messages, (list, tuple)):
        return " ".join(_sentence(value) for value in messages)
    text = str(messages).strip().rstrip(".")
    return text[:1].lower() + text[1:]
