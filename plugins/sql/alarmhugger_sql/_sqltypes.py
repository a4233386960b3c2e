"""Column types that keep alarm values exact on PostgreSQL and SQLite alike.

PostgreSQL has what we need natively (``timestamptz``, ``numeric``,
``jsonb``). SQLite has no time zones and would turn a ``NUMERIC`` value
into a float, so there times are stored as UTC text and decimals as text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import simplejson
from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import Dialect
from sqlalchemy import Numeric
from sqlalchemy import Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlalchemy.types import TypeEngine

UTC = dt.timezone.utc

REPLACEMENT_CHARACTER = "\ufffd"

#: JSON on SQLite, JSONB on PostgreSQL (numbers kept as exact ``numeric``).
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A point in time, always read back as an aware UTC ``datetime``.

    A naive value is taken to be UTC. SQLite stores the UTC wall time as
    fixed-width text, which sorts in time order.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal number stored without rounding: ``numeric`` or SQLite text.

    Non-finite values (NaN, infinity) are stored as ``NULL``, as the core
    does for non-finite fields.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        if not value.is_finite():
            return None
        if dialect.name == "sqlite":
            # Positional notation reads well in the sqlite3 shell.
            return format(value, "f")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


def dump_json(value: Any) -> str:
    """Serialise a JSON column's value, keeping decimals exact.

    NaN and infinity become ``null``. NUL characters and lone surrogates,
    which PostgreSQL refuses and UTF-8 cannot encode, become U+FFFD.
    """
    text = _dumps(value)
    if "\\u0000" in text or not is_encodable(text):
        text = _dumps(clean_json(value))
    return text


def load_json(text: str | bytes) -> Any:
    """Read a JSON column's value with non-integer numbers as ``Decimal``."""
    return simplejson.loads(text, use_decimal=True)


# Built once: ``simplejson.dumps`` with these options builds a new encoder
# for every value, a quarter of the cost of a small document.
_ENCODER = simplejson.JSONEncoder(use_decimal=True, ignore_nan=True, ensure_ascii=False)


def _dumps(value: Any) -> str:
    if not value and isinstance(value, (list, dict)):
        # Most alarms have no unresolved placeholders, warnings or
        # non-finite fields: three empty lists per alarm.
        return "[]" if isinstance(value, list) else "{}"
    text: str = _ENCODER.encode(value)
    return text


def is_encodable(text: str) -> bool:
    """Tell whether ``text`` can be written as UTF-8 (no lone surrogates)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(text: str) -> str:
    """Replace what no database can hold (NUL, lone surrogates) with U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", REPLACEMENT_CHARACTER)
    if not is_encodable(text):
        # Pairs written as two escapes join up; lone halves are replaced.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_json(value: Any) -> Any:
    """Apply :func:`clean_text` to every string in a JSON value, keys too."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_json(key): clean_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(item) for item in value]
    return value
